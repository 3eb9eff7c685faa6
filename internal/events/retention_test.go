package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

func TestRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newOrg(t, s, "org-a", func(b *ent.OrganizationCreate) { b.SetEventRetentionDays(90) })
		b := newOrg(t, s, "org-b", func(b *ent.OrganizationCreate) { b.SetEventRetentionDays(90) })

		all := eventtype.All
		a.endpoint(t, all...)
		a.endpoint(t, eventtype.DealWon)
		b.endpoint(t, all...)
		subject := a.contact(t, "ada", "", 0)

		raise := func(o *org, name string, typ eventtype.Type, at time.Time) pulid.ID {
			ev, err := events.Raise(o.ctx, s.Client, events.Event{Type: typ, SubjectType: "Contact", SubjectID: subject, At: at})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return ev.ID
		}
		// Many expired events, to delete in several batches (written in
		// several batches too).
		many := make([]events.Event, 2345)
		for i := range many {
			many[i] = events.Event{Type: eventtype.DealWon, SubjectType: "Deal", SubjectID: pulid.ID(fmt.Sprintf("deal_%d", i)), At: day(-200)}
		}
		if err := events.RaiseAll(a.ctx, s.Client, many); err != nil {
			t.Fatal(err)
		}
		if n := s.Client.WebhookDelivery.Query().CountX(a.ctx); n != 2*len(many) {
			t.Fatalf("RaiseAll wrote %d deliveries, want %d", n, 2*len(many))
		}

		cases := []struct {
			name       string
			org        *org
			typ        eventtype.Type
			at         time.Time
			kept       bool
			deliveries int // kept deliveries
		}{
			{"expired", a, eventtype.DealWon, day(-100), false, 0},
			{"just expired", a, eventtype.ContactUpdated, day(-90).Add(-time.Second), false, 0},
			{"just kept", a, eventtype.ContactUpdated, day(-90).Add(time.Second), true, 1},
			{"recent", a, eventtype.DealWon, day(-10), true, 2},
			{"another organization's", b, eventtype.DealWon, day(-100), true, 1},
			{"older at-risk alert", a, eventtype.CustomerAtRisk, day(-300), false, 0},
			{"latest at-risk alert, kept without its deliveries", a, eventtype.CustomerAtRisk, day(-200), true, 0},
			{"the spend alert, kept without its deliveries", a, eventtype.SpendThresholdCrossed, day(-400), true, 0},
		}
		ids := make([]pulid.ID, len(cases))
		for i, c := range cases {
			ids[i] = raise(c.org, c.name, c.typ, c.at)
		}

		now := testNow
		rep, err := a.alerts(&now).RunOrganization(a.ctx, a.id)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			ctx := c.org.ctx
			kept, err := s.Client.Event.Query().Where(event.ID(ids[i])).Exist(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if kept != c.kept {
				t.Errorf("%s: kept %v, want %v", c.name, kept, c.kept)
			}
			n, err := s.Client.WebhookDelivery.Query().Where(webhookdelivery.EventID(ids[i])).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.deliveries {
				t.Errorf("%s: %d deliveries kept, want %d", c.name, n, c.deliveries)
			}
		}
		wantEvents := len(many) + 3
		wantDeliveries := 2*len(many) + 2 + 1 + 1 + 1 + 1
		if rep.EventsDeleted != wantEvents || rep.DeliveriesDeleted != wantDeliveries {
			t.Errorf("report: %d events and %d deliveries deleted, want %d and %d",
				rep.EventsDeleted, rep.DeliveriesDeleted, wantEvents, wantDeliveries)
		}
		if n := s.Client.Event.Query().CountX(a.ctx); n != 4 {
			t.Errorf("%d events left in A, want 4", n)
		}
	})
}
