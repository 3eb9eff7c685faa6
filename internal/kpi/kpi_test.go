package kpi

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/campaignmember"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// The period of the fixture: the first quarter of 2024, [Jan 1, Apr 1) UTC.
var (
	from = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to   = time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	q1   = Period{From: from, To: to}

	// Zones the fixture writes some times in: on SQLite they are stored as
	// local text, so the queries must convert them to UTC.
	eet = time.FixedZone("EET", 2*3600)
	est = time.FixedZone("EST", -5*3600)
	cet = time.FixedZone("CET", 1*3600)
)

// day returns midnight UTC of a date.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// at returns a UTC time of a date.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// units returns an amount of whole currency units.
func units(n int64) money.Amount { return money.FromCents(100 * n) }

// fixture is the hand-made data set of organization "acme"; the comments
// give what each row contributes to the KPIs of Q1 2024.
type fixture struct {
	org                      string
	ann, bob                 string // users, deal owners
	spring, expo, newsletter string // campaigns that ran in Q1
	otherOrg, emptyOrg       string // the second and the empty organization
}

// builder creates rows in one organization.
type builder struct {
	ctx context.Context
	c   *ent.Client
}

// must returns v, panicking (which fails the test) on an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func newOrg(t *testing.T, s *store.Store, slug string) builder {
	t.Helper()
	ctx := context.Background()
	o := must(s.Client.Organization.Create().SetName(slug).SetSlug(slug).Save(tenant.WithSystem(ctx)))
	return builder{ctx: tenant.WithOrganization(ctx, string(o.ID)), c: s.Client}
}

func (b builder) org() string {
	id, _ := tenant.OrganizationID(b.ctx)
	return id
}

func (b builder) user(email string) pulid.ID {
	return must(b.c.User.Create().SetEmail(email).SetPasswordHash("x").Save(b.ctx)).ID
}

// contact creates a contact with the predicted CLV; campaign and referrer
// may be "".
func (b builder) contact(name string, created time.Time, campaignID, referrer pulid.ID, clv float64) pulid.ID {
	c := b.c.Contact.Create().SetFirstName(name).SetCreatedAt(created)
	if campaignID != "" {
		c.SetAcquisitionCampaignID(campaignID)
	}
	if referrer != "" {
		c.SetReferredByID(referrer)
	}
	id := must(c.Save(b.ctx)).ID
	b.predictedCLV(id, clv)
	return id
}

// predictedCLV sets the predicted CLV of the contact in its row of
// contact_values, as an analytics refresh does.
func (b builder) predictedCLV(id pulid.ID, clv float64) {
	if n := must(b.c.ContactValue.Update().Where(contactvalue.ContactID(id)).SetPredictedClv(clv).Save(b.ctx)); n != 1 {
		panic(fmt.Sprintf("contact %s has %d rows of value figures, want 1", id, n))
	}
}

func (b builder) campaign(name string, ch campaign.Channel, cost money.Amount, created time.Time, starts, ends *time.Time) pulid.ID {
	return must(b.c.Campaign.Create().SetName(name).SetChannel(ch).SetActualCost(cost).
		SetCreatedAt(created).SetNillableStartsAt(starts).SetNillableEndsAt(ends).Save(b.ctx)).ID
}

func (b builder) member(campaignID, contactID pulid.ID, st campaignmember.Status, sent, responded *time.Time) {
	must(b.c.CampaignMember.Create().SetCampaignID(campaignID).SetContactID(contactID).SetStatus(st).
		SetNillableSentAt(sent).SetNillableRespondedAt(responded).Save(b.ctx))
}

// dealSpec is a deal of the fixture; empty IDs and zero times are unset.
type dealSpec struct {
	name                  string
	status                deal.Status
	amount                money.Amount
	created, closed       time.Time
	expected              time.Time
	contact, owner, stage pulid.ID
	source                pulid.ID
}

func (b builder) deal(s dealSpec) {
	c := b.c.Deal.Create().SetName(s.name).SetStatus(s.status).SetAmount(s.amount)
	if !s.created.IsZero() {
		c.SetCreatedAt(s.created)
	}
	if !s.closed.IsZero() {
		c.SetClosedAt(s.closed)
	}
	if !s.expected.IsZero() {
		c.SetExpectedCloseDate(s.expected)
	}
	for _, f := range []struct {
		id  pulid.ID
		set func(pulid.ID) *ent.DealCreate
	}{{s.contact, c.SetContactID}, {s.owner, c.SetOwnerID}, {s.stage, c.SetStageID}, {s.source, c.SetSourceCampaignID}} {
		if f.id != "" {
			f.set(f.id)
		}
	}
	must(c.Save(b.ctx))
}

