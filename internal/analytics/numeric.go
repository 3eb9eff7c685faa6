package analytics

import (
	"fmt"
	"math"
)

// This file holds the numerical core shared by the BG/NBD functions.
//
// Both E[X(t)] (eq. 7 of Fader, Hardie & Lee 2005) and the numerator of
// E[Y(t) | x, t_x, T] (eq. 10) have the form
//
//	H(t) = E_p[ (1/p) (1 - (β/(β+p t))^A) ],   p ~ Beta(a, B),
//
// i.e. the expected number of transactions in (0, t] of a customer who is
// alive now, whose purchase rate is Gamma(A, β) and whose dropout
// probability is Beta(a, B). The papers write H with a Gauss hypergeometric
// function:
//
//	H = (C/(a-1)) [1 - (1-z)^A 2F1(A, B; C; z)],  C = a+B-1, z = t/(β+t).
//
// That expression is singular at a = 1 and at C = 0 and its 2F1 overflows
// for large A, so it is evaluated in three ways, each guarded against
// cancellation, and the first one that succeeds is used:
//
//  1. for u = t/β ≤ 0.75, Pfaff's transformation 2F1(A,B;C;z) =
//     (1-z)^(-A) 2F1(A, C-B; C; -u) turns H into the alternating series
//     H = Σ_{n≥1} (-1)^(n+1) (A)_n/n! E[p^(n-1)] u^n, which has no
//     singularity at a = 1 or C = 0;
//  2. otherwise the 2F1 series in z with the C factor absorbed,
//     C·2F1 = C + Σ_{n≥1} (A)_n (B)_n z^n / ((C+1)_(n-1) n!), summed with
//     a running exponent so that it cannot overflow;
//  3. adaptive Gauss-Kronrod quadrature of the defining integral over p.

const (
	pfaffSeriesMaxU = 0.75
	seriesMaxTerms  = 200000
	// A series result is rejected when the largest magnitude involved
	// exceeds the result by more than this factor (cancellation), so that
	// about 1e-9 relative accuracy is retained.
	pfaffCancellationLimit = 1e6
	zCancellationLimit     = 1e4
)

// aliveTransactions returns H(t) as defined above.
func aliveTransactions(A, beta, a, B, t float64) (float64, error) {
	if !(A > 0 && beta > 0 && a > 0 && B > 0) || !finite(A, beta, a, B) {
		return 0, fmt.Errorf("%w: A=%g β=%g a=%g B=%g", ErrInvalidParams, A, beta, a, B)
	}
	if !(t >= 0) || math.IsInf(t, 0) {
		return 0, fmt.Errorf("%w: t=%g", ErrInvalidInput, t)
	}
	if t == 0 {
		return 0, nil
	}
	u := t / beta
	if math.IsInf(u, 0) {
		return 0, fmt.Errorf("%w: t/β overflows", ErrNumerical)
	}
	if u <= pfaffSeriesMaxU {
		if v, ok := aliveSeriesPfaff(A, a, B, u); ok {
			return v, nil
		}
	}
	if v, ok := aliveSeriesZ(A, a, B, u); ok {
		return v, nil
	}
	if v, ok := aliveQuadrature(A, a, B, u); ok {
		return v, nil
	}
	return 0, fmt.Errorf("%w: E[X(t)] for A=%g β=%g a=%g B=%g t=%g", ErrNumerical, A, beta, a, B, t)
}

// aliveSeriesPfaff sums H = Σ_{n≥1} (-1)^(n+1) (A)_n/n! (a)_(n-1)/(a+B)_(n-1) u^n.
func aliveSeriesPfaff(A, a, B, u float64) (float64, bool) {
	term := A * u
	sum := term
	maxAbs := math.Abs(term)
	for n := 1; n < seriesMaxTerms; n++ {
		fn := float64(n)
		ratio := -(A + fn) / (fn + 1) * (a + fn - 1) / (a + B + fn - 1) * u
		term *= ratio
		sum += term
		at := math.Abs(term)
		if at > maxAbs {
			maxAbs = at
		}
		if math.IsInf(term, 0) || math.IsNaN(term) {
			return 0, false
		}
		if math.Abs(ratio) < 1 && at <= 1e-17*math.Abs(sum) {
			break
		}
		if term == 0 {
			break
		}
		if n == seriesMaxTerms-1 {
			return 0, false
		}
	}
	if !(sum > 0) || maxAbs > pfaffCancellationLimit*sum || !finite(sum) {
		return 0, false
	}
	return sum, true
}

