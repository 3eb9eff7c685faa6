package analytics

import "fmt"

// Model names reported in Prediction.Model.
const (
	// ModelBGNBDGammaGamma: BG/NBD transactions and Gamma-Gamma spend.
	ModelBGNBDGammaGamma = "BG/NBD+Gamma-Gamma"
	// ModelBGNBDMeanSpend: BG/NBD transactions and the customer's mean
	// order value, used when the Gamma-Gamma model could not be fitted or
	// has an infinite mean (q ≤ 1).
	ModelBGNBDMeanSpend = "BG/NBD+mean-spend"
	// ModelFallback: the FallbackCLV heuristic, used when the BG/NBD model
	// could not be fitted.
	ModelFallback = "fallback"
)

// Model bundles the CLV models fitted on one set of customer summaries.
type Model struct {
	// BGNBD is the transaction model, nil if it could not be fitted.
	BGNBD *BGNBDFit
	// GammaGamma is the spend model, nil if it could not be fitted or has
	// q ≤ 1.
	GammaGamma *GammaGammaFit
	// Unit is the time unit of the summaries the models were fitted on;
	// summaries passed to Predict must use it too.
	Unit TimeUnit
	// Fallback is set when BGNBD is nil and predictions use FallbackCLV.
	Fallback bool
	// FallbackParams are the population averages used by the fallback and
	// for spend when GammaGamma is nil.
	FallbackParams FallbackParams
	// BGNBDErr and GammaGammaErr explain why a model is nil.
	BGNBDErr, GammaGammaErr error
}

// Fit fits the BG/NBD and Gamma-Gamma models to summaries expressed in
// unit, the two at the same time. It never fails: models that cannot be
// fitted are left nil, their errors recorded, and Fallback is set when the
// BG/NBD model is missing.
func Fit(summaries []CustomerSummary, unit TimeUnit) Model {
	m := Model{Unit: unit, FallbackParams: EstimateFallback(summaries, unit)}
	var (
		gg       GammaGammaFit
		ggFitted = make(chan error, 1)
	)
	go func() {
		var err error
		gg, err = FitGammaGamma(summaries)
		ggFitted <- err
	}()
	if bg, err := FitBGNBD(summaries); err == nil {
		m.BGNBD = &bg
	} else {
		m.BGNBDErr = err
		m.Fallback = true
	}
	if err := <-ggFitted; err == nil {
		m.GammaGamma = &gg
	} else {
		m.GammaGammaErr = err
	}
	return m
}

// Prediction is a customer's forecast over a horizon. Every number is
// finite and non-negative, and ProbabilityAlive is in [0, 1].
type Prediction struct {
	// ExpectedTransactions is the expected number of transactions over
	// the horizon.
	ExpectedTransactions float64
	// ProbabilityAlive is the probability that the customer has not
	// churned as of the summary date.
	ProbabilityAlive float64
	// ExpectedSpend is the expected value of one future transaction.
	ExpectedSpend float64
	// Value is the discounted expected revenue over the horizon (CLV).
	Value float64
	// Model names the method used: ModelBGNBDGammaGamma,
	// ModelBGNBDMeanSpend or ModelFallback.
	Model string
	// Clamped is set when a value was non-finite or out of range and had
	// to be replaced (NaN by 0, +Inf by math.MaxFloat64, negatives by 0,
	// probabilities clipped to [0, 1]).
	Clamped bool
}

// Predict forecasts customer c over horizonMonths months with a monthly
// discount rate. It uses the BG/NBD model when available (falling back to
// FallbackCLV if c cannot be evaluated, e.g. inconsistent inputs), and
// Gamma-Gamma spend when available, the customer's mean order value
// otherwise.
func (m Model) Predict(c CustomerSummary, horizonMonths int, monthlyDiscount float64) Prediction {
	return m.predict(c, horizonMonths, monthlyDiscount, nil)
}

// predict is Predict, with an optional cache of the expected transactions
// of alive customers.
func (m Model) predict(c CustomerSummary, horizonMonths int, monthlyDiscount float64, cache *aliveCache) Prediction {
	if !m.Fallback && m.BGNBD != nil {
		if p, err := m.predictBGNBD(c, horizonMonths, monthlyDiscount, cache); err == nil {
			return p.sanitize()
		}
	}
	value, tx, alive := fallbackValue(c, m.FallbackParams, horizonMonths, monthlyDiscount, m.Unit)
	return Prediction{
		ExpectedTransactions: tx,
		ProbabilityAlive:     alive,
		ExpectedSpend:        fallbackSpend(c, m.FallbackParams),
		Value:                value,
		Model:                ModelFallback,
	}.sanitize()
}

func (m Model) predictBGNBD(c CustomerSummary, horizonMonths int, monthlyDiscount float64, cache *aliveCache) (Prediction, error) {
	bg := m.BGNBD.Params
	alive, err := bg.ProbabilityAliveChecked(c.Frequency, c.Recency, c.T)
	if err != nil {
		return Prediction{}, err
	}
	p := Prediction{ProbabilityAlive: alive, Model: ModelBGNBDMeanSpend}
	p.ExpectedSpend = fallbackSpend(c, m.FallbackParams)
	if m.GammaGamma != nil {
		if s, err := m.GammaGamma.Params.ConditionalExpectedSpendChecked(c.Frequency, c.MonetaryValue); err == nil {
			p.ExpectedSpend = s
			p.Model = ModelBGNBDGammaGamma
		}
	}
	p.Value, p.ExpectedTransactions, err = discountedValue(bg, c, horizonMonths, monthlyDiscount, m.Unit, p.ExpectedSpend, cache)
	if err != nil {
		return Prediction{}, err
	}
	if !finite(p.Value, p.ExpectedTransactions, p.ExpectedSpend, p.ProbabilityAlive) {
		return Prediction{}, fmt.Errorf("%w: non-finite BG/NBD prediction", ErrNumerical)
	}
	return p, nil
}

// sanitize makes every number finite and in range, setting Clamped when
// anything changed.
func (p Prediction) sanitize() Prediction {
	for _, v := range []*float64{&p.ExpectedTransactions, &p.ProbabilityAlive, &p.ExpectedSpend, &p.Value} {
		nv, changed := clampFinite(*v)
		if nv < 0 {
			nv, changed = 0, true
		}
		if changed {
			*v = nv
			p.Clamped = true
		}
	}
	if p.ProbabilityAlive > 1 {
		p.ProbabilityAlive = 1
		p.Clamped = true
	}
	return p
}
