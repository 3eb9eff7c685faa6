package analytics

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
)

// GammaGammaParams are the parameters of the Gamma-Gamma model of monetary
// value (Fader & Hardie 2013): a customer's transaction values are Gamma(P,
// ν) distributed with ν ~ Gamma(Q, Gamma) across customers, so the
// customer's mean transaction value is P/ν. The model assumes spend is
// independent of the transaction process.
type GammaGammaParams struct {
	P, Q, Gamma float64
}

// Validate reports ErrInvalidParams unless all parameters are finite and
// strictly positive.
func (g GammaGammaParams) Validate() error {
	if !(g.P > 0 && g.Q > 0 && g.Gamma > 0) || !finite(g.P, g.Q, g.Gamma) {
		return fmt.Errorf("%w: Gamma-Gamma p=%g q=%g γ=%g", ErrInvalidParams, g.P, g.Q, g.Gamma)
	}
	return nil
}

// GammaGammaFit is the result of a maximum-likelihood fit of the
// Gamma-Gamma model.
type GammaGammaFit struct {
	// Params are the maximum-likelihood estimates.
	Params GammaGammaParams
	// LogLikelihood is the total log-likelihood of the customers' mean
	// repeat-transaction values at Params.
	LogLikelihood float64
	// Customers is the number of customers used: those with Frequency > 0
	// and MonetaryValue > 0.
	Customers int
	// Converged reports whether the optimizer ended at a stationary point.
	Converged bool
}

// GammaGammaLogLikelihood returns the log density of a customer's mean
// transaction value mbar over x transactions under the Gamma-Gamma model.
// It returns -Inf for invalid parameters, x ≤ 0 or mbar ≤ 0.
func GammaGammaLogLikelihood(g GammaGammaParams, x int, mbar float64) float64 {
	if g.Validate() != nil || x <= 0 || !(mbar > 0) || math.IsInf(mbar, 0) {
		return math.Inf(-1)
	}
	return ggLL(g, float64(x), mbar, nil)
}

// ggLL returns the log density of mbar given x and, if grad is non-nil,
// stores its gradient with respect to (log p, log q, log γ).
func ggLL(g GammaGammaParams, x, mbar float64, grad *[3]float64) float64 {
	p, q, gam := g.P, g.Q, g.Gamma
	px := p * x
	logDen := math.Log(gam + x*mbar)
	ll := lgamma(px+q) - lgamma(px) - lgamma(q) + q*math.Log(gam) +
		(px-1)*math.Log(mbar) + px*math.Log(x) - (px+q)*logDen
	if grad != nil {
		dpq := mathext.Digamma(px + q)
		dp := x*dpq - x*mathext.Digamma(px) + x*math.Log(mbar) + x*math.Log(x) - x*logDen
		dq := dpq - mathext.Digamma(q) + math.Log(gam) - logDen
		dg := q/gam - (px+q)/(gam+x*mbar)
		grad[0] = p * dp
		grad[1] = q * dq
		grad[2] = gam * dg
	}
	return ll
}

