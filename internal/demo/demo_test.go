package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/campaignmember"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// customerLine is what the determinism test compares per contact.
type customerLine struct {
	email string
	won   int
	total int64
}

// customerLines returns every contact's email with its number and total of
// won deals, sorted.
func customerLines(t *testing.T, client *ent.Client, org pulid.ID) []customerLine {
	t.Helper()
	ctx := tenant.WithOrganization(context.Background(), string(org))
	cs, err := client.Contact.Query().WithDeals(func(q *ent.DealQuery) { q.Where(deal.StatusEQ(deal.StatusWON)) }).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]customerLine, len(cs))
	for i, c := range cs {
		lines[i].email = *c.Email
		lines[i].won = len(c.Edges.Deals)
		for _, d := range c.Edges.Deals {
			lines[i].total += d.Amount.Cents()
		}
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].email < lines[j].email })
	return lines
}

func TestSeedIsDeterministic(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client := openClient(t, d)
			opt := Options{Contacts: 300, Seed: 42, Now: testNow}
			orgA, statsA := seed(t, client, "first", opt)
			orgB, statsB := seed(t, client, "second", opt)
			if *statsA != *statsB {
				t.Fatalf("same options, different counts:\n%v\n%v", statsA, statsB)
			}
			a, b := customerLines(t, client, orgA), customerLines(t, client, orgB)
			if len(a) != 300 || len(b) != 300 {
				t.Fatalf("want 300 contacts in each organization, got %d and %d", len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("contact %d differs: %+v vs %+v", i, a[i], b[i])
				}
			}
			// Another seed gives other data.
			orgC, _ := seed(t, client, "third", Options{Contacts: 300, Seed: 43, Now: testNow})
			c := customerLines(t, client, orgC)
			same := 0
			for i := range a {
				if a[i] == c[i] {
					same++
				}
			}
			if same == len(a) {
				t.Fatal("a different seed gave the same data")
			}
		})
	}
}

// dataset is one seeded organization, loaded for the property checks.
type dataset struct {
	now        time.Time
	stats      *Stats
	contacts   []*ent.Contact
	deals      []*ent.Deal // with line items
	stages     map[pulid.ID]*ent.Stage
	campaigns  map[pulid.ID]*ent.Campaign
	members    []*ent.CampaignMember
	surveys    map[pulid.ID]*ent.Survey
	responses  []*ent.SurveyResponse
	tickets    []*ent.Ticket
	activities []*ent.Activity
	accounts   []*ent.Account
	users      []*ent.User
	products   []*ent.Product
}

func load(t *testing.T, client *ent.Client, org pulid.ID, st *Stats) *dataset {
	t.Helper()
	ctx := tenant.WithOrganization(context.Background(), string(org))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ds := &dataset{now: testNow, stats: st, stages: map[pulid.ID]*ent.Stage{}, campaigns: map[pulid.ID]*ent.Campaign{}, surveys: map[pulid.ID]*ent.Survey{}}
	var err error
	ds.contacts, err = client.Contact.Query().All(ctx)
	must(err)
	ds.deals, err = client.Deal.Query().WithLineItems().All(ctx)
	must(err)
	stages, err := client.Stage.Query().All(ctx)
	must(err)
	for _, s := range stages {
		ds.stages[s.ID] = s
	}
	campaigns, err := client.Campaign.Query().All(ctx)
	must(err)
	for _, c := range campaigns {
		ds.campaigns[c.ID] = c
	}
	ds.members, err = client.CampaignMember.Query().All(ctx)
	must(err)
	surveys, err := client.Survey.Query().All(ctx)
	must(err)
	for _, s := range surveys {
		ds.surveys[s.ID] = s
	}
	ds.responses, err = client.SurveyResponse.Query().All(ctx)
	must(err)
	ds.tickets, err = client.Ticket.Query().All(ctx)
	must(err)
	ds.activities, err = client.Activity.Query().All(ctx)
	must(err)
	ds.accounts, err = client.Account.Query().All(ctx)
	must(err)
	ds.users, err = client.User.Query().All(ctx)
	must(err)
	ds.products, err = client.Product.Query().All(ctx)
	must(err)
	return ds
}

