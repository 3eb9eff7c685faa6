package purchases

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
)

// The organization's existing contacts and purchases are found by reading
// its keys once, set against the log in memory: a sequential read of the
// organization's keyed contacts and purchase deals, however many rows the
// file has, and nothing kept but the matches.

// matchContacts sets ids[c] to the ID of the organization's contact that
// customer c names already: by email for a customer named by email, by
// external ID for the others.
func (l *Log) matchContacts(ctx context.Context, t txn, ids []pulid.ID) error {
	rows, err := t.query(ctx, store.Rebind(t.dialect,
		`SELECT id, email, external_id FROM contacts
		WHERE organization_id = ? AND (email IS NOT NULL OR external_id IS NOT NULL)`), string(t.org))
	if err != nil {
		return fmt.Errorf("purchases: reading the organization's contacts: %w", err)
	}
	defer rows.Close()
	var id, email, ext sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &email, &ext); err != nil {
			return fmt.Errorf("purchases: reading the organization's contacts: %w", err)
		}
		if email != nil {
			if c, ok := l.customer("email:", email); ok {
				ids[c] = pulid.ID(id)
			}
		}
		if ext != nil {
			if c, ok := l.customer("ext:", ext); ok {
				ids[c] = pulid.ID(id)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("purchases: reading the organization's contacts: %w", err)
	}
	return nil
}

// customer returns the index of the customer whose key is kind and name.
func (l *Log) customer(kind string, name []byte) (int32, bool) {
	l.buf = append(append(l.buf[:0], kind...), name...)
	c, ok := l.byKey[string(l.buf)]
	return c, ok
}

// purchasePrefix starts the external ID of every imported purchase.
const purchasePrefix = "purchase:"

// matchPurchases sets imported[i] for each purchase i the organization has
// already: a deal with the purchase's external ID.
func (l *Log) matchPurchases(ctx context.Context, t txn, imported []bool) error {
	rows, err := t.query(ctx, store.Rebind(t.dialect,
		`SELECT external_id FROM deals WHERE organization_id = ? AND external_id LIKE '`+purchasePrefix+`%'`), string(t.org))
	if err != nil {
		return fmt.Errorf("purchases: reading the organization's purchases: %w", err)
	}
	defer rows.Close()
	var ext sql.RawBytes
	var last lastCustomer
	for rows.Next() {
		if err := rows.Scan(&ext); err != nil {
			return fmt.Errorf("purchases: reading the organization's purchases: %w", err)
		}
		if i, ok := l.purchaseOf(ext, &last); ok {
			imported[i] = true
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("purchases: reading the organization's purchases: %w", err)
	}
	return nil
}

// lastCustomer is the customer of the previous purchase matched: most
// follow one another by customer, as imports write them, and are matched
// without looking the key up again.
type lastCustomer struct {
	key   []byte
	index int32
	found bool
}

// purchaseOf returns the index of the purchase whose external ID is ext
// (see purchaseID), if the log has it.
func (l *Log) purchaseOf(ext []byte, last *lastCustomer) (int, bool) {
	rest, ok := bytes.CutPrefix(ext, []byte(purchasePrefix))
	if !ok {
		return 0, false
	}
	// From the right, as a customer key may hold colons.
	var fields [3][]byte // day, cents, occurrence
	for f := 2; f >= 0; f-- {
		i := bytes.LastIndexByte(rest, ':')
		if i < 0 {
			return 0, false
		}
		rest, fields[f] = rest[:i], rest[i+1:]
	}
	if last.key == nil || !bytes.Equal(rest, last.key) {
		last.key = append(last.key[:0], rest...)
		last.index, last.found = l.byKey[string(rest)]
	}
	c := last.index
	if !last.found {
		return 0, false
	}
	day, ok := parseDayBytes(fields[0])
	cents, err1 := strconv.ParseInt(string(fields[1]), 10, 64)
	occ, err2 := strconv.ParseInt(string(fields[2]), 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, false
	}
	lo, hi := int(l.first[c]), int(l.first[c+1])
	at, _ := slices.BinarySearchFunc(l.purchases[lo:hi], purchase{day: day, amount: money.Amount(cents)}, compareDayAmount)
	i := lo + at + int(occ) - 1
	if occ < 1 || i >= hi {
		return 0, false
	}
	if p := l.purchases[i]; p.day != day || int64(p.amount) != cents {
		return 0, false
	}
	return i, true
}

// parseDayBytes parses YYYY-MM-DD into days since 1970-01-01.
func parseDayBytes(b []byte) (int32, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, ch := range s {
			if ch < '0' || ch > '9' {
				return 0, false
			}
			n = n*10 + int(ch-'0')
		}
		return n, true
	}
	y, ok1 := num(b[:4])
	m, ok2 := num(b[5:7])
	d, ok3 := num(b[8:])
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return 0, false
	}
	return dayOf(t), true
}
