package sqljson

import (
	"reflect"
	"strings"
	"unicode"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
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
	kindJSON              // lists, stored as JSON
)

// edge is a field of a type that leads to records of another type.
type edge struct {
	target string // GraphQL type of the records reached
	many   bool   // a connection; otherwise at most one record
	// column is the foreign key: on this type's table for a to-one edge,
	// on the target's table for a connection.
	column string
}

// scalar is a field read from a column.
type scalar struct {
	kind kind
	// zero is the SQL literal of the Go zero value the resolvers show for
	// a NULL column whose ent field is not a pointer ('' for an optional
	// string), or "" when NULL shows as null.
	zero string
}

// table is a record type answered in SQL.
type table struct {
	name    string          // SQL table
	entity  reflect.Type    // the ent struct, whose field types say how NULLs and cursor values look
	owned   bool            // has owner_id: members limited to their own records see only theirs
	columns map[string]bool // ent's columns of the table
	edges   map[string]edge // by GraphQL field name
	// scalars are filled from the GraphQL schema: the fields of scalar or
	// enum type (or lists of them) whose snake_case name is a column.
	scalars map[string]scalar
	// fields are the ent struct's field types by column.
	fields map[string]reflect.Type
	// where turns the entity's *ent.…WhereInput into its predicate; nil for
	// an absent filter, an error for one the SQL path leaves to the
	// resolver.
	where func(any) (func(*sql.Selector), error)
	// order returns the name and direction of the entity's *ent.…Order;
	// the order's column is its lower-cased name.
	order func(any) (string, entgql.OrderDirection, bool)
	// values, when set, is the table of the records' value figures, one
	// row per record, which lists may be ordered by too.
	values *valueTable
}

// valueTable is a table holding figures of the records of another, one
// row per record, joined by key and organization.
type valueTable struct {
	name    string
	key     string          // the column holding the record's ID
	entity  reflect.Type    // the ent struct, whose field types say how cursor values look
	columns map[string]bool // the figures' columns
}

