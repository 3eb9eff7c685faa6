package analytics

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// stableQuintiles and stablePercentileRanks are the stable-sort versions
// quintiles and percentileRanks replaced: the results must not change.
func stableQuintiles(s []RFMScore, value func(RFMScore) float64, set func(*RFMScore, int)) {
	n := len(s)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := cmp.Compare(value(s[a]), value(s[b])); c != 0 {
			return c
		}
		return strings.Compare(s[a].CustomerID, s[b].CustomerID)
	})
	for k, i := range idx {
		set(&s[i], 1+5*k/n)
	}
}

func stablePercentileRanks(vals []float64, ok []bool) []float64 {
	out := make([]float64, len(vals))
	idx := make([]int, 0, len(vals))
	for i := range vals {
		out[i] = 0.5
		if ok[i] {
			idx = append(idx, i)
		}
	}
	m := len(idx)
	if m < 2 {
		return out
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case vals[a] < vals[b]:
			return -1
		case vals[a] > vals[b]:
			return 1
		}
		return 0
	})
	for start := 0; start < m; {
		end := start + 1
		for end < m && vals[idx[end]] == vals[idx[start]] {
			end++
		}
		avg := float64(start+end-1) / 2
		for _, i := range idx[start:end] {
			out[i] = avg / float64(m-1)
		}
		start = end
	}
	return out
}

// TestRanksMatchTheStableSorts compares quintiles and percentileRanks with
// their stable-sort versions on values with many ties, duplicate customer
// IDs, NaNs and signed zeros.
func TestRanksMatchTheStableSorts(t *testing.T) {
	for _, tc := range []struct {
		n      int
		sorted bool
	}{{0, false}, {1, false}, {2, false}, {7, false}, {1000, false}, {20000, false}, {1000, true}, {20000, true}} {
		n := tc.n
		t.Run(fmt.Sprint(n, " sorted ", tc.sorted), func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, uint64(n)))
			special := []float64{math.NaN(), math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1)}
			vals := make([]float64, n)
			ok := make([]bool, n)
			s := make([]RFMScore, n)
			for i := range vals {
				vals[i] = float64(r.IntN(50))
				if r.IntN(20) == 0 {
					vals[i] = special[r.IntN(len(special))]
				}
				ok[i] = r.IntN(10) > 0 && !math.IsNaN(vals[i]) && !math.IsInf(vals[i], 0)
				s[i] = RFMScore{CustomerID: fmt.Sprint(r.IntN(n/2 + 1)), Recency: r.IntN(30), Frequency: r.IntN(5), Monetary: vals[i]}
			}
			if tc.sorted {
				slices.SortStableFunc(s, func(a, b RFMScore) int { return strings.Compare(a.CustomerID, b.CustomerID) })
			}
			if got, want := percentileRanks(vals, ok), stablePercentileRanks(vals, ok); !slices.Equal(got, want) {
				t.Errorf("percentileRanks differ from the stable sort's")
			}
			value := func(x RFMScore) float64 { return x.Monetary }
			got, want := slices.Clone(s), slices.Clone(s)
			quintiles(got, value, func(x *RFMScore, q int) { x.M = q })
			stableQuintiles(want, value, func(x *RFMScore, q int) { x.M = q })
			for i := range got {
				if got[i].M != want[i].M {
					t.Fatalf("customer %d: quintile %d, the stable sort's %d", i, got[i].M, want[i].M)
				}
			}
		})
	}
}

// BenchmarkScoreAtScale scores RFM and value for a million customers.
//
//	go test -run - -bench ScoreAtScale -benchtime 1x ./internal/analytics/
func BenchmarkScoreAtScale(b *testing.B) {
	data := syntheticSummaries(1_000_000)
	asOf := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range data {
		data[i].LastPurchase = asOf.Add(-time.Duration(data[i].T-data[i].Recency) * 7 * 24 * time.Hour)
	}
	table := NewValueTable(len(data))
	for i, c := range data {
		table.Set(i, ValueInput{PredictedCLV: c.Revenue, Profitability: c.MonetaryValue, Loyalty: c.T})
	}
	for b.Loop() {
		ScoreRFM(data, asOf)
		ScoreValueTable(table, DefaultValueWeights())
	}
}
