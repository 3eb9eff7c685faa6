package analytics

import (
	"fmt"
	"testing"
	"time"
)

func TestRFMSegmentForGrid(t *testing.T) {
	// Rows are R = 5..1, columns F = 1..5.
	grid := map[int][5]RFMSegment{
		5: {SegmentNewCustomers, SegmentPotentialLoyalists, SegmentPotentialLoyalists, SegmentChampions, SegmentChampions},
		4: {SegmentPromising, SegmentPotentialLoyalists, SegmentPotentialLoyalists, SegmentLoyal, SegmentLoyal},
		3: {SegmentAboutToSleep, SegmentAboutToSleep, SegmentNeedAttention, SegmentLoyal, SegmentLoyal},
		2: {SegmentHibernating, SegmentHibernating, SegmentAtRisk, SegmentAtRisk, SegmentCantLose},
		1: {SegmentHibernating, SegmentHibernating, SegmentAtRisk, SegmentAtRisk, SegmentCantLose},
	}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			if got, want := RFMSegmentFor(r, f), grid[r][f-1]; got != want {
				t.Errorf("RFMSegmentFor(%d, %d) = %s, want %s", r, f, got, want)
			}
		}
	}
}

// Every (R, F) pair maps to exactly one known segment and every segment is
// reachable.
func TestRFMGridIsComplete(t *testing.T) {
	known := map[RFMSegment]bool{}
	for _, s := range AllRFMSegments() {
		if known[s] {
			t.Errorf("segment %s listed twice", s)
		}
		known[s] = true
	}
	if len(known) != 10 {
		t.Errorf("got %d segments, want 10", len(known))
	}
	cells := map[RFMSegment]int{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			s := RFMSegmentFor(r, f)
			if !known[s] {
				t.Errorf("RFMSegmentFor(%d, %d) = %q is not in AllRFMSegments", r, f, s)
			}
			cells[s]++
		}
	}
	total := 0
	for _, s := range AllRFMSegments() {
		if cells[s] == 0 {
			t.Errorf("segment %s is unreachable", s)
		}
		total += cells[s]
	}
	if total != 25 {
		t.Errorf("grid covers %d cells, want 25", total)
	}
	// Out-of-range scores are clamped.
	if RFMSegmentFor(9, 9) != SegmentChampions || RFMSegmentFor(-1, 0) != SegmentHibernating {
		t.Error("out-of-range scores are not clamped into 1..5")
	}
}

func TestRFMSegmentLabels(t *testing.T) {
	tests := []struct {
		segment RFMSegment
		id      string
		label   string
	}{
		{SegmentChampions, "CHAMPIONS", "Champions"},
		{SegmentLoyal, "LOYAL", "Loyal"},
		{SegmentPotentialLoyalists, "POTENTIAL_LOYALISTS", "Potential Loyalists"},
		{SegmentNewCustomers, "NEW_CUSTOMERS", "New Customers"},
		{SegmentPromising, "PROMISING", "Promising"},
		{SegmentNeedAttention, "NEED_ATTENTION", "Need Attention"},
		{SegmentAboutToSleep, "ABOUT_TO_SLEEP", "About to Sleep"},
		{SegmentAtRisk, "AT_RISK", "At Risk"},
		{SegmentCantLose, "CANT_LOSE", "Can't Lose"},
		{SegmentHibernating, "HIBERNATING", "Hibernating"},
		{RFMSegment("OTHER"), "OTHER", "OTHER"},
	}
	for _, tt := range tests {
		if string(tt.segment) != tt.id || tt.segment.Label() != tt.label {
			t.Errorf("segment %q label %q, want %q %q", tt.segment, tt.segment.Label(), tt.id, tt.label)
		}
	}
}

func TestScoreRFM(t *testing.T) {
	asOf := date(2024, 6, 30)
	// Ten customers: c0 bought longest ago, least often and least; c9 most
	// recently, most often and most.
	var summaries []CustomerSummary
	for i := range 10 {
		summaries = append(summaries, CustomerSummary{
			CustomerID:   fmt.Sprintf("c%d", i),
			LastPurchase: asOf.AddDate(0, 0, -(100 - 10*i)),
			Transactions: i + 1,
			Revenue:      float64(10 * (i + 1)),
		})
	}
	got := ScoreRFM(summaries, asOf)
	for i, s := range got {
		wantScore := i/2 + 1 // two customers per quintile
		if s.CustomerID != summaries[i].CustomerID || s.Recency != 100-10*i || s.Frequency != i+1 || s.Monetary != float64(10*(i+1)) {
			t.Errorf("%d: values %+v", i, s)
		}
		if s.R != wantScore || s.F != wantScore || s.M != wantScore {
			t.Errorf("%s: R=%d F=%d M=%d, want all %d", s.CustomerID, s.R, s.F, s.M, wantScore)
		}
		if s.Segment != RFMSegmentFor(s.R, s.F) {
			t.Errorf("%s: segment %s, want %s", s.CustomerID, s.Segment, RFMSegmentFor(s.R, s.F))
		}
	}
	if got[9].Segment != SegmentChampions || got[0].Segment != SegmentHibernating {
		t.Errorf("best/worst segments = %s/%s", got[9].Segment, got[0].Segment)
	}
}

// Ties are broken by CustomerID, so the result does not depend on input
// order.
func TestScoreRFMTiesAreDeterministic(t *testing.T) {
	asOf := date(2024, 1, 31)
	same := func(id string) CustomerSummary {
		return CustomerSummary{CustomerID: id, LastPurchase: date(2024, 1, 1), Transactions: 1, Revenue: 10}
	}
	ids := []string{"e", "b", "d", "a", "c"}
	forward := []CustomerSummary{}
	for _, id := range ids {
		forward = append(forward, same(id))
	}
	reversed := []CustomerSummary{}
	for i := len(ids) - 1; i >= 0; i-- {
		reversed = append(reversed, same(ids[i]))
	}
	want := map[string]int{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
	for _, input := range [][]CustomerSummary{forward, reversed} {
		for _, s := range ScoreRFM(input, asOf) {
			if s.R != want[s.CustomerID] || s.F != want[s.CustomerID] || s.M != want[s.CustomerID] {
				t.Errorf("%s: R=%d F=%d M=%d, want %d", s.CustomerID, s.R, s.F, s.M, want[s.CustomerID])
			}
		}
	}
}

func TestScoreRFMSmallSets(t *testing.T) {
	if got := ScoreRFM(nil, time.Now()); len(got) != 0 {
		t.Errorf("ScoreRFM(nil) = %v", got)
	}
	one := ScoreRFM([]CustomerSummary{{CustomerID: "x", LastPurchase: date(2024, 1, 1), Transactions: 1}}, date(2024, 1, 3))
	if len(one) != 1 || one[0].R != 1 || one[0].F != 1 || one[0].Recency != 2 {
		t.Errorf("single customer = %+v", one)
	}
}

func TestScoreRFMCDNOWQuintileSizes(t *testing.T) {
	d := cdnowSample(t)
	scores := ScoreRFM(d.summaries, cdnowCalibrationEnd)
	counts := map[int]int{}
	segments := map[RFMSegment]int{}
	for _, s := range scores {
		counts[s.R]++
		segments[s.Segment]++
	}
	for q := 1; q <= 5; q++ {
		if counts[q] < 471 || counts[q] > 472 { // 2357/5
			t.Errorf("R=%d holds %d customers, want 471 or 472", q, counts[q])
		}
	}
	t.Logf("segments: %v", segments)
}
