package analytics

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// Values lists the tiers, best first; it lets the data layer store a Tier as
// an enum column.
func (Tier) Values() []string {
	return []string{string(TierVIP), string(TierHigh), string(TierMedium), string(TierLow)}
}

// MarshalGQL writes the tier as a GraphQL enum value.
func (t Tier) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(t))) }

// UnmarshalGQL reads a tier from a GraphQL enum value.
func (t *Tier) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || !slices.Contains(Tier("").Values(), s) {
		return fmt.Errorf("%v is not a ValueTier: want VIP, HIGH, MEDIUM or LOW", v)
	}
	*t = Tier(s)
	return nil
}

// Values lists the RFM segments; it lets the data layer store an RFMSegment
// as an enum column.
func (RFMSegment) Values() []string {
	all := AllRFMSegments()
	out := make([]string, len(all))
	for i, s := range all {
		out[i] = string(s)
	}
	return out
}

// MarshalGQL writes the segment as a GraphQL enum value.
func (s RFMSegment) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a segment from a GraphQL enum value.
func (s *RFMSegment) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok || !slices.Contains(RFMSegment("").Values(), str) {
		return fmt.Errorf("%v is not an RFMSegment", v)
	}
	*s = RFMSegment(str)
	return nil
}