func (b builder) responses(kind survey.Kind, scores map[time.Time]int) {
	sv := must(b.c.Survey.Create().SetName(string(kind)).SetKind(kind).Save(b.ctx))
	for when, score := range scores {
		must(b.c.SurveyResponse.Create().SetSurveyID(sv.ID).SetScore(score).SetSubmittedAt(when).Save(b.ctx))
	}
}

func (b builder) ticket(opened time.Time, resolved *time.Time, cost money.Amount) {
	must(b.c.Ticket.Create().SetSubject("help").SetOpenedAt(opened).SetNillableResolvedAt(resolved).SetCostToServe(cost).Save(b.ctx))
}

func tp(t time.Time) *time.Time { return &t }

// build creates the fixture of organization "acme", plus the rows of a
// second organization, "other", that must never count, and an empty
// organization.
func build(t *testing.T, s *store.Store) fixture {
	b := newOrg(t, s, "acme")
	ann, bob := b.user("ann@acme.test"), b.user("bob@acme.test")

	pl := must(b.c.Pipeline.Create().SetName("Sales").Save(b.ctx))
	qualify := must(b.c.Stage.Create().SetName("Qualify").SetPosition(0).SetProbability(0.2).SetPipelineID(pl.ID).Save(b.ctx)).ID
	proposal := must(b.c.Stage.Create().SetName("Proposal").SetPosition(1).SetProbability(0.5).SetPipelineID(pl.ID).Save(b.ctx)).ID

	// Campaigns. Running in Q1 (starts before Apr 1, not ended by Jan 1):
	// Spring mail, Expo and Newsletter; cost 100 + 500 + 0 = 600.
	spring := b.campaign("Spring mail", campaign.ChannelEMAIL, units(100), day(2024, 1, 1), tp(day(2024, 1, 10)), tp(day(2024, 2, 10)))
	expo := b.campaign("Expo", campaign.ChannelEXHIBITION, units(500), day(2023, 11, 1), tp(day(2023, 12, 1)), tp(day(2024, 1, 15)))
	newsletter := b.campaign("Newsletter", campaign.ChannelEMAIL, 0, day(2024, 2, 1), tp(day(2024, 3, 1)), nil)
	// Not running in Q1: ended in 2023; ended exactly at From; no start and
	// created after To.
	oldAds := b.campaign("Old ads", campaign.ChannelADS, units(900), day(2023, 5, 1), tp(day(2023, 6, 1)), tp(day(2023, 7, 1)))
	b.campaign("Winter mail", campaign.ChannelEMAIL, units(300), day(2023, 11, 1), tp(day(2023, 12, 1)), tp(from))
	b.campaign("Summer fair", campaign.ChannelEVENT, units(1000), day(2024, 5, 1), nil, nil)

	// Contacts. Leads (created in Q1): C, D, E; F is created exactly at To.
	a := b.contact("A", day(2023, 5, 1), "", "", 0)
	bb := b.contact("B", day(2022, 1, 1), "", "", 0)
	g := b.contact("G", day(2023, 11, 1), expo, "", 0)
	c := b.contact("C", day(2024, 1, 5), spring, "", 900)
	d := b.contact("D", day(2024, 2, 1), expo, a, 300)
	e := b.contact("E", day(2024, 3, 1), spring, "", 50)
	f := b.contact("F", to.In(est), spring, "", 10)

	// Purchases and closed deals.
	for _, s := range []dealSpec{
		// A: bought in 2023 (active at start) and in Q1 (active at end).
		{name: "A 2023", status: deal.StatusWON, amount: units(200), created: day(2023, 6, 1), closed: at(2023, 6, 15, 12, 0), contact: a, owner: bob},
		{name: "A Q1", status: deal.StatusWON, amount: units(300), created: at(2024, 1, 31, 10, 0), closed: at(2024, 2, 10, 10, 0), contact: a, owner: bob},
		// B: last bought on 2023-03-01: active at start (after 2023-01-01),
		// not at end (before 2023-04-02).
		{name: "B 2022", status: deal.StatusWON, amount: units(100), created: day(2022, 2, 1), closed: day(2022, 3, 1), contact: bb},
		{name: "B 2023", status: deal.StatusWON, amount: units(150), created: day(2023, 2, 1), closed: day(2023, 3, 1), contact: bb},
		// G: bought in December, acquired by Expo.
		{name: "G 2023", status: deal.StatusWON, amount: units(250), created: day(2023, 12, 1), closed: day(2023, 12, 20), contact: g, source: expo},
		// C: new customer, 10-day cycle, sourced by Spring mail.
		{name: "C Q1", status: deal.StatusWON, amount: units(500), created: at(2024, 1, 10, 8, 0), closed: at(2024, 1, 20, 8, 0), contact: c, owner: ann, source: spring},
		// D: new customer, closed 2024-04-01 01:30 EET = 2024-03-31 23:30
		// UTC, inside Q1; 20-day cycle; sourced by Expo.
		{name: "D Q1", status: deal.StatusWON, amount: units(1000), created: at(2024, 3, 11, 23, 30), closed: time.Date(2024, 4, 1, 1, 30, 0, 0, eet), contact: d, owner: ann, source: expo},
		// D again, closed 2024-03-31 19:00 EST = exactly To: outside Q1.
		{name: "D at To", status: deal.StatusWON, amount: units(700), created: day(2024, 3, 1), closed: to.In(est), contact: d, owner: ann, source: expo},
		// F bought after To.
		{name: "F Q2", status: deal.StatusWON, amount: units(80), created: day(2024, 4, 1), closed: day(2024, 4, 5), contact: f},
		// A purchase without a contact, 10-day cycle (2024 is a leap year),
		// sourced by a campaign that did not run in Q1.
		{name: "Walk-in", status: deal.StatusWON, amount: units(200), created: day(2024, 2, 20), closed: day(2024, 3, 1), owner: bob, source: oldAds},
		// Lost deals: E's in Q1, one without owner in Q1, one closed exactly
		// at From (inside), one a second before From (outside).
		{name: "E lost", status: deal.StatusLOST, amount: units(400), created: day(2024, 3, 1), closed: day(2024, 3, 15), contact: e, owner: bob},
		{name: "Lost Jan", status: deal.StatusLOST, amount: units(100), created: day(2023, 12, 1), closed: day(2024, 1, 5)},
		{name: "Lost at From", status: deal.StatusLOST, amount: units(50), created: day(2023, 12, 1), closed: from.In(est)},
		{name: "Lost before From", status: deal.StatusLOST, amount: units(60), created: day(2023, 12, 1), closed: from.Add(-time.Second)},
		// Open pipeline, by expected close.
		{name: "O1", status: deal.StatusOPEN, amount: units(1000), expected: day(2024, 1, 15), stage: qualify},
		{name: "O2", status: deal.StatusOPEN, amount: units(2000), expected: day(2024, 5, 20), stage: proposal},
		// 2024-05-31 23:00 EST is 2024-06-01 04:00 UTC: June.
		{name: "O3", status: deal.StatusOPEN, amount: units(400), expected: time.Date(2024, 5, 31, 23, 0, 0, 0, est), stage: proposal},
		{name: "O4 no stage", status: deal.StatusOPEN, amount: units(300), expected: day(2024, 2, 10)},
		{name: "O5 overdue", status: deal.StatusOPEN, amount: units(5000), expected: day(2023, 12, 20), stage: qualify},
		{name: "O6 beyond 12 months", status: deal.StatusOPEN, amount: units(6000), expected: day(2025, 1, 1), stage: qualify},
		{name: "O7 no date", status: deal.StatusOPEN, amount: units(7000), stage: qualify},
	} {
		b.deal(s)
	}

	// Campaign members. Sent in Q1, by UTC hour and weekday:
	//   C  Wed 2024-01-10 09:15, responded
	//   E  Wed 2024-01-10 09:20
	//   A  Thu 2024-01-11 14:05 (15:05 CET), responded
	//   G  Tue 2024-01-02 09:45
	//   B  Thu 2024-03-07 09:00
	// D was sent in December; F was never sent.
	b.member(spring, c, campaignmember.StatusCONVERTED, tp(at(2024, 1, 10, 9, 15)), tp(at(2024, 1, 10, 12, 0)))
	b.member(spring, e, campaignmember.StatusOPENED, tp(at(2024, 1, 10, 9, 20)), nil)
	b.member(spring, f, campaignmember.StatusTARGETED, nil, nil)
	b.member(spring, a, campaignmember.StatusSENT, tp(time.Date(2024, 1, 11, 15, 5, 0, 0, cet)), tp(time.Date(2024, 1, 11, 16, 0, 0, 0, cet)))
	b.member(expo, d, campaignmember.StatusATTENDED, tp(at(2023, 12, 5, 10, 0)), nil)
	b.member(expo, g, campaignmember.StatusUNSUBSCRIBED, tp(at(2024, 1, 2, 9, 45)), nil)
	b.member(newsletter, bb, campaignmember.StatusSENT, tp(at(2024, 3, 7, 9, 0)), nil)

	// Survey responses; the last two of NPS fall just before From and
	// exactly at To.
	b.responses(survey.KindNPS, map[time.Time]int{
		day(2024, 1, 3): 10, day(2024, 1, 4): 9, day(2024, 2, 1): 9, day(2024, 2, 2): 7, day(2024, 3, 3): 2,
		from.Add(-time.Second): 10, to.In(est): 0,
	})
	b.responses(survey.KindCSAT, map[time.Time]int{
		day(2024, 1, 3): 5, day(2024, 1, 4): 4, day(2024, 2, 1): 3, day(2024, 3, 1): 1,
	})
	b.responses(survey.KindCES, map[time.Time]int{day(2024, 1, 3): 2, day(2024, 1, 4): 5})
	b.responses(survey.KindCUSTOM, map[time.Time]int{day(2024, 1, 3): 100})

	// Tickets: opened in Q1 T1 (resolved in 12 h, cost 50) and T2 (resolved
	// after To, cost 30); T3 opened in December, resolved in Q1 after 48 h
	// (cost 20); T4 opened exactly at To (cost 1000).
	b.ticket(at(2024, 1, 10, 8, 0), tp(at(2024, 1, 10, 20, 0)), units(50))
	b.ticket(day(2024, 3, 30), tp(day(2024, 4, 2)), units(30))
	b.ticket(at(2023, 12, 30, 12, 0), tp(at(2024, 1, 1, 12, 0)), units(20))
	b.ticket(to, nil, units(1000))

	// Another organization with rows of every kind in Q1, all of which
	// would change the figures above if they leaked into acme's report.
	o := newOrg(t, s, "other")
	ou := o.user("zed@other.test")
	ocmp := o.campaign("Other mail", campaign.ChannelEMAIL, units(7), day(2024, 1, 1), tp(day(2024, 1, 1)), nil)
	oc := o.contact("Z", day(2024, 1, 2), ocmp, "", 5000)
	o.deal(dealSpec{name: "Z", status: deal.StatusWON, amount: units(99999), created: day(2024, 1, 2), closed: day(2024, 1, 3), contact: oc, owner: ou, source: ocmp})
	o.deal(dealSpec{name: "Z lost", status: deal.StatusLOST, amount: units(1), created: day(2024, 1, 2), closed: day(2024, 1, 3), owner: ou})
	o.deal(dealSpec{name: "Z open", status: deal.StatusOPEN, amount: units(12345), expected: day(2024, 1, 20)})
	o.member(ocmp, oc, campaignmember.StatusRESPONDED, tp(at(2024, 1, 3, 3, 0)), tp(at(2024, 1, 3, 4, 0)))
	o.responses(survey.KindNPS, map[time.Time]int{day(2024, 1, 3): 0, day(2024, 1, 4): 0})
	o.responses(survey.KindCSAT, map[time.Time]int{day(2024, 1, 3): 1})
	o.responses(survey.KindCES, map[time.Time]int{day(2024, 1, 3): 7})
	o.ticket(day(2024, 1, 3), tp(day(2024, 1, 4)), units(999))

	empty := newOrg(t, s, "empty")

	return fixture{
		org: b.org(), ann: string(ann), bob: string(bob),
		spring: string(spring), expo: string(expo), newsletter: string(newsletter),
		otherOrg: o.org(), emptyOrg: empty.org(),
	}
}

