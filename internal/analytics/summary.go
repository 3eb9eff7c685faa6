package analytics

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// Purchase is one line of a purchase log.
type Purchase struct {
	// CustomerID identifies the customer; it is compared verbatim.
	CustomerID string
	// At is when the purchase happened. Only its UTC calendar date matters.
	At time.Time
	// Amount is the purchase value in currency units.
	Amount float64
}

// TimeUnit is the unit in which recency, customer age and model time
// horizons are expressed. The zero value is Days.
type TimeUnit int

const (
	// Days measures time in calendar days.
	Days TimeUnit = iota
	// Weeks measures time in weeks of seven calendar days.
	Weeks
)

// DaysPerMonth is the length of the average Gregorian month in days
// (365.25/12), used to convert monthly horizons into time units.
const DaysPerMonth = 365.25 / 12

// String returns "days" or "weeks".
func (u TimeUnit) String() string {
	if u == Weeks {
		return "weeks"
	}
	return "days"
}

// Days returns the number of days in one unit: 7 for Weeks and 1 for Days
// (and for any unknown value).
func (u TimeUnit) Days() float64 {
	if u == Weeks {
		return 7
	}
	return 1
}

// Duration returns the length of one unit as a time.Duration.
func (u TimeUnit) Duration() time.Duration {
	return time.Duration(u.Days()) * 24 * time.Hour
}

// FromDays converts a number of days into this unit.
func (u TimeUnit) FromDays(days float64) float64 {
	return days / u.Days()
}

// FromMonths converts a number of average months (DaysPerMonth days each)
// into this unit.
func (u TimeUnit) FromMonths(months float64) float64 {
	return months * DaysPerMonth / u.Days()
}

// CustomerSummary is the per-customer input of the CLV models, measured at
// a calibration date ("as of").
type CustomerSummary struct {
	// CustomerID identifies the customer.
	CustomerID string
	// Frequency is x, the number of repeat transactions (transactions after
	// the first purchase day).
	Frequency int
	// Recency is t_x, the time from the first to the last transaction, in
	// the summary's time unit.
	Recency float64
	// T is the customer's age: the time from the first transaction to the
	// as-of date, in the summary's time unit.
	T float64
	// MonetaryValue is the mean value of the repeat transactions, or 0 if
	// there are none. The first transaction is excluded, as the
	// Gamma-Gamma model requires.
	MonetaryValue float64
	// Transactions is the number of transactions including the first one
	// (Frequency + 1).
	Transactions int
	// Revenue is the total value of all transactions.
	Revenue float64
	// FirstPurchase and LastPurchase are the UTC calendar dates (midnight
	// UTC) of the first and last transactions.
	FirstPurchase, LastPurchase time.Time
}

// Summarize turns a purchase log into one CustomerSummary per customer,
// sorted by CustomerID. A transaction is a customer's purchasing on one UTC
// calendar day: purchases by the same customer on the same day are merged
// and their amounts summed. Purchases on a later calendar day than asOf are
// ignored; purchases on the asOf day count. Times are whole calendar-day
// differences converted to unit (days/7 for Weeks). Customers with no
// purchase on or before asOf are omitted.
func Summarize(purchases []Purchase, asOf time.Time, unit TimeUnit) []CustomerSummary {
	asOfDay := dayNumber(asOf)
	byCustomer := make(map[string]map[int64]float64)
	for _, p := range purchases {
		d := dayNumber(p.At)
		if d > asOfDay {
			continue
		}
		days := byCustomer[p.CustomerID]
		if days == nil {
			days = make(map[int64]float64)
			byCustomer[p.CustomerID] = days
		}
		days[d] += p.Amount
	}

	out := make([]CustomerSummary, 0, len(byCustomer))
	for id, days := range byCustomer {
		order := make([]int64, 0, len(days))
		for d := range days {
			order = append(order, d)
		}
		sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
		first, last := order[0], order[len(order)-1]
		var revenue, repeat float64
		for i, d := range order {
			revenue += days[d]
			if i > 0 {
				repeat += days[d]
			}
		}
		x := len(order) - 1
		s := CustomerSummary{
			CustomerID:    id,
			Frequency:     x,
			Recency:       unit.FromDays(float64(last - first)),
			T:             unit.FromDays(float64(asOfDay - first)),
			Transactions:  len(order),
			Revenue:       revenue,
			FirstPurchase: dayTime(first),
			LastPurchase:  dayTime(last),
		}
		if x > 0 {
			s.MonetaryValue = repeat / float64(x)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CustomerID < out[j].CustomerID })
	return out
}

// dayNumber returns the number of days from 1970-01-01 to t's UTC date.
func dayNumber(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	secs := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()
	// Midnight UTC is an exact multiple of 86400; floor for negative values.
	n := secs / 86400
	if secs%86400 != 0 && secs < 0 {
		n--
	}
	return n
}

// dayTime returns midnight UTC of the given day number.
func dayTime(n int64) time.Time {
	return time.Unix(n*86400, 0).UTC()
}

// daysBetween returns the number of calendar days from a's UTC date to b's.
func daysBetween(a, b time.Time) int {
	return int(dayNumber(b) - dayNumber(a))
}

// DayNumber returns the number of days from 1970-01-01 to t's UTC calendar
// date: the day of a purchase as DatedAmount holds it.
func DayNumber(t time.Time) int64 { return dayNumber(t) }

// DatedAmount is what a customer spent in one purchase and the day of the
// purchase, numbered as DayNumber numbers it.
type DatedAmount struct {
	Day    int64
	Amount float64
}

// SummarizeDays summarizes the purchases of the one customer id as
// Summarize summarizes the same purchases given with times on their days,
// in the same order: amounts of one day add up in the order given. It
// returns false when the customer has no purchase on or before asOf. It
// reorders and overwrites purchases, and allocates nothing, for callers
// that summarize many customers one at a time.
func SummarizeDays(id string, purchases []DatedAmount, asOf time.Time, unit TimeUnit) (CustomerSummary, bool) {
	asOfDay := dayNumber(asOf)
	ds := purchases[:0]
	for _, p := range purchases {
		if p.Day <= asOfDay {
			ds = append(ds, p)
		}
	}
	if len(ds) == 0 {
		return CustomerSummary{}, false
	}
	byDay := func(a, b DatedAmount) int { return cmp.Compare(a.Day, b.Day) }
	if !slices.IsSortedFunc(ds, byDay) {
		slices.SortStableFunc(ds, byDay)
	}
	var revenue, repeat, day float64
	n := 0
	for i := 0; i < len(ds); {
		day = 0
		j := i
		for ; j < len(ds) && ds[j].Day == ds[i].Day; j++ {
			day += ds[j].Amount
		}
		revenue += day
		if n > 0 {
			repeat += day
		}
		n++
		i = j
	}
	first, last := ds[0].Day, ds[len(ds)-1].Day
	x := n - 1
	s := CustomerSummary{
		CustomerID:    id,
		Frequency:     x,
		Recency:       unit.FromDays(float64(last - first)),
		T:             unit.FromDays(float64(asOfDay - first)),
		Transactions:  n,
		Revenue:       revenue,
		FirstPurchase: dayTime(first),
		LastPurchase:  dayTime(last),
	}
	if x > 0 {
		s.MonetaryValue = repeat / float64(x)
	}
	return s, true
}
