package events_test

import (
	"context"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// TestBrokerReadsThroughABurst: a burst of more events than the broker
// reads in one page, all within its look-back window, reaches the
// subscriber whole, each event once, and nothing of another organization.
func TestBrokerReadsThroughABurst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, b := newOrg(t, s, "acme", nil), newOrg(t, s, "globex", nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		broker := events.NewBroker(s.Client, events.BrokerConfig{Dialect: s.Dialect, Poll: 10 * time.Millisecond, Buffer: 5000})
		go func() { _ = broker.Run(ctx) }()
		sub := broker.Subscribe(ctx, a.id.String())

		const burst = 1300
		raise := func(o *org, n int) {
			es := make([]events.Event, n)
			for i := range es {
				es[i] = events.Event{Type: eventtype.ContactCreated, SubjectType: "Contact", SubjectID: pulid.New("con")}
			}
			if err := events.RaiseAll(o.ctx, s.Client, es); err != nil {
				t.Fatal(err)
			}
		}
		raise(b, 50)
		raise(a, burst)
		got := map[pulid.ID]int{}
		deadline := time.After(20 * time.Second)
		for len(got) < burst {
			select {
			case ev := <-sub.C:
				if ev.OrganizationID != a.id {
					t.Fatalf("acme's subscriber got an event of %s", ev.OrganizationID)
				}
				got[ev.ID]++
			case <-deadline:
				t.Fatalf("the subscriber got %d of %d events", len(got), burst)
			}
		}
		for id, n := range got {
			if n != 1 {
				t.Errorf("event %s arrived %d times", id, n)
			}
		}
	})
}
