package analytics

import (
	"errors"
	"math"
	"testing"
)

// Published Gamma-Gamma estimates for the CDNOW sample, weeks 1-39
// (Fader & Hardie 2013), from the 946 customers with repeat purchases.
var publishedGammaGamma = GammaGammaParams{P: 6.25, Q: 3.74, Gamma: 15.44}

func TestFitGammaGammaReproducesPublishedCDNOWEstimates(t *testing.T) {
	d := cdnowSample(t)
	if d.ggErr != nil {
		t.Fatal(d.ggErr)
	}
	fit := d.gg
	t.Logf("fit: p=%.4f q=%.4f γ=%.4f LL=%.3f customers=%d converged=%v", fit.Params.P, fit.Params.Q, fit.Params.Gamma, fit.LogLikelihood, fit.Customers, fit.Converged)
	if fit.Customers != 946 {
		t.Errorf("customers = %d, want 946", fit.Customers)
	}
	if !fit.Converged {
		t.Error("fit did not converge")
	}
	params := []struct {
		name      string
		got, want float64
	}{
		{"p", fit.Params.P, publishedGammaGamma.P},
		{"q", fit.Params.Q, publishedGammaGamma.Q},
		{"gamma", fit.Params.Gamma, publishedGammaGamma.Gamma},
	}
	for _, p := range params {
		if !within3SF(p.got, p.want) {
			t.Errorf("%s = %.5f, want %.4g to 3 significant figures", p.name, p.got, p.want)
		}
	}
	// The published population mean of 35.17 is pγ/(q-1) at the unrounded
	// estimates; the rounded parameters give 35.22.
	if got := fit.Params.PopulationMeanSpend(); math.Abs(got-35.17) > 0.005 {
		t.Errorf("population mean spend at the fit = %.4f, want 35.17", got)
	}
	if got := publishedGammaGamma.PopulationMeanSpend(); math.Abs(got-6.25*15.44/2.74) > 1e-12 {
		t.Errorf("population mean spend at the published parameters = %.4f, want %.4f", got, 6.25*15.44/2.74)
	}
}

func TestGammaGammaGradientMatchesFiniteDifferences(t *testing.T) {
	tests := []struct {
		g    GammaGammaParams
		x, m float64
	}{
		{GammaGammaParams{6.25, 3.74, 15.44}, 1, 20},
		{GammaGammaParams{0.3, 12, 0.5}, 17, 250},
	}
	for _, tt := range tests {
		var grad [3]float64
		ggLL(tt.g, tt.x, tt.m, &grad)
		theta := []float64{math.Log(tt.g.P), math.Log(tt.g.Q), math.Log(tt.g.Gamma)}
		at := func(th []float64) float64 {
			return ggLL(GammaGammaParams{math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2])}, tt.x, tt.m, nil)
		}
		for i := range theta {
			const h = 1e-6
			up, down := append([]float64(nil), theta...), append([]float64(nil), theta...)
			up[i] += h
			down[i] -= h
			fd := (at(up) - at(down)) / (2 * h)
			if math.Abs(fd-grad[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("%+v: ∂LL/∂θ%d = %.9f, finite difference %.9f", tt.g, i, grad[i], fd)
			}
		}
	}
}

func TestGammaGammaLogLikelihoodIsDensity(t *testing.T) {
	// The density of m̄ integrates to 1 for every x.
	g := GammaGammaParams{P: 6.25, Q: 3.74, Gamma: 15.44}
	for _, x := range []int{1, 2, 5} {
		f := func(u float64) float64 { // m̄ = u/(1-u) maps (0,1) onto (0,∞)
			m := u / (1 - u)
			return math.Exp(GammaGammaLogLikelihood(g, x, m)) / ((1 - u) * (1 - u))
		}
		got, ok := integrate(f, 0, 1)
		if !ok || math.Abs(got-1) > 1e-8 {
			t.Errorf("x=%d: ∫ density = %v (ok=%v), want 1", x, got, ok)
		}
	}
	for _, tt := range []struct {
		x int
		m float64
	}{{0, 10}, {1, 0}, {1, -3}, {2, math.Inf(1)}} {
		if got := GammaGammaLogLikelihood(g, tt.x, tt.m); !math.IsInf(got, -1) {
			t.Errorf("LL(x=%d, m̄=%v) = %v, want -Inf", tt.x, tt.m, got)
		}
	}
}

