package segment

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/campaignmember"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/ent/ticket"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
)

// testNow is the evaluation time of the fixture.
var testNow = time.Date(2025, time.June, 2, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return testNow.AddDate(0, 0, -n) }

// fixture is a small organization A whose four contacts have known field
// values and related records, and an organization B whose contact eve
// matches nearly every rule, to prove that A's rules never see her.
//
//	         ada                 bob                 cy                  dee
//	email    ada@example.com     bob@example.com     –                   dee@example.com
//	name     Ada Lovelace        Bob Builder         Cy Young            Dee ""
//	title    CTO                 –                   VP Sales            –
//	stage    CUSTOMER            LEAD                OPPORTUNITY         SUBSCRIBER
//	source   Google Ads          –                   google              –
//	news     true                true                false               true
//	tags     vip, beta           []                  beta                []
//	gender   FEMALE              –                   MALE                –
//	created  -400d               -20d                -5d                 -60d
//	contact  -10d                –                   -100d               –
//	tier     VIP                 VIP                 HIGH                –
//	rfm      CHAMPIONS           AT_RISK             –                   –
//	clv      1500                800                 100                 0
//	alive    0.9                 0.3                 0.5                 0
//	score    95                  85                  60                  10
//	margin   2000.00             500.00              –                   –
//	net      1500.00             -100.00             –                   –
//	deals    WON -30d, WON -300d WON -400d,          LOST -10d           OPEN (created -50d)
//	         OPEN (created -100d) OPEN (created -5d)
//	campaign SEMINAR attended    SEMINAR attended    SEMINAR attended
//	         responded -100d     (seminar -500d),    (seminar -30d)
//	                             EMAIL responded -5d
//	NPS      3 (-200d), 9 (-20d) 10 (-50d), 2 (-5d)
//	CSAT     1 (-1d)             5 (-3d)
//	tickets  OPEN                RESOLVED            PENDING
//	referred bob, cy
type fixture struct {
	s        *store.Store
	ctx      context.Context // scoped to A
	ctxB     context.Context // scoped to B
	orgA     pulid.ID
	orgB     pulid.ID
	ids      map[string]pulid.ID // ada, bob, cy, dee, eve
	names    map[pulid.ID]string
	seminarA pulid.ID
}

