package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestChangedCredentialsReachEveryInstance runs two API instances on one
// PostgreSQL database, each serving checked credentials from memory. A
// credential changed through instance 1, or by plain SQL outside any
// instance, stops working on instance 2 as soon as PostgreSQL announces the
// change, although instance 2 had it cached.
func TestChangedCredentialsReachEveryInstance(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	instance := func() *fixture {
		s, ids := openInstance(t, ctx, url)
		done := make(chan struct{})
		go func() {
			ids.WatchCredentialChanges(ctx, url, slog.New(slog.NewTextHandler(io.Discard, nil)))
			close(done)
		}()
		srv := httptest.NewServer(server.New(server.Config{Store: s, Identity: ids, RateLimits: server.RateLimits{Disabled: true}}))
		t.Cleanup(func() { srv.Close(); stop(); <-done })
		f := &fixture{t: t, store: s, ids: ids, url: srv.URL + "/graphql"}
		waitForCredentialCache(t, ids, s.Dialect)
		return f
	}
	one, two := instance(), instance()
	a := one.tenant("acme")
	sys := tenant.WithSystem(ctx)
	mint := func() (string, string) {
		scopes, err := auth.ParseScopeList([]string{"*:write"})
		if err != nil {
			t.Fatal(err)
		}
		tok, row, err := one.ids.CreateAPIToken(a.ctx, "sync", scopes, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		return tok, row.ID.String()
	}
	const write = `mutation { createContact(input: {firstName: "Probe"}) { id } }`

	tests := []struct {
		name string
		// credential returns the bearer token to use; change changes it.
		credential func() (bearer string, change func())
		want       string // the code instance 2 must answer write with
	}{
		{"a token revoked through another instance", func() (string, func()) {
			tok, id := mint()
			return tok, func() {
				if _, err := one.ids.RevokeAPIToken(a.ctx, pulid.ID(id)); err != nil {
					t.Fatal(err)
				}
			}
		}, "UNAUTHENTICATED"},
		{"a token revoked by SQL", func() (string, func()) {
			tok, id := mint()
			return tok, func() {
				if _, err := one.store.DB.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, id); err != nil {
					t.Fatal(err)
				}
			}
		}, "UNAUTHENTICATED"},
		{"a token deleted by SQL", func() (string, func()) {
			tok, id := mint()
			return tok, func() {
				if _, err := one.store.DB.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1`, id); err != nil {
					t.Fatal(err)
				}
			}
		}, "UNAUTHENTICATED"},
		{"a user's session after the user is demoted through another instance", func() (string, func()) {
			return a.jwt, func() {
				one.store.Client.User.Update().Where(user.Email("owner@acme.example")).SetRole(user.RoleVIEWER).ExecX(sys)
			}
		}, "FORBIDDEN"},
		{"a user's session after the user is deactivated by SQL", func() (string, func()) {
			// The user, demoted by the case before, is made OWNER again; the
			// promotion reaches instance 2 as any change does.
			one.store.Client.User.Update().Where(user.Email("owner@acme.example")).SetRole(user.RoleOWNER).ExecX(sys)
			waitFor(t, "instance 2 to accept the promoted user", func() bool { return two.do(a.jwt, write, nil).code() == "" })
			return a.jwt, func() {
				if _, err := one.store.DB.ExecContext(ctx, `UPDATE users SET active = false WHERE email = 'owner@acme.example'`); err != nil {
					t.Fatal(err)
				}
			}
		}, "UNAUTHENTICATED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bearer, change := tt.credential()
			two.ok(bearer, write, nil, nil) // checked once: cached on instance 2
			two.ok(bearer, write, nil, nil)
			change()
			start := time.Now()
			waitFor(t, "instance 2 to answer "+tt.want, func() bool { return two.do(bearer, write, nil).code() == tt.want })
			t.Logf("instance 2 refused the changed credential %s after the change", time.Since(start).Round(time.Millisecond))
		})
	}
}

// waitFor polls done every 2 ms and fails the test if it is still false
// after 5 s.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	for start := time.Now(); !done(); time.Sleep(2 * time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("waited 5 s for %s", what)
		}
	}
}
