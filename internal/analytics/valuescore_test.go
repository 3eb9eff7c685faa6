package analytics

import (
	"math"
	"testing"
)

func TestValueWeightsNormalized(t *testing.T) {
	tests := []struct {
		name string
		in   ValueWeights
		want ValueWeights
	}{
		{"defaults already sum to 1", DefaultValueWeights(), DefaultValueWeights()},
		{"scaled", ValueWeights{CLV: 2, Profitability: 2}, ValueWeights{CLV: 0.5, Profitability: 0.5}},
		{"negative and NaN count as 0", ValueWeights{CLV: 1, Loyalty: -3, Engagement: math.NaN(), Advocacy: 3}, ValueWeights{CLV: 0.25, Advocacy: 0.75}},
		{"all zero uses defaults", ValueWeights{}, DefaultValueWeights()},
		{"infinite uses defaults", ValueWeights{CLV: math.Inf(1)}, DefaultValueWeights()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.Normalized()
			g := []float64{got.CLV, got.Profitability, got.Loyalty, got.Engagement, got.Satisfaction, got.Advocacy}
			w := []float64{tt.want.CLV, tt.want.Profitability, tt.want.Loyalty, tt.want.Engagement, tt.want.Satisfaction, tt.want.Advocacy}
			for i := range g {
				if math.Abs(g[i]-w[i]) > 1e-12 {
					t.Errorf("Normalized() = %+v, want %+v", got, tt.want)
					break
				}
			}
		})
	}
	d := DefaultValueWeights()
	if sum := d.CLV + d.Profitability + d.Loyalty + d.Engagement + d.Satisfaction + d.Advocacy; math.Abs(sum-1) > 1e-12 {
		t.Errorf("default weights sum to %v", sum)
	}
}

func TestPercentileRanks(t *testing.T) {
	tests := []struct {
		name string
		vals []float64
		ok   []bool
		want []float64
	}{
		{"distinct", []float64{30, 10, 20}, []bool{true, true, true}, []float64{1, 0, 0.5}},
		{"ties share the average rank", []float64{5, 1, 5, 9, 5}, []bool{true, true, true, true, true}, []float64{0.5, 0, 0.5, 1, 0.5}},
		{"all equal", []float64{7, 7, 7, 7}, []bool{true, true, true, true}, []float64{0.5, 0.5, 0.5, 0.5}},
		{"missing are neutral and not ranked", []float64{1, 0, 3}, []bool{true, false, true}, []float64{0, 0.5, 1}},
		{"single value", []float64{42}, []bool{true}, []float64{0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := percentileRanks(tt.vals, tt.ok)
			for i := range got {
				if math.Abs(got[i]-tt.want[i]) > 1e-12 {
					t.Errorf("percentileRanks(%v) = %v, want %v", tt.vals, got, tt.want)
					break
				}
			}
		})
	}
}

func ptr(v float64) *float64 { return &v }

func TestScoreValue(t *testing.T) {
	inputs := []ValueInput{
		{CustomerID: "low", PredictedCLV: 10, Profitability: 1, Loyalty: 1, Engagement: 1, Satisfaction: ptr(1), Advocacy: 0},
		{CustomerID: "high", PredictedCLV: 900, Profitability: 90, Loyalty: 9, Engagement: 9, Satisfaction: ptr(10), Advocacy: 5},
		{CustomerID: "silent", PredictedCLV: 100, Profitability: 10, Loyalty: 5, Engagement: 5, Satisfaction: nil, Advocacy: 1},
	}
	got := ScoreValue(inputs, DefaultValueWeights())
	want := map[string]struct {
		score float64
		tier  Tier
	}{
		// n = 3: positions (h + e/2)/3 are 1/6, 3/6, 5/6.
		"high":   {100, TierHigh},
		"silent": {100 * (0.35*0.5 + 0.2*0.5 + 0.15*0.5 + 0.1*0.5 + 0.1*0.5 + 0.1*0.5), TierMedium},
		"low":    {0, TierLow},
	}
	for i, s := range got {
		if s.CustomerID != inputs[i].CustomerID {
			t.Fatalf("output order %s, want input order %s", s.CustomerID, inputs[i].CustomerID)
		}
		w := want[s.CustomerID]
		if math.Abs(s.Score-w.score) > 1e-9 || s.Tier != w.tier {
			t.Errorf("%s: score %.4f tier %s, want %.4f %s", s.CustomerID, s.Score, s.Tier, w.score, w.tier)
		}
		if len(s.Components) != 6 || s.Components[0].Name != ComponentCLV || s.Components[4].Name != ComponentSatisfaction {
			t.Errorf("%s: components %+v", s.CustomerID, s.Components)
		}
	}
	// Missing satisfaction is neutral, not worst.
	if c := got[2].Components[4]; c.Value != 0.5 || c.Weight != 0.1 {
		t.Errorf("silent satisfaction component = %+v, want 0.5 weighted 0.1", c)
	}
}

