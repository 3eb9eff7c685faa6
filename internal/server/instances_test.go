package server_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// openInstance opens, for one API instance, a store on the PostgreSQL
// database at url, migrated, and its identity service.
func openInstance(t *testing.T, ctx context.Context, url string) (*store.Store, *identity.Service) {
	t.Helper()
	s, err := store.Open(ctx, store.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ids, err := identity.New(s.Client, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return s, ids
}

// TestAnEventCrossesInstances runs two API instances on one PostgreSQL
// database: an event raised through instance 1 reaches a subscriber
// connected to instance 2. Instance 2's broker ignores raises in its own
// process and polls only hourly, so the event can only have come through
// PostgreSQL's LISTEN/NOTIFY.
func TestAnEventCrossesInstances(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	instance := func(brokerCfg events.BrokerConfig) (*fixture, *store.Store) {
		s, ids := openInstance(t, ctx, url)
		b := events.NewBroker(s.Client, brokerCfg)
		done := make(chan struct{})
		go func() { _ = b.Run(ctx); close(done) }()
		srv := httptest.NewServer(server.New(server.Config{Store: s, Identity: ids, RateLimits: server.RateLimits{Disabled: true}, Events: b}))
		t.Cleanup(func() { srv.Close(); stop(); <-done })
		return &fixture{t: t, store: s, ids: ids, url: srv.URL + "/graphql"}, s
	}
	one, _ := instance(events.BrokerConfig{Dialect: dialect.Postgres})
	two, _ := instance(events.BrokerConfig{Dialect: dialect.Postgres, DatabaseURL: url, Poll: time.Hour, IgnoreLocalRaises: true})

	a := one.tenant("acme")
	sub := two.subscribe(a.token, eventsSubscription, map[string]any{"types": []string{"CONTACT_CREATED"}})
	time.Sleep(300 * time.Millisecond) // let instance 2 register the subscription and LISTEN
	start := time.Now()
	var c struct{ CreateContact struct{ ID string } }
	one.ok(a.token, `mutation { createContact(input: {firstName: "Across"}) { id } }`, nil, &c)
	data, m := sub.next()
	if data == nil {
		t.Fatalf("instance 2's subscriber got %+v; want the contact created through instance 1", m)
	}
	if ev := data["events"].(map[string]any); ev["subjectID"] != c.CreateContact.ID {
		t.Errorf("instance 2's subscriber got %v; want CONTACT_CREATED of %s", ev, c.CreateContact.ID)
	}
	t.Logf("instance 1 → PostgreSQL NOTIFY → instance 2 → subscriber in %s", time.Since(start).Round(time.Millisecond))
}
