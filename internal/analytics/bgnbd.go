package analytics

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mathext"
)

// BGNBDParams are the parameters of the BG/NBD model (Fader, Hardie & Lee
// 2005, "Counting Your Customers the Easy Way"): while alive, a customer
// purchases at a Poisson rate λ ~ Gamma(R, Alpha) per time unit, and after
// each transaction drops out with probability p ~ Beta(A, B). Alpha is
// expressed in the time unit of the data the model was fitted on.
type BGNBDParams struct {
	R, Alpha, A, B float64
}

// Validate reports ErrInvalidParams unless all parameters are finite and
// strictly positive.
func (p BGNBDParams) Validate() error {
	if !(p.R > 0 && p.Alpha > 0 && p.A > 0 && p.B > 0) || !finite(p.R, p.Alpha, p.A, p.B) {
		return fmt.Errorf("%w: BG/NBD r=%g α=%g a=%g b=%g", ErrInvalidParams, p.R, p.Alpha, p.A, p.B)
	}
	return nil
}

// BGNBDFit is the result of a maximum-likelihood fit of the BG/NBD model.
type BGNBDFit struct {
	// Params are the maximum-likelihood estimates.
	Params BGNBDParams
	// LogLikelihood is the total log-likelihood of the data at Params.
	LogLikelihood float64
	// Customers is the number of customers the model was fitted on.
	Customers int
	// Converged reports whether the optimizer ended at a stationary point.
	// A fit that did not converge is usable but less reliable.
	Converged bool
}

// validCustomer reports ErrInvalidInput unless x ≥ 0 and 0 ≤ t_x ≤ T are
// finite. t_x is ignored when x = 0.
func validCustomer(x int, tx, T float64) error {
	if x < 0 || !(T >= 0) || math.IsInf(T, 0) || (x > 0 && (!(tx >= 0) || tx > T)) {
		return fmt.Errorf("%w: x=%d t_x=%g T=%g", ErrInvalidInput, x, tx, T)
	}
	return nil
}

// BGNBDLogLikelihood returns the log-likelihood of one customer's history
// (x repeat transactions, last one at t_x, observed for T time units)
// under the BG/NBD model (eq. 6 of the paper). It returns -Inf for invalid
// parameters or inputs; for valid ones the result is finite.
func BGNBDLogLikelihood(p BGNBDParams, x int, tx, T float64) float64 {
	if p.Validate() != nil || validCustomer(x, tx, T) != nil {
		return math.Inf(-1)
	}
	return bgnbdLL(p, float64(x), tx, T, nil)
}

// bgnbdLL returns the log-likelihood of one customer and, if grad is
// non-nil, stores its gradient with respect to (log r, log α, log a, log b).
func bgnbdLL(p BGNBDParams, x, tx, T float64, grad *[4]float64) float64 {
	r, alpha, a, b := p.R, p.Alpha, p.A, p.B
	a1 := lgamma(r+x) - lgamma(r) + r*math.Log(alpha)
	a2 := lgamma(a+b) + lgamma(b+x) - lgamma(b) - lgamma(a+b+x)
	a3 := -(r + x) * math.Log(alpha+T)
	a4 := math.Inf(-1)
	if x > 0 {
		a4 = math.Log(a) - math.Log(b+x-1) - (r+x)*math.Log(alpha+tx)
	}
	lse := logSumExp(a3, a4)
	ll := a1 + a2 + lse
	if grad == nil {
		return ll
	}
	w3 := math.Exp(a3 - lse)
	w4 := 1 - w3
	if x == 0 {
		w4 = 0
	}
	dr := mathext.Digamma(r+x) - mathext.Digamma(r) + math.Log(alpha) - w3*math.Log(alpha+T)
	dAlpha := r/alpha - w3*(r+x)/(alpha+T)
	dA := mathext.Digamma(a+b) - mathext.Digamma(a+b+x)
	dB := mathext.Digamma(a+b) + mathext.Digamma(b+x) - mathext.Digamma(b) - mathext.Digamma(a+b+x)
	if x > 0 {
		dr -= w4 * math.Log(alpha+tx)
		dAlpha -= w4 * (r + x) / (alpha + tx)
		dA += w4 / a
		dB -= w4 / (b + x - 1)
	}
	grad[0] = r * dr
	grad[1] = alpha * dAlpha
	grad[2] = a * dA
	grad[3] = b * dB
	return ll
}

// bgnbdData is a data set prepared for fast likelihood evaluation:
// identical (x, t_x, T) histories are merged with weights, and x, t_x and T
// are indexed into their distinct values so that the expensive terms are
// computed once per distinct value.
type bgnbdData struct {
	xs, txs, Ts []float64
	hist        []bgnbdHistory
	customers   int
	repeaters   int
}

type bgnbdHistory struct {
	xi, txi, Ti int32
	weight      float64
}

