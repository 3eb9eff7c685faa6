package analytics

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// scoreComponents returns the ValueComponents in order with the given
// values, weights and raws.
func scoreComponents(values, weights, raws [6]float64) Components {
	cs := make(Components, len(ValueComponents))
	for i, name := range ValueComponents {
		cs[i] = Component{Name: name, Value: values[i], Weight: weights[i], Raw: raws[i]}
	}
	return cs
}

// sameComponents reports whether a and b are equal, numbers bit for bit
// (telling -0 from 0) and nil apart from empty.
func sameComponents(a, b Components) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || math.Float64bits(x.Value) != math.Float64bits(y.Value) ||
			math.Float64bits(x.Weight) != math.Float64bits(y.Weight) || math.Float64bits(x.Raw) != math.Float64bits(y.Raw) {
			return false
		}
	}
	return true
}

func TestComponentsMarshalJSON(t *testing.T) {
	score := scoreComponents(
		[6]float64{0.731031231031231, 0.5, 1, 0, 0.5, 0.25},
		[6]float64{0.35, 0.2, 0.15, 0.1, 0.1, 0.1},
		[6]float64{1630.3647, -12.5, 3.25, 0, 0.9, 2})
	tests := []struct {
		name string
		cs   Components
		want string
	}{
		{"value score: compact", score,
			`{"v":[0.731031231031231,0.5,1,0,0.5,0.25],"w":[0.35,0.2,0.15,0.1,0.1,0.1],"r":[1630.3647,-12.5,3.25,0,0.9,2]}`},
		{"notation as json.Marshal", scoreComponents([6]float64{1e-7, 1e21, 1e20, math.Copysign(0, -1), 5e-324, 0.000001}, [6]float64{}, [6]float64{}),
			`{"v":[1e-7,1e+21,100000000000000000000,-0,5e-324,0.000001],"w":[0,0,0,0,0,0],"r":[0,0,0,0,0,0]}`},
		{"nil", nil, `null`},
		{"empty: objects", Components{}, `[]`},
		{"fewer: objects", score[:2],
			`[{"name":"CLV","value":0.731031231031231,"weight":0.35,"raw":1630.3647},{"name":"PROFITABILITY","value":0.5,"weight":0.2,"raw":-12.5}]`},
		{"out of order: objects", Components{score[1], score[0], score[2], score[3], score[4], score[5]},
			`[{"name":"PROFITABILITY","value":0.5,"weight":0.2,"raw":-12.5},{"name":"CLV","value":0.731031231031231,"weight":0.35,"raw":1630.3647},` +
				`{"name":"LOYALTY","value":1,"weight":0.15,"raw":3.25},{"name":"ENGAGEMENT","value":0,"weight":0.1,"raw":0},` +
				`{"name":"SATISFACTION","value":0.5,"weight":0.1,"raw":0.9},{"name":"ADVOCACY","value":0.25,"weight":0.1,"raw":2}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.cs)
			if err != nil || string(got) != tt.want {
				t.Fatalf("json.Marshal = %s, %v; want %s", got, err, tt.want)
			}
			var back Components
			if err := json.Unmarshal(got, &back); err != nil || !sameComponents(back, tt.cs) {
				t.Fatalf("read back %+v, %v; want %+v", back, err, tt.cs)
			}
		})
	}
}

func TestComponentsMarshalJSONRefusesNonFinite(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for _, cs := range []Components{
			scoreComponents([6]float64{}, [6]float64{}, [6]float64{5: bad}),
			{{Name: ComponentCLV, Value: bad}},
		} {
			if b, err := json.Marshal(cs); err == nil {
				t.Errorf("json.Marshal(%v) = %s; want an error", cs, b)
			}
		}
	}
}

func TestComponentsRoundTripExactly(t *testing.T) {
	tricky := []float64{0, math.Copysign(0, -1), 0.1 + 0.2, 1e-7, -1e-7, 9.999999e-7, 1e21, -1e21, 9.99e20,
		123456789.1234, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.5e-300, 2.0 / 3}
	for i := range tricky {
		var v, w, r [6]float64
		for c := range 6 {
			v[c], w[c], r[c] = tricky[(i+c)%len(tricky)], tricky[(i+c+5)%len(tricky)], tricky[(i+c+9)%len(tricky)]
		}
		cs := scoreComponents(v, w, r)
		b, err := json.Marshal(cs)
		if err != nil {
			t.Fatal(err)
		}
		var back Components
		if err := json.Unmarshal(b, &back); err != nil || !sameComponents(back, cs) {
			t.Errorf("%s read back as %+v, %v; want %+v", b, back, err, cs)
		}
	}
}

// TestComponentsReadStoredForms reads the forms metrics rows hold: the
// compact one, the array of objects written before it (as json.Marshal
// wrote it, and as PostgreSQL prints it after storing it as jsonb), and
// null.
func TestComponentsReadStoredForms(t *testing.T) {
	want := scoreComponents(
		[6]float64{0.731031231031231, 0.5, 1, 0, 0.5, 0.25},
		[6]float64{0.35, 0.2, 0.15, 0.1, 0.1, 0.1},
		[6]float64{1630.3647, -12.5, 3.25, 0, 0.9, 2})
	var objects strings.Builder
	var jsonb []string
	for i, c := range want {
		if i > 0 {
			objects.WriteByte(',')
		}
		b, _ := json.Marshal(c)
		objects.Write(b)
		raw, _ := json.Marshal(c.Raw)
		value, _ := json.Marshal(c.Value)
		weight, _ := json.Marshal(c.Weight)
		jsonb = append(jsonb, `{"raw": `+string(raw)+`, "name": "`+string(c.Name)+`", "value": `+string(value)+`, "weight": `+string(weight)+`}`)
	}
	tests := []struct {
		name, stored string
		want         Components
	}{
		{"compact", `{"v":[0.731031231031231,0.5,1,0,0.5,0.25],"w":[0.35,0.2,0.15,0.1,0.1,0.1],"r":[1630.3647,-12.5,3.25,0,0.9,2]}`, want},
		{"compact, keys reordered and spaced", ` { "r": [1630.3647, -12.5, 3.25, 0, 0.9, 2], "w": [0.35, 0.2, 0.15, 0.1, 0.1, 0.1], "v": [0.731031231031231, 0.5, 1, 0, 0.5, 0.25] } `, want},
		{"objects, as json.Marshal wrote them", "[" + objects.String() + "]", want},
		{"objects, as jsonb prints them", "[" + strings.Join(jsonb, ", ") + "]", want},
		{"objects, empty", `[]`, Components{}},
		{"null", `null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Components{{Name: "stale"}}
			if err := json.Unmarshal([]byte(tt.stored), &got); err != nil || !sameComponents(got, tt.want) {
				t.Errorf("read %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestComponentsUnmarshalJSONErrors(t *testing.T) {
	tests := []struct{ name, stored, wantErr string }{
		{"five values", `{"v":[1,2,3,4,5],"w":[1,2,3,4,5,6],"r":[1,2,3,4,5,6]}`, "5 values, 6 weights and 6 raws; want 6 of each"},
		{"seven raws", `{"v":[1,2,3,4,5,6],"w":[1,2,3,4,5,6],"r":[1,2,3,4,5,6,7]}`, "6 values, 6 weights and 7 raws; want 6 of each"},
		{"raws missing", `{"v":[1,2,3,4,5,6],"w":[1,2,3,4,5,6]}`, "6 values, 6 weights and 0 raws; want 6 of each"},
		{"empty object", `{}`, "0 values, 0 weights and 0 raws"},
		{"not numbers", `{"v":["a"],"w":[],"r":[]}`, "cannot unmarshal string"},
		{"a number", `42`, "cannot unmarshal number"},
		{"objects of the wrong type", `[{"name":"CLV","value":"high"}]`, "cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Components
			err := json.Unmarshal([]byte(tt.stored), &got)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "value-score components") {
				t.Errorf("reading %s: %v; want an error about value-score components containing %q", tt.stored, err, tt.wantErr)
			}
		})
	}
}

// TestComponentsInStruct checks the forms where ent puts them: a field of
// a struct that encoding/json marshals and unmarshals.
func TestComponentsInStruct(t *testing.T) {
	type row struct {
		Components Components `json:"components,omitempty"`
	}
	in := row{Components: scoreComponents([6]float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, [6]float64{1, 0, 0, 0, 0, 0}, [6]float64{7, 8, 9, 10, 11, 12})}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out row
	if err := json.Unmarshal(b, &out); err != nil || !reflect.DeepEqual(out, in) {
		t.Errorf("%s read back as %+v, %v; want %+v", b, out, err, in)
	}
}
