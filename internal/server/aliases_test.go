package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/headlesscrm/crm/internal/money"
)

// TestAliasesInsideConnections: an alias renames a field of a connection's
// answer and changes nothing else. Aliased edges, node, cursor, totalCount
// and pageInfo (and its fields), on the root connections of contacts,
// accounts and deals and on the nested connections of an account's
// contacts and a contact's deals, hold what the same selection without
// aliases holds, and none of it is empty; so do a field asked twice under
// two aliases, and connections aliased with each other's names. Each pair of
// requests goes to the API (on PostgreSQL, the SQL path answers what it
// can) and to the resolvers alone.
func TestAliasesInsideConnections(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		o := f.tenant("aliases")
		c, ctx := f.store.Client, o.ctx
		// Three accounts of three contacts of three deals each: every
		// connection below asks for fewer records than it has, so that
		// hasNextPage is true and totalCount exceeds the page.
		for a := range 3 {
			acc := c.Account.Create().SetName(fmt.Sprintf("Account %d", a)).SaveX(ctx)
			for p := range 3 {
				ct := c.Contact.Create().SetFirstName(fmt.Sprintf("First %d%d", a, p)).SetLastName("Last").
					SetEmail(fmt.Sprintf("c%d%d@aliases.example", a, p)).SetAccount(acc).SaveX(ctx)
				for d := range 3 {
					c.Deal.Create().SetName(fmt.Sprintf("Deal %d%d%d", a, p, d)).SetAmount(money.FromCents(int64(100*a + 10*p + d + 1))).
						SetAccount(acc).SetContact(ct).SaveX(ctx)
				}
			}
		}

		for _, tc := range []struct {
			name  string
			query string // the selection with aliases
			plain string // the same selection without them
			same  []pair // what must hold the same values in the two answers
		}{
			// Root connections.
			{
				name:  "aliased edges of contacts",
				query: `{ contacts(first: 3) { list: edges { node { id firstName } } } }`,
				plain: `{ contacts(first: 3) { edges { node { id firstName } } } }`,
				same:  []pair{{"contacts.list", "contacts.edges"}},
			},
			{
				name:  "aliased node of accounts",
				query: `{ accounts(first: 2) { edges { item: node { id name } } } }`,
				plain: `{ accounts(first: 2) { edges { node { id name } } } }`,
				same:  []pair{{"accounts.edges.*.item", "accounts.edges.*.node"}},
			},
			{
				name:  "aliased edges and node of deals",
				query: `{ deals(first: 3) { list: edges { item: node { id name amount } } } }`,
				plain: `{ deals(first: 3) { edges { node { id name amount } } } }`,
				same:  []pair{{"deals.list.*.item", "deals.edges.*.node"}},
			},
			{
				name:  "aliased totalCount of deals",
				query: `{ deals(first: 2) { n: totalCount } }`,
				plain: `{ deals(first: 2) { totalCount } }`,
				same:  []pair{{"deals.n", "deals.totalCount"}},
			},
			{
				name:  "aliased totalCount of contacts beside edges",
				query: `{ contacts(first: 2) { n: totalCount edges { node { id } } } }`,
				plain: `{ contacts(first: 2) { totalCount edges { node { id } } } }`,
				same:  []pair{{"contacts.n", "contacts.totalCount"}, {"contacts.edges", "contacts.edges"}},
			},
			{
				name:  "aliased pageInfo of accounts, alone",
				query: `{ accounts(first: 2) { info: pageInfo { more: hasNextPage } } }`,
				plain: `{ accounts(first: 2) { pageInfo { hasNextPage } } }`,
				same:  []pair{{"accounts.info.more", "accounts.pageInfo.hasNextPage"}},
			},
			{
				name:  "aliased pageInfo, cursor and edges of contacts",
				query: `{ contacts(first: 3) { info: pageInfo { more: hasNextPage end: endCursor } list: edges { at: cursor node { id } } } }`,
				plain: `{ contacts(first: 3) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`,
				same: []pair{
					{"contacts.info.more", "contacts.pageInfo.hasNextPage"},
					{"contacts.info.end", "contacts.pageInfo.endCursor"},
					{"contacts.list.*.at", "contacts.edges.*.cursor"},
					{"contacts.list.*.node", "contacts.edges.*.node"},
				},
			},
			{
				name:  "aliased cursor of deals",
				query: `{ deals(first: 3) { edges { at: cursor node { id } } } }`,
				plain: `{ deals(first: 3) { edges { cursor node { id } } } }`,
				same:  []pair{{"deals.edges.*.at", "deals.edges.*.cursor"}},
			},

			// Nested connections.
			{
				name: "aliased edges, totalCount and pageInfo of an account's contacts",
				query: `{ accounts(first: 2) { edges { node { id contacts(first: 2) {
  n: totalCount info: pageInfo { more: hasNextPage } list: edges { node { id email } } } } } } }`,
				plain: `{ accounts(first: 2) { edges { node { id contacts(first: 2) {
  totalCount pageInfo { hasNextPage } edges { node { id email } } } } } } }`,
				same: []pair{
					{"accounts.edges.*.node.contacts.n", "accounts.edges.*.node.contacts.totalCount"},
					{"accounts.edges.*.node.contacts.info.more", "accounts.edges.*.node.contacts.pageInfo.hasNextPage"},
					{"accounts.edges.*.node.contacts.list", "accounts.edges.*.node.contacts.edges"},
				},
			},
			{
				name: "aliased node and totalCount of a contact's deals",
				query: `{ contacts(first: 2) { edges { node { id deals(first: 2) {
  n: totalCount edges { item: node { id amount } } } } } } }`,
				plain: `{ contacts(first: 2) { edges { node { id deals(first: 2) {
  totalCount edges { node { id amount } } } } } } }`,
				same: []pair{
					{"contacts.edges.*.node.deals.n", "contacts.edges.*.node.deals.totalCount"},
					{"contacts.edges.*.node.deals.edges.*.item", "contacts.edges.*.node.deals.edges.*.node"},
				},
			},
			{
				name: "aliases at every level, root and nested",
				query: `{ people: contacts(first: 2) { total: totalCount list: edges { item: node { key: id
  orders: deals(first: 2) { n: totalCount info: pageInfo { more: hasNextPage } rows: edges { at: cursor d: node { worth: amount } } } } } } }`,
				plain: `{ contacts(first: 2) { totalCount edges { node { id
  deals(first: 2) { totalCount pageInfo { hasNextPage } edges { cursor node { amount } } } } } } }`,
				same: []pair{
					{"people.total", "contacts.totalCount"},
					{"people.list.*.item.key", "contacts.edges.*.node.id"},
					{"people.list.*.item.orders.n", "contacts.edges.*.node.deals.totalCount"},
					{"people.list.*.item.orders.info.more", "contacts.edges.*.node.deals.pageInfo.hasNextPage"},
					{"people.list.*.item.orders.rows.*.at", "contacts.edges.*.node.deals.edges.*.cursor"},
					{"people.list.*.item.orders.rows.*.d.worth", "contacts.edges.*.node.deals.edges.*.node.amount"},
				},
			},

			// The same field under two aliases.
			{
				name:  "totalCount twice under two aliases",
				query: `{ contacts(first: 3) { a: totalCount b: totalCount } }`,
				plain: `{ contacts(first: 3) { totalCount } }`,
				same:  []pair{{"contacts.a", "contacts.totalCount"}, {"contacts.b", "contacts.totalCount"}},
			},
			{
				name:  "edges twice under two aliases, each with fields of its own",
				query: `{ contacts(first: 3) { ids: edges { node { id } } names: edges { node { firstName email } } } }`,
				plain: `{ contacts(first: 3) { edges { node { id firstName email } } } }`,
				same: []pair{
					{"contacts.ids.*.node.id", "contacts.edges.*.node.id"},
					{"contacts.names.*.node.firstName", "contacts.edges.*.node.firstName"},
					{"contacts.names.*.node.email", "contacts.edges.*.node.email"},
				},
			},
			{
				name:  "node twice, once under an alias, each with fields of its own",
				query: `{ deals(first: 3) { edges { node { id } b: node { name amount } } } }`,
				plain: `{ deals(first: 3) { edges { node { id name amount } } } }`,
				same: []pair{
					{"deals.edges.*.node.id", "deals.edges.*.node.id"},
					{"deals.edges.*.b.name", "deals.edges.*.node.name"},
					{"deals.edges.*.b.amount", "deals.edges.*.node.amount"},
				},
			},
			{
				name: "a nested connection's totalCount and pageInfo twice under two aliases",
				query: `{ accounts(first: 2) { edges { node { id contacts(first: 2) {
  a: totalCount b: totalCount p: pageInfo { hasNextPage } q: pageInfo { more: hasNextPage } edges { node { id } } } } } } }`,
				plain: `{ accounts(first: 2) { edges { node { id contacts(first: 2) {
  totalCount pageInfo { hasNextPage } edges { node { id } } } } } } }`,
				same: []pair{
					{"accounts.edges.*.node.contacts.a", "accounts.edges.*.node.contacts.totalCount"},
					{"accounts.edges.*.node.contacts.b", "accounts.edges.*.node.contacts.totalCount"},
					{"accounts.edges.*.node.contacts.p.hasNextPage", "accounts.edges.*.node.contacts.pageInfo.hasNextPage"},
					{"accounts.edges.*.node.contacts.q.more", "accounts.edges.*.node.contacts.pageInfo.hasNextPage"},
				},
			},

			// An alias is a response key, not a field name.
			{
				name: "an account's contacts and deals, each aliased with the other's name",
				query: `{ accounts(first: 2) { edges { node { id
  deals: contacts(first: 2, where: {emailNotNil: true}) { totalCount pageInfo { hasNextPage } edges { node { id email } } }
  contacts: deals(first: 1) { totalCount pageInfo { hasNextPage } edges { node { id amount } } } } } } }`,
				plain: `{ accounts(first: 2) { edges { node { id
  contacts(first: 2, where: {emailNotNil: true}) { totalCount pageInfo { hasNextPage } edges { node { id email } } }
  deals(first: 1) { totalCount pageInfo { hasNextPage } edges { node { id amount } } } } } } }`,
				same: []pair{
					{"accounts.edges.*.node.deals", "accounts.edges.*.node.contacts"},
					{"accounts.edges.*.node.contacts", "accounts.edges.*.node.deals"},
				},
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, srv := range []struct{ name, url string }{{"API", f.url}, {"resolvers only", f.referenceURL}} {
					got := askData(t, f, srv.url, o.token, tc.query)
					want := askData(t, f, srv.url, o.token, tc.plain)
					for _, p := range tc.same {
						g, w := pick(got, p.aliased), pick(want, p.plain)
						gj, wj := mustJSON(g), mustJSON(w)
						if string(gj) != string(wj) {
							t.Errorf("%s: %s is %s; want %s, as %s", srv.name, p.aliased, gj, wj, p.plain)
						}
						if at, ok := blank(g, p.aliased); ok {
							t.Errorf("%s: %s is empty at %s: %s", srv.name, p.aliased, at, gj)
						}
					}
				}
			})
		}
	})
}

