// Package sqljson answers the read-only root connections of a GraphQL query
// (contacts, accounts, deals) with one PostgreSQL statement that builds
// each record's JSON, nested records and connections included, as
// PostGraphile does, instead of loading entities and marshalling them field
// by field through gqlgen's executor.
//
// It answers a selection only when it reproduces the resolvers' answer
// exactly: the same records in the same order, the same cursors, pages,
// counts and scalar renderings, within the caller's organization and, for
// members limited to their own records, only those. Anything else (other
// databases, mutations, computed fields, backward or nested cursor
// pagination, filters it cannot build) is left to the resolvers; the
// answer is the same either way, only slower.
package sqljson

import (
	"bytes"
	"context"
	"crypto/sha256"

	stdsql "database/sql"
	"io"
	"strconv"
	"sync"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// ArgsFunc parses a connection field's arguments as its resolver would
// receive them (graph.ConnectionArgs).
type ArgsFunc func(ctx context.Context, es graphql.ExecutableSchema, typeName string, field *ast.Field, vars map[string]any) (map[string]any, bool, error)

// Config is what an Engine reads from.
type Config struct {
	// DB is the PostgreSQL database.
	DB *stdsql.DB
	// Schema is the executable schema whose root fields are answered.
	Schema graphql.ExecutableSchema
	// Args parses connection arguments.
	Args ArgsFunc
	// Observe, if set, is called once per statement run, for tests that
	// count the statements of a request.
	Observe func()
}

// maxStatements bounds the prepared statements kept, one per query shape
// (prepared on each pooled connection, each holding its plan in its
// backend): an SPA asks a few dozen shapes; shapes beyond the bound run
// unprepared, so that no stream of odd queries fills the database's memory.
const maxStatements = 128

// Engine answers root connections in SQL.
type Engine struct {
	db        *stdsql.DB
	schema    graphql.ExecutableSchema
	args      ArgsFunc
	observe   func()
	tables    map[string]*table
	satisfies map[string][]string
	roots     map[string]string

	mu    sync.Mutex
	stmts map[string]*stdsql.Stmt
	plans planCache
}

// New returns an Engine for a PostgreSQL database.
func New(cfg Config) *Engine {
	e := &Engine{
		db: cfg.DB, schema: cfg.Schema, args: cfg.Args, observe: cfg.Observe,
		tables:    newTables(),
		satisfies: map[string][]string{},
		roots:     map[string]string{"contacts": "Contact", "accounts": "Account", "deals": "Deal"},
		stmts:     map[string]*stdsql.Stmt{},
		plans:     planCache{plans: map[[sha256.Size]byte]*plan{}},
	}
	s := cfg.Schema.Schema()
	describe(e.tables, s)
	for name := range e.tables {
		sat := []string{name}
		if def := s.Types[name]; def != nil {
			sat = append(sat, def.Interfaces...)
		}
		e.satisfies[name] = sat
	}
	return e
}

// Answer answers the root field of ctx (a gqlgen root field middleware's
// context) if the SQL path can, and reports whether it did. An answer may
// be an error, reported on the field as a resolver's would be.
func (e *Engine) Answer(ctx context.Context) (graphql.Marshaler, bool) {
	oc := graphql.GetOperationContext(ctx)
	fc := graphql.GetRootFieldContext(ctx)
	if oc == nil || fc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return nil, false
	}
	typ, ok := e.roots[fc.Field.Name]
	if !ok {
		return nil, false
	}
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, false
	}
	c := &compiler{ctx: ctx, e: e, oc: oc, org: org}
	c.owner, _ = tenant.OwnRecordsOnly(ctx)
	key, keyed := planKey(oc, fc.Field.Alias, org, c.owner)
	pl := e.plans.get(key, keyed)
	if pl == nil {
		var err error
		pl, err = c.plan(fc.Field, typ)
		switch {
		case err == errUnsupported:
			pl = &plan{unsupported: true}
		case err != nil:
			graphql.AddError(ctx, err)
			return graphql.Null, true
		}
		e.plans.put(key, keyed, pl)
	}
	if pl.unsupported {
		return nil, false
	}
	out, err := c.answer(pl)
	if err != nil {
		buffers.Put(out)
		if err == errUnsupported {
			return nil, false
		}
		graphql.AddError(ctx, err)
		return graphql.Null, true
	}
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = w.Write(out.Bytes())
		buffers.Put(out)
	}), true
}

// buffers holds the buffers answers are written into, so that a busy
// server does not allocate (and clear, and collect) tens of kilobytes per
// request. A buffer returns to it once its answer is written.
var buffers = bufferPool{pool: sync.Pool{New: func() any { return new(bytes.Buffer) }}}

// bufferPool is a sync.Pool of bytes.Buffers.
type bufferPool struct{ pool sync.Pool }

