package analytics

import (
	"errors"
	"math"
	"testing"
)

var exampleCustomer = CustomerSummary{CustomerID: "00004", Frequency: 2, Recency: 30.43, T: 38.86, MonetaryValue: 22.345, Transactions: 3, Revenue: 74.02}

func TestCLV(t *testing.T) {
	bg, gg := publishedBGNBD, publishedGammaGamma
	c := exampleCustomer
	spend := gg.ConditionalExpectedSpend(c.Frequency, c.MonetaryValue)
	ey := func(months float64) float64 {
		return bg.ConditionalExpectedTransactions(Weeks.FromMonths(months), c.Frequency, c.Recency, c.T)
	}
	// Monthly sum written out for a 3-month horizon at 1% per month.
	threeMonths := (ey(1)-ey(0))*spend/1.01 + (ey(2)-ey(1))*spend/(1.01*1.01) + (ey(3)-ey(2))*spend/(1.01*1.01*1.01)
	tests := []struct {
		name     string
		gg       GammaGammaParams
		horizon  int
		discount float64
		want     float64
	}{
		{"three months discounted", gg, 3, 0.01, threeMonths},
		{"no discount is expected transactions × spend", gg, 12, 0, ey(12) * spend},
		{"negative discount counts as none", gg, 12, -0.5, ey(12) * spend},
		{"zero horizon", gg, 0, 0.01, 0},
		{"undefined spend model gives 0", GammaGammaParams{P: 0.1, Q: 0.5, Gamma: 1}, 12, 0.01, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CLV(bg, tt.gg, c, tt.horizon, tt.discount, Weeks)
			if math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) {
				t.Errorf("CLV = %.9f, want %.9f", got, tt.want)
			}
		})
	}
	// Discounting lowers value; longer horizons raise it.
	if a, b := CLV(bg, gg, c, 24, 0.01, Weeks), CLV(bg, gg, c, 24, 0, Weeks); !(a < b) {
		t.Errorf("discounted CLV %v should be below undiscounted %v", a, b)
	}
	if a, b := CLV(bg, gg, c, 12, 0.01, Weeks), CLV(bg, gg, c, 24, 0.01, Weeks); !(a < b) {
		t.Errorf("12-month CLV %v should be below 24-month CLV %v", a, b)
	}
	// The same customer in days gives the same value with α rescaled.
	inDays := CustomerSummary{Frequency: 2, Recency: 30.43 * 7, T: 38.86 * 7, MonetaryValue: 22.345}
	bgDays := BGNBDParams{R: bg.R, Alpha: bg.Alpha * 7, A: bg.A, B: bg.B}
	if a, b := CLV(bg, gg, c, 12, 0.01, Weeks), CLV(bgDays, gg, inDays, 12, 0.01, Days); math.Abs(a-b) > 1e-9*a {
		t.Errorf("CLV in weeks %v != CLV in days %v", a, b)
	}
}

func TestEstimateFallback(t *testing.T) {
	got := EstimateFallback([]CustomerSummary{
		{Frequency: 2, T: 10, Transactions: 3, Revenue: 60},
		{Frequency: 0, T: 30, Transactions: 1, Revenue: 20},
		{Frequency: 1, T: math.NaN(), Transactions: 2, Revenue: 1e6}, // skipped
	}, Weeks)
	want := FallbackParams{AverageOrderValue: 20, PurchaseRate: 2.0 / 40, LifetimeMonths: DefaultFallbackLifetimeMonths}
	if got != want {
		t.Errorf("EstimateFallback = %+v, want %+v", got, want)
	}
	if got := EstimateFallback(nil, Days); got.AverageOrderValue != 0 || got.PurchaseRate != 0 {
		t.Errorf("EstimateFallback(nil) = %+v, want zero averages", got)
	}
}

