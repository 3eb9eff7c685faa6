package sqljson

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/internal/pulid"
)

// errUnsupported marks a selection the SQL path leaves to the resolvers.
var errUnsupported = errors.New("sqljson: selection not answered in SQL")

// maxObjectFields is the most fields one JSON object of the SQL path may
// have: a bound on the size of a statement built from one selection.
const maxObjectFields = 50

// compiler turns one root field's selection into SQL.
type compiler struct {
	ctx    context.Context
	e      *Engine
	oc     *graphql.OperationContext
	org    string
	owner  string // the user whose records alone are visible, if limited
	nalias int
	// used are the columns read from each page's rows, by alias: a page's
	// subquery selects only these, not whole rows.
	used map[string][]string
}

// page is a connection's page as the arguments ask for it.
type page struct {
	t      *table
	typ    string
	first  int
	after  *entgql.Cursor[pulid.ID]
	column string // order column
	// value is whether the order column is one of the table's value
	// figures, read from its value table.
	value bool
	dir   entgql.OrderDirection
	// ordered is whether orderBy was given: the resolvers' cursors then
	// carry the order value, even for ID.
	ordered bool
	where   func(*sql.Selector)
}

// connectionPage reads a connection field's arguments. Pages other than
// first[/after] forwards, and filters or orders the SQL path does not
// reproduce, are unsupported.
func (c *compiler) connectionPage(parentType string, f *ast.Field, target string, root bool) (*page, error) {
	t := c.e.tables[target]
	args, ok, err := c.e.args(c.ctx, c.e.schema, parentType, f, c.oc.Variables)
	if !ok || err != nil || t == nil || t.where == nil {
		return nil, errUnsupported
	}
	p := &page{t: t, typ: target, column: "id", dir: entgql.OrderDirectionAsc}
	first, _ := args["first"].(*int)
	last, _ := args["last"].(*int)
	before, _ := args["before"].(*entgql.Cursor[pulid.ID])
	if first == nil || *first <= 0 || last != nil || before != nil {
		return nil, errUnsupported
	}
	p.first = *first
	if a, _ := args["after"].(*entgql.Cursor[pulid.ID]); a != nil {
		if !root {
			return nil, errUnsupported
		}
		p.after = a
	}
	if name, dir, ok := t.order(args["orderBy"]); ok {
		column := strings.ToLower(name)
		switch {
		case t.columns[column]:
		case t.values != nil && t.values.columns[column]:
			p.value = true
		default:
			return nil, errUnsupported
		}
		p.column, p.dir, p.ordered = column, dir, true
	}
	if a := p.after; a != nil && a.Value == nil && p.ordered && p.column != "id" {
		// msgpack's omitempty drops a zero order value from the cursor;
		// for a field that cannot be NULL it was the zero value (as in
		// ent/template/paginate.tmpl).
		if t := t.fields[p.column]; t != nil && t.Kind() != reflect.Pointer {
			z := *a
			z.Value = reflect.Zero(t).Interface()
			p.after = &z
		}
	}
	pred, err := t.where(args["where"])
	if err != nil {
		return nil, errUnsupported
	}
	p.where = pred
	return p, nil
}

func (c *compiler) alias() string {
	c.nalias++
	return "t" + strconv.Itoa(c.nalias)
}

// use records that the statement reads column of the rows under alias a
// and returns the column's reference.
func (c *compiler) use(a, column string) string {
	if c.used == nil {
		c.used = map[string][]string{}
	}
	if !slices.Contains(c.used[a], column) {
		c.used[a] = append(c.used[a], column)
	}
	return ident(a, column)
}

// usedColumns is the select list of the columns read from the rows under
// alias a.
func (c *compiler) usedColumns(a string) string {
	cols := make([]string, len(c.used[a]))
	for i, col := range c.used[a] {
		cols[i] = ident(a, col)
	}
	return strings.Join(cols, ", ")
}

// selectUsed makes a page's subquery select, under alias a, the ID, the
// order column and the columns the statement reads from its rows.
func (c *compiler) selectUsed(inner *sql.Selector, p *page, a string) {
	c.use(a, "id")
	if !p.value {
		c.use(a, p.column)
	}
	inner.SelectExpr(sql.Raw(c.usedColumns(a)))
	if p.value {
		column, _ := p.innerColumns(a)
		inner.AppendSelectExprAs(sql.Raw(column), p.column)
	}
}

