// Package purchases imports historical orders from other systems into the
// CRM's purchase log: each row becomes a WON deal of a contact, creating the
// contacts it does not know. An import is all-or-nothing and idempotent:
// importing the same file twice adds nothing the second time.
package purchases

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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

// key is the customer key of the row.
func (r Row) key() string {
	if r.Email != "" {
		return "email:" + r.Email
	}
	return "ext:" + r.ExternalID
}

// LineError is a problem with one line of a file.
type LineError struct {
	// Line is the line number, from 1.
	Line int
	// Column is the column at fault, when there is one.
	Column string
	// Message says what is wrong.
	Message string
}

// Error implements error.
func (e LineError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// Errors is the list of problems found in a file.
type Errors []LineError

// Error implements error.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i == 20 {
			fmt.Fprintf(&b, "… and %d more", len(es)-20)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// MaxErrors is how many problems a parse reports before it stops.
const MaxErrors = 1000

// ParseCSV reads a CSV file whose header names its columns: email or
// external_id (at least one), date (YYYY-MM-DD), amount, and optionally cost.
// It returns every row, or the problems of every bad row.
func ParseCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, Errors{{Line: 1, Message: "the file needs a header line naming the columns email or external_id, date, amount[, cost]"}}
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
		return nil, problems
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			problems = append(problems, LineError{Line: line, Message: "malformed CSV"})
			if len(problems) >= MaxErrors {
				break
			}
			continue
		}
		row := Row{Line: line, Email: strings.ToLower(get(rec, "email")), ExternalID: get(rec, "external_id")}
		bad := func(c, m string) { problems = append(problems, LineError{Line: line, Column: c, Message: m}) }
		if row.Email == "" && row.ExternalID == "" {
			bad("email", "a row needs an email or an external_id")
		} else if row.Email != "" && !strings.Contains(row.Email, "@") {
			bad("email", "is not an email address")
		}
		if d, err := time.Parse("2006-01-02", get(rec, "date")); err != nil {
			bad("date", "must be a date as YYYY-MM-DD")
		} else {
			row.Date = d
		}
		if a, err := money.Parse(get(rec, "amount")); err != nil || a < 0 {
			bad("amount", "must be a non-negative amount with at most two decimals")
		} else {
			row.Amount = a
		}
		if c := get(rec, "cost"); c != "" {
			if v, err := money.Parse(c); err != nil || v < 0 {
				bad("cost", "must be a non-negative amount with at most two decimals")
			} else {
				row.Cost = &v
			}
		}
		rows = append(rows, row)
		if len(problems) >= MaxErrors {
			break
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return rows, nil
}

// ParseCDNOW reads a CDNOW purchase log as published by Fader & Hardie:
// whitespace-separated columns, dates as YYYYMMDD, either five columns
// (master id, sample id, date, CDs, dollars) or four (id, date, CDs,
// dollars) after an optional header. The customer's first column becomes
// its external ID, prefixed "cdnow-".
func ParseCDNOW(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	var rows []Row
	var problems Errors
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var id, date, amount string
		switch len(f) {
		case 5:
			id, date, amount = f[0], f[2], f[4]
		case 4:
			id, date, amount = f[0], f[1], f[3]
		default:
			problems = append(problems, LineError{Line: line, Message: fmt.Sprintf("want 4 or 5 columns, found %d", len(f))})
			continue
		}
		d, err := time.Parse("20060102", date)
		if err != nil {
			if line == 1 {
				continue // the header of CDNOW_master.txt
			}
			problems = append(problems, LineError{Line: line, Column: "date", Message: "must be a date as YYYYMMDD"})
			continue
		}
		a, err := money.Parse(amount)
		if err != nil || a < 0 {
			problems = append(problems, LineError{Line: line, Column: "dollar_value", Message: "must be a non-negative amount"})
			continue
		}
		rows = append(rows, Row{Line: line, ExternalID: "cdnow-" + id, Date: d, Amount: a})
		if len(problems) >= MaxErrors {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return rows, nil
}
