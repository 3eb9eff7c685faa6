package analytics

// Predictor forecasts many customers with one model over one horizon. Its
// predictions are exactly those of Model.Predict; the costly part of a
// BG/NBD forecast, the expected transactions of a customer still alive,
// depends only on the customer's repeat transactions and age, and is
// computed once per distinct pair, which a large population shares among
// many customers. A Predictor is not safe for concurrent use.
type Predictor struct {
	model           Model
	horizonMonths   int
	monthlyDiscount float64
	cache           aliveCache
}

// NewPredictor returns a Predictor of m over horizonMonths months at a
// monthly discount rate.
func (m Model) NewPredictor(horizonMonths int, monthlyDiscount float64) *Predictor {
	return &Predictor{model: m, horizonMonths: horizonMonths, monthlyDiscount: monthlyDiscount}
}

// Predict returns m.Predict(c, horizonMonths, monthlyDiscount).
func (p *Predictor) Predict(c CustomerSummary) Prediction {
	return p.model.predict(c, p.horizonMonths, p.monthlyDiscount, &p.cache)
}

// aliveCache holds E[X(t_m)], m = 1…H, of alive customers by repeat
// transactions and age, for one set of BG/NBD parameters, horizon and unit.
type aliveCache struct {
	byCustomer map[aliveKey][]aliveValue
}

type aliveKey struct {
	x int
	T float64
}

type aliveValue struct {
	value float64
	err   error
}

// get returns the expected transactions over 1…horizonMonths months of an
// alive customer with x repeat transactions and age T, with the arguments
// ConditionalExpectedTransactionsChecked passes to aliveTransactions.
func (c *aliveCache) get(p BGNBDParams, x int, T float64, horizonMonths int, unit TimeUnit) []aliveValue {
	k := aliveKey{x, T}
	if hs, ok := c.byCustomer[k]; ok {
		return hs
	}
	if c.byCustomer == nil {
		c.byCustomer = map[aliveKey][]aliveValue{}
	}
	fx := float64(x)
	hs := make([]aliveValue, horizonMonths)
	for m := range hs {
		hs[m].value, hs[m].err = aliveTransactions(p.R+fx, p.Alpha+T, p.A, p.B+fx, unit.FromMonths(float64(m+1)))
	}
	c.byCustomer[k] = hs
	return hs
}
