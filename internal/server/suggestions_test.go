package server_test

import (
	"strings"
	"testing"

	"github.com/headlesscrm/crm/internal/server"
)

// misspelt are queries with one typo each, and the schema names that
// gqlparser would suggest for it.
var misspelt = []struct {
	name    string
	query   string
	suggest []string
}{
	{"field", `{ me { rol } }`, []string{`"role"`}},
	{"field on an interface", `{ node(id: "x") { email } }`, []string{`"Contact"`, `"User"`}},
	{"argument", `{ contacts(frist: 5) { totalCount } }`, []string{`"first"`}},
	{"directive argument", `{ me @include(iff: true) { role } }`, []string{`"if"?`}},
	{"fragment type", `{ ...F } fragment F on Contct { id }`, []string{`"Contact"`}},
	{"enum value", `{ contacts(orderBy: {field: EMAL, direction: ASC}) { totalCount } }`, []string{`"EMAIL"`}},
	{"enum value as a string", `{ contacts(orderBy: {field: "EMAIL", direction: ASC}) { totalCount } }`, []string{`the enum value "EMAIL"`}},
	{"input object field", `{ contacts(orderBy: {feld: EMAIL, direction: ASC}) { totalCount } }`, []string{`"field"`}},
	{"leaf without selection", `{ me }`, []string{`"me { ... }"`}},
}

// TestValidationErrorsSuggestNothing checks that with introspection off no
// validation error names what the caller did not type.
func TestValidationErrorsSuggestNothing(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		for _, tc := range misspelt {
			r := f.do(a.token, tc.query, nil)
			if r.code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("%s: got %+v; want GRAPHQL_VALIDATION_FAILED", tc.name, r.Errors)
			}
			for _, e := range r.Errors {
				if strings.Contains(e.Message, "Did you mean") {
					t.Errorf("%s: %q suggests", tc.name, e.Message)
				}
				for _, s := range tc.suggest {
					if strings.Contains(e.Message, s) {
						t.Errorf("%s: %q names %s", tc.name, e.Message, s)
					}
				}
			}
		}
	})
}

// TestDevelopmentKeepsSuggestions checks the other side: with introspection
// on, the schema is public and the suggestions help.
func TestDevelopmentKeepsSuggestions(t *testing.T) {
	eachDatabaseWith(t, func(c *server.Config) { c.Dev = true }, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		for _, tc := range misspelt {
			r := f.do(a.token, tc.query, nil)
			var all string
			for _, e := range r.Errors {
				all += e.Message + "\n"
			}
			if !strings.Contains(all, "Did you mean") || !strings.Contains(all, tc.suggest[0]) {
				t.Errorf("%s: in development got %q; want a suggestion of %s", tc.name, all, tc.suggest[0])
			}
		}
	})
}