// FitGammaGamma estimates the Gamma-Gamma parameters by maximum likelihood
// from the customers with Frequency > 0 and MonetaryValue > 0 (x is the
// number of repeat transactions and m̄ their mean value). It returns
// ErrInsufficientData when fewer than MinRepeatCustomers customers qualify
// and ErrFitFailed when the optimizer ends at a non-finite point. When the
// estimate has q ≤ 1 the fit is returned together with
// ErrInfiniteMeanSpend, because spend predictions are then undefined.
func FitGammaGamma(data []CustomerSummary) (GammaGammaFit, error) {
	type obs struct{ x, m, w float64 }
	type key struct {
		x int
		m float64
	}
	counts := make(map[key]float64)
	var order []key
	for _, c := range data {
		if c.Frequency <= 0 || !(c.MonetaryValue > 0) || math.IsInf(c.MonetaryValue, 0) {
			continue
		}
		k := key{c.Frequency, c.MonetaryValue}
		if _, ok := counts[k]; !ok {
			order = append(order, k)
		}
		counts[k]++
	}
	n := 0
	obsv := make([]obs, 0, len(order))
	for _, k := range order {
		obsv = append(obsv, obs{float64(k.x), k.m, counts[k]})
		n += int(counts[k])
	}
	if n < MinRepeatCustomers {
		return GammaGammaFit{}, fmt.Errorf("%w: %d customers with repeat spend, need %d",
			ErrInsufficientData, n, MinRepeatCustomers)
	}
	fn := float64(n)
	params := func(x []float64) GammaGammaParams {
		return GammaGammaParams{math.Exp(x[0]), math.Exp(x[1]), math.Exp(x[2])}
	}
	f := func(x []float64) float64 {
		g := params(x)
		var sum float64
		for _, o := range obsv {
			sum += o.w * ggLL(g, o.x, o.m, nil)
		}
		return -sum / fn
	}
	grad := func(gr, x []float64) {
		g := params(x)
		var acc, one [3]float64
		for _, o := range obsv {
			ggLL(g, o.x, o.m, &one)
			for i := range acc {
				acc[i] += o.w * one[i]
			}
		}
		for i := range gr {
			gr[i] = -acc[i] / fn
		}
	}
	// Start at p = 1, q = 2 and γ = observed mean, so that the starting
	// population mean pγ/(q-1) equals the observed mean.
	var mean float64
	for _, o := range obsv {
		mean += o.w * o.m
	}
	mean /= fn
	x, fx, converged := minimizeLogParams(f, grad, []float64{0, math.Log(2), math.Log(mean)})
	g := params(x)
	if !finite(fx) || g.Validate() != nil {
		return GammaGammaFit{}, fmt.Errorf("%w: Gamma-Gamma optimizer ended at %v", ErrFitFailed, g)
	}
	fit := GammaGammaFit{Params: g, LogLikelihood: -fx * fn, Customers: n, Converged: converged}
	if g.Q <= 1 {
		return fit, fmt.Errorf("%w: q=%g", ErrInfiniteMeanSpend, g.Q)
	}
	return fit, nil
}

// PopulationMeanSpendChecked returns the population mean transaction value
// pγ/(q-1). It returns ErrInfiniteMeanSpend when q ≤ 1.
func (g GammaGammaParams) PopulationMeanSpendChecked() (float64, error) {
	if err := g.Validate(); err != nil {
		return 0, err
	}
	if g.Q <= 1 {
		return 0, fmt.Errorf("%w: q=%g", ErrInfiniteMeanSpend, g.Q)
	}
	v := g.P * g.Gamma / (g.Q - 1)
	if !finite(v) {
		return 0, fmt.Errorf("%w: population mean spend overflows", ErrNumerical)
	}
	return v, nil
}

// PopulationMeanSpend returns the population mean transaction value
// pγ/(q-1), or 0 when it is undefined (q ≤ 1 or invalid parameters).
func (g GammaGammaParams) PopulationMeanSpend() float64 {
	v, err := g.PopulationMeanSpendChecked()
	if err != nil {
		return 0
	}
	return v
}

// ConditionalExpectedSpendChecked returns E[M | x, m̄], the expected value
// of a future transaction of a customer whose x repeat transactions had
// mean value m̄: p(γ + x m̄)/(p x + q - 1), a weighted average of the
// population mean and m̄. For x = 0 it is the population mean. It returns
// ErrInfiniteMeanSpend when the denominator is not positive.
func (g GammaGammaParams) ConditionalExpectedSpendChecked(x int, mbar float64) (float64, error) {
	if err := g.Validate(); err != nil {
		return 0, err
	}
	if x < 0 || (x > 0 && (!(mbar >= 0) || math.IsInf(mbar, 0))) {
		return 0, fmt.Errorf("%w: x=%d m̄=%g", ErrInvalidInput, x, mbar)
	}
	if x == 0 {
		return g.PopulationMeanSpendChecked()
	}
	fx := float64(x)
	den := g.P*fx + g.Q - 1
	if !(den > 0) {
		return 0, fmt.Errorf("%w: p·x+q-1=%g", ErrInfiniteMeanSpend, den)
	}
	v := g.P * (g.Gamma + fx*mbar) / den
	if !finite(v) {
		return 0, fmt.Errorf("%w: conditional spend overflows", ErrNumerical)
	}
	return v, nil
}

// ConditionalExpectedSpend returns E[M | x, m̄] as
// ConditionalExpectedSpendChecked does. When that is undefined it returns
// m̄ (the customer's own mean) for x > 0 and 0 for x = 0 or invalid
// inputs. The result is always finite.
func (g GammaGammaParams) ConditionalExpectedSpend(x int, mbar float64) float64 {
	v, err := g.ConditionalExpectedSpendChecked(x, mbar)
	if err == nil {
		return v
	}
	if x > 0 && mbar >= 0 && !math.IsInf(mbar, 0) {
		return mbar
	}
	return 0
}