// filtered selects the records of a page's table visible to the caller
// that match its filter, under alias a: the organization's, the caller's
// own when limited, children of parent (by the edge's column) when nested.
func (c *compiler) filtered(p *page, a, parent, fk string) *sql.Selector {
	s := sql.Dialect(dialect.Postgres).Select().From(sql.Table(p.t.name).As(a))
	s.Where(sql.EQ(s.C("organization_id"), c.org))
	if c.owner != "" && p.t.owned {
		s.Where(sql.EQ(s.C("owner_id"), c.owner))
	}
	if parent != "" {
		s.Where(sql.ExprP(ident(a, fk) + " = " + ident(parent, "id")))
	}
	if p.where != nil {
		p.where(s)
	}
	return s
}

// pageRows is filtered for the rows of a page, which it orders: ordered
// by a value figure, the records are joined to their row of the value
// table under valueAlias(a), whose organization-leading index gives the
// order.
func (c *compiler) pageRows(p *page, a, parent, fk string) *sql.Selector {
	s := c.filtered(p, a, parent, fk)
	if p.value {
		v, va := p.t.values, valueAlias(a)
		s.Join(sql.Table(v.name).As(va)).OnP(sql.ExprP(ident(va, v.key) + " = " + ident(a, "id") +
			" AND " + ident(va, "organization_id") + " = " + ident(a, "organization_id")))
	}
	return s
}

// valueAlias is the alias of the value table joined to the rows under a.
func valueAlias(a string) string { return a + "v" }

// orderBy is the page's order over the rows a page's statement selects
// under alias a, the ID breaking ties as entgql does.
func (p *page) orderBy(a string) string {
	return p.orderTerms(ident(a, p.column), ident(a, "id"))
}

// innerOrderBy is the page's order within pageRows: by the value table's
// columns when ordered by a value figure.
func (p *page) innerOrderBy(a string) string {
	column, id := p.innerColumns(a)
	return p.orderTerms(column, id)
}

// innerColumns are the order column and the ID within pageRows.
func (p *page) innerColumns(a string) (column, id string) {
	if p.value {
		va := valueAlias(a)
		return ident(va, p.column), ident(va, p.t.values.key)
	}
	return ident(a, p.column), ident(a, "id")
}

// orderTerms orders by column, then by id.
func (p *page) orderTerms(column, id string) string {
	dir := string(p.dir)
	if p.column == "id" {
		return id + " " + dir
	}
	return column + " " + dir + ", " + id + " " + dir
}

// rootQuery is the statement of a root connection: one row per record of
// the page plus one when another page follows, each with its ID, its
// order value (for the cursor), the node's JSON and, when asked, the
// count of the whole filtered list.
func (c *compiler) rootQuery(p *page, node *graphql.CollectedField, withTotal bool) (string, []any, error) {
	a := c.alias()
	inner := c.pageRows(p, a, "", "")
	column, id := p.innerColumns(a)
	for _, pred := range entgql.CursorsPredicate(p.after, nil, id, column, p.dir) {
		pred(inner)
	}
	inner.OrderExpr(sql.Raw(p.innerOrderBy(a))).Limit(p.first + 1)

	b := &sql.Builder{}
	b.SetDialect(dialect.Postgres)
	b.WriteString("SELECT " + ident(a, "id") + ", " + ident(a, p.column) + ", ")
	var joins []join
	if node != nil {
		if err := c.object(b, p.t, p.typ, a, node.Selections, &joins); err != nil {
			return "", nil, err
		}
	} else {
		b.WriteString("NULL")
	}
	c.selectUsed(inner, p, a)
	if !withTotal {
		b.WriteString(" FROM (").Join(inner).WriteString(") AS " + quote(a))
	} else {
		// The count comes with every row, and alone (with a NULL record)
		// when the page is empty.
		count := c.filtered(p, c.alias(), "", "")
		count.SelectExpr(sql.Raw("count(*) AS n"))
		b.WriteString(", sqljson_total.n FROM (").Join(count).WriteString(") AS sqljson_total LEFT JOIN (").
			Join(inner).WriteString(") AS " + quote(a) + " ON true")
	}
	c.writeJoins(b, joins, true)
	b.WriteString(" ORDER BY " + p.orderBy(a))
	q, args := b.Query()
	return q, args, nil
}

// join is a record reached by a to-one edge, joined to the rows of the
// statement level it is selected at.
type join struct {
	t             *table
	alias, parent string
	column        string // the foreign key on the parent
}

