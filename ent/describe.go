//go:build ignore

package main

import (
	"fmt"
	"strings"
	"unicode"

	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// describe gives every type, field, argument and enum value of the generated
// GraphQL schema a description: the entity's Doc annotation for its type, the
// ent field comment where one is written, and otherwise a description derived
// from the name, so the schema documents itself in GraphiQL.
func describe(g *gen.Graph, s *ast.Schema) error {
	dropAliases(g, s)
	if err := addContactValueInputs(g, s); err != nil {
		return err
	}
	for _, n := range g.Nodes {
		doc, ok := n.Annotations["Doc"].(map[string]any)
		if !ok {
			continue
		}
		if t := s.Types[n.Name]; t != nil {
			t.Description = fmt.Sprint(doc["Text"])
		}
	}
	for name, t := range s.Types {
		if t.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if t.Description == "" {
			t.Description = typeDescription(name)
		}
		for _, f := range t.Fields {
			if f.Description == "" {
				f.Description = fieldDescription(t.Name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					a.Description = fieldDescription(t.Name, a.Name)
				}
			}
		}
		for _, v := range t.EnumValues {
			if v.Description == "" {
				v.Description = words(strings.ToLower(v.Name)) + "."
				v.Description = strings.ToUpper(v.Description[:1]) + v.Description[1:]
			}
		}
	}
	return nil
}

func typeDescription(name string) string {
	switch {
	case strings.HasSuffix(name, "Connection"):
		return "A page of " + strings.TrimSuffix(name, "Connection") + " records in the Relay connection format, with the total count."
	case strings.HasSuffix(name, "Edge"):
		return "One " + strings.TrimSuffix(name, "Edge") + " record of a connection, with its cursor."
	case strings.HasSuffix(name, "OrderField"):
		return "Properties by which " + strings.TrimSuffix(name, "OrderField") + " connections can be ordered."
	case strings.HasSuffix(name, "Order"):
		return "Ordering options for " + strings.TrimSuffix(name, "Order") + " connections."
	}
	return words(name) + "."
}

var predicateSuffixes = []struct{ suffix, text string }{
	{"NEQ", "is not equal to the value"},
	{"NotIn", "is none of the values"},
	{"In", "is one of the values"},
	{"GTE", "is greater than or equal to the value"},
	{"GT", "is greater than the value"},
	{"LTE", "is less than or equal to the value"},
	{"LT", "is less than the value"},
	{"ContainsFold", "contains the value, ignoring case"},
	{"Contains", "contains the value"},
	{"HasPrefix", "starts with the value"},
	{"HasSuffix", "ends with the value"},
	{"EqualFold", "equals the value, ignoring case"},
	{"IsNil", "is not set"},
	{"NotNil", "is set"},
}

func fieldDescription(typeName, name string) string {
	if strings.HasSuffix(typeName, "WhereInput") {
		switch {
		case name == "not":
			return "Matches records that do not match this filter."
		case name == "and":
			return "Matches records that match every one of these filters."
		case name == "or":
			return "Matches records that match at least one of these filters."
		case strings.HasPrefix(name, "has") && strings.HasSuffix(name, "With"):
			return "Matches records with at least one " + words(strings.TrimSuffix(strings.TrimPrefix(name, "has"), "With")) + " matching every one of these filters."
		case strings.HasPrefix(name, "has"):
			return "Matches records that have (true) or lack (false) a " + words(strings.TrimPrefix(name, "has")) + "."
		}
		for _, p := range predicateSuffixes {
			if strings.HasSuffix(name, p.suffix) {
				return "Matches records whose " + words(strings.TrimSuffix(name, p.suffix)) + " " + p.text + "."
			}
		}
		return "Matches records whose " + words(name) + " equals the value."
	}
	switch {
	case name == "id":
		return "The unique, opaque ID of the record."
	case name == "createdAt":
		return "When the record was created."
	case name == "updatedAt":
		return "When the record was last changed."
	case name == "clearTags" || strings.HasPrefix(name, "clear"):
		return "Clears the " + words(strings.TrimPrefix(name, "clear")) + "."
	case strings.HasPrefix(name, "append"):
		return "Values appended to the " + words(strings.TrimPrefix(name, "append")) + "."
	case strings.HasPrefix(name, "add") && strings.HasSuffix(name, "IDs"):
		return "IDs of " + words(strings.TrimSuffix(strings.TrimPrefix(name, "add"), "IDs")) + " records to attach."
	case strings.HasPrefix(name, "remove") && strings.HasSuffix(name, "IDs"):
		return "IDs of " + words(strings.TrimSuffix(strings.TrimPrefix(name, "remove"), "IDs")) + " records to detach."
	case strings.HasSuffix(name, "IDs"):
		return "IDs of the " + words(strings.TrimSuffix(name, "IDs")) + " records."
	case strings.HasSuffix(name, "ID"):
		return "ID of the " + words(strings.TrimSuffix(name, "ID")) + "."
	case strings.HasSuffix(typeName, "Connection") && name == "edges":
		return "The records of this page, each with its cursor."
	case strings.HasSuffix(typeName, "Edge") && name == "node":
		return "The record."
	case strings.HasSuffix(typeName, "Edge") && name == "cursor":
		return "A cursor for use in pagination."
	}
	return "The " + words(name) + "."
}

// words turns a camelCase or SNAKE_CASE name into lower-case words.
func words(name string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range name {
		if r == '_' {
			b.WriteByte(' ')
			prevLower = false
			continue
		}
		if unicode.IsUpper(r) && prevLower {
			b.WriteByte(' ')
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// dropAliases removes the extra GraphQL fields entgql emits for an edge
// whose MapsTo annotation names several fields. The first name stays as the
// edge's field; the others are hand-written in value.graphql with their own
// types, and selecting any of them still eager-loads the edge.
func dropAliases(g *gen.Graph, s *ast.Schema) {
	for _, n := range g.Nodes {
		t := s.Types[n.Name]
		if t == nil {
			continue
		}
		for _, e := range n.Edges {
			ann, ok := e.Annotations["EntGQL"].(map[string]any)
			if !ok {
				continue
			}
			names, ok := ann["Mapping"].([]any)
			if !ok || len(names) < 2 {
				continue
			}
			drop := map[string]bool{}
			for _, name := range names[1:] {
				drop[fmt.Sprint(name)] = true
			}
			kept := t.Fields[:0]
			for _, f := range t.Fields {
				if !drop[f.Name] {
					kept = append(kept, f)
				}
			}
			t.Fields = kept
		}
	}
}
