package valuation

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/headlesscrm/crm/internal/analytics"
)

// TestComponentsJSONIsJSONMarshal compares appendComponentsJSON with
// json.Marshal, byte for byte, on the numbers where ES6 formatting switches
// notation, special and random values, and names that need escaping.
func TestComponentsJSONIsJSONMarshal(t *testing.T) {
	numbers := []float64{0, math.Copysign(0, -1), 1, -1, 0.35, 0.1 + 0.2, 1e-6, 9.999999e-7, 1e-7, -1e-7, 1.5e-300,
		5e-324, 1e20, 1e21, 9.99e20, -1e21, 123456789.1234, math.MaxFloat64, math.SmallestNonzeroFloat64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		numbers = append(numbers, math.Float64frombits(r.Uint64()), r.NormFloat64()*math.Pow(10, float64(r.IntN(40)-20)))
	}
	names := []analytics.ValueComponent{analytics.ComponentCLV, "<a&b>", "naïve \"quoted\" \\ \u2028"}
	tests := []struct {
		name string
		cs   []analytics.Component
	}{
		{"nil", nil},
		{"empty", []analytics.Component{}},
	}
	for i := 0; i+2 < len(numbers); i += 3 {
		tests = append(tests, struct {
			name string
			cs   []analytics.Component
		}{"numbers", []analytics.Component{
			{Name: names[i%len(names)], Value: numbers[i], Weight: numbers[i+1], Raw: numbers[i+2]},
			{Name: analytics.ComponentAdvocacy, Value: numbers[i+2]},
		}})
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		tests = append(tests, struct {
			name string
			cs   []analytics.Component
		}{"non-finite", []analytics.Component{{Name: analytics.ComponentCLV, Raw: bad}}})
	}
	for _, tt := range tests {
		want, err := json.Marshal(tt.cs)
		got, ok := appendComponentsJSON(nil, tt.cs)
		if ok != (err == nil) || ok && !bytes.Equal(got, want) {
			t.Fatalf("%s: appendComponentsJSON = %s, %v; json.Marshal = %s, %v", tt.name, got, ok, want, err)
		}
	}
}
