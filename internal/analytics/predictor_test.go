package analytics

import (
	"math"
	"testing"
)

// TestPredictorPredictsAsModelDoes checks that a Predictor's forecasts are
// bit for bit those of Model.Predict, whatever the model, horizon and
// customer, including customers the BG/NBD model cannot evaluate.
func TestPredictorPredictsAsModelDoes(t *testing.T) {
	customers := syntheticSummaries(3000)
	// Customers sharing repeat transactions and age with another, as many
	// do in a real population, but not recency or spend.
	for _, c := range customers[:500] {
		c.CustomerID += " twin"
		c.Recency /= 2
		c.MonetaryValue *= 1.5
		customers = append(customers, c)
	}
	customers = append(customers,
		CustomerSummary{CustomerID: "negative", Frequency: -1, T: 3},
		CustomerSummary{CustomerID: "recency past age", Frequency: 2, Recency: 9, T: 4, Transactions: 3, Revenue: 30},
		CustomerSummary{CustomerID: "nan", Frequency: 1, Recency: math.NaN(), T: 5, Transactions: 2, Revenue: 20},
		CustomerSummary{CustomerID: "new", Transactions: 1, Revenue: 12},
	)
	bg, gg := &BGNBDFit{Params: publishedBGNBD}, &GammaGammaFit{Params: publishedGammaGamma}
	fallback := FallbackParams{AverageOrderValue: 35, PurchaseRate: 0.05, LifetimeMonths: 24}
	tests := []struct {
		name     string
		model    Model
		months   int
		discount float64
	}{
		{"BG/NBD and Gamma-Gamma", Model{BGNBD: bg, GammaGamma: gg, Unit: Weeks, FallbackParams: fallback}, 12, 0.01},
		{"BG/NBD and mean spend", Model{BGNBD: bg, Unit: Weeks, FallbackParams: fallback}, 12, 0.01},
		{"in days over two years", Model{BGNBD: bg, GammaGamma: gg, Unit: Days, FallbackParams: fallback}, 24, 0.02},
		{"fallback", Model{Fallback: true, Unit: Weeks, FallbackParams: fallback}, 12, 0.01},
		{"fitted", Fit(customers, Weeks), 6, 0},
	}
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.model.NewPredictor(tt.months, tt.discount)
			for _, c := range customers {
				want := tt.model.Predict(c, tt.months, tt.discount)
				got := p.Predict(c)
				if !same(got.ExpectedTransactions, want.ExpectedTransactions) || !same(got.ProbabilityAlive, want.ProbabilityAlive) ||
					!same(got.ExpectedSpend, want.ExpectedSpend) || !same(got.Value, want.Value) ||
					got.Model != want.Model || got.Clamped != want.Clamped {
					t.Fatalf("customer %s: Predictor %+v, Model.Predict %+v", c.CustomerID, got, want)
				}
			}
		})
	}
}