// tables are the record types answered in SQL, by GraphQL type name.
func newTables() map[string]*table {
	return map[string]*table{
		"Contact": {
			name: contact.Table, entity: reflect.TypeOf(ent.Contact{}), owned: true, columns: set(contact.Columns),
			edges: map[string]edge{
				"account":    {target: "Account", column: contact.AccountColumn},
				"referredBy": {target: "Contact", column: contact.ReferredByColumn},
				"deals":      {target: "Deal", many: true, column: contact.DealsColumn},
				"referrals":  {target: "Contact", many: true, column: contact.ReferralsColumn},
			},
			where: whereOf(func(w *ent.ContactWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: contactOrder,
			values: &valueTable{
				name: contactvalue.Table, key: contactvalue.FieldContactID, entity: reflect.TypeOf(ent.ContactValue{}),
				columns: set([]string{contactvalue.FieldPredictedClv, contactvalue.FieldProbabilityAlive, contactvalue.FieldValueScore}),
			},
		},
		"Account": {
			name: account.Table, entity: reflect.TypeOf(ent.Account{}), owned: true, columns: set(account.Columns),
			edges: map[string]edge{
				"contacts": {target: "Contact", many: true, column: account.ContactsColumn},
				"deals":    {target: "Deal", many: true, column: account.DealsColumn},
			},
			where: whereOf(func(w *ent.AccountWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: orderOf(func(o *ent.AccountOrder) (*ent.AccountOrderField, entgql.OrderDirection) { return o.Field, o.Direction }),
		},
		"Deal": {
			name: deal.Table, entity: reflect.TypeOf(ent.Deal{}), owned: true, columns: set(deal.Columns),
			edges: map[string]edge{
				"stage":   {target: "Stage", column: deal.StageColumn},
				"account": {target: "Account", column: deal.AccountColumn},
				"contact": {target: "Contact", column: deal.ContactColumn},
			},
			where: whereOf(func(w *ent.DealWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: orderOf(func(o *ent.DealOrder) (*ent.DealOrderField, entgql.OrderDirection) { return o.Field, o.Direction }),
		},
		"Stage": {
			name: stage.Table, entity: reflect.TypeOf(ent.Stage{}), columns: set(stage.Columns),
			edges: map[string]edge{
				"pipeline": {target: "Pipeline", column: stage.PipelineColumn},
				"deals":    {target: "Deal", many: true, column: stage.DealsColumn},
			},
			where: whereOf(func(w *ent.StageWhereInput) (func(*sql.Selector), error) { p, err := w.P(); return p, err }),
			order: orderOf(func(o *ent.StageOrder) (*ent.StageOrderField, entgql.OrderDirection) { return o.Field, o.Direction }),
		},
		"Pipeline": {
			name: pipeline.Table, entity: reflect.TypeOf(ent.Pipeline{}), columns: set(pipeline.Columns),
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

// contactOrder is orderOf for contacts, whose lists also order by the
// contact's value figures: their name is their contact_values column.
func contactOrder(v any) (string, entgql.OrderDirection, bool) {
	o, _ := v.(*ent.ContactOrder)
	if o == nil || o.Field == nil {
		return "", "", false
	}
	if column, ok := ent.ContactValueColumn(o.Field); ok {
		return column, o.Direction, true
	}
	return o.Field.String(), o.Direction, true
}

// orderOf adapts an entity's *ent.…Order to the name and direction of its
// order field.
func orderOf[O any, F interface {
	comparable
	String() string
}](get func(*O) (F, entgql.OrderDirection)) func(any) (string, entgql.OrderDirection, bool) {
	return func(v any) (string, entgql.OrderDirection, bool) {
		o, _ := v.(*O)
		if o == nil {
			return "", "", false
		}
		field, dir := get(o)
		var none F
		if field == none {
			return "", "", false
		}
		return field.String(), dir, true
	}
}

// describe fills each table's scalars from the GraphQL schema and the ent
// struct.
func describe(tables map[string]*table, schema *ast.Schema) {
	for name, t := range tables {
		t.fields = fieldTypes(t.entity, t.columns)
		if v := t.values; v != nil {
			for col, typ := range fieldTypes(v.entity, v.columns) {
				t.fields[col] = typ
			}
		}
		def := schema.Types[name]
		if def == nil {
			continue
		}
		t.scalars = map[string]scalar{}
		for _, f := range def.Fields {
			col := snake(f.Name)
			goType, isField := t.fields[col]
			if len(f.Arguments) > 0 || !isField {
				continue
			}
			if k, ok := kindOf(schema, f.Type); ok {
				t.scalars[f.Name] = scalar{kind: k, zero: zeroLiteral(goType)}
			}
		}
	}
}

// fieldTypes are the types of an ent struct's fields by column, for the
// given columns.
func fieldTypes(entity reflect.Type, columns map[string]bool) map[string]reflect.Type {
	types := map[string]reflect.Type{}
	for i := range entity.NumField() {
		sf := entity.Field(i)
		if col, _, _ := strings.Cut(sf.Tag.Get("json"), ","); columns[col] {
			types[col] = sf.Type
		}
	}
	return types
}

// zeroLiteral is the SQL literal of a Go type's zero value as GraphQL shows
// it, for a non-pointer field read from a NULL column; "" when it shows as
// null (pointers, slices, maps, times).
func zeroLiteral(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "''"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "0"
	case reflect.Bool:
		return "false"
	}
	return ""
}

// cursorValue converts a column's value, as the driver scanned it, to the
// type of the ent field it fills, so that a cursor carries exactly what
// the resolvers' cursor carries: msgpack writes an int64 unlike an int, a
// pointer to zero unlike a zero (which omitempty drops).
func cursorValue(v any, t reflect.Type) any {
	if v == nil || t == nil {
		if t == nil {
			return v
		}
		return reflect.Zero(t).Interface()
	}
	base := t
	if t.Kind() == reflect.Pointer {
		base = t.Elem()
	}
	rv := reflect.ValueOf(v)
	if !rv.Type().ConvertibleTo(base) {
		return v
	}
	cv := rv.Convert(base)
	if t.Kind() != reflect.Pointer {
		return cv.Interface()
	}
	p := reflect.New(base)
	p.Elem().Set(cv)
	return p.Interface()
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
		// Left to the resolvers: they read maps through float64 and
		// write their keys sorted, jsonb keeps every digit and sorts
		// keys by length.
		return 0, false
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
