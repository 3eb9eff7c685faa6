package events_test

import (
	"slices"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

func TestCustomerAtRisk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newOrg(t, s, "org-a", func(b *ent.OrganizationCreate) { b.SetAtRiskAfterDays(180) })
		ep := a.endpoint(t, eventtype.CustomerAtRisk)
		a.contact(t, "lapsed", analytics.TierVIP, 1500)
		a.contact(t, "recent", analytics.TierVIP, 0)
		a.contact(t, "high", analytics.TierHigh, 300)
		a.contact(t, "never", analytics.TierVIP, 0)
		a.contact(t, "lost", analytics.TierVIP, 0)
		a.purchase(t, "lapsed", 10000, day(-400))
		a.purchase(t, "lapsed", 10000, day(-200))
		a.purchase(t, "recent", 10000, day(-30))
		a.purchase(t, "high", 10000, day(-400))
		if err := s.Client.Deal.Create().SetName("lost").SetStatus(deal.StatusLOST).SetClosedAt(day(-300)).
			SetContactID(a.ids["lost"]).Exec(a.ctx); err != nil {
			t.Fatal(err)
		}
		// Another organization's lapsed VIP is never A's business.
		b := newOrg(t, s, "org-b", nil)
		b.contact(t, "eve", analytics.TierVIP, 0)
		b.purchase(t, "eve", 10000, day(-300))

		var now time.Time
		alerts := a.alerts(&now)
		steps := []struct {
			name   string
			now    time.Time
			change func()
			want   []string
		}{
			{"a lapsed VIP, not a recent buyer, a non-VIP or one who never bought", day(0), nil, []string{"lapsed"}},
			{"not twice for one lapse", day(1), nil, []string{}},
			{"a new purchase ends the lapse", day(3), func() { a.purchase(t, "lapsed", 5000, day(2)) }, []string{}},
			{"exactly the at-risk period is not more", day(150), nil, []string{}},
			{"another lapse raises it again", day(183), nil, []string{"lapsed", "recent"}},
			{"and not twice either", day(200), nil, []string{}},
			{"a lapsed contact whose value figures make it VIP", day(201), func() {
				a.value(t, "high", analytics.TierVIP, 300)
			}, []string{"high"}},
			{"a VIP demoted in its value figures before its next lapse", day(390), func() {
				a.purchase(t, "lapsed", 5000, day(202))
				a.value(t, "lapsed", analytics.TierHigh, 1500)
			}, []string{}},
		}
		var first *ent.Event
		for _, st := range steps {
			if st.change != nil {
				st.change()
			}
			now = st.now
			rep, err := alerts.RunOrganization(a.ctx, a.id)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			var raised []*ent.Event
			for _, e := range a.events(t, eventtype.CustomerAtRisk) {
				if e.CreatedAt.Equal(now) {
					raised = append(raised, e)
				}
			}
			if first == nil && len(raised) > 0 {
				first = raised[0]
			}
			if got := a.subjects(raised); !slices.Equal(got, st.want) {
				t.Errorf("%s: raised for %v, want %v", st.name, got, st.want)
			}
			if rep.AtRisk != len(st.want) {
				t.Errorf("%s: report says %d raised, want %d", st.name, rep.AtRisk, len(st.want))
			}
			for _, e := range raised {
				n, err := s.Client.WebhookDelivery.Query().Where(webhookdelivery.EventID(e.ID), webhookdelivery.EndpointID(ep)).Count(a.ctx)
				if err != nil || n != 1 {
					t.Errorf("%s: %d deliveries of an alert (%v), want 1", st.name, n, err)
				}
				if e.ActorKind != event.ActorKindSYSTEM || e.SubjectType != "Contact" {
					t.Errorf("%s: event %+v", st.name, e)
				}
			}
		}

		if first == nil {
			t.Fatal("no alert raised")
		}
		want := map[string]any{
			"lastPurchaseAt":    day(-200).Format(time.RFC3339),
			"daysSincePurchase": float64(200),
			"valueTier":         "VIP",
			"predictedClv":      float64(1500),
		}
		for k, v := range want {
			if first.Data[k] != v {
				t.Errorf("data[%q] = %v (%T), want %v", k, first.Data[k], first.Data[k], v)
			}
		}
		// Every alert carries the figures of the contact's row of
		// contact_values; a predicted CLV of 0 is not known.
		wantCLV := map[string]any{"lapsed": float64(1500), "recent": nil, "high": float64(300)}
		for _, e := range a.events(t, eventtype.CustomerAtRisk) {
			name := a.names[e.SubjectID]
			if e.Data["predictedClv"] != wantCLV[name] || e.Data["valueTier"] != "VIP" {
				t.Errorf("%s: predictedClv %v valueTier %v, want %v VIP", name, e.Data["predictedClv"], e.Data["valueTier"], wantCLV[name])
			}
		}
		if evs := b.events(t, eventtype.CustomerAtRisk); len(evs) != 0 {
			t.Errorf("organization B got %d at-risk events from A's run", len(evs))
		}
	})
}

