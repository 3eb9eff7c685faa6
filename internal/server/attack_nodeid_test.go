package server_test

import (
	"strings"
	"testing"

	"github.com/headlesscrm/crm/ent/apitoken"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestAttackMalformedNodeIDs asks node(id:) and nodes(ids:) for malformed
// IDs, IDs of types that are not nodes, and another tenant's IDs: each is
// NOT_FOUND or BAD_USER_INPUT, never INTERNAL, and shows nothing of A.
func TestAttackMalformedNodeIDs(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := atkSeed(t, f, atkSecret)
		b := atkSeed(t, f, "globex")
		sys := tenant.WithSystem(a.ctx)
		aToken := f.store.Client.APIToken.Query().Where(apitoken.OrganizationID(a.org.ID)).FirstX(sys)
		bToken := f.store.Client.APIToken.Query().Where(apitoken.OrganizationID(b.org.ID)).FirstX(sys)
		deal := a.ids["Deal"][0]
		ids := []struct{ name, id string }{
			{"empty", ""},
			{"prefix only", "con_"},
			{"unknown prefix", "xyz_123"},
			{"no prefix", "01JD0000000000000000000000"},
			{"underscore only", "_"},
			{"10 KB", "con_" + strings.Repeat("A", 10*1024)},
			{"SQL in the ID", "con_' OR '1'='1"},
			{"SQL in the prefix", "' OR 1=1 --_x"},
			{"NUL byte", "con_\x00"},
			{"unicode", "con_ＡＢＣ✓"},
			{"upper-case prefix of A's contact", "CON_" + a.ids["Contact"][0][4:]},
			{"A's contact with trailing space", a.ids["Contact"][0] + " "},
			{"A's deal relabelled as a contact", "con_" + deal[strings.IndexByte(deal, '_')+1:]},
			{"A's contact", a.ids["Contact"][0]},
			{"A's organization", string(a.org.ID)},
			{"A's owner", a.ids["User"][0]},
			{"A's API token (a type that is no node)", string(aToken.ID)},
			{"B's own API token (a type that is no node)", string(bToken.ID)},
			{"a refresh token ID (a type that is no node)", string(pulid.New("rtk"))},
			{"a well-formed contact ID that exists nowhere", string(pulid.New("con"))},
		}
		g := newAtkGen()
		node := g.operation("query", g.s.Query.Fields.ForName("node"), map[string]any{"id": ""})
		nodes := g.operation("query", g.s.Query.Fields.ForName("nodes"), map[string]any{"ids": nil})
		outcomes := atkTally{}
		for _, tc := range ids {
			for _, op := range []struct {
				kind, query string
				vars        map[string]any
			}{
				{"node", node, map[string]any{"id": tc.id}},
				{"nodes", nodes, map[string]any{"ids": []string{tc.id, b.ids["Contact"][0]}}},
			} {
				for _, cred := range []string{b.token, b.jwt} {
					r := f.atkDo("Bearer "+cred, op.query, op.vars)
					out := r.outcome()
					outcomes[out]++
					if out != "NOT_FOUND" && out != "BAD_USER_INPUT" {
						t.Errorf("%s(%s): got %s; want NOT_FOUND or BAD_USER_INPUT\nresponse: %.400s", op.kind, tc.name, out, r.body)
					}
					for _, e := range r.Errors {
						if c, _ := e.Extensions["code"].(string); c == "INTERNAL" {
							t.Errorf("%s(%s): an INTERNAL error among the errors: %.400s", op.kind, tc.name, r.body)
						}
					}
					if l := atkLeaks(r, atkRequestText(op.query, op.vars), a); len(l) > 0 {
						t.Errorf("%s(%s): LEAK of tenant A: %v", op.kind, tc.name, l)
					}
					if op.kind == "node" && strings.Contains(string(r.Data), `"id"`) {
						t.Errorf("node(%s) resolved: %s", tc.name, r.Data)
					}
					if op.kind == "nodes" && strings.Count(string(r.Data), `"id"`) > 1 {
						t.Errorf("nodes(%s, B's contact) resolved more than B's contact: %s", tc.name, r.Data)
					}
				}
			}
		}
		t.Logf("%d IDs, each through node and nodes (with one of B's own) with B's token and session: %s", len(ids), outcomes)
	})
}