// check is one expectation: spec says how the wanted value follows from
// the fixture.
type check struct {
	spec      string
	got, want any
}

// same compares a report value with a wanted one: pointers are followed
// (a nil want means a nil pointer), floats compare to 1e-9.
func same(got, want any) bool {
	g := reflect.ValueOf(got)
	if g.Kind() == reflect.Pointer {
		if g.IsNil() {
			return want == nil
		}
		g = g.Elem()
	}
	if want == nil {
		return false
	}
	if g.Kind() == reflect.Float64 {
		w, ok := want.(float64)
		return ok && math.Abs(g.Float()-w) <= 1e-9*math.Max(1, math.Abs(w))
	}
	return reflect.DeepEqual(g.Interface(), want)
}

func show(v any) string {
	r := reflect.ValueOf(v)
	if r.Kind() == reflect.Pointer {
		if r.IsNil() {
			return "nil"
		}
		return fmt.Sprintf("&%v", r.Elem().Interface())
	}
	return fmt.Sprintf("%v", v)
}

func run(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		if !same(c.got, c.want) {
			t.Errorf("%s:\n got  %s\n want %s", c.spec, show(c.got), show(c.want))
		}
	}
}

func TestCompute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := build(t, s)
		r, err := Compute(context.Background(), s.DB, s.Dialect, fx.org, q1)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("satisfaction", func(t *testing.T) {
			run(t, []check{
				{"NPS responses: 5 in Q1 (one a second before From and one at To are out)", r.NPS.Responses, 5},
				{"NPS promoters: 10, 9, 9", r.NPS.Promoters, 3},
				{"NPS passives: 7", r.NPS.Passives, 1},
				{"NPS detractors: 2", r.NPS.Detractors, 1},
				{"NPS: 60 % promoters − 20 % detractors = 40", r.NPS.Score, 40.0},
				{"CSAT responses: 5, 4, 3, 1", r.CSAT.Responses, 4},
				{"CSAT satisfied: 5 and 4", r.CSAT.Satisfied, 2},
				{"CSAT score: 2 of 4 = 50 %", r.CSAT.Score, 50.0},
				{"CSAT mean: 13 / 4", r.CSAT.Mean, 3.25},
				{"CES responses: 2 and 5", r.CES.Responses, 2},
				{"CES mean: 7 / 2", r.CES.Mean, 3.5},
			})
		})

		t.Run("customers and retention", func(t *testing.T) {
			run(t, []check{
				{"revenue: WON in Q1 300 (A) + 500 (C) + 1000 (D) + 200 (walk-in); D's deal at To is out", r.Revenue, units(2000)},
				{"purchases: 4 WON deals closed in Q1", r.Purchases, 4},
				{"active customers: A, C, D bought in Q1", r.ActiveCustomers, 3},
				{"new customers: C and D bought first in Q1", r.NewCustomers, 2},
				{"S: A, B, G bought in [2023-01-01, 2024-01-01)", r.Retention.StartCustomers, 3},
				{"E: A, G, C, D bought in [2023-04-02, 2024-04-01); B last bought 2023-03-01", r.Retention.EndCustomers, 4},
				{"N: C and D", r.Retention.NewCustomers, 2},
				{"retained (E − N): A and G", r.Retention.Retained, 2},
				{"retention: (4 − 2) / 3", r.Retention.Rate, 2.0 / 3},
				{"churn: 1 − 2/3", r.Retention.ChurnRate, 1.0 / 3},
			})
		})

		t.Run("acquisition", func(t *testing.T) {
			run(t, []check{
				{"campaign cost: Spring mail 100 + Expo 500 + Newsletter 0 ran in Q1; Old ads, Winter mail (ended at From) and Summer fair did not", r.Acquisition.CampaignCost, units(600)},
				{"new customers: C and D", r.Acquisition.NewCustomers, 2},
				{"referred new customers: D, referred by A", r.Acquisition.ReferredNewCustomers, 1},
				{"CAC: 600 / 2", r.Acquisition.CAC, units(300)},
				{"mean predicted CLV of C (900) and D (300)", r.Acquisition.MeanPredictedCLV, 600.0},
				{"CLV:CAC: 600 / 300", r.Acquisition.CLVToCAC, 2.0},
				{"leads: C, D, E created in Q1; F was created exactly at To", r.LeadConversion.Leads, 3},
				{"converted leads: C and D bought before To", r.LeadConversion.Converted, 2},
				{"lead conversion: 2 / 3", r.LeadConversion.Rate, 2.0 / 3},
			})
		})

		t.Run("campaigns", func(t *testing.T) {
			if len(r.Campaigns) != 3 {
				t.Fatalf("got %d campaigns, want Newsletter, Spring mail (EMAIL) and Expo (EXHIBITION): %+v", len(r.Campaigns), r.Campaigns)
			}
			nl, sp, ex := r.Campaigns[0], r.Campaigns[1], r.Campaigns[2]
			run(t, []check{
				{"order: EMAIL before EXHIBITION, then by name", []string{nl.Name, sp.Name, ex.Name}, []string{"Newsletter", "Spring mail", "Expo"}},
				{"IDs", []string{nl.CampaignID, sp.CampaignID, ex.CampaignID}, []string{fx.newsletter, fx.spring, fx.expo}},
				{"Spring mail channel", sp.Channel, "EMAIL"},
				{"Spring mail cost", sp.Cost, units(100)},
				{"Spring mail sent: C, E, A (F only targeted)", sp.Sent, 3},
				{"Spring mail responses: C converted, A has responded_at", sp.Responses, 2},
				{"Spring mail response rate: 2 / 3", sp.ResponseRate, 2.0 / 3},
				{"Spring mail customers: C; E never bought, F bought after To", sp.Customers, 1},
				{"Spring mail CAC: 100 / 1", sp.CAC, units(100)},
				{"Spring mail won deals in Q1: C's", sp.WonDeals, 1},
				{"Spring mail revenue", sp.Revenue, units(500)},
				{"Spring mail ROI: (500 − 100) / 100", sp.ROI, 4.0},
				{"Expo sent: D (in December) and G", ex.Sent, 2},
				{"Expo responses: D attended; G unsubscribed", ex.Responses, 1},
				{"Expo response rate: 1 / 2", ex.ResponseRate, 0.5},
				{"Expo customers: G (December) and D", ex.Customers, 2},
				{"Expo CAC: 500 / 2", ex.CAC, units(250)},
				{"Expo revenue: D's 1000; D's deal at To is out", ex.Revenue, units(1000)},
				{"Expo ROI: (1000 − 500) / 500", ex.ROI, 1.0},
				{"Newsletter sent: B", nl.Sent, 1},
				{"Newsletter response rate: 0 / 1", nl.ResponseRate, 0.0},
				{"Newsletter CAC without customers", nl.CAC, nil},
				{"Newsletter ROI without cost", nl.ROI, nil},
			})
		})

		t.Run("channels", func(t *testing.T) {
			if len(r.Channels) != 2 {
				t.Fatalf("got %d channels, want EMAIL and EXHIBITION: %+v", len(r.Channels), r.Channels)
			}
			em, ex := r.Channels[0], r.Channels[1]
			run(t, []check{
				{"channels in order", []string{em.Channel, ex.Channel}, []string{"EMAIL", "EXHIBITION"}},
				{"EMAIL campaigns: Spring mail and Newsletter", em.Campaigns, 2},
				{"EMAIL cost: 100 + 0", em.Cost, units(100)},
				{"EMAIL sent: 3 + 1", em.Sent, 4},
				{"EMAIL responses: 2 + 0", em.Responses, 2},
				{"EMAIL response rate: 2 / 4", em.ResponseRate, 0.5},
				{"EMAIL customers: C", em.Customers, 1},
				{"EMAIL CAC: 100 / 1", em.CAC, units(100)},
				{"EMAIL revenue", em.Revenue, units(500)},
				{"EMAIL ROI: (500 − 100) / 100", em.ROI, 4.0},
				{"EXHIBITION ROI: (1000 − 500) / 500", ex.ROI, 1.0},
				{"EXHIBITION CAC: 500 / 2", ex.CAC, units(250)},
				{"best channel: EMAIL's ROI 4 beats EXHIBITION's 1", r.BestChannel, "EMAIL"},
			})
		})

		t.Run("best time to contact", func(t *testing.T) {
			ct := r.ContactTime
			if len(ct.ByHour) != 24 || len(ct.ByWeekday) != 7 {
				t.Fatalf("got %d hours and %d weekdays, want 24 and 7", len(ct.ByHour), len(ct.ByWeekday))
			}
			run(t, []check{
				{"09h: C, E, G, B sent; C responded", [2]int{ct.ByHour[9].Sent, ct.ByHour[9].Responses}, [2]int{4, 1}},
				{"09h rate: 1 / 4", ct.ByHour[9].ResponseRate, 0.25},
				{"14h (A at 15:05 CET): 1 of 1", ct.ByHour[14].ResponseRate, 1.0},
				{"15h: nothing sent in UTC", ct.ByHour[15].ResponseRate, nil},
				{"best hour: 14h", ct.BestHour, 14},
				{"weekdays start on Monday", []time.Weekday{ct.ByWeekday[0].Weekday, ct.ByWeekday[6].Weekday}, []time.Weekday{time.Monday, time.Sunday}},
				{"Tuesday: G, no response", ct.ByWeekday[1].ResponseRate, 0.0},
				{"Wednesday: C, E; 1 of 2", ct.ByWeekday[2].ResponseRate, 0.5},
				{"Thursday: A, B; 1 of 2", ct.ByWeekday[3].ResponseRate, 0.5},
				{"Monday: nothing sent", ct.ByWeekday[0].ResponseRate, nil},
				{"best weekday: Wednesday and Thursday tie on rate and responses; the earlier wins", ct.BestWeekday, time.Wednesday},
			})
		})

		t.Run("sales", func(t *testing.T) {
			sl := r.Sales
			run(t, []check{
				{"won in Q1: A, C, D, walk-in", sl.Won, 4},
				{"lost in Q1: E's, January's, the one exactly at From (not the one before From)", sl.Lost, 3},
				{"win rate: 4 / 7", sl.WinRate, 4.0 / 7},
				{"revenue: 300 + 500 + 1000 + 200", sl.Revenue, units(2000)},
				{"average deal size: 2000 / 4", sl.AverageDealSize, units(500)},
				{"sales cycle: (10 + 10 + 20 + 10) / 4 days", sl.SalesCycleDays, 12.5},
			})
			if len(sl.ByOwner) != 3 {
				t.Fatalf("got %d owners, want Ann, Bob and none: %+v", len(sl.ByOwner), sl.ByOwner)
			}
			ann, bob, none := sl.ByOwner[0], sl.ByOwner[1], sl.ByOwner[2]
			run(t, []check{
				{"owners by revenue: Ann (1500), Bob (500), none (0)", []any{ann.OwnerID, bob.OwnerID}, []any{&fx.ann, &fx.bob}},
				{"Ann: C and D won", [3]int{ann.Deals, ann.Won, ann.Lost}, [3]int{2, 2, 0}},
				{"Ann revenue", ann.Revenue, units(1500)},
				{"Ann win rate", ann.WinRate, 1.0},
				{"Ann average deal: 1500 / 2", ann.AverageDealSize, units(750)},
				{"Ann cycle: (10 + 20) / 2", ann.SalesCycleDays, 15.0},
				{"Bob: A and walk-in won, E's lost", [3]int{bob.Deals, bob.Won, bob.Lost}, [3]int{3, 2, 1}},
				{"Bob revenue", bob.Revenue, units(500)},
				{"Bob win rate: 2 / 3", bob.WinRate, 2.0 / 3},
				{"Bob average deal: 500 / 2", bob.AverageDealSize, units(250)},
				{"no owner: January's and From's lost deals", none.OwnerID, nil},
				{"no owner counts", [3]int{none.Deals, none.Won, none.Lost}, [3]int{2, 0, 2}},
				{"no owner win rate: 0 / 2", none.WinRate, 0.0},
				{"no owner average deal: none won", none.AverageDealSize, nil},
				{"no owner cycle: none won", none.SalesCycleDays, nil},
			})
		})

		t.Run("pipeline", func(t *testing.T) {
			if len(r.Pipeline) != 12 {
				t.Fatalf("got %d months, want 12", len(r.Pipeline))
			}
			type m struct {
				Month            string
				Deals            int
				Amount, Weighted money.Amount
			}
			got := make([]m, 12)
			for i, p := range r.Pipeline {
				got[i] = m{p.Month, p.Deals, p.Amount, p.Weighted}
			}
			want := []m{
				{"2024-01", 1, units(1000), units(200)},  // O1 × 0.2; O5 is overdue
				{"2024-02", 1, units(300), 0},            // O4 has no stage
				{"2024-03", 0, 0, 0},                     //
				{"2024-04", 0, 0, 0},                     //
				{"2024-05", 1, units(2000), units(1000)}, // O2 × 0.5
				{"2024-06", 1, units(400), units(200)},   // O3 × 0.5: 05-31 23:00 EST is June in UTC
				{"2024-07", 0, 0, 0}, {"2024-08", 0, 0, 0}, {"2024-09", 0, 0, 0},
				{"2024-10", 0, 0, 0}, {"2024-11", 0, 0, 0},
				{"2024-12", 0, 0, 0}, // O6 expected 2025-01-01 is beyond; O7 has no date
			}
			run(t, []check{
				{"pipeline by month", got, want},
				{"first month starts on Jan 1 UTC", r.Pipeline[0].Start, from},
			})
		})

		t.Run("revenue concentration", func(t *testing.T) {
			rc := r.RevenueConcentration
			run(t, []check{
				{"customers with revenue in Q1: A 300, C 500, D 1000", rc.Customers, 3},
				{"their revenue (the walk-in purchase has no customer)", rc.CustomerRevenue, units(1800)},
				{"top 20 %: ⌈3 / 5⌉ = 1 customer", rc.TopCustomers, 1},
				{"top revenue: D", rc.TopRevenue, units(1000)},
				{"share: 1000 / 1800", rc.Share, 1000.0 / 1800},
			})
		})

		t.Run("service", func(t *testing.T) {
			sv := r.Service
			run(t, []check{
				{"opened in Q1: T1, T2 (T4 opened at To)", sv.Opened, 2},
				{"resolved in Q1: T1, T3", sv.Resolved, 2},
				{"mean resolution: (12 + 48) / 2 hours", sv.MeanResolutionHours, 30.0},
				{"cost to serve of T1 and T2: 50 + 30", sv.CostToServe, units(80)},
			})
		})

		t.Run("the other organization sees only its own rows", func(t *testing.T) {
			o, err := Compute(context.Background(), s.DB, s.Dialect, fx.otherOrg, q1)
			if err != nil {
				t.Fatal(err)
			}
			run(t, []check{
				{"revenue", o.Revenue, units(99999)},
				{"NPS: two detractors", o.NPS.Score, -100.0},
				{"campaigns: its own one", len(o.Campaigns), 1},
				{"campaign cost", o.Acquisition.CampaignCost, units(7)},
				{"win rate: 1 of 2", o.Sales.WinRate, 0.5},
				{"best hour: 03h", o.ContactTime.BestHour, 3},
				{"pipeline in January", o.Pipeline[0].Amount, units(12345)},
				{"tickets", o.Service.CostToServe, units(999)},
			})
		})
	})
}

func TestComputeEmptyOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fx := build(t, s)
		r, err := Compute(context.Background(), s.DB, s.Dialect, fx.emptyOrg, q1)
		if err != nil {
			t.Fatal(err)
		}
		run(t, []check{
			{"revenue", r.Revenue, money.Amount(0)},
			{"counts", []int{r.Purchases, r.ActiveCustomers, r.NewCustomers, r.CSAT.Responses, r.NPS.Responses, r.CES.Responses, r.LeadConversion.Leads, r.Sales.Won, r.Sales.Lost, r.Service.Opened}, make([]int, 10)},
			{"CSAT", r.CSAT.Score, nil}, {"CSAT mean", r.CSAT.Mean, nil},
			{"NPS", r.NPS.Score, nil}, {"CES", r.CES.Mean, nil},
			{"retention", r.Retention.Rate, nil}, {"churn", r.Retention.ChurnRate, nil},
			{"CAC", r.Acquisition.CAC, nil}, {"mean CLV", r.Acquisition.MeanPredictedCLV, nil}, {"CLV:CAC", r.Acquisition.CLVToCAC, nil},
			{"lead conversion", r.LeadConversion.Rate, nil},
			{"campaigns", r.Campaigns, []CampaignStats{}}, {"channels", r.Channels, []ChannelStats{}},
			{"best channel", r.BestChannel, nil},
			{"best hour", r.ContactTime.BestHour, nil}, {"best weekday", r.ContactTime.BestWeekday, nil},
			{"hours", len(r.ContactTime.ByHour), 24}, {"hour rate", r.ContactTime.ByHour[9].ResponseRate, nil},
			{"win rate", r.Sales.WinRate, nil}, {"deal size", r.Sales.AverageDealSize, nil}, {"cycle", r.Sales.SalesCycleDays, nil},
			{"owners", r.Sales.ByOwner, []OwnerSales{}},
			{"pipeline months", len(r.Pipeline), 12}, {"pipeline amount", r.Pipeline[0].Amount, money.Amount(0)},
			{"concentration", r.RevenueConcentration.Share, nil}, {"top customers", r.RevenueConcentration.TopCustomers, 0},
			{"resolution", r.Service.MeanResolutionHours, nil},
		})
	})
}

