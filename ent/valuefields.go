//go:build ignore

package main

import (
	"fmt"
	"strings"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// valueNode is the entity whose fields the API shows as the contact's own:
// contact lists order and filter by them as if they were Contact fields,
// though they are stored in a table of their own.
const valueNode = "ContactValue"

// addContactValueInputs adds the order fields and filters of ContactValue's
// fields to ContactOrderField and ContactWhereInput, the ones entgql would
// give them as Contact fields. Being no Contact fields, they are resolved
// by hand (graph/ent.resolvers.go): the filters add predicates on
// the contact's value, and ContactOrder.field maps the new order fields to
// the ones ent/contactvalue_order.go defines. The order entgql generates
// for the value edge itself (VALUE_PREDICTED_CLV) is left out: it is
// PREDICTED_CLV.
func addContactValueInputs(g *gen.Graph, s *ast.Schema) error {
	var node *gen.Type
	for _, n := range g.Nodes {
		if n.Name == valueNode {
			node = n
		}
	}
	order, where, orderInput := s.Types["ContactOrderField"], s.Types["ContactWhereInput"], s.Types["ContactOrder"]
	if node == nil || order == nil || where == nil || orderInput == nil {
		return fmt.Errorf("valuefields: %s, ContactOrderField, ContactOrder or ContactWhereInput not found", valueNode)
	}
	// The order entgql generates for the contact's value edge is shown
	// under its figure's name, with the others.
	kept := order.EnumValues[:0]
	for _, v := range order.EnumValues {
		if v.Name != "VALUE_PREDICTED_CLV" {
			kept = append(kept, v)
		}
	}
	order.EnumValues = kept
	var filters ast.FieldList
	for _, f := range node.Fields {
		ann, _ := f.Annotations["EntGQL"].(map[string]any)
		if name, _ := ann["OrderField"].(string); name != "" {
			order.EnumValues = append(order.EnumValues, &ast.EnumValueDefinition{Name: name})
		}
		typ := ""
		switch {
		case f.IsEnum():
			typ, _ = ann["Type"].(string)
		case f.Type.Numeric():
			typ = "Float"
		}
		if typ == "" {
			continue
		}
		name := camel(f.Name)
		ops := []struct {
			suffix string
			typ    *ast.Type
		}{{"", ast.NamedType(typ, nil)}, {"NEQ", ast.NamedType(typ, nil)},
			{"In", ast.ListType(ast.NonNullNamedType(typ, nil), nil)}, {"NotIn", ast.ListType(ast.NonNullNamedType(typ, nil), nil)}}
		if f.Type.Numeric() {
			for _, op := range []string{"GT", "GTE", "LT", "LTE"} {
				ops = append(ops, struct {
					suffix string
					typ    *ast.Type
				}{op, ast.NamedType(typ, nil)})
			}
		}
		if f.Optional {
			for _, op := range []string{"IsNil", "NotNil"} {
				ops = append(ops, struct {
					suffix string
					typ    *ast.Type
				}{op, ast.NamedType("Boolean", nil)})
			}
		}
		for _, op := range ops {
			filters = append(filters, &ast.FieldDefinition{Name: name + op.suffix, Type: op.typ, Directives: forceResolver()})
		}
	}
	// The filters go after the last field filter, before the edge ones.
	at := len(where.Fields)
	for i, f := range where.Fields {
		if strings.HasPrefix(f.Name, "has") {
			at = i
			break
		}
	}
	where.Fields = append(where.Fields[:at:at], append(filters, where.Fields[at:]...)...)
	for _, f := range orderInput.Fields {
		if f.Name == "field" {
			f.Directives = append(f.Directives, forceResolver()...)
		}
	}
	resolveNestedContactLists(s)
	return nil
}

// resolveNestedContactLists hands the contact lists nested in other
// records (Account.contacts, Contact.referrals, Segment.members) to
// resolvers: entgql's eager loading reads their order from the raw
// arguments with ent's own order fields, which do not know the value
// figures, and would load such a list in ID order. The resolvers
// (graph/contactvalue.resolvers.go) page a list ordered by a value
// figure themselves.
func resolveNestedContactLists(s *ast.Schema) {
	for name, t := range s.Types {
		if name == "Query" || t.Kind != ast.Object {
			continue
		}
		for _, f := range t.Fields {
			if a := f.Arguments.ForName("orderBy"); a != nil && a.Type.Name() == "ContactOrder" {
				f.Directives = append(f.Directives, forceResolver()...)
			}
		}
	}
}

// forceResolver is the directive that makes gqlgen hand an input field to
// a resolver instead of a struct field.
func forceResolver() ast.DirectiveList {
	return ast.DirectiveList{{
		Name:      "goField",
		Arguments: ast.ArgumentList{{Name: "forceResolver", Value: &ast.Value{Kind: ast.BooleanValue, Raw: "true"}}},
	}}
}

// camel turns a snake_case name into camelCase.
func camel(name string) string {
	parts := strings.Split(name, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}
