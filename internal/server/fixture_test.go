package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/webhook"
)

// fixture is a running API over a fresh database.
type fixture struct {
	t       *testing.T
	store   *store.Store
	ids     *identity.Service
	url     string
	counter *storetest.Counter
	worker  *webhook.Worker
	// referenceURL is the same API answering every field through the
	// resolvers (server.Config.ResolversOnly), to compare the SQL path with.
	referenceURL string
}

// tenantFixture is one organization with an owner session and an API token.
type tenantFixture struct {
	org   *ent.Organization
	jwt   string
	token string
	ctx   context.Context
}

// eachDatabase runs fn against a fresh API on every database of the run.
func eachDatabase(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			wrap, counter := storetest.CountStatements()
			s := storetest.Open(t, d, wrap)
			ids, err := identity.New(s.Client, []byte("0123456789abcdef0123456789abcdef"))
			if err != nil {
				t.Fatal(err)
			}
			// Rate limits have tests of their own; here they would only slow the
			// suites that send hundreds of requests.
			// Events: a broker polling often, and webhooks allowed to reach the
			// tests' receivers on localhost, retried after 10 ms.
			// They read through a client of their own, outside the statement
			// counter, so that their polls do not count as the requests'.
			ctx, stop := context.WithCancel(context.Background())
			background := ent.NewClient(ent.Driver(counter.Driver))
			broker := events.NewBroker(background, events.BrokerConfig{Dialect: s.Dialect, Poll: 20 * time.Millisecond})
			hookOpts := webhook.ClientOptions{AllowLoopback: true}
			worker := webhook.NewWorker(background, s.Dialect, webhook.WorkerOptions{
				HTTP: webhook.NewClient(hookOpts), Schedule: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond},
				Jitter: -1, Poll: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			done := make(chan struct{}, 3)
			go func() { _ = broker.Run(ctx); done <- struct{}{} }()
			go func() { _ = worker.Run(ctx); done <- struct{}{} }()
			// On PostgreSQL, credentials are cached as in production, so that
			// every test of access also holds with the cache.
			go func() { watchCredentials(t, ctx, ids, s.Dialect); done <- struct{}{} }()
			waitForCredentialCache(t, ids, s.Dialect)
			srv := httptest.NewServer(server.New(server.Config{
				Store: s, Identity: ids, RateLimits: server.RateLimits{Disabled: true},
				Events: broker, Webhooks: webhook.NewService(s.Client, hookOpts), WakeDeliveries: worker.Wake,
				ObserveStatements: counter.Observe,
			}))
			reference := httptest.NewServer(server.New(server.Config{
				Store: s, Identity: ids, RateLimits: server.RateLimits{Disabled: true}, ResolversOnly: true,
				Events: broker, Webhooks: webhook.NewService(s.Client, hookOpts), WakeDeliveries: worker.Wake,
			}))
			t.Cleanup(func() {
				srv.Close()
				reference.Close()
				stop()
				<-done
				<-done
				<-done
			})
			fn(t, &fixture{t: t, store: s, ids: ids, url: srv.URL + "/graphql", counter: counter, worker: worker, referenceURL: reference.URL + "/graphql"})
		})
	}
}

// watchCredentials runs the identity service's credential listener on
// PostgreSQL until ctx ends.
func watchCredentials(t *testing.T, ctx context.Context, ids *identity.Service, dialectName string) {
	if dialectName != dialect.Postgres {
		return
	}
	ids.WatchCredentialChanges(ctx, os.Getenv(storetest.EnvDatabaseURL), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// waitForCredentialCache waits until the credential listener listens, on
// PostgreSQL.
func waitForCredentialCache(t *testing.T, ids *identity.Service, dialectName string) {
	t.Helper()
	if dialectName != dialect.Postgres {
		return
	}
	for deadline := time.Now().Add(10 * time.Second); !ids.CachingCredentials(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the credential listener did not start")
		}
	}
}

// authStatements is how many statements authenticating a credential
// already checked once costs a request: none where credentials are cached
// (PostgreSQL), reading the token and its user otherwise.
func (f *fixture) authStatements() int {
	if f.ids.CachingCredentials() {
		return 0
	}
	return 2
}

// tenant creates an organization with an owner, logs in, and mints an API
// token with the scopes (all when none are given).
func (f *fixture) tenant(name string, scopes ...string) *tenantFixture {
	f.t.Helper()
	ctx := context.Background()
	org, owner, err := f.ids.CreateOrganization(ctx, name, "owner@"+name+".example", "correct horse battery")
	if err != nil {
		f.t.Fatal(err)
	}
	sess, err := f.ids.Login(ctx, owner.Email, "correct horse battery", org.Slug)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(scopes) == 0 {
		scopes = []string{"*:write"}
	}
	sc, err := auth.ParseScopeList(scopes)
	if err != nil {
		f.t.Fatal(err)
	}
	octx := tenant.WithOrganization(ctx, org.ID.String())
	exp := time.Now().Add(time.Hour)
	tok, _, err := f.ids.CreateAPIToken(octx, "test", sc, &exp, owner.ID.String())
	if err != nil {
		f.t.Fatal(err)
	}
	return &tenantFixture{org: org, jwt: sess.AccessToken, token: tok, ctx: octx}
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// response is a GraphQL response.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// code returns the code of the first error, or "" when there is none.
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// field returns the field of the first error.
func (r response) field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["field"].(string)
	return c
}

// do posts a GraphQL request with the bearer token ("" for none).
func (f *fixture) do(token, query string, vars map[string]any) response {
	f.t.Helper()
	return f.doAt(f.url, token, query, vars)
}

// doAt posts a GraphQL request to the API at url.
func (f *fixture) doAt(url, token, query string, vars map[string]any) response {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	var out response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		f.t.Fatalf("decoding response (status %d): %v", res.StatusCode, err)
	}
	return out
}

// ok posts a request that must succeed and decodes its data into v.
func (f *fixture) ok(token, query string, vars map[string]any, v any) {
	f.t.Helper()
	r := f.do(token, query, vars)
	if len(r.Errors) > 0 {
		f.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if v != nil {
		if err := json.Unmarshal(r.Data, v); err != nil {
			f.t.Fatal(err)
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
