package sqljson

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/graph"
	"github.com/headlesscrm/crm/internal/pulid"
)

// TestSnakeNamesTheColumn: a GraphQL field name reads as ent's column name.
func TestSnakeNamesTheColumn(t *testing.T) {
	for field, column := range map[string]string{
		"id": "id", "firstName": "first_name", "accountID": "account_id", "externalID": "external_id",
		"newsletterOptIn": "newsletter_opt_in", "isWon": "is_won", "predictedClv": "predicted_clv",
	} {
		if got := snake(field); got != column {
			t.Errorf("snake(%q) = %q, want %q", field, got, column)
		}
	}
}

// TestCursorValuesAreTheResolvers: a cursor built from a scanned column is
// byte for byte the cursor ent builds from its entity, for values of every
// shape the driver returns.
func TestCursorValuesAreTheResolvers(t *testing.T) {
	employees, zero := 12000, 0
	clv := 0.0
	tests := []struct {
		name    string
		scanned any
		field   string // ent.Account field
		want    any    // what ent's cursor carries
	}{
		{"an int scanned as int64, held as *int", int64(12000), "Employees", &employees},
		{"an int of zero, held as *int, is kept", int64(0), "Employees", &zero},
		{"NULL, held as *int", nil, "Employees", (*int)(nil)},
		{"a float of zero", float64(0), "PredictedClv", clv},
		{"a name", "Acme", "Name", "Acme"},
	}
	for _, tt := range tests {
		sf, _ := reflect.TypeOf(ent.Account{}).FieldByName(tt.field)
		got := cursorValue(tt.scanned, sf.Type)
		var g, w bytes.Buffer
		entgql.Cursor[pulid.ID]{ID: "acc_1", Value: got}.MarshalGQL(&g)
		entgql.Cursor[pulid.ID]{ID: "acc_1", Value: tt.want}.MarshalGQL(&w)
		if g.String() != w.String() {
			t.Errorf("%s: cursor %s, want %s", tt.name, g.String(), w.String())
		}
	}
}

// TestEveryConnectionHasItsArguments: every connection the SQL path builds,
// root or nested, has its arguments parsed by graph.ConnectionArgs;
// otherwise it would silently fall back to the resolvers.
func TestEveryConnectionHasItsArguments(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}})
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{})
	check := func(typ, field string) {
		f := &ast.Field{Name: field}
		if _, ok, err := graph.ConnectionArgs(ctx, es, typ, f, nil); !ok || err != nil {
			t.Errorf("%s.%s: arguments not parsed (ok %v, err %v)", typ, field, ok, err)
		}
	}
	for field := range New(Config{Schema: es}).roots {
		check("Query", field)
	}
	for typ, tb := range newTables() {
		for field, ed := range tb.edges {
			if ed.many {
				check(typ, field)
			}
		}
	}
}