// pair names a value of an answer with aliases and the value of the answer
// without them that it must equal.
type pair struct{ aliased, plain string }

// askData posts a query that must succeed to the API at url and returns
// its data, decoded.
func askData(t *testing.T, f *fixture, url, token, query string) any {
	t.Helper()
	r := f.doAt(url, token, query, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("%s: unexpected errors: %+v", oneLine(query), r.Errors)
	}
	var v any
	if err := json.Unmarshal(r.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// pick returns the values at a dotted path of a decoded answer, where "*"
// stands for every element of a list; a missing key gives nil.
func pick(v any, path string) []any {
	vals := []any{v}
	for _, key := range strings.Split(path, ".") {
		var next []any
		for _, v := range vals {
			if key == "*" {
				list, _ := v.([]any)
				next = append(next, list...)
				continue
			}
			obj, _ := v.(map[string]any)
			next = append(next, obj[key])
		}
		vals = next
	}
	return vals
}

// blank reports where v holds an empty value — null, false, 0, "", an
// empty list or object, or no value at all — and whether it does.
func blank(v any, path string) (string, bool) {
	switch x := v.(type) {
	case nil:
		return path, true
	case bool:
		return path, !x
	case float64:
		return path, x == 0
	case string:
		return path, x == ""
	case []any:
		if len(x) == 0 {
			return path, true
		}
		for i, e := range x {
			if at, ok := blank(e, fmt.Sprintf("%s[%d]", path, i)); ok {
				return at, true
			}
		}
	case map[string]any:
		if len(x) == 0 {
			return path, true
		}
		for k, e := range x {
			if at, ok := blank(e, path+"."+k); ok {
				return at, true
			}
		}
	}
	return "", false
}