func TestGammaGammaConditionalExpectedSpend(t *testing.T) {
	g := publishedGammaGamma
	popMean := g.P * g.Gamma / (g.Q - 1)
	tests := []struct {
		name string
		g    GammaGammaParams
		x    int
		mbar float64
		want float64
		err  error
	}{
		{"no repeat purchase is the population mean", g, 0, 0, popMean, nil},
		{"one repeat purchase", g, 1, 20, g.P * (g.Gamma + 20) / (g.P + g.Q - 1), nil},
		{"many purchases approach m̄", g, 100000, 20, g.P * (g.Gamma + 2e6) / (g.P*1e5 + g.Q - 1), nil}, // ≈ 20.00007
		{"weighted average of population mean and m̄", g, 3, 50,
			(g.Q-1)/(g.P*3+g.Q-1)*popMean + g.P*3/(g.P*3+g.Q-1)*50, nil},
		{"q ≤ 1 with x = 0 is undefined", GammaGammaParams{1, 0.8, 10}, 0, 0, 0, ErrInfiniteMeanSpend},
		{"q ≤ 1 but p·x+q-1 > 0 is defined", GammaGammaParams{1, 0.8, 10}, 2, 30, (10 + 60) / 1.8, nil},
		{"p·x+q-1 ≤ 0 falls back to m̄", GammaGammaParams{0.1, 0.5, 10}, 2, 30, 30, ErrInfiniteMeanSpend},
		{"invalid params", GammaGammaParams{0, 3, 10}, 2, 30, 30, ErrInvalidParams},
		{"negative x", g, -1, 30, 0, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.g.ConditionalExpectedSpendChecked(tt.x, tt.mbar)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			// The unchecked variant falls back instead of failing.
			unchecked := tt.g.ConditionalExpectedSpend(tt.x, tt.mbar)
			if err == nil && math.Abs(got-tt.want) > 1e-9*math.Max(1, tt.want) {
				t.Errorf("E[M] = %v, want %v", got, tt.want)
			}
			if math.Abs(unchecked-tt.want) > 1e-3*math.Max(1, tt.want) || !isFinite(unchecked) {
				t.Errorf("unchecked E[M] = %v, want %v", unchecked, tt.want)
			}
		})
	}
	if got := (GammaGammaParams{1, 1, 10}).PopulationMeanSpend(); got != 0 {
		t.Errorf("population mean with q = 1 = %v, want 0 (undefined)", got)
	}
}

func TestFitGammaGammaErrors(t *testing.T) {
	tests := []struct {
		name string
		data []CustomerSummary
		want error
	}{
		{"no customers", nil, ErrInsufficientData},
		{"two repeat customers", []CustomerSummary{
			{CustomerID: "a", Frequency: 2, MonetaryValue: 10},
			{CustomerID: "b", Frequency: 1, MonetaryValue: 30},
			{CustomerID: "c", Frequency: 0, MonetaryValue: 0},
		}, ErrInsufficientData},
		{"zero spend is ignored", []CustomerSummary{
			{CustomerID: "a", Frequency: 2, MonetaryValue: 10},
			{CustomerID: "b", Frequency: 1, MonetaryValue: 30},
			{CustomerID: "c", Frequency: 4, MonetaryValue: 0},
		}, ErrInsufficientData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := FitGammaGamma(tt.data); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// Heavy-tailed spend drives q toward or below 1; the fit then either
// succeeds with q > 1 or reports ErrInfiniteMeanSpend, never a NaN.
func TestFitGammaGammaHeavyTail(t *testing.T) {
	var data []CustomerSummary
	for i := range 40 {
		m := 5.0
		if i%4 == 0 {
			m = math.Pow(10, float64(i%9))
		}
		data = append(data, CustomerSummary{CustomerID: string(rune('A' + i)), Frequency: 1 + i%3, MonetaryValue: m})
	}
	fit, err := FitGammaGamma(data)
	if err != nil && !errors.Is(err, ErrInfiniteMeanSpend) {
		t.Fatalf("err = %v", err)
	}
	if fit.Params.Validate() != nil || !isFinite(fit.LogLikelihood) {
		t.Errorf("fit = %+v, want finite parameters", fit)
	}
	if errors.Is(err, ErrInfiniteMeanSpend) != (fit.Params.Q <= 1) {
		t.Errorf("err = %v with q = %v", err, fit.Params.Q)
	}
}

func BenchmarkFitGammaGamma(b *testing.B) {
	summaries := cdnowSample(b).summaries
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitGammaGamma(summaries); err != nil {
			b.Fatal(err)
		}
	}
}