// writeJoins writes the LEFT JOINs of a statement level's to-one edges:
// each reaches a record of the caller's organization (and their own, when
// limited), or none. With lateral, each record is read by its key, row by
// row: the root level has at most a page of rows, and the planner would
// otherwise hash the organization's whole table to join a page to it.
// Nested levels are plain joins, whose small targets (stages) hash once.
func (c *compiler) writeJoins(b *sql.Builder, joins []join, lateral bool) {
	for _, j := range joins {
		if !lateral {
			b.WriteString(" LEFT JOIN " + quote(j.t.name) + " AS " + quote(j.alias) + " ON ")
			c.joinCondition(b, j)
			continue
		}
		c.use(j.alias, "id")
		b.WriteString(" LEFT JOIN LATERAL (SELECT " + c.usedColumns(j.alias) + " FROM " + quote(j.t.name) + " AS " + quote(j.alias) + " WHERE ")
		c.joinCondition(b, j)
		// LIMIT 1 keeps PostgreSQL from pulling the subquery up into a
		// plain join; the key is unique anyway.
		b.WriteString(" LIMIT 1) AS " + quote(j.alias) + " ON true")
	}
}

// joinCondition is the condition a to-one edge's record meets: the key,
// the caller's organization and, when limited, the caller's own.
func (c *compiler) joinCondition(b *sql.Builder, j join) {
	b.WriteString(ident(j.alias, "id") + " = " + ident(j.parent, j.column) + " AND " + ident(j.alias, "organization_id") + " = ").Arg(c.org)
	if c.owner != "" && j.t.owned {
		b.WriteString(" AND " + ident(j.alias, "owner_id") + " = ").Arg(c.owner)
	}
}

// object writes the JSON text of a record under alias a; the records of
// its to-one edges are added to joins.
func (c *compiler) object(b *sql.Builder, t *table, typ, a string, sels ast.SelectionSet, joins *[]join) error {
	fields := graphql.CollectFields(c.oc, sels, c.e.satisfies[typ])
	if len(fields) > maxObjectFields {
		return errUnsupported
	}
	w := &jsonText{b: b}
	w.literal("{")
	for i, f := range fields {
		w.key(f.Alias, i == 0)
		if f.Name == "__typename" {
			w.literal(`"` + typ + `"`)
			continue
		}
		if sc, ok := t.scalars[f.Name]; ok {
			col := c.use(a, snake(f.Name))
			if sc.zero != "" {
				col = "coalesce(" + col + ", " + sc.zero + ")"
			}
			w.expr(func() { b.WriteString(render(sc.kind, col)) })
			continue
		}
		e, ok := t.edges[f.Name]
		if !ok {
			return errUnsupported
		}
		target := c.e.tables[e.target]
		if target == nil {
			return errUnsupported
		}
		var err error
		if !e.many {
			j := join{t: target, alias: c.alias(), parent: a, column: e.column}
			c.use(a, e.column)
			*joins = append(*joins, j)
			w.expr(func() {
				b.WriteString("CASE WHEN " + ident(j.alias, "id") + " IS NULL THEN 'null' ELSE ")
				err = c.object(b, target, e.target, j.alias, f.Selections, joins)
				b.WriteString(" END")
			})
		} else {
			w.expr(func() { err = c.connection(b, typ, e, a, f) })
		}
		if err != nil {
			return err
		}
	}
	w.literal("}")
	w.end()
	return nil
}