// TestMeanPredictedCLV follows the mean predicted CLV of the new customers
// as their rows of contact_values change: customers who first bought
// before the period, and those of another organization, never count.
func TestMeanPredictedCLV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		b := newOrg(t, s, "acme")
		old := b.contact("Old", day(2023, 1, 1), "", "", 0)
		c := b.contact("C", day(2024, 1, 5), "", "", 0)
		d := b.contact("D", day(2024, 2, 1), "", "", 0)
		o := newOrg(t, s, "other")
		z := o.contact("Z", day(2024, 1, 2), "", "", 90000)
		won := func(b builder, id pulid.ID, closed time.Time) {
			b.deal(dealSpec{name: "won", status: deal.StatusWON, amount: units(10), created: closed, closed: closed, contact: id})
		}
		won(b, old, day(2023, 6, 1))
		won(b, old, day(2024, 2, 1))
		won(b, c, day(2024, 1, 10))
		won(b, d, day(2024, 3, 10))
		won(o, z, day(2024, 1, 3))
		for _, tc := range []struct {
			name      string
			old, c, d float64
			mean      float64
		}{
			{"not valued yet: zeros", 0, 0, 0, 0},
			{"valued", 5000, 900, 300, 600},
			{"revalued", 5000, 100, 300, 200},
		} {
			b.predictedCLV(old, tc.old)
			b.predictedCLV(c, tc.c)
			b.predictedCLV(d, tc.d)
			r, err := Compute(context.Background(), s.DB, s.Dialect, b.org(), q1)
			if err != nil {
				t.Fatal(err)
			}
			run(t, []check{
				{tc.name + ": new customers C and D", r.Acquisition.NewCustomers, 2},
				{tc.name + ": mean predicted CLV of C and D", r.Acquisition.MeanPredictedCLV, tc.mean},
			})
		}
	})
}

