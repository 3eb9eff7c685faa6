package valuation

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/headlesscrm/crm/internal/analytics"
)

// TestComponentsJSONIsMarshalJSON compares appendComponentsJSON with
// analytics.Components.MarshalJSON, byte for byte, on the numbers where
// ES6 formatting switches notation, special and random values, and checks
// that both refuse NaN and infinities.
func TestComponentsJSONIsMarshalJSON(t *testing.T) {
	numbers := []float64{0, math.Copysign(0, -1), 1, -1, 0.35, 0.1 + 0.2, 1e-6, 9.999999e-7, 1e-7, -1e-7, 1.5e-300,
		5e-324, 1e20, 1e21, 9.99e20, -1e21, 123456789.1234, 1630.3647, 0.731031231031231,
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		numbers = append(numbers, math.Float64frombits(r.Uint64()), r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)))
	}
	tests := []struct {
		name    string
		numbers []float64
	}{{"numbers", numbers}}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		tests = append(tests, struct {
			name    string
			numbers []float64
		}{"non-finite", append([]float64{0.5, 0.35}, bad)})
	}
	for _, tt := range tests {
		for start := range tt.numbers {
			n, cs := componentsAt(tt.numbers, start)
			want, err := cs.MarshalJSON()
			got, ok := appendComponentsJSON(nil, &n)
			if ok != (err == nil) || ok && !bytes.Equal(got, want) {
				t.Fatalf("%s: appendComponentsJSON = %s, %v; MarshalJSON = %s, %v", tt.name, got, ok, want, err)
			}
		}
	}
}

// componentsAt fills the components' numbers with the numbers from start
// on, wrapping around, and returns them both as appendComponentsJSON and as
// analytics.Components take them.
func componentsAt(numbers []float64, start int) (componentNumbers, analytics.Components) {
	var n componentNumbers
	cs := make(analytics.Components, len(analytics.ValueComponents))
	next := func() float64 { start++; return numbers[(start-1)%len(numbers)] }
	for c, name := range analytics.ValueComponents {
		n.values[c], n.weights[c], n.raws[c] = next(), next(), next()
		cs[c] = analytics.Component{Name: name, Value: n.values[c], Weight: n.weights[c], Raw: n.raws[c]}
	}
	return n, cs
}

// TestComponentsJSONOfCustomers checks what a refresh stages for a
// customer's components: the raw values rounded to 4 decimals, -0 written
// as 0, and no components where a number is not finite.
func TestComponentsJSONOfCustomers(t *testing.T) {
	tests := []struct {
		name string
		raws [len(analytics.ValueComponents)]float64
		want string
	}{
		{"rounded", [6]float64{1630.36474999, 12.5, 3, 0, 0.9, 2},
			`{"v":[0.5,0,1,0.25,0.5,0.75],"w":[0.35,0.2,0.15,0.1,0.1,0.1],"r":[1630.3647,12.5,3,0,0.9,2]}`},
		{"tiny negatives are 0", [6]float64{-0.00003, math.Copysign(0, -1), -0.00005, 0, 0, -1e-300},
			`{"v":[0.5,0,1,0.25,0.5,0.75],"w":[0.35,0.2,0.15,0.1,0.1,0.1],"r":[0,0,-0.0001,0,0,0]}`},
		{"not finite", [6]float64{math.Inf(1), 0, 0, 0, 0, 0}, `[]`},
		{"not a number", [6]float64{0, 0, 0, 0, 0, math.NaN()}, `[]`},
	}
	for _, tt := range tests {
		v := &values{}
		v.scores.Weights = [6]float64{0.35, 0.2, 0.15, 0.1, 0.1, 0.1}
		for c, p := range []float64{0.5, 0, 1, 0.25, 0.5, 0.75} {
			v.scores.Percentiles[c] = []float64{p}
			v.inputs.Columns[c] = []float64{tt.raws[c]}
		}
		r := metricsRow{values: v}
		if got := string(r.componentsJSON(0)); got != tt.want {
			t.Errorf("%s: componentsJSON = %s; want %s", tt.name, got, tt.want)
		}
	}
}
