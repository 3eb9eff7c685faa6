package purchases

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/money"
)

// A Log is a purchase log read into memory compactly: 24 bytes a purchase
// and one key a customer, so that millions of rows take a few hundred
// megabytes rather than a string or two per row. It holds only rows an
// import will accept: reading a file checks every value as the data model
// would. Its customers are in the order of their keys and its purchases
// grouped by customer, the order an import writes them in.
type Log struct {
	rows      int
	customers []customer
	byKey     map[string]int32 // customer key → index in customers
	purchases []purchase
	// first[c] is the index of customer c's first purchase; the last entry
	// is len(purchases).
	first    []int32
	problems Errors
	buf      []byte
}

// customer is a customer named in a log.
type customer struct {
	// key is "email:" and the email, or "ext:" and the external ID.
	key string
	// line is the first line naming the customer.
	line int32
	// index is the customer's index while the log is read.
	index int32
}

// purchase is one row of a log. Rows of the same customer, day and amount
// keep the file's order: the occurrence of a row among them is its
// position in that run (see occurrence).
type purchase struct {
	customer int32 // index in Log.customers
	day      int32 // days since 1970-01-01
	amount   money.Amount
	cost     money.Amount // noCost when unknown
}

// noCost marks a purchase whose cost is not known.
const noCost money.Amount = -1

// ReadCSV reads a CSV purchase log (see ParseCSV) into a Log, or returns
// the problems of every bad row as Errors.
func ReadCSV(r io.Reader) (*Log, error) { return read(r, ScanCSV) }

// ReadCDNOW reads a CDNOW purchase log (see ParseCDNOW) into a Log, or
// returns the problems of every bad row as Errors.
func ReadCDNOW(r io.Reader) (*Log, error) { return read(r, ScanCDNOW) }

// NewLog returns a Log of rows, or the problems of the bad ones as Errors.
// A row's Date is a day: its time and zone are not kept.
func NewLog(rows []Row) (*Log, error) {
	l := newLog()
	for _, r := range rows {
		l.add(r)
	}
	if err := l.finish(nil); err != nil {
		return nil, err
	}
	return l, nil
}

// Len returns the number of rows of the log.
func (l *Log) Len() int { return l.rows }

// read reads a file with scan. When the file can be read twice (an
// *os.File), its lines are counted first, so that the purchases are held
// in one array of the right size rather than in one grown as they come.
func read(r io.Reader, scan func(io.Reader, func(Row) error) error) (*Log, error) {
	l := newLog()
	if rs, ok := r.(io.ReadSeeker); ok {
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			n, err := countLines(rs)
			if _, serr := rs.Seek(start, io.SeekStart); err != nil || serr != nil {
				return nil, cmp.Or(err, serr)
			}
			l.purchases = make([]purchase, 0, n)
		}
	}
	err := scan(bufio.NewReaderSize(r, 1<<16), func(row Row) error { l.add(row); return nil })
	if err := l.finish(err); err != nil {
		return nil, err
	}
	return l, nil
}

// countLines returns the number of lines of r.
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 1<<16)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if errors.Is(err, io.EOF) {
			return n + 1, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

func newLog() *Log { return &Log{byKey: map[string]int32{}} }

// add appends a row, checking its customer the first time it appears.
func (l *Log) add(r Row) {
	l.rows++
	if r.Line > math.MaxInt32 {
		l.problem(r.Line, "", "the file has too many lines")
		return
	}
	if r.Email != "" {
		l.buf = append(append(l.buf[:0], "email:"...), r.Email...)
	} else {
		l.buf = append(append(l.buf[:0], "ext:"...), r.ExternalID...)
	}
	c, ok := l.byKey[string(l.buf)]
	if !ok {
		key := string(l.buf)
		c = int32(len(l.customers))
		l.byKey[key] = c
		l.customers = append(l.customers, customer{key: key, line: int32(r.Line), index: c})
		l.checkCustomer(r)
	}
	if err := deal.AmountValidator(int64(r.Amount)); err != nil {
		l.problem(r.Line, "amount", err.Error())
	}
	cost := noCost
	if r.Cost != nil {
		cost = *r.Cost
		if err := deal.CostValidator(int64(cost)); err != nil {
			l.problem(r.Line, "cost", err.Error())
		}
	}
	if len(l.problems) > 0 {
		return // the log will be refused: keep checking, stop storing
	}
	l.purchases = append(l.purchases, purchase{customer: c, day: dayOf(r.Date), amount: r.Amount, cost: cost})
}

// checkCustomer refuses what the data model would refuse of the contact
// that the row's customer may become.
func (l *Log) checkCustomer(r Row) {
	if r.Email != "" {
		name, _, _ := strings.Cut(r.Email, "@")
		switch {
		case !validText(r.Email):
			l.problem(r.Line, "email", "must be UTF-8 text without NUL characters")
		case len(r.Email) > 254:
			l.problem(r.Line, "email", "is longer than 254 characters")
		case contact.EmailValidator(r.Email) != nil:
			l.problem(r.Line, "email", "is not an email address")
		case contact.FirstNameValidator(name) != nil:
			l.problem(r.Line, "email", "has more than 100 characters before the @, too many for the contact's first name")
		}
		return
	}
	switch {
	case !validText(r.ExternalID):
		l.problem(r.Line, "external_id", "must be UTF-8 text without NUL characters")
	case contact.ExternalIDValidator(r.ExternalID) != nil:
		l.problem(r.Line, "external_id", "is longer than 200 characters")
	}
}

// validText reports whether PostgreSQL can store s as text.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func (l *Log) problem(line int, column, message string) {
	l.problems = append(l.problems, LineError{Line: line, Column: column, Message: message})
}

