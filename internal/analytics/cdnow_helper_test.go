package analytics

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ParseCDNOW is a test helper: the product imports CDNOW logs through
// package purchases (exact amounts, numbered line errors). It reads a purchase log in the layout of the CDNOW data sets
// distributed by Fader & Hardie: whitespace-separated columns, one purchase
// per line, dates as YYYYMMDD. Two layouts are accepted, line by line:
//
//   - 5 columns (CDNOW_sample): master customer id, sample customer id,
//     date, number of CDs, dollar value;
//   - 4 columns (CDNOW_master): customer id, date, number of CDs, dollar
//     value.
//
// The customer id is the first column, kept verbatim (leading zeros
// included). The purchase time is midnight UTC of the date. A header line
// (a first line whose date column is not a number) and blank lines are
// skipped; CRLF line endings are accepted. The number of CDs is not kept.
func ParseCDNOW(r io.Reader) ([]Purchase, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var out []Purchase
	line := 0
	seenData := false
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		var id, date, amount string
		switch len(fields) {
		case 5:
			id, date, amount = fields[0], fields[2], fields[4]
		case 4:
			id, date, amount = fields[0], fields[1], fields[3]
		default:
			return nil, fmt.Errorf("cdnow line %d: want 4 or 5 columns, got %d", line, len(fields))
		}
		if !seenData && !isDigits(date) {
			// Header line.
			seenData = true
			continue
		}
		seenData = true
		at, err := time.Parse("20060102", date)
		if err != nil {
			return nil, fmt.Errorf("cdnow line %d: date %q: %w", line, date, err)
		}
		v, err := strconv.ParseFloat(amount, 64)
		if err != nil {
			return nil, fmt.Errorf("cdnow line %d: dollar value %q: %w", line, amount, err)
		}
		out = append(out, Purchase{CustomerID: id, At: at, Amount: v})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cdnow: %w", err)
	}
	return out, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
