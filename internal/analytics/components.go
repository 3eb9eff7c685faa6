package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Components are the terms of a value score as a customer's metrics store
// them. When they are the ValueComponents in order, as every computed value
// score's are, their JSON form is compact: the names are implied by
// position and each field's numbers are listed together,
//
//	{"v":[values…],"w":[weights…],"r":[raws…]}
//
// less than half the size of an array of Component objects. Any other
// set of components, which the compact form cannot represent, is written
// as that array of objects instead: the form stored before the compact one,
// which UnmarshalJSON reads too. Numbers are written as json.Marshal writes
// them and read back exactly.
type Components []Component

// compactComponents is the compact JSON form of Components, each slice in
// ValueComponents order.
type compactComponents struct {
	Values  []float64 `json:"v"`
	Weights []float64 `json:"w"`
	Raws    []float64 `json:"r"`
}

// MarshalJSON implements json.Marshaler: null for nil components, the
// compact form for the ValueComponents in order, and an array of Component
// objects otherwise. Like json.Marshal, it fails on a NaN or infinite
// number.
func (cs Components) MarshalJSON() ([]byte, error) {
	if cs == nil {
		return []byte("null"), nil
	}
	if !cs.compactable() {
		return json.Marshal([]Component(cs))
	}
	c := compactComponents{
		Values:  make([]float64, len(cs)),
		Weights: make([]float64, len(cs)),
		Raws:    make([]float64, len(cs)),
	}
	for i, x := range cs {
		c.Values[i], c.Weights[i], c.Raws[i] = x.Value, x.Weight, x.Raw
	}
	return json.Marshal(c)
}

// compactable reports whether the components are the ValueComponents in
// order, which the compact form implies.
func (cs Components) compactable() bool {
	if len(cs) != len(ValueComponents) {
		return false
	}
	for i, c := range cs {
		if c.Name != ValueComponents[i] {
			return false
		}
	}
	return true
}

// UnmarshalJSON implements json.Unmarshaler. It reads null as nil, an array
// as Component objects, and an object as the compact form, whose three
// arrays must each hold one number per ValueComponents entry.
func (cs *Components) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*cs = nil
		return nil
	case len(b) > 0 && b[0] == '[':
		var objects []Component
		if err := json.Unmarshal(b, &objects); err != nil {
			return fmt.Errorf("analytics: reading value-score components: %w", err)
		}
		*cs = objects
		return nil
	}
	var c compactComponents
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("analytics: reading value-score components: %w", err)
	}
	n := len(ValueComponents)
	if len(c.Values) != n || len(c.Weights) != n || len(c.Raws) != n {
		return fmt.Errorf("analytics: reading value-score components: %d values, %d weights and %d raws; want %d of each",
			len(c.Values), len(c.Weights), len(c.Raws), n)
	}
	out := make(Components, n)
	for i, name := range ValueComponents {
		out[i] = Component{Name: name, Value: c.Values[i], Weight: c.Weights[i], Raw: c.Raws[i]}
	}
	*cs = out
	return nil
}
