package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// benchQueries are the requests of BenchmarkRequest: the peer comparison's
// nested page (bench/peer-compare.sh), a page sorted by predicted CLV and a
// node lookup.
var benchQueries = []struct {
	name, query string
}{
	{"nested", `query ContactsWithDeals { contacts(first: 50, orderBy: {field: ID, direction: ASC}) { edges { node {
		id firstName lastName account { name } deals { edges { node { amount stage { name } closedAt } } } } } } }`},
	{"by-clv", `{ contacts(first: 50, orderBy: {field: PREDICTED_CLV, direction: DESC}) { totalCount edges { cursor node { id email } } } }`},
	{"node", `query($id: ID!) { node(id: $id) { id ... on Contact { email account { name } } } }`},
}

// BenchmarkRequest measures whole requests through the real HTTP handler,
// in process: body decoding, authentication and limits, the SQL, and the
// JSON encoding, over an organization of 2,000 demo contacts (in the peer
// comparison's shape: a tenth as many accounts, three deals per contact).
// Rate limits are on but too high to refuse anything. On PostgreSQL each
// request runs through the SQL path (sql/…) and through the resolvers
// alone (resolvers/…).
//
//	go test -run - -bench Request -cpuprofile cpu.out ./internal/server/
func BenchmarkRequest(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(d, func(b *testing.B) { benchmarkRequests(b, d) })
	}
}

// benchmarkRequests runs the requests of BenchmarkRequest on dialect d.
func benchmarkRequests(b *testing.B, d string) {
	{
		s := storetest.Open(b, d, nil)
		ids, err := identity.New(s.Client, []byte("0123456789abcdef0123456789abcdef"))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		org, owner, err := ids.CreateOrganization(ctx, "Bench", "owner@bench.example", "correct horse battery")
		if err != nil {
			b.Fatal(err)
		}
		octx := tenant.WithOrganization(ctx, org.ID.String())
		if _, err := demo.Seed(octx, s.Client, org.ID, demo.Options{Contacts: 2000, Deals: 6000, Seed: 1, DB: s.DB, Dialect: s.Dialect}); err != nil {
			b.Fatal(err)
		}
		if s.Dialect == "postgres" {
			if _, err := s.DB.Exec("ANALYZE"); err != nil {
				b.Fatal(err)
			}
		}
		scopes, _ := auth.ParseScopeList([]string{"*:read"})
		exp := time.Now().Add(time.Hour)
		token, _, err := ids.CreateAPIToken(octx, "bench", scopes, &exp, owner.ID.String())
		if err != nil {
			b.Fatal(err)
		}
		someContact, err := s.Client.Contact.Query().FirstID(octx)
		if err != nil {
			b.Fatal(err)
		}
		// On PostgreSQL, the SQL path (graph/sqljson) and the resolvers
		// alone, side by side.
		modes := []string{"resolvers"}
		if s.Dialect == "postgres" {
			modes = []string{"sql", "resolvers"}
		}
		for _, mode := range modes {
			h := server.New(server.Config{Store: s, Identity: ids, RateLimits: server.RateLimits{PerViewer: 1e9, PerIP: 1e9}, ResolversOnly: mode == "resolvers"})
			for _, q := range benchQueries {
				body, _ := json.Marshal(map[string]any{"query": q.query, "variables": map[string]any{"id": someContact}})
				b.Run(mode+"/"+q.name, func(b *testing.B) {
					var bytesOut int
					for b.Loop() {
						req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+token)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
							b.Fatalf("status %d: %.500s", rec.Code, rec.Body.String())
						}
						bytesOut = rec.Body.Len()
					}
					b.ReportMetric(float64(bytesOut), "bytes/resp")
				})
			}
		}
	}
}
