package storetest

import (
	"context"
	"database/sql"
	"sync/atomic"

	"entgo.io/ent/dialect"
)

// Counter is a driver that counts the SQL statements run through it, so
// tests can assert how many statements a request costs.
type Counter struct {
	dialect.Driver
	n atomic.Int64
}

// CountStatements returns a wrap function for Open and the Counter it
// installs.
func CountStatements() (func(dialect.Driver) dialect.Driver, *Counter) {
	c := &Counter{}
	return func(d dialect.Driver) dialect.Driver { c.Driver = d; return c }, c
}

// Reset sets the count to zero.
func (c *Counter) Reset() { c.n.Store(0) }

// Count returns the number of statements since the last Reset.
func (c *Counter) Count() int { return int(c.n.Load()) }

// Observe counts a statement run outside the driver (the SQL answers of
// graph/sqljson run on prepared statements of their own).
func (c *Counter) Observe() { c.n.Add(1) }

// Query implements dialect.Driver.
func (c *Counter) Query(ctx context.Context, query string, args, v any) error {
	c.n.Add(1)
	return c.Driver.Query(ctx, query, args, v)
}

// Exec implements dialect.Driver.
func (c *Counter) Exec(ctx context.Context, query string, args, v any) error {
	c.n.Add(1)
	return c.Driver.Exec(ctx, query, args, v)
}

// QueryContext runs a raw query, counted.
func (c *Counter) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}).QueryContext(ctx, query, args...)
}

// ExecContext runs a raw statement, counted.
func (c *Counter) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}).ExecContext(ctx, query, args...)
}