// Get returns an empty buffer.
func (p *bufferPool) Get() *bytes.Buffer {
	b := p.pool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// Put gives b back, unless it grew beyond what answers usually need.
func (p *bufferPool) Put(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooledBuffer {
		p.pool.Put(b)
	}
}

// maxPooledBuffer is the largest buffer kept for reuse: a page of 100
// records with their nested connections fits; larger answers are rare and
// left to the collector.
const maxPooledBuffer = 1 << 20

// plan is how a root connection is answered: its page, the selections
// of the answer and the statement. It depends only on the request's
// document, operation, variables and caller, so it is kept per request
// shape (Engine.plans).
type plan struct {
	p          *page
	typ        string
	conn       []graphql.CollectedField
	edgeFields []graphql.CollectedField
	infoFields []graphql.CollectedField
	withTotal  bool
	query      string
	args       []any
	// unsupported is a selection left to the resolvers.
	unsupported bool
}

// plan works out how to answer a root connection, or that the SQL path
// does not.
func (c *compiler) plan(f graphql.CollectedField, typ string) (*plan, error) {
	p, err := c.connectionPage("Query", f.Field, typ, true)
	if err != nil {
		return nil, err
	}
	conn := graphql.CollectFields(c.oc, f.Selections, []string{typ + "Connection"})
	if !plainConnection(conn) {
		return nil, errUnsupported
	}
	var edgeFields, infoFields []graphql.CollectedField
	var node *graphql.CollectedField
	withTotal, withEdges := false, false
	for _, cf := range conn {
		switch cf.Name {
		case "edges":
			withEdges = true
			edgeFields = graphql.CollectFields(c.oc, cf.Selections, []string{typ + "Edge"})
			if !plainEdge(edgeFields) {
				return nil, errUnsupported
			}
			for i := range edgeFields {
				if edgeFields[i].Name == "node" {
					node = &edgeFields[i]
				}
			}
		case "totalCount":
			withTotal = true
		case "pageInfo":
			infoFields = graphql.CollectFields(c.oc, cf.Selections, []string{"PageInfo"})
			for _, pf := range infoFields {
				switch pf.Name {
				case "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename":
				default:
					return nil, errUnsupported
				}
			}
		}
	}
	if !withEdges {
		// entgql answers pageInfo alone from a count: left to it.
		return nil, errUnsupported
	}
	q, args, err := c.rootQuery(p, node, withTotal)
	if err != nil {
		return nil, err
	}
	return &plan{p: p, typ: typ, conn: conn, edgeFields: edgeFields, infoFields: infoFields, withTotal: withTotal, query: q, args: args}, nil
}

// answer runs a plan and writes the connection's JSON into a buffer of
// the pool, which the caller gives back when done with it.
func (c *compiler) answer(pl *plan) (*bytes.Buffer, error) {
	p, typ, conn, edgeFields, withTotal := pl.p, pl.typ, pl.conn, pl.edgeFields, pl.withTotal
	rows, err := c.e.query(c.ctx, pl.query, pl.args)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	edges := buffers.Get()
	defer buffers.Put(edges)
	var (
		id    stdsql.NullString
		value any
		obj   stdsql.RawBytes // the node's JSON, valid until the next row
		count stdsql.NullInt64
	)
	dest := []any{&id, &value, &obj}
	if withTotal {
		dest = append(dest, &count)
	}
	var first, last *entgql.Cursor[pulid.ID]
	var total int64
	n := 0
	hasNext := false
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		total = count.Int64
		if !id.Valid {
			continue
		}
		if n == p.first {
			hasNext = true
			continue
		}
		cur := &entgql.Cursor[pulid.ID]{ID: pulid.ID(id.String)}
		if p.ordered {
			cur.Value = cursorValue(value, p.t.fields[p.column])
		}
		if n == 0 {
			first = cur
		} else {
			edges.WriteByte(',')
		}
		last = cur
		n++
		edges.WriteByte('{')
		for i, ef := range edgeFields {
			if i > 0 {
				edges.WriteByte(',')
			}
			writeKey(edges, ef.Alias)
			switch ef.Name {
			case "cursor":
				cur.MarshalGQL(edges)
			case "node":
				edges.Write(obj)
			case "__typename":
				writeString(edges, typ+"Edge")
			}
		}
		edges.WriteByte('}')
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	out := buffers.Get()
	out.Grow(edges.Len() + 256)
	out.WriteByte('{')
	for i, cf := range conn {
		if i > 0 {
			out.WriteByte(',')
		}
		writeKey(out, cf.Alias)
		switch cf.Name {
		case "edges":
			out.WriteByte('[')
			out.Write(edges.Bytes())
			out.WriteByte(']')
		case "totalCount":
			out.WriteString(strconv.FormatInt(total, 10))
		case "__typename":
			writeString(out, typ+"Connection")
		case "pageInfo":
			out.WriteByte('{')
			for j, pf := range pl.infoFields {
				if j > 0 {
					out.WriteByte(',')
				}
				writeKey(out, pf.Alias)
				switch pf.Name {
				case "hasNextPage":
					out.WriteString(strconv.FormatBool(hasNext))
				case "hasPreviousPage":
					out.WriteString(strconv.FormatBool(p.after != nil))
				case "startCursor":
					writeCursor(out, first)
				case "endCursor":
					writeCursor(out, last)
				case "__typename":
					writeString(out, "PageInfo")
				default:
					return nil, errUnsupported
				}
			}
			out.WriteByte('}')
		}
	}
	out.WriteByte('}')
	return out, nil
}

// query runs a statement, prepared once per connection and shape.
func (e *Engine) query(ctx context.Context, q string, args []any) (*stdsql.Rows, error) {
	if e.observe != nil {
		e.observe()
	}
	e.mu.Lock()
	st := e.stmts[q]
	full := len(e.stmts) >= maxStatements
	e.mu.Unlock()
	if st == nil && !full {
		prepared, err := e.db.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		e.mu.Lock()
		if st = e.stmts[q]; st == nil {
			e.stmts[q], st = prepared, prepared
		} else {
			defer prepared.Close()
		}
		e.mu.Unlock()
	}
	if st != nil {
		return st.QueryContext(ctx, args...)
	}
	return e.db.QueryContext(ctx, q, args...)
}

func writeKey(b *bytes.Buffer, k string) {
	writeString(b, k)
	b.WriteByte(':')
}

// writeString writes a GraphQL name or type name, which need no escaping.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

func writeCursor(b *bytes.Buffer, c *entgql.Cursor[pulid.ID]) {
	if c == nil {
		b.WriteString("null")
		return
	}
	c.MarshalGQL(b)
}