// connection writes a nested connection: its first records in order, as
// {edges: [{node}], pageInfo: {hasNextPage, hasPreviousPage}, totalCount}
// in the selection's shape. Cursors of nested edges are left to the
// resolvers.
func (c *compiler) connection(b *sql.Builder, parentType string, e edge, parent string, f graphql.CollectedField) error {
	p, err := c.connectionPage(parentType, f.Field, e.target, false)
	if err != nil {
		return err
	}
	conn := graphql.CollectFields(c.oc, f.Selections, []string{e.target + "Connection"})
	if !plainConnection(conn) {
		return errUnsupported
	}
	// The selections of edges and pageInfo, collected once: each appears
	// at most once (plainConnection).
	var edgeFields, infoFields []graphql.CollectedField
	withEdges, withInfo := false, false
	for _, cf := range conn {
		switch cf.Name {
		case "edges":
			withEdges = true
			edgeFields = graphql.CollectFields(c.oc, cf.Selections, []string{e.target + "Edge"})
		case "pageInfo":
			withInfo = true
			infoFields = graphql.CollectFields(c.oc, cf.Selections, []string{"PageInfo"})
		}
	}
	if !withEdges && withInfo {
		// entgql answers pageInfo alone from a count: left to it.
		return errUnsupported
	}
	if !plainEdge(edgeFields) {
		return errUnsupported
	}
	for _, ef := range edgeFields {
		if ef.Name == "cursor" {
			// Cursors of nested edges are left to the resolvers.
			return errUnsupported
		}
	}
	needNext := false
	for _, pf := range infoFields {
		switch pf.Name {
		case "hasNextPage":
			needNext = true
		case "hasPreviousPage", "__typename":
		default:
			return errUnsupported
		}
	}
	a := c.alias()
	inner := c.pageRows(p, a, parent, e.column)
	limit := p.first
	if needNext {
		limit++
	}
	inner.OrderExpr(sql.Raw(p.innerOrderBy(a))).Limit(limit)

	var joins []join
	var err2 error
	b.WriteString("(SELECT ")
	w := &jsonText{b: b}
	w.literal("{")
	for i, cf := range conn {
		w.key(cf.Alias, i == 0)
		switch cf.Name {
		case "__typename":
			w.literal(`"` + e.target + `Connection"`)
		case "totalCount":
			count := c.filtered(p, c.alias(), parent, e.column)
			count.SelectExpr(sql.Raw("count(*)"))
			w.expr(func() { b.WriteString("(").Join(count).WriteString(")::text") })
		case "pageInfo":
			w.literal("{")
			for j, pf := range infoFields {
				w.key(pf.Alias, j == 0)
				switch pf.Name {
				case "hasNextPage":
					w.expr(func() { b.WriteString("(count(*) > " + strconv.Itoa(p.first) + ")::text") })
				case "hasPreviousPage":
					w.literal("false")
				case "__typename":
					w.literal(`"PageInfo"`)
				}
			}
			w.literal("}")
		case "edges":
			w.literal("[")
			w.expr(func() {
				b.WriteString("coalesce(string_agg(")
				ew := &jsonText{b: b}
				ew.literal("{")
				for j, ef := range edgeFields {
					ew.key(ef.Alias, j == 0)
					switch ef.Name {
					case "__typename":
						ew.literal(`"` + e.target + `Edge"`)
					case "node":
						ew.expr(func() { err2 = c.object(b, p.t, e.target, a, ef.Selections, &joins) })
					}
				}
				ew.literal("}")
				ew.end()
				b.WriteString(", ',' ORDER BY " + p.orderBy(a) + ")")
				if needNext {
					b.WriteString(" FILTER (WHERE " + ident(a, "sqljson_rn") + " <= " + strconv.Itoa(p.first) + ")")
				}
				b.WriteString(", '')")
			})
			w.literal("]")
		}
		if err2 != nil {
			return err2
		}
	}
	w.literal("}")
	w.end()
	if withEdges {
		c.selectUsed(inner, p, a)
		if needNext {
			inner.AppendSelectExpr(sql.Raw("row_number() OVER (ORDER BY " + p.innerOrderBy(a) + ") AS sqljson_rn"))
		}
		b.WriteString(" FROM (").Join(inner).WriteString(") AS " + quote(a))
		c.writeJoins(b, joins, false)
	}
	b.WriteString(")")
	return nil
}

// plainConnection reports whether a connection's selection is one the SQL
// path answers: edges, pageInfo and totalCount each at most once, under
// any alias (a field repeated under two names is left to the resolvers),
// and nothing else but __typename.
func plainConnection(fields []graphql.CollectedField) bool {
	seen := map[string]bool{}
	for _, f := range fields {
		switch f.Name {
		case "edges", "pageInfo", "totalCount":
			if seen[f.Name] {
				return false
			}
			seen[f.Name] = true
		case "__typename":
		default:
			return false
		}
	}
	return true
}

// plainEdge is plainConnection for an edge: node at most once, cursor,
// __typename.
func plainEdge(fields []graphql.CollectedField) bool {
	nodes := 0
	for _, f := range fields {
		switch f.Name {
		case "node":
			nodes++
		case "cursor", "__typename":
		default:
			return false
		}
	}
	return nodes <= 1
}

// render is the SQL expression of a column's GraphQL value as JSON text,
// never NULL.
func render(k kind, col string) string {
	switch k {
	case kindTime:
		// JSON renders a timestamp as ISO 8601 with the fraction's
		// trailing zeros trimmed, whatever the DateStyle: Go's RFC 3339
		// (nano) once the zone is appended inside the quotes.
		// gqlgen shows the zero time as null.
		return "coalesce(left(to_json(NULLIF(" + col + ", '0001-01-01 00:00:00+00') AT TIME ZONE 'UTC')::text, -1) || 'Z\"', 'null')"
	case kindMoney:
		// Integer cents times 0.01 is a numeric of scale 2: "12.30".
		return "coalesce('\"' || (" + col + " * 0.01)::text || '\"', 'null')"
	default:
		return "coalesce(to_json(" + col + ")::text, 'null')"
	}
}

func quote(name string) string { return `"` + name + `"` }

func ident(alias, column string) string { return quote(alias) + "." + quote(column) }