func TestFallbackCLV(t *testing.T) {
	noChurn := FallbackParams{AverageOrderValue: 50, PurchaseRate: 0.5, LifetimeMonths: 0}
	tests := []struct {
		name     string
		c        CustomerSummary
		fp       FallbackParams
		horizon  int
		discount float64
		want     float64
	}{
		{
			// Rate (1+0)/(1/0.5+0) = 0.5 per day, 30.4375 days a month,
			// population order value 50, 2 months undiscounted.
			name: "new customer, no churn", c: CustomerSummary{}, fp: noChurn, horizon: 2,
			want: 0.5 * DaysPerMonth * 50 * 2,
		},
		{
			// Rate (1+3)/(2+6) = 0.5 per day, own order value 100/4.
			name: "own history", c: CustomerSummary{Frequency: 3, Recency: 6, T: 6, Transactions: 4, Revenue: 100}, fp: noChurn, horizon: 1, discount: 0.1,
			want: 0.5 * DaysPerMonth * 25 / 1.1,
		},
		{
			// Alive with probability e^{-0/L}=1 (bought today), expected alive
			// share of month 1 is L(1-e^{-1/L}).
			name: "exponential lifetime", c: CustomerSummary{Frequency: 1, Recency: 2, T: 2, Transactions: 2, Revenue: 40},
			fp: FallbackParams{AverageOrderValue: 50, PurchaseRate: 0.5, LifetimeMonths: 10}, horizon: 1,
			want: (1.0 + 1) / (2 + 2) * DaysPerMonth * 10 * (1 - math.Exp(-0.1)) * 20,
		},
		{name: "no purchases anywhere", c: CustomerSummary{}, fp: FallbackParams{}, horizon: 12, want: 0},
		{name: "nonsense inputs", c: CustomerSummary{Frequency: -4, T: math.NaN(), Revenue: math.Inf(1), Transactions: 1}, fp: noChurn, horizon: 1,
			want: 0.5 * DaysPerMonth * 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FallbackCLV(tt.c, tt.fp, tt.horizon, tt.discount, Days)
			if math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) {
				t.Errorf("FallbackCLV = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFitAndPredictCDNOW(t *testing.T) {
	d := cdnowSample(t)
	m := Fit(d.summaries, Weeks)
	if m.Fallback || m.BGNBD == nil || m.GammaGamma == nil || m.BGNBDErr != nil || m.GammaGammaErr != nil {
		t.Fatalf("Fit = %+v, want both models", m)
	}
	p := m.Predict(d.summaries[0], 9, 0.01) // 9 months ≈ 39 weeks
	want := Prediction{
		ExpectedTransactions: m.BGNBD.Params.ConditionalExpectedTransactions(Weeks.FromMonths(9), 2, 213.0/7, 272.0/7),
		ProbabilityAlive:     m.BGNBD.Params.ProbabilityAlive(2, 213.0/7, 272.0/7),
		ExpectedSpend:        m.GammaGamma.Params.ConditionalExpectedSpend(2, 22.345),
		Value:                CLV(m.BGNBD.Params, m.GammaGamma.Params, d.summaries[0], 9, 0.01, Weeks),
		Model:                ModelBGNBDGammaGamma,
	}
	if p != want {
		t.Errorf("Predict = %+v, want %+v", p, want)
	}
	t.Logf("customer 00004, 9 months at 1%%/month: %+v", p)
	var total float64
	for _, c := range d.summaries {
		p := m.Predict(c, 12, 0.01)
		if p.Model != ModelBGNBDGammaGamma || p.Clamped {
			t.Fatalf("Predict(%+v) = %+v", c, p)
		}
		total += p.Value
	}
	t.Logf("sample 12-month CLV total: $%.0f", total)
}

func TestFitFallsBackWithTooFewRepeatCustomers(t *testing.T) {
	summaries := []CustomerSummary{
		{CustomerID: "a", Frequency: 1, Recency: 10, T: 20, MonetaryValue: 30, Transactions: 2, Revenue: 50},
		{CustomerID: "b", Frequency: 0, T: 15, Transactions: 1, Revenue: 10},
	}
	m := Fit(summaries, Days)
	if !m.Fallback || m.BGNBD != nil || !errors.Is(m.BGNBDErr, ErrInsufficientData) || m.GammaGamma != nil || !errors.Is(m.GammaGammaErr, ErrInsufficientData) {
		t.Fatalf("Fit = %+v, want fallback with ErrInsufficientData", m)
	}
	for _, c := range summaries {
		p := m.Predict(c, 12, 0.01)
		if p.Model != ModelFallback || !(p.Value > 0) || p.ProbabilityAlive <= 0 || p.ProbabilityAlive > 1 {
			t.Errorf("Predict(%s) = %+v, want a positive fallback prediction", c.CustomerID, p)
		}
		if want := FallbackCLV(c, m.FallbackParams, 12, 0.01, Days); p.Value != want {
			t.Errorf("Predict(%s).Value = %v, want FallbackCLV %v", c.CustomerID, p.Value, want)
		}
	}
}

func TestPredictUsesMeanSpendWithoutGammaGamma(t *testing.T) {
	m := Model{
		BGNBD:          &BGNBDFit{Params: publishedBGNBD},
		Unit:           Weeks,
		FallbackParams: FallbackParams{AverageOrderValue: 40, PurchaseRate: 0.1},
	}
	p := m.Predict(exampleCustomer, 12, 0)
	if p.Model != ModelBGNBDMeanSpend || math.Abs(p.ExpectedSpend-74.02/3) > 1e-12 {
		t.Errorf("Predict = %+v, want mean order value 24.67 with %s", p, ModelBGNBDMeanSpend)
	}
	// An infinite-mean spend model is skipped too.
	m.GammaGamma = &GammaGammaFit{Params: GammaGammaParams{P: 0.1, Q: 0.5, Gamma: 1}}
	if p := m.Predict(exampleCustomer, 12, 0); p.Model != ModelBGNBDMeanSpend {
		t.Errorf("Predict with q < 1 = %+v, want %s", p, ModelBGNBDMeanSpend)
	}
}

// No prediction may contain NaN or Inf, whatever the inputs.
func TestPredictIsAlwaysFinite(t *testing.T) {
	models := []Model{
		{BGNBD: &BGNBDFit{Params: publishedBGNBD}, GammaGamma: &GammaGammaFit{Params: publishedGammaGamma}, Unit: Weeks},
		{BGNBD: &BGNBDFit{Params: BGNBDParams{R: 1e-8, Alpha: 1e8, A: 1e-8, B: 1e8}}, GammaGamma: &GammaGammaFit{Params: GammaGammaParams{1e-8, 1 + 1e-12, 1e300}}, Unit: Days},
		{Fallback: true, FallbackParams: FallbackParams{AverageOrderValue: math.MaxFloat64, PurchaseRate: 1e300, LifetimeMonths: math.Inf(1)}, Unit: Days},
		{Fallback: true, FallbackParams: FallbackParams{AverageOrderValue: math.NaN(), PurchaseRate: math.NaN(), LifetimeMonths: math.NaN()}},
	}
	customers := []CustomerSummary{
		{},
		exampleCustomer,
		{Frequency: 3, Recency: 50, T: 40}, // recency beyond age
		{Frequency: 1e6, Recency: 1e7, T: 1e7, MonetaryValue: 1e300, Transactions: 1e6 + 1, Revenue: math.MaxFloat64},
		{Frequency: 2, Recency: math.NaN(), T: math.Inf(1), MonetaryValue: math.NaN(), Transactions: 3, Revenue: math.NaN()},
		{Frequency: -1, Recency: -1, T: -1, MonetaryValue: -5, Transactions: -1, Revenue: -10},
	}
	for i, m := range models {
		for _, c := range customers {
			for _, h := range []int{0, 1, 120} {
				for _, disc := range []float64{0, 0.01, math.NaN()} {
					p := m.Predict(c, h, disc)
					for _, v := range []float64{p.ExpectedTransactions, p.ProbabilityAlive, p.ExpectedSpend, p.Value} {
						if !isFinite(v) || v < 0 {
							t.Errorf("model %d, customer %+v, horizon %d: %+v has a non-finite or negative value", i, c, h, p)
						}
					}
					if p.ProbabilityAlive > 1 || p.Model == "" {
						t.Errorf("model %d, customer %+v: %+v", i, c, p)
					}
				}
			}
		}
	}
}
