package kpi

import (
	"fmt"
	"time"
)

// This file holds every piece of SQL that differs between SQLite and
// PostgreSQL. Everything else in the package is portable SQL: both databases
// take $1, $2, … placeholders (modernc's SQLite binds "$N" to the N-th
// argument), CTEs, CASE, COALESCE and window functions.
//
// Time columns are the difference that matters.
//
//   - PostgreSQL stores them as timestamptz: comparisons are exact and the
//     UTC calendar fields come from "col AT TIME ZONE 'UTC'".
//   - SQLite has no time type. Package store opens it with
//     _time_format=sqlite and package crm stores every time in UTC, so a
//     time is the text "2024-03-05 09:00:00.123456789+00:00": the UTC time,
//     a fraction without trailing zeros, and the offset. utc drops the
//     offset, leaving "2024-03-05 09:00:00.123456789", which sorts in time
//     order, compares exactly (to the nanosecond) with the bound period
//     limits, and which SQLite's date functions read.
//
// Calendar fields (hour, weekday, month) are taken in UTC on both databases.

// sqlDialect generates the dialect-specific fragments of the KPI queries.
type sqlDialect struct{ postgres bool }

// newDialect returns the dialect of an ent dialect name: "sqlite3" (or
// "sqlite") or "postgres".
func newDialect(name string) (sqlDialect, error) {
	switch name {
	case "postgres":
		return sqlDialect{postgres: true}, nil
	case "sqlite3", "sqlite":
		return sqlDialect{}, nil
	}
	return sqlDialect{}, fmt.Errorf("kpi: unsupported dialect %q", name)
}

// utcLayout is the canonical UTC text of a time on SQLite: fixed-width date
// and time, then a fraction without trailing zeros, so that text order is
// time order.
const utcLayout = "2006-01-02 15:04:05.999999999"

// at returns a comparable expression of the time column (or expression)
// col: the column itself on PostgreSQL, its canonical UTC text on SQLite.
// Compare it only with another at expression or with a bound value of
// d.arg. NULL stays NULL.
func (d sqlDialect) at(col string) string {
	if d.postgres {
		return col
	}
	return "substr(" + col + ", 1, length(" + col + ") - 6)"
}

// arg returns the value to bind for a time compared with an at expression.
func (d sqlDialect) arg(t time.Time) any {
	if d.postgres {
		return t.UTC()
	}
	return t.UTC().Format(utcLayout)
}

// hour returns the UTC hour of day (0–23) of a time column, as an integer.
func (d sqlDialect) hour(col string) string {
	if d.postgres {
		return "CAST(EXTRACT(HOUR FROM (" + col + ") AT TIME ZONE 'UTC') AS INTEGER)"
	}
	return "CAST(substr(" + d.at(col) + ", 12, 2) AS INTEGER)"
}

// isoWeekday returns the UTC ISO day of week of a time column, as an
// integer: 1 for Monday through 7 for Sunday.
func (d sqlDialect) isoWeekday(col string) string {
	if d.postgres {
		return "CAST(EXTRACT(ISODOW FROM (" + col + ") AT TIME ZONE 'UTC') AS INTEGER)"
	}
	// %w is 0 for Sunday through 6 for Saturday.
	return "((CAST(strftime('%w', " + d.at(col) + ") AS INTEGER) + 6) % 7 + 1)"
}

// month returns the UTC calendar month of a time column as text "YYYY-MM".
func (d sqlDialect) month(col string) string {
	if d.postgres {
		return "to_char((" + col + ") AT TIME ZONE 'UTC', 'YYYY-MM')"
	}
	return "substr(" + d.at(col) + ", 1, 7)"
}

// days returns the number of days, with fraction, from the time column
// from to the time column to, as a double.
func (d sqlDialect) days(to, from string) string {
	if d.postgres {
		return "CAST(EXTRACT(EPOCH FROM ((" + to + ") - (" + from + "))) AS DOUBLE PRECISION) / 86400.0"
	}
	return "(julianday(" + d.at(to) + ") - julianday(" + d.at(from) + "))"
}

// hours returns the number of hours, with fraction, from the time column
// from to the time column to, as a double.
func (d sqlDialect) hours(to, from string) string {
	return "(" + d.days(to, from) + ") * 24.0"
}

// float casts a numeric expression to a double on both databases (SQLite
// gives the type name "DOUBLE PRECISION" REAL affinity).
func (sqlDialect) float(expr string) string {
	return "CAST(" + expr + " AS DOUBLE PRECISION)"
}