func TestComputeRefusesBadInput(t *testing.T) {
	s := storetest.Open(t, "sqlite3", nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		dialect string
		org     string
		p       Period
	}{
		{"unknown dialect", "mysql", "org_1", q1},
		{"no organization", "sqlite3", "", q1},
		{"empty period", "sqlite3", "org_1", Period{From: from, To: from}},
		{"reversed period", "sqlite3", "org_1", Period{From: to, To: from}},
	} {
		if _, err := Compute(ctx, s.DB, tc.dialect, tc.org, tc.p); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestDivMoney(t *testing.T) {
	for _, tc := range []struct {
		a    money.Amount
		n    int
		want any
	}{
		{600_00, 2, money.Amount(300_00)},
		{100, 3, money.Amount(33)},   // 33.33… cents
		{200, 3, money.Amount(67)},   // 66.67
		{1, 2, money.Amount(1)},      // half a cent rounds up
		{-1, 2, money.Amount(-1)},    // and away from zero
		{5, 0, nil},                  // undefined
		{0, 4, money.Amount(0)},      //
		{-200, 3, money.Amount(-67)}, //
	} {
		if got := divMoney(tc.a, tc.n); !same(got, tc.want) {
			t.Errorf("divMoney(%d, %d) = %s, want %v", tc.a, tc.n, show(got), tc.want)
		}
	}
}
