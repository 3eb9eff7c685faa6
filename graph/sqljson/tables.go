package sqljson

import (
	"strings"
	"unicode"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/pipeline"
	"github.com/headlesscrm/crm/ent/stage"
)

// kind is how a column's value becomes its GraphQL JSON.
type kind uint8

const (
	kindPlain kind = iota // ID, String, enums, Int, Float, Boolean: as PostgreSQL renders it in JSON
	kindTime              // RFC 3339 in UTC with trimmed fraction, as gqlgen's Time
	kindMoney             // integer cents as a decimal string with two fraction digits
	kindJSON              // Map and lists, stored as JSON
)

// edge is a field of a type that leads to records of another type.
type edge struct {
	target string // GraphQL type of the records reached
	many   bool   // a connection; otherwise at most one record
	// column is the foreign key: on this type's table for a to-one edge,
	// on the target's table for a connection.
	column string
}

// table is a record type answered in SQL.
type table struct {
	name    string          // SQL table
	owned   bool            // has owner_id: members limited to their own records see only theirs
	columns map[string]bool // ent's columns of the table
	edges   map[string]edge // by GraphQL field name
	// scalars are filled from the GraphQL schema: the fields of scalar or
	// enum type (or lists of them) whose snake_case name is a column.
	scalars map[string]kind
	// where turns the entity's *ent.…WhereInput into its predicate; nil for
	// an absent filter, an error for one the SQL path leaves to the
	// resolver.
	where func(any) (func(*sql.Selector), error)
	// order returns the name and direction of the entity's *ent.…Order;
	// the order's column is its lower-cased name.
	order func(any) (string, entgql.OrderDirection, bool)
}

// tables are the record types answered in SQL, by GraphQL type name.
func newTables() map[string]*table {
	return map[string]*table{
		"Contact": {
			name: contact.Table, owned: true, columns: set(contact.Columns),
			edges: map[string]edge{
				"account":    {target: "Account", column: contact.AccountColumn},
				"referredBy": {target: "Contact", column: contact.ReferredByColumn},
				"deals":      {target: "Deal", many: true, column: contact.DealsColumn},
				"referrals":  {target: "Contact", many: true, column: contact.ReferralsColumn},
			},
			where: whereOf(func(w *ent.ContactWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: func(v any) (string, entgql.OrderDirection, bool) {
				o, _ := v.(*ent.ContactOrder)
				if o == nil || o.Field == nil {
					return "", "", false
				}
				return o.Field.String(), o.Direction, true
			},
		},
		"Account": {
			name: account.Table, owned: true, columns: set(account.Columns),
			edges: map[string]edge{
				"contacts": {target: "Contact", many: true, column: account.ContactsColumn},
				"deals":    {target: "Deal", many: true, column: account.DealsColumn},
			},
			where: whereOf(func(w *ent.AccountWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: func(v any) (string, entgql.OrderDirection, bool) {
				o, _ := v.(*ent.AccountOrder)
				if o == nil || o.Field == nil {
					return "", "", false
				}
				return o.Field.String(), o.Direction, true
			},
		},
		"Deal": {
			name: deal.Table, owned: true, columns: set(deal.Columns),
			edges: map[string]edge{
				"stage":   {target: "Stage", column: deal.StageColumn},
				"account": {target: "Account", column: deal.AccountColumn},
				"contact": {target: "Contact", column: deal.ContactColumn},
			},
			where: whereOf(func(w *ent.DealWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: func(v any) (string, entgql.OrderDirection, bool) {
				o, _ := v.(*ent.DealOrder)
				if o == nil || o.Field == nil {
					return "", "", false
				}
				return o.Field.String(), o.Direction, true
			},
		},
		"Stage": {
			name: stage.Table, columns: set(stage.Columns),
			edges: map[string]edge{
				"pipeline": {target: "Pipeline", column: stage.PipelineColumn},
				"deals":    {target: "Deal", many: true, column: stage.DealsColumn},
			},
			where: whereOf(func(w *ent.StageWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: func(v any) (string, entgql.OrderDirection, bool) {
				o, _ := v.(*ent.StageOrder)
				if o == nil || o.Field == nil {
					return "", "", false
				}
				return o.Field.String(), o.Direction, true
			},
		},
		"Pipeline": {
			name: pipeline.Table, columns: set(pipeline.Columns),
			edges: map[string]edge{
				"stages": {target: "Stage", many: true, column: pipeline.StagesColumn},
			},
		},
	}
}

// whereOf adapts an entity's WhereInput.P to a predicate on a selector.
func whereOf[W any](p func(*W) (func(*sql.Selector), error)) func(any) (func(*sql.Selector), error) {
	return func(v any) (func(*sql.Selector), error) {
		w, _ := v.(*W)
		if w == nil {
			return nil, nil
		}
		return p(w)
	}
}

// describe fills each table's scalars from the GraphQL schema.
func describe(tables map[string]*table, schema *ast.Schema) {
	for name, t := range tables {
		def := schema.Types[name]
		if def == nil {
			continue
		}
		t.scalars = map[string]kind{}
		for _, f := range def.Fields {
			if len(f.Arguments) > 0 || !t.columns[snake(f.Name)] {
				continue
			}
			if k, ok := kindOf(schema, f.Type); ok {
				t.scalars[f.Name] = k
			}
		}
	}
}

// kindOf returns how a GraphQL type is rendered from its column.
func kindOf(schema *ast.Schema, typ *ast.Type) (kind, bool) {
	if typ.Elem != nil {
		if el := schema.Types[typ.Elem.Name()]; el != nil && (el.Kind == ast.Scalar || el.Kind == ast.Enum) {
			return kindJSON, true
		}
		return 0, false
	}
	switch typ.NamedType {
	case "ID", "String", "Int", "Float", "Boolean":
		return kindPlain, true
	case "Time":
		return kindTime, true
	case "Money":
		return kindMoney, true
	case "Map":
		return kindJSON, true
	}
	if def := schema.Types[typ.NamedType]; def != nil && def.Kind == ast.Enum {
		return kindPlain, true
	}
	return 0, false
}

// snake turns a GraphQL field name into its column: firstName is
// first_name, accountID is account_id.
func snake(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]))
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func set(cols []string) map[string]bool {
	m := make(map[string]bool, len(cols))
	for _, c := range cols {
		m[c] = true
	}
	return m
}