// aliveSeriesZ evaluates H = [C(1-(1-z)^A) - (1-z)^A S] / (a-1) with
// S = Σ_{n≥1} (A)_n (B)_n z^n / ((a+B)_(n-1) n!), z = u/(1+u).
func aliveSeriesZ(A, a, B, u float64) (float64, bool) {
	if a == 1 {
		return 0, false
	}
	z := u / (1 + u)
	// Sum S with a running scale: S = sum * exp(logScale).
	term := A * B * z
	sum := term
	logScale := 0.0
	const big = 1e200
	for n := 1; n < seriesMaxTerms; n++ {
		fn := float64(n)
		ratio := (A + fn) * (B + fn) * z / ((a + B + fn - 1) * (fn + 1))
		term *= ratio
		sum += term
		if term > big || sum > big {
			term /= big
			sum /= big
			logScale += math.Log(big)
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			return 0, false
		}
		if ratio < 1 {
			// Remaining tail is bounded by term*q/(1-q) with q the larger of
			// the current ratio and its limit z.
			q := math.Max(ratio, z)
			if term*q/(1-q) <= 1e-17*sum {
				break
			}
		}
		if n == seriesMaxTerms-1 {
			return 0, false
		}
	}
	logOneMinusZPowA := -A * math.Log1p(u)
	C := a + B - 1
	first := C * -math.Expm1(logOneMinusZPowA)
	second := math.Exp(logOneMinusZPowA + math.Log(sum) + logScale)
	num := first - second
	h := num / (a - 1)
	scale := math.Max(math.Abs(first), second)
	if !(h > 0) || !finite(h) || scale > zCancellationLimit*math.Abs(num) {
		return 0, false
	}
	return h, true
}

// aliveQuadrature integrates H over the Beta(a, B) density of p. Endpoint
// singularities p^(a-1) and (1-p)^(B-1) are removed by the substitutions
// p = v^(1/a) and 1-p = w^(1/B).
func aliveQuadrature(A, a, B, u float64) (float64, bool) {
	g := func(p float64) float64 {
		if p <= 0 {
			return A * u
		}
		return -math.Expm1(-A*math.Log1p(p*u)) / p
	}
	lbeta := lbetaFn(a, B)
	var total float64
	if a >= 1 && B >= 1 {
		// Bounded density: integrate in p directly, with breakpoints around
		// the mean so that concentrated densities are resolved.
		logDensity := func(p float64) float64 {
			return (a-1)*math.Log(p) + (B-1)*math.Log1p(-p) - lbeta
		}
		f := func(p float64) float64 {
			if p <= 0 || p >= 1 {
				return 0
			}
			return math.Exp(logDensity(p)) * g(p)
		}
		m := a / (a + B)
		sd := math.Sqrt(a * B / ((a + B) * (a + B) * (a + B + 1)))
		pts := []float64{0}
		for _, k := range []float64{-10, -3, 0, 3, 10} {
			p := m + k*sd
			if p > pts[len(pts)-1] && p < 1 {
				pts = append(pts, p)
			}
		}
		pts = append(pts, 1)
		for i := 0; i+1 < len(pts); i++ {
			v, ok := integrate(f, pts[i], pts[i+1])
			if !ok {
				return 0, false
			}
			total += v
		}
	} else {
		left := func(v float64) float64 {
			if v <= 0 {
				return g(0) * math.Exp(-lbeta) / a
			}
			p := math.Exp(math.Log(v) / a)
			return math.Exp((B-1)*math.Log1p(-p)-lbeta) / a * g(p)
		}
		right := func(w float64) float64 {
			if w <= 0 {
				return g(1) * math.Exp(-lbeta) / B
			}
			q := math.Exp(math.Log(w) / B)
			p := 1 - q
			return math.Exp((a-1)*math.Log1p(-q)-lbeta) / B * g(p)
		}
		l, ok := integrate(left, 0, math.Exp2(-a))
		if !ok {
			return 0, false
		}
		r, ok := integrate(right, 0, math.Exp2(-B))
		if !ok {
			return 0, false
		}
		total = l + r
	}
	if !(total > 0) || !finite(total) {
		return 0, false
	}
	return total, true
}