func TestSpendThresholdCrossed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		threshold := amount(t, "1000.00")
		a := newOrg(t, s, "org-a", func(b *ent.OrganizationCreate) { b.SetSpendThreshold(threshold) })
		viewer := auth.NewContext(a.ctx, &auth.Viewer{OrganizationID: a.id.String(), UserID: "usr_owner", Role: auth.RoleOwner})
		// win creates an open deal through the API and wins it.
		win := func(name string, cents int64) *ent.Deal {
			d, err := s.Client.Deal.Create().SetName("api").SetAmount(money.FromCents(cents)).SetContactID(a.ids[name]).Save(viewer)
			if err != nil {
				t.Fatal(err)
			}
			if d, err = s.Client.Deal.UpdateOne(d).SetStatus(deal.StatusWON).Save(viewer); err != nil {
				t.Fatal(err)
			}
			return d
		}
		setStatus := func(d *ent.Deal, st deal.Status) {
			if err := s.Client.Deal.UpdateOne(d).SetStatus(st).Exec(viewer); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name      string
			contact   string
			setup     func(name string)
			immediate int    // events right after the setup
			scheduled int    // events after the scheduled runs too
			total     string // totalSpend of the event
			viaAPI    bool   // raised at once, by the viewer's win
		}{
			{"imported above the threshold", "imported", func(n string) {
				a.purchase(t, n, 60000, day(-20))
				a.purchase(t, n, 50000, day(-10))
			}, 0, 1, "1100.00", false},
			{"imported just below", "below", func(n string) { a.purchase(t, n, 99999, day(-5)) }, 0, 0, "", false},
			{"imported exactly at it", "exact", func(n string) { a.purchase(t, n, 100000, day(-5)) }, 0, 1, "1000.00", false},
			{"crossed by a win through the API", "api", func(n string) {
				a.purchase(t, n, 60000, day(-20))
				win(n, 50000)
			}, 1, 1, "1100.00", true},
			{"won, reopened and won again: once", "twice", func(n string) {
				d := win(n, 120000)
				setStatus(d, deal.StatusOPEN)
				setStatus(d, deal.StatusWON)
			}, 1, 1, "1200.00", true},
			{"a win that stays below", "under", func(n string) { win(n, 10000) }, 0, 0, "", false},
			{"already above before the win: the scheduler catches it", "above", func(n string) {
				a.purchase(t, n, 150000, day(-20))
				win(n, 10000)
			}, 0, 1, "1600.00", false},
		}
		of := func(name string) []*ent.Event {
			var out []*ent.Event
			for _, e := range a.events(t, eventtype.SpendThresholdCrossed) {
				if e.SubjectID == a.ids[name].String() {
					out = append(out, e)
				}
			}
			return out
		}
		for _, c := range cases {
			a.contact(t, c.contact, "", 0)
			c.setup(c.contact)
			if got := len(of(c.contact)); got != c.immediate {
				t.Errorf("%s: %d events right away, want %d", c.name, got, c.immediate)
			}
		}
		now := testNow
		alerts := a.alerts(&now)
		rep, err := alerts.RunOrganization(a.ctx, a.id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := alerts.RunOrganization(a.ctx, a.id); err != nil { // and again: nothing new
			t.Fatal(err)
		}
		wantRaised := 0
		for _, c := range cases {
			evs := of(c.contact)
			wantRaised += c.scheduled - c.immediate
			if len(evs) != c.scheduled {
				t.Errorf("%s: %d events after the scheduled runs, want %d", c.name, len(evs), c.scheduled)
				continue
			}
			if len(evs) == 0 {
				continue
			}
			e := evs[0]
			if e.Data["totalSpend"] != c.total || e.Data["threshold"] != "1000.00" {
				t.Errorf("%s: data %v", c.name, e.Data)
			}
			_, hasDeal := e.Data["dealId"]
			if c.viaAPI != (e.ActorKind == event.ActorKindUSER && e.ActorID == "usr_owner" && hasDeal) {
				t.Errorf("%s: actor %s %q, data %v", c.name, e.ActorKind, e.ActorID, e.Data)
			}
		}
		if rep.SpendThresholdCrossed != wantRaised {
			t.Errorf("report: %d raised, want %d", rep.SpendThresholdCrossed, wantRaised)
		}

		// Without a threshold nothing is raised, on either path.
		b := newOrg(t, s, "org-b", nil)
		b.contact(t, "big", "", 0)
		b.purchase(t, "big", 10000000, day(-1))
		bv := auth.NewContext(b.ctx, &auth.Viewer{OrganizationID: b.id.String(), UserID: "usr_b", Role: auth.RoleOwner})
		if err := s.Client.Deal.Create().SetName("api").SetAmount(money.FromCents(500000)).SetStatus(deal.StatusWON).
			SetContactID(b.ids["big"]).Exec(bv); err != nil {
			t.Fatal(err)
		}
		if _, err := b.alerts(&now).RunOrganization(b.ctx, b.id); err != nil {
			t.Fatal(err)
		}
		if evs := b.events(t, eventtype.SpendThresholdCrossed); len(evs) != 0 {
			t.Errorf("organization without a threshold: %d events", len(evs))
		}
	})
}
