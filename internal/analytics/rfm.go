package analytics

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// RFMSegment is a named customer segment derived from the recency and
// frequency scores. Its string value is a GraphQL-enum friendly identifier.
type RFMSegment string

// RFM segments, in AllRFMSegments order.
const (
	SegmentChampions          RFMSegment = "CHAMPIONS"
	SegmentLoyal              RFMSegment = "LOYAL"
	SegmentPotentialLoyalists RFMSegment = "POTENTIAL_LOYALISTS"
	SegmentNewCustomers       RFMSegment = "NEW_CUSTOMERS"
	SegmentPromising          RFMSegment = "PROMISING"
	SegmentNeedAttention      RFMSegment = "NEED_ATTENTION"
	SegmentAboutToSleep       RFMSegment = "ABOUT_TO_SLEEP"
	SegmentAtRisk             RFMSegment = "AT_RISK"
	SegmentCantLose           RFMSegment = "CANT_LOSE"
	SegmentHibernating        RFMSegment = "HIBERNATING"
)

var rfmLabels = map[RFMSegment]string{
	SegmentChampions:          "Champions",
	SegmentLoyal:              "Loyal",
	SegmentPotentialLoyalists: "Potential Loyalists",
	SegmentNewCustomers:       "New Customers",
	SegmentPromising:          "Promising",
	SegmentNeedAttention:      "Need Attention",
	SegmentAboutToSleep:       "About to Sleep",
	SegmentAtRisk:             "At Risk",
	SegmentCantLose:           "Can't Lose",
	SegmentHibernating:        "Hibernating",
}

// AllRFMSegments returns every segment, from the most to the least engaged.
func AllRFMSegments() []RFMSegment {
	return []RFMSegment{
		SegmentChampions, SegmentLoyal, SegmentPotentialLoyalists, SegmentNewCustomers,
		SegmentPromising, SegmentNeedAttention, SegmentAboutToSleep, SegmentAtRisk,
		SegmentCantLose, SegmentHibernating,
	}
}

// Label returns the segment's display name, e.g. "Can't Lose", or the raw
// identifier for unknown segments.
func (s RFMSegment) Label() string {
	if l, ok := rfmLabels[s]; ok {
		return l
	}
	return string(s)
}

// rfmGrid maps [R-1][F-1] to a segment; see RFMSegmentFor.
var rfmGrid = [5][5]RFMSegment{
	{SegmentHibernating, SegmentHibernating, SegmentAtRisk, SegmentAtRisk, SegmentCantLose},
	{SegmentHibernating, SegmentHibernating, SegmentAtRisk, SegmentAtRisk, SegmentCantLose},
	{SegmentAboutToSleep, SegmentAboutToSleep, SegmentNeedAttention, SegmentLoyal, SegmentLoyal},
	{SegmentPromising, SegmentPotentialLoyalists, SegmentPotentialLoyalists, SegmentLoyal, SegmentLoyal},
	{SegmentNewCustomers, SegmentPotentialLoyalists, SegmentPotentialLoyalists, SegmentChampions, SegmentChampions},
}

// RFMSegmentFor returns the segment of a recency score r and frequency
// score f (each 1-5, 5 best) according to the widely used R×F grid:
//
//	R\F   1               2                    3                    4          5
//	5     New Customers   Potential Loyalists  Potential Loyalists  Champions  Champions
//	4     Promising       Potential Loyalists  Potential Loyalists  Loyal      Loyal
//	3     About to Sleep  About to Sleep       Need Attention       Loyal      Loyal
//	2     Hibernating     Hibernating          At Risk              At Risk    Can't Lose
//	1     Hibernating     Hibernating          At Risk              At Risk    Can't Lose
//
// Scores outside 1-5 are clamped into range.
func RFMSegmentFor(r, f int) RFMSegment {
	return rfmGrid[clampScore(r)-1][clampScore(f)-1]
}

func clampScore(s int) int {
	return min(max(s, 1), 5)
}

// RFMScore is a customer's recency, frequency and monetary values and
// their quintile scores within the scored set.
type RFMScore struct {
	// CustomerID identifies the customer.
	CustomerID string
	// Recency is the number of calendar days from the last purchase to the
	// as-of date.
	Recency int
	// Frequency is the number of transactions (purchase days).
	Frequency int
	// Monetary is the total revenue.
	Monetary float64
	// R, F and M are quintile scores 1-5; 5 is the most recent, most
	// frequent and highest-spending fifth of the set.
	R, F, M int
	// Segment is RFMSegmentFor(R, F); M does not affect the segment.
	Segment RFMSegment
}

// ScoreRFM scores customers against each other as of asOf, returning one
// RFMScore per summary in input order. Each dimension is scored by sorting
// the customers from worst to best value (ties broken by ascending
// CustomerID) and assigning the k-th of n customers (0-based) the score
// 1 + ⌊5k/n⌋, so each score holds a fifth of the customers and tied values
// may fall into adjacent scores, deterministically.
func ScoreRFM(summaries []CustomerSummary, asOf time.Time) []RFMScore {
	out := make([]RFMScore, len(summaries))
	for i, c := range summaries {
		out[i] = RFMScore{
			CustomerID: c.CustomerID,
			Recency:    daysBetween(c.LastPurchase, asOf),
			Frequency:  c.Transactions,
			Monetary:   c.Revenue,
		}
	}
	// Worst recency is the largest number of days.
	quintiles(out, func(s RFMScore) float64 { return -float64(s.Recency) }, func(s *RFMScore, q int) { s.R = q })
	quintiles(out, func(s RFMScore) float64 { return float64(s.Frequency) }, func(s *RFMScore, q int) { s.F = q })
	quintiles(out, func(s RFMScore) float64 { return s.Monetary }, func(s *RFMScore, q int) { s.M = q })
	for i := range out {
		out[i].Segment = RFMSegmentFor(out[i].R, out[i].F)
	}
	return out
}

// quintiles assigns 1-5 scores by ascending value (higher is better), ties
// broken by CustomerID then input position. NaN values rank lowest.
func quintiles(s []RFMScore, value func(RFMScore) float64, set func(*RFMScore, int)) {
	n := len(s)
	idx := make([]int, n)
	values := make([]float64, n)
	for i := range idx {
		idx[i] = i
		values[i] = value(s[i])
	}
	// The order is total, so an unstable sort yields the one order. When
	// the customers come in CustomerID order, as a refresh passes them,
	// input position breaks ties alone.
	inIDOrder := true
	for i := 1; i < n && inIDOrder; i++ {
		inIDOrder = s[i-1].CustomerID <= s[i].CustomerID
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(values[a], values[b]); c != 0 {
			return c
		}
		if !inIDOrder {
			if c := strings.Compare(s[a].CustomerID, s[b].CustomerID); c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
	for k, i := range idx {
		set(&s[i], 1+5*k/n)
	}
}
