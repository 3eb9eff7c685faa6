package analytics

import (
	"math"
)

// CLV returns the discounted expected revenue of customer c over the next
// horizonMonths months under the BG/NBD transaction model bg and the
// Gamma-Gamma spend model gg:
//
//	Σ_{m=1..H} (E[Y(t_m)] - E[Y(t_{m-1})]) × E[M | x, m̄] / (1+d)^m
//
// where t_m is m average months (DaysPerMonth days) expressed in unit,
// E[Y(t)] is the BG/NBD conditional expectation for c, E[M | x, m̄] the
// Gamma-Gamma conditional spend and d is monthlyDiscount (negative rates
// are treated as 0). c and bg must use the same time unit. Margins are not
// applied: multiply by a margin to obtain profit. It returns 0 when the
// value is undefined (invalid parameters or inputs, q ≤ 1, numerical
// failure), so the result is always finite.
func CLV(bg BGNBDParams, gg GammaGammaParams, c CustomerSummary, horizonMonths int, monthlyDiscount float64, unit TimeUnit) float64 {
	spend, err := gg.ConditionalExpectedSpendChecked(c.Frequency, c.MonetaryValue)
	if err != nil {
		return 0
	}
	v, _, err := discountedValue(bg, c, horizonMonths, monthlyDiscount, unit, spend, nil)
	if err != nil {
		return 0
	}
	return v
}

// discountedValue returns the discounted value of c's expected transactions
// over the horizon at a constant spend per transaction, and the
// undiscounted expected number of transactions over the horizon. A non-nil
// cache supplies the expected transactions of an alive customer, computed
// once per (repeat transactions, age); the result is the same.
func discountedValue(bg BGNBDParams, c CustomerSummary, horizonMonths int, monthlyDiscount float64, unit TimeUnit, spend float64, cache *aliveCache) (value, transactions float64, err error) {
	expected := func(m int) (float64, error) {
		return bg.ConditionalExpectedTransactionsChecked(unit.FromMonths(float64(m)), c.Frequency, c.Recency, c.T)
	}
	if cache != nil {
		// E[Y(t) | x, t_x, T] = P(alive | x, t_x, T) × E[X(t)] of an alive
		// customer with x repeat transactions and age T, as in
		// ConditionalExpectedTransactionsChecked.
		alive, err := bg.ProbabilityAliveChecked(c.Frequency, c.Recency, c.T)
		if err != nil {
			return 0, 0, err
		}
		hs := cache.get(bg, c.Frequency, c.T, horizonMonths, unit)
		expected = func(m int) (float64, error) {
			h := hs[m-1]
			return alive * h.value, h.err
		}
	}
	prev := 0.0
	for m := 1; m <= horizonMonths; m++ {
		e, err := expected(m)
		if err != nil {
			return 0, 0, err
		}
		value += (e - prev) * spend * discountFactor(monthlyDiscount, m)
		prev = e
	}
	return value, prev, nil
}

// discountFactor returns 1/(1+d)^m; negative or non-finite rates are
// treated as 0.
func discountFactor(d float64, m int) float64 {
	if !(d > 0) || math.IsInf(d, 0) {
		return 1
	}
	return math.Pow(1+d, -float64(m))
}

// DefaultFallbackLifetimeMonths is the mean customer lifetime assumed by
// EstimateFallback. It is a heuristic, not an estimate: without a fitted
// dropout model the data cannot tell lifetimes apart from purchase gaps.
const DefaultFallbackLifetimeMonths = 24

// FallbackParams are population averages used by FallbackCLV when no
// probabilistic model could be fitted.
type FallbackParams struct {
	// AverageOrderValue is the mean value of all transactions.
	AverageOrderValue float64
	// PurchaseRate is the population repeat-purchase rate per customer and
	// time unit (Σ Frequency / Σ T).
	PurchaseRate float64
	// LifetimeMonths is the mean of an exponential customer lifetime in
	// months; 0 means customers never churn.
	LifetimeMonths float64
}

