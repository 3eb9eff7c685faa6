package purchases

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/headlesscrm/crm/internal/money"
)

// ParseCDNOW reads a CDNOW purchase log as published by Fader & Hardie:
// whitespace-separated columns, dates as YYYYMMDD, either five columns
// (master id, sample id, date, CDs, dollars) or four (id, date, CDs,
// dollars) after an optional header. The customer's first column becomes
// its external ID, prefixed "cdnow-".
func ParseCDNOW(r io.Reader) ([]Row, error) {
	return collect(r, ScanCDNOW)
}

// ScanCDNOW reads a CDNOW purchase log as ParseCDNOW does, one row at a
// time, calling fn with each good row in file order; see ScanCSV.
func ScanCDNOW(r io.Reader, fn func(Row) error) error {
	sc := bufio.NewScanner(r)
	var problems Errors
	for line := 1; sc.Scan() && len(problems) < MaxErrors; line++ {
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
		d, err := parseDay("20060102", date)
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
		if len(problems) == 0 {
			if err := fn(Row{Line: line, ExternalID: "cdnow-" + id, Date: d, Amount: a}); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return problems
	}
	return nil
}