func TestScoreValueTiersByRank(t *testing.T) {
	// 100 customers with distinct CLV only: top 5 VIP, next 15 HIGH, next 30
	// MEDIUM, rest LOW.
	var inputs []ValueInput
	for i := range 100 {
		inputs = append(inputs, ValueInput{CustomerID: string(rune(0x4e00 + i)), PredictedCLV: float64(i)})
	}
	got := ScoreValue(inputs, ValueWeights{CLV: 1})
	counts := map[Tier]int{}
	for i, s := range got {
		counts[s.Tier]++
		var want Tier
		switch rank := 100 - i; { // 1 = best
		case rank <= 5:
			want = TierVIP
		case rank <= 20:
			want = TierHigh
		case rank <= 50:
			want = TierMedium
		default:
			want = TierLow
		}
		if s.Tier != want {
			t.Errorf("rank %d: tier %s, want %s", 100-i, s.Tier, want)
		}
		if math.Abs(s.Score-100*float64(i)/99) > 1e-9 {
			t.Errorf("rank %d: score %v, want %v", 100-i, s.Score, 100*float64(i)/99)
		}
	}
	if counts[TierVIP] != 5 || counts[TierHigh] != 15 || counts[TierMedium] != 30 || counts[TierLow] != 50 {
		t.Errorf("tier sizes %v", counts)
	}
}

func TestScoreValueTiesAndEqualInputs(t *testing.T) {
	tests := []struct {
		name   string
		inputs []ValueInput
		want   []Tier
		scores []float64
	}{
		{
			name:   "all equal inputs share score 50 and MEDIUM",
			inputs: []ValueInput{{CustomerID: "a", PredictedCLV: 5}, {CustomerID: "b", PredictedCLV: 5}, {CustomerID: "c", PredictedCLV: 5}},
			want:   []Tier{TierMedium, TierMedium, TierMedium},
			scores: []float64{50, 50, 50},
		},
		{
			name:   "single customer",
			inputs: []ValueInput{{CustomerID: "a", PredictedCLV: 1e9}},
			want:   []Tier{TierMedium},
			scores: []float64{50},
		},
		{
			// 20 customers: the unique best is VIP (position 0.025); two
			// tied runners-up share position (1 + 2/2)/20 = 0.10: HIGH.
			name: "tied customers share a tier",
			inputs: func() []ValueInput {
				in := []ValueInput{{CustomerID: "best", PredictedCLV: 100}, {CustomerID: "tie1", PredictedCLV: 50}, {CustomerID: "tie2", PredictedCLV: 50}}
				for i := range 17 {
					in = append(in, ValueInput{CustomerID: string(rune('a' + i)), PredictedCLV: float64(i)})
				}
				return in
			}(),
			want: []Tier{TierVIP, TierHigh, TierHigh},
		},
		{
			name:   "non-finite values are neutral",
			inputs: []ValueInput{{CustomerID: "a", PredictedCLV: math.NaN()}, {CustomerID: "b", PredictedCLV: math.Inf(1)}, {CustomerID: "c", PredictedCLV: 3}},
			want:   []Tier{TierMedium, TierMedium, TierMedium},
			scores: []float64{50, 50, 50},
		},
		{name: "empty", inputs: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ValueWeights{CLV: 1}
			first := ScoreValue(tt.inputs, w)
			for i, tier := range tt.want {
				if first[i].Tier != tier {
					t.Errorf("%s: tier %s, want %s", first[i].CustomerID, first[i].Tier, tier)
				}
				if tt.scores != nil && math.Abs(first[i].Score-tt.scores[i]) > 1e-12 {
					t.Errorf("%s: score %v, want %v", first[i].CustomerID, first[i].Score, tt.scores[i])
				}
			}
			// Deterministic: the same inputs in reverse order give the same
			// result per customer.
			rev := make([]ValueInput, len(tt.inputs))
			for i := range tt.inputs {
				rev[len(rev)-1-i] = tt.inputs[i]
			}
			second := ScoreValue(rev, w)
			for i := range first {
				j := len(first) - 1 - i
				if first[i].Score != second[j].Score || first[i].Tier != second[j].Tier {
					t.Errorf("%s: %v/%s vs reversed %v/%s", first[i].CustomerID, first[i].Score, first[i].Tier, second[j].Score, second[j].Tier)
				}
			}
		})
	}
}