// prepareBGNBD validates and indexes the summaries.
func prepareBGNBD(data []CustomerSummary) (*bgnbdData, error) {
	type key struct {
		x     int
		tx, T float64
	}
	counts := make(map[key]float64)
	d := &bgnbdData{customers: len(data)}
	for _, c := range data {
		if err := validCustomer(c.Frequency, c.Recency, c.T); err != nil {
			return nil, fmt.Errorf("customer %q: %w", c.CustomerID, err)
		}
		tx := c.Recency
		if c.Frequency == 0 {
			tx = 0
		} else {
			d.repeaters++
		}
		counts[key{c.Frequency, tx, c.T}]++
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	// Deterministic summation order.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.x != b.x {
			return a.x < b.x
		}
		if a.tx != b.tx {
			return a.tx < b.tx
		}
		return a.T < b.T
	})
	index := func(vals *[]float64, seen map[float64]int32, v float64) int32 {
		i, ok := seen[v]
		if !ok {
			i = int32(len(*vals))
			seen[v] = i
			*vals = append(*vals, v)
		}
		return i
	}
	xSeen, txSeen, TSeen := map[float64]int32{}, map[float64]int32{}, map[float64]int32{}
	for _, k := range keys {
		d.hist = append(d.hist, bgnbdHistory{
			xi:     index(&d.xs, xSeen, float64(k.x)),
			txi:    index(&d.txs, txSeen, k.tx),
			Ti:     index(&d.Ts, TSeen, k.T),
			weight: counts[k],
		})
	}
	return d, nil
}

// logLikelihood returns the total log-likelihood at p and, if grad is
// non-nil, stores its gradient with respect to (log r, log α, log a, log b).
func (d *bgnbdData) logLikelihood(p BGNBDParams, grad []float64) float64 {
	r, alpha, a, b := p.R, p.Alpha, p.A, p.B
	logAlpha := math.Log(alpha)
	// Terms depending on x only.
	constX := make([]float64, len(d.xs)) // A1 + A2
	logA4X := make([]float64, len(d.xs)) // log a - log(b+x-1)
	dRX := make([]float64, len(d.xs))    // ∂(A1+A2)/∂r
	dAX := make([]float64, len(d.xs))    // ∂(A1+A2)/∂a
	dBX := make([]float64, len(d.xs))    // ∂(A1+A2)/∂b
	invB1X := make([]float64, len(d.xs)) // 1/(b+x-1)
	base := lgamma(a+b) - lgamma(b) - lgamma(r)
	for i, x := range d.xs {
		constX[i] = lgamma(r+x) + r*logAlpha + base + lgamma(b+x) - lgamma(a+b+x)
		logA4X[i] = math.Inf(-1)
		if x > 0 {
			logA4X[i] = math.Log(a) - math.Log(b+x-1)
			invB1X[i] = 1 / (b + x - 1)
		}
		if grad != nil {
			dab, dabx := mathext.Digamma(a+b), mathext.Digamma(a+b+x)
			dRX[i] = mathext.Digamma(r+x) - mathext.Digamma(r) + logAlpha
			dAX[i] = dab - dabx
			dBX[i] = dab + mathext.Digamma(b+x) - mathext.Digamma(b) - dabx
		}
	}
	logT := make([]float64, len(d.Ts))
	for i, T := range d.Ts {
		logT[i] = math.Log(alpha + T)
	}
	logTx := make([]float64, len(d.txs))
	for i, tx := range d.txs {
		logTx[i] = math.Log(alpha + tx)
	}
	var ll, gr, gAlpha, gA, gB float64
	for _, h := range d.hist {
		x := d.xs[h.xi]
		rx := r + x
		a3 := -rx * logT[h.Ti]
		a4 := logA4X[h.xi] - rx*logTx[h.txi]
		lse := logSumExp(a3, a4)
		ll += h.weight * (constX[h.xi] + lse)
		if grad == nil {
			continue
		}
		w3 := math.Exp(a3 - lse)
		w4 := 0.0
		if x > 0 {
			w4 = 1 - w3
		}
		gr += h.weight * (dRX[h.xi] - w3*logT[h.Ti] - w4*logTx[h.txi])
		gAlpha += h.weight * (r/alpha - rx*(w3/(alpha+d.Ts[h.Ti])+w4/(alpha+d.txs[h.txi])))
		gA += h.weight * (dAX[h.xi] + w4/a)
		gB += h.weight * (dBX[h.xi] - w4*invB1X[h.xi])
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = r*gr, alpha*gAlpha, a*gA, b*gB
	}
	return ll
}

