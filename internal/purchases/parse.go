// Package purchases imports historical orders from other systems into the
// CRM's purchase log: each row becomes a WON deal of a contact, creating the
// contacts it does not know. An import is all-or-nothing and idempotent:
// importing the same file twice adds nothing the second time.
//
// A file is read into a Log, which holds millions of rows compactly and
// checks every value as the data model would, and written in one
// transaction in bulk (COPY on PostgreSQL), past ent's builders, so it
// supplies every value ent would have set itself. Like seeding, an import
// is not a change made through the API: its contacts and purchases raise
// no events or webhooks and have no audit entries of their own (see
// package changes); one audit entry records the import with its counts.
// Customer values are not recomputed: run an analytics refresh afterwards.
package purchases

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/headlesscrm/crm/internal/importfile"
	"github.com/headlesscrm/crm/internal/money"
)

// Row is one purchase to import.
type Row struct {
	// Line is the row's line number in the file, from 1.
	Line int
	// Email or ExternalID names the customer; email wins when both are set.
	Email      string
	ExternalID string
	// Date is the purchase day.
	Date time.Time
	// Amount is what the customer paid; Cost, when known, what it cost.
	Amount money.Amount
	Cost   *money.Amount
}

// LineError is a problem with one line of a file.
type LineError = importfile.LineError

// Errors is the list of problems found in a file.
type Errors = importfile.Errors

// MaxErrors is how many problems a parse reports before it stops.
const MaxErrors = importfile.MaxErrors

// ParseCSV reads a CSV file whose header names its columns: email or
// external_id (at least one), date (YYYY-MM-DD), amount, and optionally cost.
// It returns every row, or the problems of every bad row.
func ParseCSV(r io.Reader) ([]Row, error) {
	return collect(r, ScanCSV)
}

// ScanCSV reads a CSV file as ParseCSV does, one row at a time: it calls fn
// with each good row in file order and returns, once the file is read (or
// MaxErrors problems were found), the problems of the bad rows as Errors.
// An error from fn stops the scan and is returned as is.
func ScanCSV(r io.Reader, fn func(Row) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return Errors{{Line: 1, Message: "the file needs a header line naming the columns email or external_id, date, amount[, cost]"}}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	_, hasEmail := col["email"]
	_, hasExt := col["external_id"]
	var problems Errors
	if !hasEmail && !hasExt {
		problems = append(problems, LineError{Line: 1, Message: "the header names neither email nor external_id"})
	}
	for _, need := range []string{"date", "amount"} {
		if _, ok := col[need]; !ok {
			problems = append(problems, LineError{Line: 1, Column: need, Message: "missing column"})
		}
	}
	if len(problems) > 0 {
		return problems
	}
	index := func(name string) int {
		if i, ok := col[name]; ok {
			return i
		}
		return -1
	}
	emailCol, extCol, dateCol, amountCol, costCol := index("email"), index("external_id"), index("date"), index("amount"), index("cost")
	get := func(rec []string, i int) string {
		if i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for len(problems) < MaxErrors {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var perr *csv.ParseError
			if !errors.As(err, &perr) {
				return err
			}
			problems = append(problems, LineError{Line: line, Message: "malformed CSV"})
			continue
		}
		row := Row{Line: line, Email: strings.ToLower(get(rec, emailCol)), ExternalID: get(rec, extCol)}
		bad := func(c, m string) { problems = append(problems, LineError{Line: line, Column: c, Message: m}) }
		ok := true
		if row.Email == "" && row.ExternalID == "" {
			bad("email", "a row needs an email or an external_id")
			ok = false
		} else if row.Email != "" && !strings.Contains(row.Email, "@") {
			bad("email", "is not an email address")
			ok = false
		}
		if d, err := parseDay("2006-01-02", get(rec, dateCol)); err != nil {
			bad("date", "must be a date as YYYY-MM-DD")
			ok = false
		} else {
			row.Date = d
		}
		if a, err := money.Parse(get(rec, amountCol)); err != nil || a < 0 {
			bad("amount", "must be a non-negative amount with at most two decimals")
			ok = false
		} else {
			row.Amount = a
		}
		if c := get(rec, costCol); c != "" {
			if v, err := money.Parse(c); err != nil || v < 0 {
				bad("cost", "must be a non-negative amount with at most two decimals")
				ok = false
			} else {
				row.Cost = &v
			}
		}
		if ok && len(problems) == 0 {
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}

// parseDay parses a purchase day written as layout, "2006-01-02" or
// "20060102", as time.Parse would, refusing years before 1, which
// PostgreSQL cannot store.
func parseDay(layout, s string) (time.Time, error) {
	if len(s) == len(layout) {
		y, m, d, ok := 0, 0, 0, true
		for i := range len(s) {
			c := s[i]
			if layout[i] == '-' {
				ok = ok && c == '-'
				continue
			}
			if c < '0' || c > '9' {
				ok = false
				break
			}
			switch n := int(c - '0'); {
			case i < 4:
				y = y*10 + n
			case i < len(s)-2:
				m = m*10 + n
			default:
				d = d*10 + n
			}
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if ok && y >= 1 && m >= 1 && m <= 12 && t.Day() == d {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date as %s", s, layout)
}

// collect returns every row scan yields, or its error.
func collect(r io.Reader, scan func(io.Reader, func(Row) error) error) ([]Row, error) {
	var rows []Row
	if err := scan(r, func(row Row) error { rows = append(rows, row); return nil }); err != nil {
		return nil, err
	}
	return rows, nil
}