// EstimateFallback computes FallbackParams from customer summaries in the
// given unit, with LifetimeMonths set to DefaultFallbackLifetimeMonths.
// Non-finite summaries are skipped.
func EstimateFallback(summaries []CustomerSummary, unit TimeUnit) FallbackParams {
	var revenue, transactions, repeats, exposure float64
	for _, c := range summaries {
		if !finite(c.Revenue, c.T) || c.Transactions <= 0 || c.Frequency < 0 || c.T < 0 {
			continue
		}
		revenue += c.Revenue
		transactions += float64(c.Transactions)
		repeats += float64(c.Frequency)
		exposure += c.T
	}
	fp := FallbackParams{LifetimeMonths: DefaultFallbackLifetimeMonths}
	if transactions > 0 {
		fp.AverageOrderValue = math.Max(revenue/transactions, 0)
	}
	if exposure > 0 {
		fp.PurchaseRate = repeats / exposure
	}
	return fp
}

// fallbackRate returns c's purchase rate per unit: the Gamma-Poisson
// posterior mean (1+x)/(1/ρ+T) under an exponential prior centred on the
// population rate ρ, i.e. the customer's own rate shrunk toward ρ.
func fallbackRate(c CustomerSummary, fp FallbackParams) float64 {
	rho := fp.PurchaseRate
	if !(rho > 0) || math.IsInf(rho, 0) {
		return 0
	}
	x := math.Max(float64(c.Frequency), 0)
	T := c.T
	if !(T > 0) {
		T = 0
	}
	return (1 + x) / (1/rho + T)
}

// fallbackSpend returns c's mean order value, or the population average
// when c has no transactions.
func fallbackSpend(c CustomerSummary, fp FallbackParams) float64 {
	if c.Transactions > 0 && finite(c.Revenue) && c.Revenue > 0 {
		return c.Revenue / float64(c.Transactions)
	}
	return math.Max(fp.AverageOrderValue, 0)
}

// fallbackAlive returns the probability that an exponential lifetime with
// mean fp.LifetimeMonths outlasts the time since c's last purchase, or 1
// when no lifetime is assumed.
func fallbackAlive(c CustomerSummary, fp FallbackParams, unit TimeUnit) float64 {
	L := unit.FromMonths(fp.LifetimeMonths)
	gap := c.T - c.Recency
	if c.Frequency == 0 {
		gap = c.T
	}
	if !(L > 0) || !(gap > 0) || math.IsInf(L, 0) {
		return 1
	}
	return math.Exp(-gap / L)
}

// FallbackCLV returns a heuristic discounted CLV for when the BG/NBD model
// cannot be fitted (too few repeat customers or a failed fit; see Fit). It
// assumes an exponential lifetime with mean fp.LifetimeMonths and
// multiplies the probability that the customer is still alive (the lifetime
// outlasting the time since the last purchase), the customer's purchase
// rate (shrunk toward the population rate), the expected alive share of
// each future month and the customer's mean order value, discounted monthly
// at monthlyDiscount and summed over horizonMonths months. It is much
// cruder than CLV and is flagged as "fallback" in predictions. The result
// is finite and non-negative.
func FallbackCLV(c CustomerSummary, fp FallbackParams, horizonMonths int, monthlyDiscount float64, unit TimeUnit) float64 {
	v, _, _ := fallbackValue(c, fp, horizonMonths, monthlyDiscount, unit)
	return v
}

// fallbackValue returns FallbackCLV, the expected number of transactions
// over the horizon and the probability that c is alive.
func fallbackValue(c CustomerSummary, fp FallbackParams, horizonMonths int, monthlyDiscount float64, unit TimeUnit) (value, transactions, alive float64) {
	alive = fallbackAlive(c, fp, unit)
	perMonth := alive * fallbackRate(c, fp) * unit.FromMonths(1)
	spend := fallbackSpend(c, fp)
	L := fp.LifetimeMonths
	for m := 1; m <= horizonMonths; m++ {
		share := 1.0
		if L > 0 && !math.IsInf(L, 0) {
			// ∫_{m-1}^{m} e^{-s/L} ds
			share = L * (math.Exp(-float64(m-1)/L) - math.Exp(-float64(m)/L))
		}
		n := perMonth * share
		transactions += n
		value += n * spend * discountFactor(monthlyDiscount, m)
	}
	value, _ = clampFinite(value)
	transactions, _ = clampFinite(transactions)
	return math.Max(value, 0), math.Max(transactions, 0), alive
}
