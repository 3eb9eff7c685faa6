package analytics

import (
	"math"
	"slices"
	"sort"
)

// ValueWeights are the relative weights of the value-score components.
type ValueWeights struct {
	CLV, Profitability, Loyalty, Engagement, Satisfaction, Advocacy float64
}

// DefaultValueWeights returns the default weights: CLV 0.35,
// profitability 0.20, loyalty 0.15, engagement 0.10, satisfaction 0.10 and
// advocacy 0.10.
func DefaultValueWeights() ValueWeights {
	return ValueWeights{CLV: 0.35, Profitability: 0.20, Loyalty: 0.15, Engagement: 0.10, Satisfaction: 0.10, Advocacy: 0.10}
}

// Normalized returns the weights scaled to sum to 1. Negative and
// non-finite weights count as 0; if no weight is positive the defaults are
// returned.
func (w ValueWeights) Normalized() ValueWeights {
	ws := []*float64{&w.CLV, &w.Profitability, &w.Loyalty, &w.Engagement, &w.Satisfaction, &w.Advocacy}
	var sum float64
	for _, v := range ws {
		if !(*v > 0) || math.IsInf(*v, 0) {
			*v = 0
		}
		sum += *v
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return DefaultValueWeights()
	}
	for _, v := range ws {
		*v /= sum
	}
	return w
}

// ValueInput holds one customer's raw value indicators. Only their order
// within the organization matters, so any scale may be used; higher is
// better for every indicator.
type ValueInput struct {
	CustomerID string
	// PredictedCLV is the predicted customer lifetime value.
	PredictedCLV float64
	// Profitability is e.g. the gross margin earned from the customer.
	Profitability float64
	// Loyalty is e.g. the tenure or retention indicator.
	Loyalty float64
	// Engagement is e.g. recent interaction activity.
	Engagement float64
	// Satisfaction is e.g. a survey score; nil means no response and
	// yields the neutral percentile 0.5.
	Satisfaction *float64
	// Advocacy is e.g. referrals or a promoter score.
	Advocacy float64
}

// ValueComponent names a value-score component.
type ValueComponent string

// Value-score components, in the order they appear in ValueScore.Components.
const (
	ComponentCLV           ValueComponent = "CLV"
	ComponentProfitability ValueComponent = "PROFITABILITY"
	ComponentLoyalty       ValueComponent = "LOYALTY"
	ComponentEngagement    ValueComponent = "ENGAGEMENT"
	ComponentSatisfaction  ValueComponent = "SATISFACTION"
	ComponentAdvocacy      ValueComponent = "ADVOCACY"
)

// Component is one term of a value score.
type Component struct {
	// Name identifies the component.
	Name ValueComponent `json:"name"`
	// Value is the customer's percentile rank within the organization for
	// this component, in [0, 1].
	Value float64 `json:"value"`
	// Weight is the normalized weight of the component.
	Weight float64 `json:"weight"`
	// Raw is the measured quantity the rank was taken of, when known.
	Raw float64 `json:"raw"`
}

// Tier is a customer value tier.
type Tier string

// Value tiers; see ScoreValue for how they are assigned.
const (
	TierVIP    Tier = "VIP"
	TierHigh   Tier = "HIGH"
	TierMedium Tier = "MEDIUM"
	TierLow    Tier = "LOW"
)

// ValueScore is a customer's composite value score.
type ValueScore struct {
	CustomerID string
	// Score is 100 × the weighted sum of the component percentiles, in
	// [0, 100].
	Score float64
	// Tier is the customer's tier by score rank.
	Tier Tier
	// Components are the percentiles and weights the score is made of.
	Components []Component
}

// ScoreValue computes value scores for the customers of one organization,
// returned in input order.
//
// Each component is converted into a percentile rank within the
// organization: (rank-1)/(n-1) with rank 1 for the lowest value, tied
// values sharing their average rank, and 0.5 when n = 1. Missing
// satisfaction (nil) and non-finite values are excluded from the ranking
// and get the neutral 0.5. The score is 100 × Σ weight × percentile with
// w.Normalized() weights.
//
// Tiers are assigned by the score's rank in the organization: with h
// customers scoring strictly higher and e customers (including this one)
// scoring the same, the customer's position is q = (h + e/2)/n, the
// midpoint of its tie block; q ≤ 0.05 is VIP (top 5%), q ≤ 0.20 HIGH (next
// 15%), q ≤ 0.50 MEDIUM (next 30%) and the rest LOW. Equal scores thus
// always share a tier, and an organization whose customers all score the
// same is entirely MEDIUM.
func ScoreValue(inputs []ValueInput, w ValueWeights) []ValueScore {
	t := NewValueTable(len(inputs))
	for i, in := range inputs {
		t.Set(i, in)
	}
	s := ScoreValueTable(t, w)
	out := make([]ValueScore, len(inputs))
	for i, in := range inputs {
		out[i] = ValueScore{CustomerID: in.CustomerID, Score: s.Scores[i], Tier: s.Tiers[i], Components: s.Components(i, nil)}
	}
	return out
}

// ValueComponents lists the components in the order of
// ValueScore.Components.
var ValueComponents = [...]ValueComponent{
	ComponentCLV, ComponentProfitability, ComponentLoyalty,
	ComponentEngagement, ComponentSatisfaction, ComponentAdvocacy,
}