// purchases returns the close times of each contact's won deals, in order.
func (ds *dataset) purchases() map[pulid.ID][]time.Time {
	m := map[pulid.ID][]time.Time{}
	for _, d := range ds.deals {
		if d.Status == deal.StatusWON && d.ContactID != nil && d.ClosedAt != nil {
			m[*d.ContactID] = append(m[*d.ContactID], *d.ClosedAt)
		}
	}
	for _, ts := range m {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	}
	return m
}

// lineTotal is a line's amount: quantity × unit price less the discount.
func lineTotal(li *ent.LineItem) int64 {
	return int64(li.Quantity) * li.UnitPrice.Cents() * (100 - int64(math.Round(li.DiscountPercent))) / 100
}

func TestSeededData(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client := openClient(t, d)
			seed(t, client, "neighbour", Options{Contacts: 50, Seed: 7, Now: testNow})
			org, st := seed(t, client, "props", Options{Contacts: 300, Seed: 7, Now: testNow})
			ds := load(t, client, org, st)
			for _, tc := range dataChecks {
				t.Run(tc.name, func(t *testing.T) {
					if err := tc.check(ds); err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}

// dataChecks are the properties every seeded data set has.
var dataChecks = []struct {
	name  string
	check func(ds *dataset) error
}{
	{"the counts match the rows", func(ds *dataset) error {
		s := ds.stats
		got := Stats{Contacts: len(ds.contacts), Deals: len(ds.deals), Campaigns: len(ds.campaigns),
			CampaignMembers: len(ds.members), SurveyResponses: len(ds.responses), Tickets: len(ds.tickets),
			Activities: len(ds.activities), Accounts: len(ds.accounts), Stages: len(ds.stages), Surveys: len(ds.surveys)}
		want := Stats{Contacts: 300, Deals: s.Deals, Campaigns: s.Campaigns, CampaignMembers: s.CampaignMembers,
			SurveyResponses: s.SurveyResponses, Tickets: s.Tickets, Activities: s.Activities, Accounts: 30, Stages: s.Stages, Surveys: 2}
		if got != want {
			return fmt.Errorf("rows %+v, want %+v", got, want)
		}
		if s.WonDeals+s.LostDeals+s.OpenDeals != s.Deals || s.Products != 20 || s.Pipelines != 2 {
			return fmt.Errorf("inconsistent stats %v", s)
		}
		return nil
	}},
	{"every won deal is closed before now, in a won stage, with a contact", func(ds *dataset) error {
		for _, d := range ds.deals {
			if d.Status != deal.StatusWON {
				continue
			}
			switch {
			case d.ClosedAt == nil || d.ClosedAt.After(ds.now):
				return fmt.Errorf("won deal %s closed at %v, now is %v", d.ID, d.ClosedAt, ds.now)
			case d.ContactID == nil:
				return fmt.Errorf("won deal %s has no contact", d.ID)
			case d.StageID == nil || !ds.stages[*d.StageID].IsWon:
				return fmt.Errorf("won deal %s is not in a won stage", d.ID)
			case d.CreatedAt.After(*d.ClosedAt):
				return fmt.Errorf("won deal %s closed before it was created", d.ID)
			}
		}
		return nil
	}},
	{"lost deals are closed in a lost stage with a reason, open deals expect to close after now", func(ds *dataset) error {
		for _, d := range ds.deals {
			st := ds.stages[*d.StageID]
			switch d.Status {
			case deal.StatusLOST:
				if d.ClosedAt == nil || d.ClosedAt.After(ds.now) || !st.IsLost || d.LostReason == "" {
					return fmt.Errorf("lost deal %s: closed %v, stage %s, reason %q", d.ID, d.ClosedAt, st.Name, d.LostReason)
				}
			case deal.StatusOPEN:
				if d.ClosedAt != nil || st.IsWon || st.IsLost || d.ExpectedCloseDate == nil || !d.ExpectedCloseDate.After(ds.now) {
					return fmt.Errorf("open deal %s: closed %v, stage %s, expected %v", d.ID, d.ClosedAt, st.Name, d.ExpectedCloseDate)
				}
			}
		}
		return nil
	}},
	{"a deal's amount is the exact sum of its one to four line items", func(ds *dataset) error {
		for _, d := range ds.deals {
			n := len(d.Edges.LineItems)
			if n < 1 || n > 4 {
				return fmt.Errorf("deal %s has %d line items", d.ID, n)
			}
			var sum, cost int64
			for _, li := range d.Edges.LineItems {
				sum += lineTotal(li)
				cost += int64(li.Quantity) * li.UnitCost.Cents()
			}
			if sum != d.Amount.Cents() || d.Cost == nil || cost != d.Cost.Cents() {
				return fmt.Errorf("deal %s: amount %v cost %v, lines add up to %d and %d cents", d.ID, d.Amount, d.Cost, sum, cost)
			}
		}
		return nil
	}},
	{"there are loyal, one-time and lapsed customers", func(ds *dataset) error {
		var loyal, oneTime, lapsed, buyers, purchases int
		for _, ts := range ds.purchases() {
			buyers++
			purchases += len(ts)
			switch {
			case len(ts) >= 8:
				loyal++
			case len(ts) == 1:
				oneTime++
			}
			if len(ts) >= 3 && ds.now.Sub(ts[len(ts)-1]) >= 180*24*time.Hour {
				lapsed++
			}
		}
		if loyal == 0 || oneTime == 0 || lapsed == 0 {
			return fmt.Errorf("%d loyal (8+ purchases), %d one-time, %d lapsed customers", loyal, oneTime, lapsed)
		}
		share, mean := float64(buyers)/float64(len(ds.contacts)), float64(purchases)/float64(buyers)
		if share < 0.45 || share > 0.75 || mean < 3 || mean > 8 {
			return fmt.Errorf("%.0f%% of contacts bought, %.1f purchases each: want about 60%% and 5", 100*share, mean)
		}
		return nil
	}},
	{"every reference is to a record of the organization", func(ds *dataset) error {
		ids := map[pulid.ID]bool{}
		for _, c := range ds.contacts {
			ids[c.ID] = true
		}
		for _, x := range ds.accounts {
			ids[x.ID] = true
		}
		for _, x := range ds.users {
			ids[x.ID] = true
		}
		for _, x := range ds.deals {
			ids[x.ID] = true
			for _, li := range x.Edges.LineItems {
				ids[li.ID] = true
			}
		}
		for id := range ds.campaigns {
			ids[id] = true
		}
		for id := range ds.stages {
			ids[id] = true
		}
		for id := range ds.surveys {
			ids[id] = true
		}
		for _, p := range ds.products {
			ids[p.ID] = true
		}
		var refs []*pulid.ID
		for _, c := range ds.contacts {
			refs = append(refs, c.AccountID, c.OwnerID, c.AcquisitionCampaignID, c.ReferredByID)
		}
		for _, x := range ds.accounts {
			refs = append(refs, x.OwnerID)
		}
		for _, d := range ds.deals {
			refs = append(refs, d.StageID, d.AccountID, d.ContactID, d.OwnerID, d.SourceCampaignID)
			for _, li := range d.Edges.LineItems {
				refs = append(refs, &li.DealID, li.ProductID)
			}
		}
		for _, m := range ds.members {
			refs = append(refs, &m.CampaignID, &m.ContactID)
		}
		for _, r := range ds.responses {
			refs = append(refs, &r.SurveyID, r.ContactID)
		}
		for _, tk := range ds.tickets {
			refs = append(refs, tk.ContactID, tk.AccountID, tk.AssigneeID)
		}
		for _, a := range ds.activities {
			refs = append(refs, a.AssigneeID, a.ContactID, a.AccountID, a.DealID)
		}
		for _, r := range refs {
			if r != nil && !ids[*r] {
				return fmt.Errorf("reference to %s, not a record of the organization", *r)
			}
		}
		return nil
	}},
	{"emails are unique and lower-case", func(ds *dataset) error {
		seen := map[string]bool{}
		for _, c := range ds.contacts {
			if c.Email == nil || *c.Email != strings.ToLower(*c.Email) || seen[*c.Email] {
				return fmt.Errorf("contact %s has a missing, mixed-case or duplicate email %v", c.ID, c.Email)
			}
			seen[*c.Email] = true
		}
		return nil
	}},
	{"NPS scores are 0 to 10 and CSAT scores 1 to 5, after the customer's first purchase", func(ds *dataset) error {
		purchases := ds.purchases()
		count := map[survey.Kind]int{}
		for _, r := range ds.responses {
			k := ds.surveys[r.SurveyID].Kind
			count[k]++
			lo, hi := 0, 10
			if k == survey.KindCSAT {
				lo, hi = 1, 5
			}
			if r.Score < lo || r.Score > hi {
				return fmt.Errorf("%s score %d", k, r.Score)
			}
			if r.SubmittedAt.After(ds.now) {
				return fmt.Errorf("response submitted after now: %v", r.SubmittedAt)
			}
			if ts := purchases[*r.ContactID]; k == survey.KindNPS && (len(ts) == 0 || r.SubmittedAt.Before(ts[0])) {
				return fmt.Errorf("NPS response by contact %s before any purchase", *r.ContactID)
			}
		}
		if count[survey.KindNPS] == 0 || count[survey.KindCSAT] == 0 {
			return fmt.Errorf("responses per kind: %v", count)
		}
		return nil
	}},
	{"promoters are more loyal than detractors", func(ds *dataset) error {
		purchases := ds.purchases()
		var pro, det []float64
		for _, r := range ds.responses {
			if ds.surveys[r.SurveyID].Kind != survey.KindNPS {
				continue
			}
			n := float64(len(purchases[*r.ContactID]))
			switch {
			case r.Score >= 9:
				pro = append(pro, n)
			case r.Score <= 6:
				det = append(det, n)
			}
		}
		if mean(pro) <= mean(det) {
			return fmt.Errorf("promoters bought %.1f times on average, detractors %.1f", mean(pro), mean(det))
		}
		return nil
	}},
	{"a contact is a member of a campaign at most once", func(ds *dataset) error {
		seen := map[[2]pulid.ID]bool{}
		for _, m := range ds.members {
			k := [2]pulid.ID{m.CampaignID, m.ContactID}
			if seen[k] {
				return fmt.Errorf("contact %s is twice in campaign %s", m.ContactID, m.CampaignID)
			}
			seen[k] = true
		}
		return nil
	}},
	{"campaign members move through the funnel in order, before now", func(ds *dataset) error {
		statuses := map[campaignmember.Status]int{}
		for _, m := range ds.members {
			statuses[m.Status]++
			steps := []*time.Time{m.SentAt, m.OpenedAt, m.RespondedAt, m.ConvertedAt}
			var prev time.Time
			for _, s := range steps {
				if s == nil {
					continue
				}
				if s.Before(prev) || s.After(ds.now) {
					return fmt.Errorf("member %s: steps out of order or in the future: %v", m.ID, steps)
				}
				prev = *s
			}
			c := ds.campaigns[m.CampaignID]
			if c.Status == campaign.StatusCANCELLED {
				return fmt.Errorf("cancelled campaign %s has members", c.Name)
			}
			needs := map[campaignmember.Status]*time.Time{
				campaignmember.StatusOPENED: m.OpenedAt, campaignmember.StatusCLICKED: m.RespondedAt,
				campaignmember.StatusRESPONDED: m.RespondedAt, campaignmember.StatusATTENDED: m.RespondedAt,
				campaignmember.StatusCONVERTED: m.ConvertedAt,
			}
			if ts, ok := needs[m.Status]; ok && ts == nil {
				return fmt.Errorf("member %s is %s without its time", m.ID, m.Status)
			}
			if m.Status == campaignmember.StatusATTENDED && !(c.Channel == campaign.ChannelSEMINAR || c.Channel == campaign.ChannelWEBINAR ||
				c.Channel == campaign.ChannelEVENT || c.Channel == campaign.ChannelEXHIBITION) {
				return fmt.Errorf("member %s attended a %s campaign", m.ID, c.Channel)
			}
		}
		for _, s := range []campaignmember.Status{campaignmember.StatusTARGETED, campaignmember.StatusSENT, campaignmember.StatusOPENED,
			campaignmember.StatusCLICKED, campaignmember.StatusRESPONDED, campaignmember.StatusATTENDED, campaignmember.StatusCONVERTED} {
			if statuses[s] == 0 {
				return fmt.Errorf("no member is %s: %v", s, statuses)
			}
		}
		return nil
	}},
	{"campaigns cover every channel over two years with budgets", func(ds *dataset) error {
		channels := map[campaign.Channel]int{}
		for _, c := range ds.campaigns {
			channels[c.Channel]++
			if c.Budget <= 0 || c.StartsAt == nil || c.EndsAt == nil || c.EndsAt.Before(*c.StartsAt) {
				return fmt.Errorf("campaign %q: budget %v, %v to %v", c.Name, c.Budget, c.StartsAt, c.EndsAt)
			}
			if c.Status == campaign.StatusPLANNED && (c.ActualCost != 0 || !c.StartsAt.After(ds.now)) {
				return fmt.Errorf("planned campaign %q started %v and cost %v", c.Name, c.StartsAt, c.ActualCost)
			}
		}
		for _, ch := range []campaign.Channel{campaign.ChannelEMAIL, campaign.ChannelSMS, campaign.ChannelSEMINAR, campaign.ChannelWEBINAR,
			campaign.ChannelEXHIBITION, campaign.ChannelSOCIAL, campaign.ChannelADS, campaign.ChannelREFERRAL, campaign.ChannelEVENT} {
			if channels[ch] == 0 {
				return fmt.Errorf("no %s campaign: %v", ch, channels)
			}
		}
		return nil
	}},
	{"responses come at preferred times of day", func(ds *dataset) error {
		var hours [24]int
		n := 0
		for _, m := range ds.members {
			if m.RespondedAt != nil {
				hours[m.RespondedAt.UTC().Hour()]++
				n++
			}
		}
		night := hours[1] + hours[2] + hours[3] + hours[4]
		morning := hours[9] + hours[10] + hours[11] + hours[12]
		if n < 100 || morning < 5*max(night, 1) {
			return fmt.Errorf("%d responses, %d between 9 and 13 h, %d between 1 and 5 h", n, morning, night)
		}
		return nil
	}},
	{"acquisition campaigns and referrals are consistent", func(ds *dataset) error {
		member := map[[2]pulid.ID]*ent.CampaignMember{}
		for _, m := range ds.members {
			member[[2]pulid.ID{m.CampaignID, m.ContactID}] = m
		}
		created := map[pulid.ID]time.Time{}
		for _, c := range ds.contacts {
			created[c.ID] = c.CreatedAt
		}
		acquired, referred := 0, 0
		for _, c := range ds.contacts {
			if c.AcquisitionCampaignID != nil {
				acquired++
				m := member[[2]pulid.ID{*c.AcquisitionCampaignID, c.ID}]
				if m == nil || m.RespondedAt == nil || !m.RespondedAt.Equal(c.CreatedAt) {
					return fmt.Errorf("contact %s was acquired by campaign %s but did not respond to it when created", c.ID, *c.AcquisitionCampaignID)
				}
				cp := ds.campaigns[*c.AcquisitionCampaignID]
				if cp.StartsAt.After(c.CreatedAt) {
					return fmt.Errorf("contact %s created %v, before its campaign %q started", c.ID, c.CreatedAt, cp.Name)
				}
			}
			if c.ReferredByID != nil {
				referred++
				if !created[*c.ReferredByID].Before(c.CreatedAt) || c.AcquisitionCampaignID == nil ||
					ds.campaigns[*c.AcquisitionCampaignID].Channel != campaign.ChannelREFERRAL || c.LeadSource != "Referral" {
					return fmt.Errorf("referred contact %s is inconsistent", c.ID)
				}
			}
		}
		if share := float64(referred) / float64(len(ds.contacts)); share < 0.03 || share > 0.15 || acquired < len(ds.contacts)/5 {
			return fmt.Errorf("%d referred and %d campaign-acquired contacts of %d", referred, acquired, len(ds.contacts))
		}
		return nil
	}},
	{"contacts have the fields of a real CRM", func(ds *dataset) error {
		var withAccount, optIn, owned, customers int
		for _, c := range ds.contacts {
			if c.FirstName == "" || c.LastName == "" || c.LeadSource == "" || c.CreatedAt.After(ds.now) || c.CreatedAt.Before(ds.now.AddDate(-2, 0, -1)) {
				return fmt.Errorf("contact %+v", c)
			}
			if c.AccountID != nil {
				withAccount++
			}
			if c.NewsletterOptIn {
				optIn++
			}
			if c.OwnerID != nil {
				owned++
			}
			if c.LifecycleStage == contact.LifecycleStageCUSTOMER || c.LifecycleStage == contact.LifecycleStageEVANGELIST {
				customers++
			}
		}
		n := float64(len(ds.contacts))
		if a, o := float64(withAccount)/n, float64(optIn)/n; a < 0.65 || a > 0.9 || o < 0.3 || o > 0.5 || owned != len(ds.contacts) {
			return fmt.Errorf("%.0f%% with an account, %.0f%% opted in, %d owned", 100*a, 100*o, owned)
		}
		if buyers := len(ds.purchases()); customers != buyers {
			return fmt.Errorf("%d customers, %d buyers", customers, buyers)
		}
		return nil
	}},
	{"viewers own nothing", func(ds *dataset) error {
		for _, u := range ds.users {
			if u.Role != user.RoleVIEWER {
				continue
			}
			for _, c := range ds.contacts {
				if c.OwnerID != nil && *c.OwnerID == u.ID {
					return fmt.Errorf("viewer %s owns contact %s", u.Email, c.ID)
				}
			}
		}
		return nil
	}},
	{"tickets are resolved after they open and cost something", func(ds *dataset) error {
		open := 0
		for _, tk := range ds.tickets {
			if tk.OpenedAt.After(ds.now) || tk.CostToServe <= 0 || tk.ContactID == nil {
				return fmt.Errorf("ticket %+v", tk)
			}
			if tk.ResolvedAt == nil {
				open++
				continue
			}
			if tk.ResolvedAt.Before(tk.OpenedAt) || tk.ResolvedAt.After(ds.now) {
				return fmt.Errorf("ticket %s opened %v resolved %v", tk.ID, tk.OpenedAt, tk.ResolvedAt)
			}
		}
		if len(ds.tickets) == 0 || open == len(ds.tickets) {
			return fmt.Errorf("%d tickets, %d open", len(ds.tickets), open)
		}
		return nil
	}},
	{"activities include completed past work and follow-ups due in the future", func(ds *dataset) error {
		var done, future int
		for _, a := range ds.activities {
			switch {
			case a.CompletedAt != nil:
				if a.CompletedAt.After(ds.now) {
					return fmt.Errorf("activity %s completed in the future", a.ID)
				}
				done++
			case a.DueAt != nil && a.DueAt.After(ds.now):
				future++
			}
			if a.ContactID == nil || a.AssigneeID == nil {
				return fmt.Errorf("activity %s without contact or assignee", a.ID)
			}
		}
		if done == 0 || future == 0 {
			return fmt.Errorf("%d completed, %d due in the future", done, future)
		}
		return nil
	}},
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func TestCreateDemoOrganization(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client := openClient(t, d)
			ctx := context.Background()
			org, email, password, err := CreateDemoOrganization(ctx, client, Options{Contacts: 50, Seed: 1, Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if org.Name != "Demo Company" || org.Slug != "demo" || email != "admin@demo.example" {
				t.Fatalf("organization %q (%s), admin %s", org.Name, org.Slug, email)
			}
			if err := auth.ValidatePassword(password); err != nil {
				t.Fatalf("generated password %q: %v", password, err)
			}
			octx := tenant.WithOrganization(ctx, string(org.ID))
			admin, err := client.User.Query().Where(user.Email(email)).Only(octx)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := auth.VerifyPassword(admin.PasswordHash, password); !ok || err != nil {
				t.Fatalf("the admin's password does not verify: %v %v", ok, err)
			}
			if ok, _ := auth.VerifyPassword(admin.PasswordHash, password+"x"); ok {
				t.Fatal("a wrong password verifies")
			}
			if admin.Role != user.RoleOWNER {
				t.Fatalf("admin role %s", admin.Role)
			}
			roles := map[user.Role]int{}
			for _, u := range client.User.Query().AllX(octx) {
				roles[u.Role]++
			}
			want := map[user.Role]int{user.RoleOWNER: 1, user.RoleADMIN: 1, user.RoleMANAGER: 1, user.RoleMEMBER: 3, user.RoleVIEWER: 1}
			if fmt.Sprint(roles) != fmt.Sprint(want) {
				t.Fatalf("roles %v, want %v", roles, want)
			}
			if n := client.Contact.Query().CountX(octx); n != 50 {
				t.Fatalf("%d contacts, want 50", n)
			}
			// Twice is refused: the slug is taken.
			if _, _, _, err := CreateDemoOrganization(ctx, client, Options{Contacts: 10}); err == nil {
				t.Fatal("a second demo organization was created")
			}
			// Seeding an organization that has contacts is refused.
			if _, err := Seed(ctx, client, org.ID, Options{Contacts: 10}); !errors.Is(err, ErrNotEmpty) {
				t.Fatalf("seeding a non-empty organization: %v", err)
			}
		})
	}
}

func TestGeneratedPasswordsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		p, err := generatePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 20 || seen[p] || strings.Trim(p, passwordAlphabet) != "" {
			t.Fatalf("password %q", p)
		}
		seen[p] = true
	}
}

func TestOptionsSizeTheData(t *testing.T) {
	client := openClient(t, dialects()[0])
	tests := []struct {
		name     string
		opt      Options
		accounts int
		deals    [2]int // bounds
	}{
		{"accounts default to a tenth of the contacts", Options{Contacts: 120}, 12, [2]int{250, 600}},
		{"accounts and deals can be set", Options{Contacts: 120, Accounts: 7, Deals: 700}, 7, [2]int{560, 840}},
		{"few deals still give every buyer a purchase", Options{Contacts: 120, Deals: 100}, 12, [2]int{70, 160}},
		{"a single contact", Options{Contacts: 1}, 1, [2]int{0, 100}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.Seed, tc.opt.Now = 5, testNow
			var progress [][2]int
			tc.opt.Progress = func(done, total int) { progress = append(progress, [2]int{done, total}) }
			_, st := seed(t, client, fmt.Sprintf("size-%d", i), tc.opt)
			if st.Contacts != tc.opt.Contacts || st.Accounts != tc.accounts || st.Deals < tc.deals[0] || st.Deals > tc.deals[1] {
				t.Errorf("%d contacts, %d accounts, %d deals; want %d, %d and %v", st.Contacts, st.Accounts, st.Deals, tc.opt.Contacts, tc.accounts, tc.deals)
			}
			if len(progress) == 0 || progress[len(progress)-1] != [2]int{tc.opt.Contacts, tc.opt.Contacts} {
				t.Errorf("progress reports %v", progress)
			}
		})
	}
	t.Run("negative sizes are refused", func(t *testing.T) {
		org := newOrg(t, client, "negative")
		if _, err := Seed(context.Background(), client, org, Options{Contacts: -1}); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("an unknown organization is refused", func(t *testing.T) {
		if _, err := Seed(context.Background(), client, pulid.New("org"), Options{Contacts: 1}); err == nil {
			t.Fatal("no error")
		}
	})
}

// BenchmarkSeed measures seeding 1,000 and 10,000 contacts through ent and
// in bulk (COPY on PostgreSQL), full and lean:
//
//	go test -run - -bench Seed -benchtime 1x ./internal/demo/
func BenchmarkSeed(b *testing.B) {
	for _, d := range dialects() {
		for _, mode := range []string{"ent", "bulk", "bulk-lean"} {
			for _, n := range []int{1000, 10000} {
				b.Run(fmt.Sprintf("%s/%s/%d", d, mode, n), func(b *testing.B) {
					var rows int
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						client, db := openDB(b, d)
						org := newOrg(b, client, fmt.Sprintf("bench-%d", i))
						opt := Options{Contacts: n, Seed: 1, Now: testNow, Lean: mode == "bulk-lean"}
						if mode != "ent" {
							opt.DB, opt.Dialect = db, d
						}
						b.StartTimer()
						st, err := Seed(context.Background(), client, org, opt)
						if err != nil {
							b.Fatal(err)
						}
						rows += st.Total()
						b.Logf("%v", st)
					}
					b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		}
	}
}