// finish orders the log for writing and checks the purchases' external
// IDs, or returns every problem found, with those of scanErr, in line
// order.
func (l *Log) finish(scanErr error) error {
	var scanned Errors
	if scanErr != nil {
		if es, ok := scanErr.(Errors); ok {
			scanned = es
		} else {
			return scanErr
		}
	}
	if len(scanned)+len(l.problems) == 0 {
		l.order()
		l.checkPurchaseIDs()
	}
	if len(scanned)+len(l.problems) > 0 {
		all := append(scanned, l.problems...)
		slices.SortStableFunc(all, func(a, b LineError) int { return cmp.Compare(a.Line, b.Line) })
		return all[:min(len(all), MaxErrors)]
	}
	return nil
}

// order sorts the customers by key, and the purchases by customer, then
// day and amount, keeping the file's order among equals: a counting sort
// by customer applied in place, then a sort of each customer's few rows.
func (l *Log) order() {
	slices.SortFunc(l.customers, func(a, b customer) int { return strings.Compare(a.key, b.key) })
	rank := make([]int32, len(l.customers))
	for i := range l.customers {
		c := &l.customers[i]
		rank[c.index] = int32(i)
		c.index = int32(i)
		l.byKey[c.key] = int32(i)
	}
	l.first = make([]int32, len(l.customers)+1)
	for i := range l.purchases {
		p := &l.purchases[i]
		p.customer = rank[p.customer]
		l.first[p.customer+1]++
	}
	for c := range l.customers {
		l.first[c+1] += l.first[c]
	}
	// to[i] is where purchase i goes: after the earlier purchases of its
	// customer, so the sort is stable.
	next, to := rank, make([]int32, len(l.purchases))
	copy(next, l.first)
	for i, p := range l.purchases {
		to[i] = next[p.customer]
		next[p.customer]++
	}
	for i := range l.purchases {
		for j := to[i]; j != int32(i); j = to[i] {
			l.purchases[i], l.purchases[j] = l.purchases[j], l.purchases[i]
			to[i], to[j] = to[j], j
		}
	}
	for c := range l.customers {
		slices.SortStableFunc(l.purchases[l.first[c]:l.first[c+1]], compareDayAmount)
	}
}

// compareDayAmount orders purchases by day, then amount.
func compareDayAmount(a, b purchase) int {
	return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.amount, b.amount))
}

// occurrence returns the position of purchase i, from 1, among the rows
// of the file with the same customer, day and amount.
func (l *Log) occurrence(i int) int {
	p := l.purchases[i]
	lo := int(l.first[p.customer])
	at, _ := slices.BinarySearchFunc(l.purchases[lo:i+1], p, compareDayAmount)
	return i - lo - at + 1
}

// checkPurchaseIDs refuses customers whose keys make a purchase's external
// ID longer than the data model takes. The longest ID of a customer is
// that of the purchase with the most digits in its amount and occurrence.
func (l *Log) checkPurchaseIDs() {
	for c := range l.customers {
		longest, width := -1, 0
		for i := l.first[c]; i < l.first[c+1]; i++ {
			if w := digits(int64(l.purchases[i].amount)) + digits(int64(l.occurrence(int(i)))); w > width {
				longest, width = int(i), w
			}
		}
		if longest < 0 {
			continue
		}
		l.buf = l.purchaseID(l.buf[:0], longest)
		if deal.ExternalIDValidator(string(l.buf)) != nil {
			col := "email"
			if strings.HasPrefix(l.customers[c].key, "ext:") {
				col = "external_id"
			}
			l.problem(int(l.customers[c].line), col, "is too long to make the external IDs of the customer's purchases (200 characters at most)")
		}
	}
}

// digits returns the number of decimal digits of n ≥ 0.
func digits(n int64) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// purchaseID appends the external ID of purchase i to b:
// purchase:KEY:YYYY-MM-DD:CENTS:OCCURRENCE, where KEY is the customer's key
// (email:… or ext:…) and OCCURRENCE counts the rows of the file with the
// same customer, day and amount. Files imported before are recognised by
// it, so it never changes.
func (l *Log) purchaseID(b []byte, i int) []byte {
	p := l.purchases[i]
	b = append(b, purchasePrefix...)
	b = append(b, l.customers[p.customer].key...)
	b = append(b, ':')
	b = appendDay(b, p.day)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(p.amount), 10)
	b = append(b, ':')
	return strconv.AppendInt(b, int64(l.occurrence(i)), 10)
}

// dayOf returns the days from 1970-01-01 to t's calendar day.
func dayOf(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// dayTime returns day (days since 1970-01-01) as midnight UTC.
func dayTime(day int32) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }

// appendDay appends day as YYYY-MM-DD.
func appendDay(b []byte, day int32) []byte { return dayTime(day).AppendFormat(b, time.DateOnly) }
