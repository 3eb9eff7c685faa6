package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
)

// clock is a settable clock shared by the service and the workers of a
// test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is an organization on a fresh database, with a service and a clock.
type env struct {
	t     *testing.T
	s     *store.Store
	ctx   context.Context // scoped to the organization
	sys   context.Context
	clock *clock
	svc   *Service
}

// slug returns a unique organization slug.
func slug(prefix string) string {
	id := string(pulid.New("x"))
	return prefix + "-" + strings.ToLower(id[len(id)-10:])
}

func newEnv(t *testing.T, s *store.Store) *env {
	t.Helper()
	sys := tenant.WithSystem(context.Background())
	name := slug("org")
	o, err := s.Client.Organization.Create().SetName(name).SetSlug(name).Save(sys)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	svc := NewService(s.Client, ClientOptions{AllowLoopback: true})
	svc.SetClock(c.Now)
	return &env{t: t, s: s, ctx: tenant.WithOrganization(context.Background(), string(o.ID)), sys: sys, clock: c, svc: svc}
}

// otherOrg returns a context of another organization on the same database.
func (e *env) otherOrg() context.Context {
	e.t.Helper()
	name := slug("other")
	o, err := e.s.Client.Organization.Create().SetName(name).SetSlug(name).Save(e.sys)
	if err != nil {
		e.t.Fatal(err)
	}
	return tenant.WithOrganization(context.Background(), string(o.ID))
}

// endpoint creates an endpoint for url subscribed to DEAL_WON.
func (e *env) endpoint(url string) (*ent.WebhookEndpoint, string) {
	e.t.Helper()
	ep, secret, err := e.svc.CreateEndpoint(e.ctx, EndpointInput{URL: url, EventTypes: []eventtype.Type{eventtype.DealWon}})
	if err != nil {
		e.t.Fatal(err)
	}
	return ep, secret
}

// raise writes a DEAL_WON event and its delivery to ep, due now, as the
// outbox does.
func (e *env) raise(ep *ent.WebhookEndpoint) (*ent.Event, *ent.WebhookDelivery) {
	e.t.Helper()
	ev, err := e.s.Client.Event.Create().
		SetType(eventtype.DealWon).
		SetSubjectType("Deal").
		SetSubjectID("deal_01JX").
		SetActorKind(event.ActorKindUSER).
		SetActorID("usr_01JX").
		SetData(map[string]any{"object": map[string]any{"id": "deal_01JX", "amount": "1200.00"}}).
		Save(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := e.s.Client.WebhookDelivery.Create().
		SetEndpointID(ep.ID).
		SetEventID(ev.ID).
		SetEventType(ev.Type).
		SetNextAttemptAt(e.clock.Now()).
		Save(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev, d
}

// worker returns a worker on the test's clock, without jitter, with a
// 10ms retry schedule unless opts says otherwise, posting through the
// development client.
func (e *env) worker(opts WorkerOptions) *Worker {
	if opts.HTTP == nil {
		opts.HTTP = NewClient(ClientOptions{AllowLoopback: true, Timeout: 5 * time.Second})
	}
	if opts.Schedule == nil {
		opts.Schedule = []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}
	}
	if opts.Jitter == 0 {
		opts.Jitter = -1
	}
	opts.Now = e.clock.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return NewWorker(e.s.Client, e.s.Dialect, opts)
}

// pass runs one DeliverDue and returns how many it claimed.
func (e *env) pass(w *Worker) int {
	e.t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// until runs passes, advancing the clock by step after each, until done
// reports true; it fails the test after max passes.
func (e *env) until(w *Worker, step time.Duration, max int, done func() bool) {
	e.t.Helper()
	for i := 0; i < max; i++ {
		e.pass(w)
		if done() {
			return
		}
		e.clock.Advance(step)
	}
	e.t.Fatalf("not done after %d passes", max)
}

func (e *env) delivery(id pulid.ID) *ent.WebhookDelivery {
	e.t.Helper()
	d, err := e.s.Client.WebhookDelivery.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *env) reload(ep *ent.WebhookEndpoint) *ent.WebhookEndpoint {
	e.t.Helper()
	ep, err := e.s.Client.WebhookEndpoint.Get(e.ctx, ep.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return ep
}

// request is a request a receiver got.
type request struct {
	header http.Header
	body   []byte
}

// receiver is a webhook receiver answering request n (from 1) with
// respond, 204 when respond is nil.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []request
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{respond: respond}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, request{header: r.Header.Clone(), body: body})
		n := len(rc.reqs)
		rc.mu.Unlock()
		if rc.respond == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		rc.respond(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.reqs...)
}

// status answers every request with code.
func status(code int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}