func newOrg(t testing.TB, s *store.Store, slug string) pulid.ID {
	t.Helper()
	o, err := s.Client.Organization.Create().SetName(slug).SetSlug(slug).Save(tenant.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func newFixture(t testing.TB, s *store.Store) *fixture {
	t.Helper()
	f := &fixture{s: s, ids: map[string]pulid.ID{}, names: map[pulid.ID]string{}}
	f.orgA = newOrg(t, s, "org-a")
	f.orgB = newOrg(t, s, "org-b")
	f.ctx = tenant.WithOrganization(context.Background(), string(f.orgA))
	f.ctxB = tenant.WithOrganization(context.Background(), string(f.orgB))
	c := s.Client
	ctx := f.ctx

	add := func(name string, b *ent.ContactCreate) pulid.ID {
		ct := must[*ent.Contact](t)(b.Save(ctx))
		f.ids[name] = ct.ID
		f.names[ct.ID] = name
		return ct.ID
	}
	ada := add("ada", c.Contact.Create().
		SetEmail("ada@example.com").SetFirstName("Ada").SetLastName("Lovelace").SetTitle("CTO").
		SetLifecycleStage(contact.LifecycleStageCUSTOMER).SetLeadSource("Google Ads").SetNewsletterOptIn(true).
		SetTags([]string{"vip", "beta"}).SetGender(contact.GenderFEMALE).SetCreatedAt(daysAgo(400)).
		SetLastContactedAt(daysAgo(10)))
	bob := add("bob", c.Contact.Create().
		SetEmail("bob@example.com").SetFirstName("Bob").SetLastName("Builder").
		SetLifecycleStage(contact.LifecycleStageLEAD).SetNewsletterOptIn(true).SetTags([]string{}).
		SetCreatedAt(daysAgo(20)).SetReferredByID(ada))
	cy := add("cy", c.Contact.Create().
		SetFirstName("Cy").SetLastName("Young").SetTitle("VP Sales").
		SetLifecycleStage(contact.LifecycleStageOPPORTUNITY).SetLeadSource("google").SetNewsletterOptIn(false).
		SetTags([]string{"beta"}).SetGender(contact.GenderMALE).SetCreatedAt(daysAgo(5)).
		SetLastContactedAt(daysAgo(100)).SetReferredByID(ada))
	dee := add("dee", c.Contact.Create().
		SetEmail("dee@example.com").SetFirstName("Dee").
		SetLifecycleStage(contact.LifecycleStageSUBSCRIBER).SetNewsletterOptIn(true).
		SetCreatedAt(daysAgo(60)))
	setValues(t, ctx, c, ada, values{tier: analytics.TierVIP, rfm: analytics.SegmentChampions, clv: 1500, alive: 0.9, score: 95})
	setValues(t, ctx, c, bob, values{tier: analytics.TierVIP, rfm: analytics.SegmentAtRisk, clv: 800, alive: 0.3, score: 85})
	setValues(t, ctx, c, cy, values{tier: analytics.TierHigh, clv: 100, alive: 0.5, score: 60})
	setValues(t, ctx, c, dee, values{score: 10})

	metrics := func(ctx context.Context, id pulid.ID, margin, net string) {
		must[*ent.CustomerMetrics](t)(c.CustomerMetrics.Create().SetContactID(id).SetAsOf(testNow).SetComputedAt(testNow).
			SetGrossMargin(must[money.Amount](t)(money.Parse(margin))).SetNetValue(must[money.Amount](t)(money.Parse(net))).Save(ctx))
	}
	metrics(ctx, ada, "2000.00", "1500.00")
	metrics(ctx, bob, "500.00", "-100.00")

	dl := func(ctx context.Context, id pulid.ID, status deal.Status, created time.Time, closed *time.Time) {
		b := c.Deal.Create().SetName("deal").SetAmount(money.FromCents(10000)).SetStatus(status).
			SetContactID(id).SetCreatedAt(created)
		if closed != nil {
			b.SetClosedAt(*closed)
		}
		must[*ent.Deal](t)(b.Save(ctx))
	}
	dl(ctx, ada, deal.StatusWON, daysAgo(40), Ptr(daysAgo(30)))
	dl(ctx, ada, deal.StatusWON, daysAgo(310), Ptr(daysAgo(300)))
	dl(ctx, ada, deal.StatusOPEN, daysAgo(100), nil)
	dl(ctx, bob, deal.StatusWON, daysAgo(410), Ptr(daysAgo(400)))
	dl(ctx, bob, deal.StatusOPEN, daysAgo(5), nil)
	dl(ctx, cy, deal.StatusLOST, daysAgo(20), Ptr(daysAgo(10)))
	dl(ctx, dee, deal.StatusOPEN, daysAgo(50), nil)

	cmp := func(ctx context.Context, ch campaign.Channel, starts time.Time) pulid.ID {
		return must[*ent.Campaign](t)(c.Campaign.Create().SetName(string(ch) + starts.Format("060102")).SetChannel(ch).SetStartsAt(starts).Save(ctx)).ID
	}
	member := func(ctx context.Context, cmpID, id pulid.ID, status campaignmember.Status, responded *time.Time) {
		b := c.CampaignMember.Create().SetCampaignID(cmpID).SetContactID(id).SetStatus(status)
		if responded != nil {
			b.SetRespondedAt(*responded)
		}
		must[*ent.CampaignMember](t)(b.Save(ctx))
	}
	oldSeminar := cmp(ctx, campaign.ChannelSEMINAR, daysAgo(500))
	midSeminar := cmp(ctx, campaign.ChannelSEMINAR, daysAgo(100))
	newSeminar := cmp(ctx, campaign.ChannelSEMINAR, daysAgo(30))
	mail := cmp(ctx, campaign.ChannelEMAIL, daysAgo(6))
	f.seminarA = newSeminar
	member(ctx, midSeminar, ada, campaignmember.StatusATTENDED, Ptr(daysAgo(100)))
	member(ctx, oldSeminar, bob, campaignmember.StatusATTENDED, nil)
	member(ctx, mail, bob, campaignmember.StatusRESPONDED, Ptr(daysAgo(5)))
	member(ctx, newSeminar, cy, campaignmember.StatusCONVERTED, nil)

	nps := must[*ent.Survey](t)(c.Survey.Create().SetName("NPS").SetKind(survey.KindNPS).Save(ctx)).ID
	csat := must[*ent.Survey](t)(c.Survey.Create().SetName("CSAT").SetKind(survey.KindCSAT).Save(ctx)).ID
	respond := func(ctx context.Context, sv, id pulid.ID, score int, at time.Time) {
		must[*ent.SurveyResponse](t)(c.SurveyResponse.Create().SetSurveyID(sv).SetContactID(id).SetScore(score).SetSubmittedAt(at).Save(ctx))
	}
	respond(ctx, nps, ada, 3, daysAgo(200))
	respond(ctx, nps, ada, 9, daysAgo(20))
	respond(ctx, csat, ada, 1, daysAgo(1))
	respond(ctx, nps, bob, 10, daysAgo(50))
	respond(ctx, nps, bob, 2, daysAgo(5))
	respond(ctx, csat, bob, 5, daysAgo(3))

	tk := func(ctx context.Context, id pulid.ID, status ticket.Status) {
		must[*ent.Ticket](t)(c.Ticket.Create().SetSubject("help").SetStatus(status).SetContactID(id).SetOpenedAt(daysAgo(3)).Save(ctx))
	}
	tk(ctx, ada, ticket.StatusOPEN)
	tk(ctx, bob, ticket.StatusRESOLVED)
	tk(ctx, cy, ticket.StatusPENDING)

	// Organization B: eve matches almost everything A's rules ask for.
	ctxB := f.ctxB
	eve := must[*ent.Contact](t)(c.Contact.Create().
		SetEmail("eve@example.com").SetFirstName("Eve").SetLastName("Lovelace").SetTitle("CTO").
		SetLifecycleStage(contact.LifecycleStageCUSTOMER).SetNewsletterOptIn(true).SetTags([]string{"vip", "beta"}).
		SetGender(contact.GenderFEMALE).Save(ctxB)).ID
	setValues(t, ctxB, c, eve, values{tier: analytics.TierVIP, rfm: analytics.SegmentChampions, clv: 5000, score: 99})
	f.ids["eve"] = eve
	f.names[eve] = "eve"
	metrics(ctxB, eve, "9000.00", "8000.00")
	dl(ctxB, eve, deal.StatusWON, daysAgo(400), Ptr(daysAgo(1)))
	dl(ctxB, eve, deal.StatusWON, daysAgo(400), Ptr(daysAgo(2)))
	dl(ctxB, eve, deal.StatusOPEN, daysAgo(1), nil)
	dl(ctxB, eve, deal.StatusLOST, daysAgo(1), Ptr(daysAgo(1)))
	semB := cmp(ctxB, campaign.ChannelSEMINAR, daysAgo(1))
	member(ctxB, semB, eve, campaignmember.StatusATTENDED, Ptr(daysAgo(1)))
	npsB := must[*ent.Survey](t)(c.Survey.Create().SetName("NPS").SetKind(survey.KindNPS).Save(ctxB)).ID
	respond(ctxB, npsB, eve, 0, daysAgo(1))
	tk(ctxB, eve, ticket.StatusOPEN)
	for range 3 {
		must[*ent.Contact](t)(c.Contact.Create().SetFirstName("ref").SetReferredByID(eve).Save(ctxB))
	}

	// A corrupt cross-tenant row: a deal of organization B naming A's dee.
	// Subqueries correlate on the organization too, so it never counts.
	sys := tenant.WithSystem(context.Background())
	must[*ent.Deal](t)(c.Deal.Create().SetOrganizationID(f.orgB).SetName("stray").SetAmount(1).
		SetStatus(deal.StatusWON).SetClosedAt(daysAgo(1)).SetContactID(dee).Save(sys))
	return f
}

// values are the figures of a contact's row of contact_values; an empty
// tier or RFM segment is unset.
type values struct {
	tier              analytics.Tier
	rfm               analytics.RFMSegment
	clv, alive, score float64
}

// setValues writes the contact's value figures to its row of
// contact_values, as an analytics refresh does.
func setValues(t testing.TB, ctx context.Context, c *ent.Client, id pulid.ID, v values) {
	t.Helper()
	u := c.ContactValue.Update().Where(contactvalue.ContactID(id)).
		SetPredictedClv(v.clv).SetProbabilityAlive(v.alive).SetValueScore(v.score)
	if v.tier != "" {
		u.SetValueTier(v.tier)
	} else {
		u.ClearValueTier()
	}
	if v.rfm != "" {
		u.SetRfmSegment(v.rfm)
	} else {
		u.ClearRfmSegment()
	}
	if n := must[int](t)(u.Save(ctx)); n != 1 {
		t.Fatalf("contact %s has %d rows of value figures, want 1", id, n)
	}
}

// setTier sets the value tier of the contacts (clears it when tier is
// empty) in their rows of contact_values.
func setTier(t testing.TB, ctx context.Context, c *ent.Client, tier analytics.Tier, ids ...pulid.ID) {
	t.Helper()
	u := c.ContactValue.Update().Where(contactvalue.ContactIDIn(ids...))
	if tier != "" {
		u.SetValueTier(tier)
	} else {
		u.ClearValueTier()
	}
	if n := must[int](t)(u.Save(ctx)); n != len(ids) {
		t.Fatalf("set the tier of %d contacts, want %d", n, len(ids))
	}
}

// members returns the names of A's contacts matching the rule, sorted.
func (f *fixture) members(t *testing.T, r *Rule) []string {
	t.Helper()
	p, err := r.Predicate(testNow)
	if err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	ids, err := f.s.Client.Contact.Query().Where(p).IDs(f.ctx)
	if err != nil {
		t.Fatalf("%s: %v", r, err)
	}
	return f.sortedNames(ids)
}

// idsOf returns the IDs of the named contacts, such as "ada bob".
func (f *fixture) idsOf(s string) []pulid.ID {
	var ids []pulid.ID
	for _, n := range names(s) {
		ids = append(ids, f.ids[n])
	}
	return ids
}

// inIDOrder returns the named contacts, such as "ada bob", in ID order.
func (f *fixture) inIDOrder(s string) []string {
	ids := f.idsOf(s)
	slices.Sort(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = f.names[id]
	}
	return out
}

func (f *fixture) sortedNames(ids []pulid.ID) []string {
	out := []string{}
	for _, id := range ids {
		n, ok := f.names[id]
		if !ok {
			n = string(id)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
