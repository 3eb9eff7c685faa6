package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestSummarizeDaysMatchesSummarize checks SummarizeDays against Summarize,
// bit for bit, on customers with purchases out of order, several on one
// day, after the as-of date, or none before it.
func TestSummarizeDaysMatchesSummarize(t *testing.T) {
	asOf := time.Date(2026, 3, 31, 18, 0, 0, 0, time.UTC)
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		purchases []Purchase
	}{
		{"none", nil},
		{"only after the as-of day", []Purchase{{At: at(32, 1), Amount: 5}}},
		{"on the as-of day", []Purchase{{At: at(31, 23), Amount: 5}}},
		{"one day, amounts in order", []Purchase{{At: at(3, 1), Amount: 0.1}, {At: at(3, 2), Amount: 0.2}, {At: at(3, 3), Amount: 0.3}}},
		{"days out of order", []Purchase{{At: at(9, 1), Amount: 1.1}, {At: at(2, 1), Amount: 2.2}, {At: at(9, 0), Amount: 3.3}, {At: at(5, 1), Amount: 4.4}}},
	}
	r := rand.New(rand.NewPCG(5, 8))
	for c := range 2000 {
		var ps []Purchase
		for range r.IntN(12) {
			at := asOf.Add(-time.Duration(r.IntN(400*24)) * time.Hour).Add(time.Duration(r.IntN(3*24)) * time.Hour)
			ps = append(ps, Purchase{At: at, Amount: float64(r.IntN(100000)) / 100})
		}
		tests = append(tests, struct {
			name      string
			purchases []Purchase
		}{fmt.Sprint("random ", c), ps})
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	for _, tt := range tests {
		for _, unit := range []TimeUnit{Days, Weeks} {
			ps := make([]Purchase, len(tt.purchases))
			dated := make([]DatedAmount, len(tt.purchases))
			for i, p := range tt.purchases {
				p.CustomerID = "c"
				ps[i] = p
				dated[i] = DatedAmount{Day: DayNumber(p.At), Amount: p.Amount}
			}
			got, ok := SummarizeDays("c", dated, asOf, unit)
			want := Summarize(ps, asOf, unit)
			if ok != (len(want) == 1) {
				t.Fatalf("%s: SummarizeDays found %v, Summarize %d summaries", tt.name, ok, len(want))
			}
			if !ok {
				continue
			}
			w := want[0]
			if got.CustomerID != w.CustomerID || got.Frequency != w.Frequency || got.Transactions != w.Transactions ||
				!same(got.Recency, w.Recency) || !same(got.T, w.T) || !same(got.MonetaryValue, w.MonetaryValue) ||
				!same(got.Revenue, w.Revenue) || !got.FirstPurchase.Equal(w.FirstPurchase) || !got.LastPurchase.Equal(w.LastPurchase) {
				t.Fatalf("%s in %s: SummarizeDays %+v, Summarize %+v", tt.name, unit, got, w)
			}
		}
	}
}
