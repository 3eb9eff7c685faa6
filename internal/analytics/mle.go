package analytics

import (
	"math"

	"gonum.org/v1/gonum/optimize"
)

// maxLogParam bounds the log-parameters explored by the optimizers; beyond
// e^±30 the models are degenerate and the objective is reported as +Inf.
const maxLogParam = 30

// minimizeLogParams minimizes f over log-parameters starting at x0. It
// first runs BFGS with the analytic gradient; if that does not reach a
// stationary point, whatever its stopping reason, it restarts with a
// Nelder-Mead search, which does not need the gradient and tolerates
// non-finite regions, and polishes the result with BFGS. It returns the best point, its value and whether it is
// a stationary point (gradient below 1e-5 in every coordinate).
func minimizeLogParams(f func([]float64) float64, grad func(g, x []float64), x0 []float64) ([]float64, float64, bool) {
	bounded := func(x []float64) float64 {
		for _, v := range x {
			if !(math.Abs(v) <= maxLogParam) {
				return math.Inf(1)
			}
		}
		v := f(x)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	stationary := func(x []float64) bool {
		g := make([]float64, len(x))
		grad(g, x)
		return finite(g...) && maxAbs(g) < 1e-5
	}

	best := append([]float64(nil), x0...)
	bestF := bounded(best)
	// bfgs runs BFGS from best and keeps its result if it is better.
	bfgs := func() bool {
		res, _ := optimize.Minimize(
			optimize.Problem{Func: bounded, Grad: grad},
			best,
			&optimize.Settings{
				GradientThreshold: 1e-9,
				Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 50},
				MajorIterations:   2000,
			},
			&optimize.BFGS{},
		)
		if res == nil || !finite(res.F) || res.F > bestF {
			return false
		}
		best, bestF = append([]float64(nil), res.X...), res.F
		// At a stationary point the line search may fail for want of a
		// representable decrease: the point is still the optimum, and
		// Nelder-Mead would only spend hundreds of evaluations on it.
		return stationary(best)
	}
	if bfgs() {
		return best, bestF, true
	}

	nm, _ := optimize.Minimize(
		optimize.Problem{Func: bounded},
		best,
		&optimize.Settings{
			Converger:       &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-12, Iterations: 200},
			MajorIterations: 20000,
		},
		&optimize.NelderMead{},
	)
	// An early stop (e.g. the iteration limit) still yields a usable start.
	if nm != nil && finite(nm.F) && nm.F < bestF {
		best, bestF = append([]float64(nil), nm.X...), nm.F
	}
	for range 3 {
		prev := bestF
		if bfgs() {
			return best, bestF, true
		}
		if !(bestF < prev) {
			break
		}
	}
	return best, bestF, stationary(best)
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if a := math.Abs(x); a > m || math.IsNaN(a) {
			m = a
		}
	}
	return m
}