// ValueTable holds the value indicators of many customers column by
// column, in ValueComponents order: Columns[c][i] is customer i's raw value
// of component c. It is the compact form of a []ValueInput.
type ValueTable struct {
	Columns [len(ValueComponents)][]float64
	// Answered says which customers have a satisfaction value; the
	// satisfaction of the others is missing.
	Answered []bool
}

// Index of each component in ValueComponents and ValueTable.Columns.
const (
	columnCLV = iota
	columnProfitability
	columnLoyalty
	columnEngagement
	columnSatisfaction
	columnAdvocacy
)

// NewValueTable returns a table of n customers with every value zero and
// satisfaction missing.
func NewValueTable(n int) ValueTable {
	var t ValueTable
	for c := range t.Columns {
		t.Columns[c] = make([]float64, n)
	}
	t.Answered = make([]bool, n)
	return t
}

// Set stores the indicators of customer i.
func (t ValueTable) Set(i int, in ValueInput) {
	t.Columns[columnCLV][i] = in.PredictedCLV
	t.Columns[columnProfitability][i] = in.Profitability
	t.Columns[columnLoyalty][i] = in.Loyalty
	t.Columns[columnEngagement][i] = in.Engagement
	t.Columns[columnAdvocacy][i] = in.Advocacy
	t.Columns[columnSatisfaction][i] = 0
	t.Answered[i] = in.Satisfaction != nil
	if in.Satisfaction != nil {
		t.Columns[columnSatisfaction][i] = *in.Satisfaction
	}
}

// Len returns the number of customers in the table.
func (t ValueTable) Len() int { return len(t.Answered) }

// ValueScores are the value scores of the customers of a ValueTable,
// column by column.
type ValueScores struct {
	// Weights are the normalized weights, in ValueComponents order.
	Weights [len(ValueComponents)]float64
	// Percentiles[c][i] is customer i's percentile rank for component c.
	Percentiles [len(ValueComponents)][]float64
	// Scores and Tiers are each customer's score and tier.
	Scores []float64
	Tiers  []Tier
}

// Components returns customer i's score components appended to dst, in
// ValueComponents order, with Raw left zero.
func (s ValueScores) Components(i int, dst []Component) []Component {
	for c, name := range ValueComponents {
		dst = append(dst, Component{Name: name, Value: s.Percentiles[c][i], Weight: s.Weights[c]})
	}
	return dst
}

// ScoreValueTable computes the value scores of the customers of t exactly
// as ScoreValue does for the same inputs.
func ScoreValueTable(t ValueTable, w ValueWeights) ValueScores {
	w = w.Normalized()
	n := t.Len()
	s := ValueScores{
		Weights: [...]float64{w.CLV, w.Profitability, w.Loyalty, w.Engagement, w.Satisfaction, w.Advocacy},
		Scores:  make([]float64, n),
		Tiers:   make([]Tier, n),
	}
	ok := make([]bool, n)
	for c, vals := range t.Columns {
		for i, v := range vals {
			ok[i] = finite(v) && (c != columnSatisfaction || t.Answered[i])
		}
		s.Percentiles[c] = percentileRanks(vals, ok)
	}
	for i := range s.Scores {
		var sum float64
		for c := range s.Percentiles {
			sum += s.Weights[c] * s.Percentiles[c][i]
		}
		s.Scores[i] = math.Min(math.Max(100*sum, 0), 100)
	}
	sorted := slices.Clone(s.Scores)
	slices.Sort(sorted)
	for i, v := range s.Scores {
		lo := sort.SearchFloat64s(sorted, v)
		hi := sort.Search(n, func(k int) bool { return sorted[k] > v })
		s.Tiers[i] = tierFor(n-hi, hi-lo, n)
	}
	return s
}

// tierFor returns the tier of a customer with higher customers scoring
// strictly more and equal customers (itself included) scoring the same,
// out of n, comparing (higher + equal/2)/n with the cut-offs in integers.
func tierFor(higher, equal, n int) Tier {
	twice := 2*higher + equal // 2·q·n
	switch {
	case twice*10 <= n: // q ≤ 0.05
		return TierVIP
	case twice*5 <= 2*n: // q ≤ 0.20
		return TierHigh
	case twice <= n: // q ≤ 0.50
		return TierMedium
	}
	return TierLow
}

// percentileRanks returns (rank-1)/(m-1) for the m values with ok set,
// ties sharing their average rank, and 0.5 for the others or when m = 1.
func percentileRanks(vals []float64, ok []bool) []float64 {
	type ranked struct {
		v float64
		i int
	}
	out := make([]float64, len(vals))
	sorted := make([]ranked, 0, len(vals))
	for i, v := range vals {
		out[i] = 0.5
		if ok[i] {
			sorted = append(sorted, ranked{v, i})
		}
	}
	m := len(sorted)
	if m < 2 {
		return out
	}
	// Tied values share one rank, so their order does not matter.
	slices.SortFunc(sorted, func(a, b ranked) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	for start := 0; start < m; {
		end := start + 1
		for end < m && sorted[end].v == sorted[start].v {
			end++
		}
		// 0-based ranks start..end-1 share their mean.
		avg := float64(start+end-1) / 2
		for _, r := range sorted[start:end] {
			out[r.i] = avg / float64(m-1)
		}
		start = end
	}
	return out
}
