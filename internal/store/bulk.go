package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
)

// sqliteMaxVariables is the most bound variables SQLite accepts in one
// statement.
const sqliteMaxVariables = 32766

// sqliteRowsPerInsert caps the rows of one multi-row INSERT on SQLite:
// past a few hundred rows a statement, longer ones stop paying off.
const sqliteRowsPerInsert = 500

// BulkInsert writes n rows into table within tx as fast as the dialect
// allows: one COPY FROM STDIN on PostgreSQL, multi-row INSERT statements of
// up to 500 rows on SQLite. row(i, dst) fills dst, one value per column, with
// row i; values are anything database/sql accepts (nil for NULL, pointers,
// driver.Valuer), and JSON columns take a json.RawMessage.
//
// It bypasses ent: no hooks, defaults or validators run, so the caller
// supplies every NOT NULL column, organization_id included, and values
// that ent would have accepted.
func BulkInsert(ctx context.Context, tx *sql.Tx, dialectName, table string, columns []string, n int, row func(i int, dst []any)) error {
	if n == 0 {
		return nil
	}
	if len(columns) == 0 {
		return fmt.Errorf("store: bulk insert into %s: no columns", table)
	}
	switch dialectName {
	case dialect.Postgres:
		return copyIn(ctx, tx, table, columns, n, row)
	case dialect.SQLite:
		return insertRows(ctx, tx, table, columns, n, row)
	default:
		return fmt.Errorf("store: bulk insert: unsupported dialect %q", dialectName)
	}
}

// copyIn streams the rows with COPY FROM STDIN (lib/pq's CopyIn).
func copyIn(ctx context.Context, tx *sql.Tx, table string, columns []string, n int, row func(int, []any)) (err error) {
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return fmt.Errorf("store: copy into %s: %w", table, err)
	}
	defer func() {
		if cerr := stmt.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("store: copy into %s: %w", table, cerr)
		}
	}()
	dst := make([]any, len(columns))
	var buf []byte
	for i := 0; i < n; i++ {
		clear(dst)
		row(i, dst)
		for j, v := range dst {
			dst[j], buf = copyValue(v, buf)
		}
		if _, err := stmt.ExecContext(ctx, dst...); err != nil {
			return fmt.Errorf("store: copy into %s, row %d: %w", table, i, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("store: copy into %s: %w", table, err)
	}
	return nil
}

// copyValue returns v as lib/pq's COPY encoder takes it, using buf as
// scratch space: JSON as text, since COPY's text format would write []byte
// as bytea, and UTC timestamps preformatted, which is several times faster
// than the driver's formatting.
func copyValue(v any, buf []byte) (any, []byte) {
	switch v := v.(type) {
	case json.RawMessage:
		return string(v), buf
	case time.Time:
		if v.Location() != time.UTC || v.Year() < 1 || v.Year() > 9999 {
			return v, buf
		}
		buf = appendTimestamp(buf[:0], v)
		return string(buf), buf
	}
	return v, buf
}

// appendTimestamp appends t, a UTC time of year 1 to 9999, to b as lib/pq
// writes timestamps: 2006-01-02 15:04:05.999999999Z.
func appendTimestamp(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, ' ')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		b = appendDigits(b, ns, 9)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return append(b, 'Z')
}

// appendDigits appends the width last decimal digits of n ≥ 0 to b,
// zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	b = append(b, make([]byte, width)...)
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

// insertRows writes the rows with prepared multi-row INSERTs.
func insertRows(ctx context.Context, tx *sql.Tx, table string, columns []string, n int, row func(int, []any)) error {
	per := min(sqliteRowsPerInsert, sqliteMaxVariables/len(columns), n)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(columns))
	dst := make([]any, len(columns))
	for start := 0; start < n; start += per {
		k := min(per, n-start)
		args = args[:0]
		for i := start; i < start+k; i++ {
			clear(dst)
			row(i, dst)
			args = append(args, dst...)
		}
		query := insertStatement(table, columns, k)
		var err error
		if k == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, query); err != nil {
					return fmt.Errorf("store: insert into %s: %w", table, err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return fmt.Errorf("store: insert into %s, rows %d to %d: %w", table, start, start+k-1, err)
		}
	}
	return nil
}

// insertStatement returns INSERT INTO table (columns) VALUES (?, …), … for
// rows rows.
func insertStatement(table string, columns []string, rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO "` + table + `" (`)
	for i, c := range columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + c + `"`)
	}
	b.WriteString(") VALUES ")
	tuple := "(" + strings.Repeat("?,", len(columns)-1) + "?)"
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// Execer runs a statement: a *sql.DB or *sql.Tx, or an ent client or
// transaction (which cannot COPY).
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// postgresMaxParameters is the most bind parameters PostgreSQL accepts in
// one statement.
const postgresMaxParameters = 65535

// InsertRows writes n rows into table through ex with multi-row INSERT
// statements of up to 500 rows, on either dialect. It is BulkInsert for
// callers that hold a transaction BulkInsert cannot use, such as ent's: as
// fast on SQLite, slower than COPY on PostgreSQL. row and the values are as
// for BulkInsert, and so is what the caller must supply.
func InsertRows(ctx context.Context, ex Execer, dialectName, table string, columns []string, n int, row func(i int, dst []any)) error {
	if n == 0 {
		return nil
	}
	if len(columns) == 0 {
		return fmt.Errorf("store: insert into %s: no columns", table)
	}
	limit := sqliteMaxVariables
	switch dialectName {
	case dialect.Postgres:
		limit = postgresMaxParameters
	case dialect.SQLite:
	default:
		return fmt.Errorf("store: insert: unsupported dialect %q", dialectName)
	}
	per := min(sqliteRowsPerInsert, limit/len(columns), n)
	args := make([]any, 0, per*len(columns))
	dst := make([]any, len(columns))
	var full string
	for start := 0; start < n; start += per {
		k := min(per, n-start)
		args = args[:0]
		for i := start; i < start+k; i++ {
			clear(dst)
			row(i, dst)
			args = append(args, dst...)
		}
		query := full
		if k != per || query == "" {
			query = Rebind(dialectName, insertStatement(table, columns, k))
			if k == per {
				full = query
			}
		}
		if _, err := ex.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("store: insert into %s, rows %d to %d: %w", table, start, start+k-1, err)
		}
	}
	return nil
}