// Gauss-Kronrod 7-15 nodes and weights on [-1, 1] (QUADPACK qk15).
var (
	gkNodes = [8]float64{
		0.991455371120812639206854697526329,
		0.949107912342758524526189684047851,
		0.864864423359769072789712788640926,
		0.741531185599394439863864773280788,
		0.586087235467691130294144845693013,
		0.405845151377397166906606412076961,
		0.207784955007898467600689403773245,
		0.000000000000000000000000000000000,
	}
	gkWeights = [8]float64{
		0.022935322010529224963732008058970,
		0.063092092629978553290700663189204,
		0.104790010322250183839876322541518,
		0.140653259715525918745189590510238,
		0.169004726639267902826583426598550,
		0.190350578064785409913256402421014,
		0.204432940075298892414161999234649,
		0.209482141084727828012999174891714,
	}
	gaussWeights = [4]float64{
		0.129484966168869693270611432679082,
		0.279705391489276667901467771423780,
		0.381830050505118944950369775488975,
		0.417959183673469387755102040816327,
	}
)

// gk15 returns the Kronrod estimate of ∫f over [lo, hi] and its error
// estimate (difference to the embedded Gauss rule).
func gk15(f func(float64) float64, lo, hi float64) (float64, float64) {
	c := (lo + hi) / 2
	h := (hi - lo) / 2
	fc := f(c)
	kron := fc * gkWeights[7]
	gauss := fc * gaussWeights[3]
	for i := 0; i < 7; i++ {
		dx := h * gkNodes[i]
		s := f(c-dx) + f(c+dx)
		kron += gkWeights[i] * s
		if i%2 == 1 {
			gauss += gaussWeights[i/2] * s
		}
	}
	return kron * h, math.Abs((kron - gauss) * h)
}

// integrate computes ∫f over [lo, hi] by globally adaptive bisection with a
// relative tolerance of about 1e-11. It reports false when the integral does
// not converge or is not finite.
func integrate(f func(float64) float64, lo, hi float64) (float64, bool) {
	if !(hi > lo) {
		return 0, true
	}
	type segment struct{ lo, hi, val, err float64 }
	v, e := gk15(f, lo, hi)
	segs := []segment{{lo, hi, v, e}}
	const maxSegments = 4000
	for len(segs) < maxSegments {
		var total, totalErr float64
		worst := 0
		for i, s := range segs {
			total += s.val
			totalErr += s.err
			if s.err > segs[worst].err {
				worst = i
			}
		}
		if !finite(total, totalErr) {
			return 0, false
		}
		if totalErr <= 1e-11*math.Abs(total) || totalErr <= 1e-300 {
			return total, true
		}
		s := segs[worst]
		mid := (s.lo + s.hi) / 2
		if !(mid > s.lo && mid < s.hi) {
			// Interval cannot be split further in float64.
			return total, totalErr <= 1e-7*math.Abs(total)
		}
		v1, e1 := gk15(f, s.lo, mid)
		v2, e2 := gk15(f, mid, s.hi)
		segs[worst] = segment{s.lo, mid, v1, e1}
		segs = append(segs, segment{mid, s.hi, v2, e2})
	}
	var total, totalErr float64
	for _, s := range segs {
		total += s.val
		totalErr += s.err
	}
	return total, finite(total) && totalErr <= 1e-7*math.Abs(total)
}

// lbetaFn returns log B(a, b) for positive a, b.
func lbetaFn(a, b float64) float64 {
	return lgamma(a) + lgamma(b) - lgamma(a+b)
}

// lgamma returns log|Γ(x)|.
func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// logSumExp returns log(e^x + e^y) without overflow.
func logSumExp(x, y float64) float64 {
	if math.IsInf(x, -1) {
		return y
	}
	if math.IsInf(y, -1) {
		return x
	}
	if x > y {
		return x + math.Log1p(math.Exp(y-x))
	}
	return y + math.Log1p(math.Exp(x-y))
}

// finite reports whether all values are neither NaN nor ±Inf.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// clampFinite maps NaN to 0 and ±Inf to ±math.MaxFloat64. It reports
// whether v had to be changed.
func clampFinite(v float64) (float64, bool) {
	switch {
	case math.IsNaN(v):
		return 0, true
	case math.IsInf(v, 1):
		return math.MaxFloat64, true
	case math.IsInf(v, -1):
		return -math.MaxFloat64, true
	}
	return v, false
}
