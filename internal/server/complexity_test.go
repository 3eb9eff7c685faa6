package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/server"
)

// nestedPage100 is the nested page the cost budget is sized for.
const nestedPage100 = `{ contacts(first: 100) { edges { node { id email account { name }
  deals(first: 5) { edges { node { amount status stage { name } } } } } } } }`

// fragmentBomb is fragments spreading each other depth levels deep, width
// fragments a level, each spreading every fragment of the next level: it
// expands to width^depth fields.
func fragmentBomb(depth, width int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for j := 0; j < width; j++ {
		fmt.Fprintf(&b, "...F0_%d ", j)
	}
	b.WriteString("}\n")
	for i := 0; i < depth; i++ {
		for j := 0; j < width; j++ {
			fmt.Fprintf(&b, "fragment F%d_%d on Query { ", i, j)
			if i == depth-1 {
				b.WriteString("__typename ")
			} else {
				for k := 0; k < width; k++ {
					fmt.Fprintf(&b, "...F%d_%d ", i+1, k)
				}
			}
			b.WriteString("}\n")
		}
	}
	return b.String()
}

// fragmentChain is n fragments, each spreading the next four.
func fragmentChain(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { __typename ", i)
		for j := i + 1; j <= i+4 && j < n; j++ {
			fmt.Fprintf(&b, "...F%d ", j)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func repeat(n int, format string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, format, i)
		b.WriteByte(' ')
	}
	return b.String()
}

// TestQuerySizeLimits sends a query over each limit: each is refused with
// the code and limit named, in well under a second, before any resolver
// runs (no SQL but the token lookup), while the ordinary nested page passes.
// Bombs whose size shows before variables are known are refused while the
// document is validated (HTTP 422); the cost of pages set by variables
// once they are (HTTP 200): the code is the same.
func TestQuerySizeLimits(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 3)
		// The statements a request costs before any resolver runs.
		f.counter.Reset()
		f.ok(a.token, `{ __typename }`, nil, nil)
		authOnly := f.counter.Count()

		depthBomb := "{ contacts(first: 1) { edges { node { " + strings.Repeat("referredBy { ", 20) + "id" + strings.Repeat(" }", 20) + " } } } }"
		cases := []struct {
			name  string
			query string
			vars  map[string]any
			code  string
			limit string // extensions.limit, or a word the message must hold
			want  []string
		}{
			{"nested page of 100", nestedPage100, nil, "", "", nil},
			{"variable page sizes within budget", `query($n: Int) { contacts(first: $n) { edges { node { deals(first: $n) { edges { node { lineItems(first: $n) { totalCount } } } } } } } }`,
				map[string]any{"n": 10}, "", "", nil},
			{"three nested connections of 100", `{ contacts(first: 100) { edges { node { deals(first: 100) { edges { node { lineItems(first: 100) { totalCount } } } } } } } }`,
				nil, "COMPLEXITY_LIMIT_EXCEEDED", "cost", []string{"costs 1030301", "limit is 25000"}},
			{"the same by variables", `query($n: Int) { contacts(first: $n) { edges { node { deals(first: $n) { edges { node { lineItems(first: $n) { totalCount } } } } } } } }`,
				map[string]any{"n": 100}, "COMPLEXITY_LIMIT_EXCEEDED", "cost", []string{"costs 1030301"}},
			{"default page sizes count", `{ contacts { edges { node { deals { edges { node { lineItems { edges { node { id } } } } } } } } } }`,
				nil, "COMPLEXITY_LIMIT_EXCEEDED", "cost", []string{"limit is 25000"}},
			{"depth bomb", depthBomb, nil, "COMPLEXITY_LIMIT_EXCEEDED", "depth", []string{"24 levels", "limit is 12"}},
			{"depth through fragments", "{ contacts(first: 1) { edges { node { ...R } } } } fragment R on Contact { " +
				strings.Repeat("referredBy { ", 9) + "id" + strings.Repeat(" }", 9) + " }", nil, "COMPLEXITY_LIMIT_EXCEEDED", "depth", []string{"13 levels"}},
			{"alias bomb: 1,000 aliases of me", "{ " + repeat(1000, "a%d: me { role }") + "}", nil, "COMPLEXITY_LIMIT_EXCEEDED", "aliases", []string{"1000 aliases", "limit is 30"}},
			{"aliases through fragments", "{ ...A ...B } fragment A on Query { " + repeat(20, "a%d: __typename") + "} fragment B on Query { " + repeat(20, "b%d: __typename") + "}",
				nil, "COMPLEXITY_LIMIT_EXCEEDED", "aliases", []string{"40 aliases"}},
			{"directive bomb", "{ " + strings.Repeat("__typename @include(if: true) ", 60) + "}", nil, "COMPLEXITY_LIMIT_EXCEEDED", "directives", []string{"60 directives", "limit is 50"}},
			{"fragment bomb, 10 deep 10 wide", fragmentBomb(10, 10), nil, "COMPLEXITY_LIMIT_EXCEEDED", "fragments", []string{"100 fragment definitions", "limit is 50000"}},
			{"fragment bomb, 12 deep 20 wide", fragmentBomb(12, 20), nil, "COMPLEXITY_LIMIT_EXCEEDED", "fragments", []string{"240 fragment definitions"}},
			{"fragment bomb, 5 deep 5 wide", fragmentBomb(5, 5), nil, "COMPLEXITY_LIMIT_EXCEEDED", "fields", []string{"3125 fields", "limit is 2000"}},
			{"fragment chain of 1,000", fragmentChain(1000), nil, "COMPLEXITY_LIMIT_EXCEEDED", "fragments", []string{"1000 fragment definitions"}},
			{"one field 400 times", "{ " + strings.Repeat("__typename ", 400) + "}", nil, "COMPLEXITY_LIMIT_EXCEEDED", "merge", []string{"repeats fields", "100000 comparisons"}},
			{"one nested field 1,800 times", "{ " + strings.Repeat("me { organization { name } } ", 1800) + "}", nil, "COMPLEXITY_LIMIT_EXCEEDED", "", nil},
			{"2,001 fields", "{ " + strings.Repeat("__typename ", 2001) + "}", nil, "COMPLEXITY_LIMIT_EXCEEDED", "fields", []string{"2001 fields"}},
			{"20,000 tokens", "{ " + strings.Repeat("__typename ", 20000) + "}", nil, "COMPLEXITY_LIMIT_EXCEEDED", "tokens", []string{"15000 tokens"}},
			{"first: null", `{ contacts(first: null) { totalCount } }`, nil, "BAD_USER_INPUT", "", []string{"contacts", "null"}},
			{"first: $n with $n unset", `query($n: Int) { contacts(first: $n) { totalCount } }`, nil, "BAD_USER_INPUT", "", []string{"contacts", "null"}},
			{"first: $n with a default", `query($n: Int = 5) { contacts(first: $n) { totalCount } }`, nil, "", "", nil},
			{"first: 100000", `{ contacts(first: 100000) { totalCount } }`, nil, "BAD_USER_INPUT", "", []string{"contacts.first"}},
			{"first: 100000 by variable", `query($n: Int) { contacts(first: $n) { totalCount } }`, map[string]any{"n": 100000}, "BAD_USER_INPUT", "", []string{"contacts.first"}},
		}
		for _, tc := range cases {
			f.counter.Reset()
			start := time.Now()
			r := f.do(a.token, tc.query, tc.vars)
			took := time.Since(start)
			if r.code() != tc.code {
				t.Errorf("%s: got code %q %+v; want %q", tc.name, r.code(), r.Errors, tc.code)
				continue
			}
			if tc.code == "" {
				continue
			}
			e := r.Errors[0]
			if tc.limit != "" && e.Extensions["limit"] != tc.limit {
				t.Errorf("%s: extensions %v; want limit %q", tc.name, e.Extensions, tc.limit)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("%s: message %q does not say %q", tc.name, e.Message, w)
				}
			}
			if string(r.Data) != "" && string(r.Data) != "null" {
				t.Errorf("%s: a refused query returned data %s", tc.name, r.Data)
			}
			if n := f.counter.Count(); n > authOnly {
				t.Errorf("%s: %d SQL statements; want at most the %d of authentication: refused before any resolver", tc.name, n, authOnly)
			}
			if took > 500*time.Millisecond {
				t.Errorf("%s: refused in %s; want well under a second", tc.name, took)
			}
			t.Logf("%s: refused in %s: %s", tc.name, took.Round(time.Microsecond), e.Message)
		}
	})
}

// TestIntrospectionFitsTheLimits checks that GraphiQL's introspection query,
// whose type references nest ofType eight deep, passes in development.
func TestIntrospectionFitsTheLimits(t *testing.T) {
	eachDatabaseWith(t, func(c *server.Config) { c.Dev = true }, func(t *testing.T, f *fixture) {
		var out struct {
			Schema struct{ Types []struct{ Name string } } `json:"__schema"`
		}
		f.ok("", introspectionQuery, nil, &out)
		if len(out.Schema.Types) < 50 {
			t.Errorf("introspection returned %d types", len(out.Schema.Types))
		}
	})
}

// introspectionQuery is graphql-js's getIntrospectionQuery() with every
// option on.
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}`
