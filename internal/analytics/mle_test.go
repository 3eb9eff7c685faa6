package analytics

import (
	"math"
	"testing"
)

func TestMinimizeLogParams(t *testing.T) {
	tests := []struct {
		name          string
		f             func(x []float64) float64
		grad          func(g, x []float64)
		want          []float64
		tol           float64
		wantConverged bool
	}{
		{
			name: "smooth quadratic is solved by BFGS",
			f:    func(x []float64) float64 { return (x[0]-1)*(x[0]-1) + 3*(x[1]+2)*(x[1]+2) },
			grad: func(g, x []float64) { g[0], g[1] = 2*(x[0]-1), 6*(x[1]+2) },
			want: []float64{1, -2}, tol: 1e-6, wantConverged: true,
		},
		{
			// |x| has no stationary point, so BFGS stalls and the
			// Nelder-Mead restart finds the kink; it is not reported as
			// converged.
			name: "non-smooth minimum falls back to Nelder-Mead",
			f:    func(x []float64) float64 { return math.Abs(x[0]-1) + math.Abs(x[1]+2) },
			grad: func(g, x []float64) {
				g[0], g[1] = math.Copysign(1, x[0]-1), math.Copysign(1, x[1]+2)
			},
			want: []float64{1, -2}, tol: 1e-4, wantConverged: false,
		},
		{
			// NaN regions are treated as +Inf.
			name: "NaN outside the domain",
			f: func(x []float64) float64 {
				if x[0] > 3 {
					return math.NaN()
				}
				return (x[0]-2)*(x[0]-2) + x[1]*x[1]
			},
			grad: func(g, x []float64) { g[0], g[1] = 2*(x[0]-2), 2*x[1] },
			want: []float64{2, 0}, tol: 1e-5, wantConverged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, fx, converged := minimizeLogParams(tt.f, tt.grad, []float64{0, 0})
			if math.Abs(x[0]-tt.want[0]) > tt.tol || math.Abs(x[1]-tt.want[1]) > tt.tol || !isFinite(fx) {
				t.Errorf("minimum at %v (f=%v), want %v", x, fx, tt.want)
			}
			if converged != tt.wantConverged {
				t.Errorf("converged = %v, want %v", converged, tt.wantConverged)
			}
		})
	}
}