// FitBGNBD estimates the BG/NBD parameters by maximum likelihood. The
// summaries' Frequency, Recency and T are used; Alpha comes out in their
// time unit. It returns ErrInsufficientData when fewer than
// MinRepeatCustomers customers have a repeat transaction, ErrInvalidInput
// for out-of-range summaries and ErrFitFailed when the optimizer ends at a
// non-finite point.
func FitBGNBD(data []CustomerSummary) (BGNBDFit, error) {
	d, err := prepareBGNBD(data)
	if err != nil {
		return BGNBDFit{}, err
	}
	if d.repeaters < MinRepeatCustomers {
		return BGNBDFit{}, fmt.Errorf("%w: %d customers with repeat purchases, need %d",
			ErrInsufficientData, d.repeaters, MinRepeatCustomers)
	}
	n := float64(d.customers)
	params := func(x []float64) BGNBDParams {
		return BGNBDParams{math.Exp(x[0]), math.Exp(x[1]), math.Exp(x[2]), math.Exp(x[3])}
	}
	// The objective is the mean negative log-likelihood per customer.
	f := func(x []float64) float64 {
		return -d.logLikelihood(params(x), nil) / n
	}
	grad := func(g, x []float64) {
		d.logLikelihood(params(x), g)
		for i := range g {
			g[i] = -g[i] / n
		}
	}
	x, fx, converged := minimizeLogParams(f, grad, []float64{0, 0, 0, 0})
	p := params(x)
	if !finite(fx) || p.Validate() != nil {
		return BGNBDFit{}, fmt.Errorf("%w: BG/NBD optimizer ended at %+v", ErrFitFailed, p)
	}
	return BGNBDFit{Params: p, LogLikelihood: -fx * n, Customers: d.customers, Converged: converged}, nil
}

// ExpectedTransactionsChecked returns E[X(t)], the expected number of
// transactions in a period of length t of a customer randomly drawn from
// the population at the start of his or her lifetime (eq. 7 of the paper).
func (p BGNBDParams) ExpectedTransactionsChecked(t float64) (float64, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	return aliveTransactions(p.R, p.Alpha, p.A, p.B, t)
}

// ExpectedTransactions returns E[X(t)] as ExpectedTransactionsChecked does,
// but returns 0 instead of an error for invalid parameters, negative t or
// a numerical failure. The result is always finite.
func (p BGNBDParams) ExpectedTransactions(t float64) float64 {
	v, err := p.ExpectedTransactionsChecked(t)
	if err != nil {
		return 0
	}
	return v
}

// ProbabilityAliveChecked returns P(alive | x, t_x, T), the probability
// that a customer with x repeat transactions, the last at t_x, observed for
// T time units has not dropped out.
func (p BGNBDParams) ProbabilityAliveChecked(x int, tx, T float64) (float64, error) {
	if err := p.Validate(); err != nil {
		return 0, err
	}
	if err := validCustomer(x, tx, T); err != nil {
		return 0, err
	}
	return p.probabilityAlive(float64(x), tx, T), nil
}

// probabilityAlive evaluates 1/(1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^(r+x))
// through the logistic function of the log-odds, which cannot overflow.
func (p BGNBDParams) probabilityAlive(x, tx, T float64) float64 {
	if x == 0 {
		return 1
	}
	logOdds := math.Log(p.A) - math.Log(p.B+x-1) +
		(p.R+x)*(math.Log(p.Alpha+T)-math.Log(p.Alpha+tx))
	if logOdds > 0 {
		e := math.Exp(-logOdds)
		return e / (1 + e)
	}
	return 1 / (1 + math.Exp(logOdds))
}

// ProbabilityAlive returns P(alive | x, t_x, T) as ProbabilityAliveChecked
// does, but returns 0 instead of an error for invalid parameters or inputs.
func (p BGNBDParams) ProbabilityAlive(x int, tx, T float64) float64 {
	v, err := p.ProbabilityAliveChecked(x, tx, T)
	if err != nil {
		return 0
	}
	return v
}

// ConditionalExpectedTransactionsChecked returns E[Y(t) | x, t_x, T], the
// expected number of transactions in the next t time units of a customer
// with x repeat transactions, the last at t_x, observed for T time units
// (eq. 10 of the paper).
func (p BGNBDParams) ConditionalExpectedTransactionsChecked(t float64, x int, tx, T float64) (float64, error) {
	alive, err := p.ProbabilityAliveChecked(x, tx, T)
	if err != nil {
		return 0, err
	}
	fx := float64(x)
	h, err := aliveTransactions(p.R+fx, p.Alpha+T, p.A, p.B+fx, t)
	if err != nil {
		return 0, err
	}
	return alive * h, nil
}

// ConditionalExpectedTransactions returns E[Y(t) | x, t_x, T] as
// ConditionalExpectedTransactionsChecked does, but returns 0 instead of an
// error for invalid parameters or inputs or a numerical failure. The result
// is always finite.
func (p BGNBDParams) ConditionalExpectedTransactions(t float64, x int, tx, T float64) float64 {
	v, err := p.ConditionalExpectedTransactionsChecked(t, x, tx, T)
	if err != nil {
		return 0
	}
	return v
}
