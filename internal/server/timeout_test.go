package server_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/internal/server"
)

// TestRequestPastItsDeadline sends requests whose statements wait for a lock
// the test holds until the answer arrives, to a server allowing 300 ms: each
// must run past the deadline, and the caller must be told so, with the
// field's path and nothing of the database's own error (lib/pq's "canceling
// statement due to user request", SQLite's "interrupted").
func TestRequestPastItsDeadline(t *testing.T) {
	const limit = 300 * time.Millisecond
	cases := []struct {
		name  string
		query string
		path  []any
		// dialects are the databases on which the statement waits: SQLite
		// (WAL) lets reads through a writer's lock.
		dialects []string
	}{
		{
			name:     "mutation",
			query:    `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "Late"}) { id firstName } }`,
			path:     []any{"updateContact"},
			dialects: []string{dialect.SQLite, dialect.Postgres},
		},
		{
			name:     "KPI report",
			query:    `{ analytics(period: {from: "2026-01-01", to: "2026-06-30"}) { revenue retention { rate } } }`,
			path:     []any{"analytics"},
			dialects: []string{dialect.Postgres},
		},
		{
			name:     "list answered in SQL",
			query:    `{ contacts(first: 5) { edges { node { email } } } }`,
			path:     []any{"contacts"},
			dialects: []string{dialect.Postgres},
		},
	}
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("slow")
		var created struct{ CreateContact struct{ ID string } }
		f.ok(a.token, `mutation { createContact(input: {firstName: "Ada", email: "ada@slow.example"}) { id } }`, nil, &created)
		srv := httptest.NewServer(server.New(server.Config{
			Store: f.store, Identity: f.ids, RateLimits: server.RateLimits{Disabled: true}, RequestTimeout: limit,
		}))
		defer srv.Close()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if !slices.Contains(tc.dialects, f.store.Dialect) {
					t.Skipf("statements of this request do not wait for a writer on %s", f.store.Dialect)
				}
				release := holdLock(t, f)
				start := time.Now()
				r := f.doAt(srv.URL+"/graphql", a.token, tc.query, map[string]any{"id": created.CreateContact.ID})
				took := time.Since(start)
				release()
				want := []gqlError{{
					Message:    "the request took longer than the server allows (300ms)",
					Path:       tc.path,
					Extensions: map[string]any{"code": "TIMEOUT"},
				}}
				if !reflect.DeepEqual(r.Errors, want) {
					got, _ := json.Marshal(r.Errors)
					t.Errorf("errors %s; want one TIMEOUT error at %v saying how long the server allows", got, tc.path)
				}
				if string(r.Data) != "null" {
					t.Errorf("data %s; want null", r.Data)
				}
				if took < limit {
					t.Errorf("answered after %s, before the deadline of %s", took, limit)
				}
			})
		}
		// The lock is gone: the same server answers again.
		f.ok(a.token, `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "OnTime"}) { id } }`,
			map[string]any{"id": created.CreateContact.ID}, nil)
	})
}

// holdLock takes, on a connection of its own, a lock that makes the
// statements of the cases above wait: the write lock on SQLite (the store
// begins transactions IMMEDIATE), and an exclusive lock on contacts and
// deals on PostgreSQL. The returned function releases it.
func holdLock(t *testing.T, f *fixture) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := f.store.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.store.Dialect == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, "LOCK TABLE contacts, deals IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
	} else {
		// BEGIN IMMEDIATE has taken the write lock; writing makes sure.
		if _, err := tx.ExecContext(ctx, "UPDATE contacts SET first_name = first_name WHERE 0"); err != nil {
			t.Fatal(err)
		}
	}
	var once bool
	release = func() {
		if !once {
			once = true
			if err := tx.Rollback(); err != nil && err != sql.ErrTxDone {
				t.Error(err)
			}
		}
	}
	t.Cleanup(release)
	return release
}
