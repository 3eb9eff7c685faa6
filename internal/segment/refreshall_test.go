package segment

import (
	"slices"
	"testing"

	"github.com/headlesscrm/crm/ent"
	entsegment "github.com/headlesscrm/crm/ent/segment"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

func TestReadsComputedValues(t *testing.T) {
	tests := []struct {
		name string
		rule *Rule
		want bool
	}{
		{"a contact field", Cond(FieldNewsletterOptIn, OpEQ, "true"), false},
		{"a relation", Not(rel(RelationAttendedCampaign, channel("SEMINAR"), within(365))), false},
		{"the value tier", Cond(FieldValueTier, OpIn, "VIP", "HIGH"), true},
		{"the RFM segment", Cond(FieldRFMSegment, OpEQ, "CHAMPIONS"), true},
		{"the predicted CLV", Cond(FieldPredictedCLV, OpGT, "100"), true},
		{"the probability alive", Cond(FieldProbabilityAlive, OpLT, "0.5"), true},
		{"the value score", Cond(FieldValueScore, OpGTE, "80"), true},
		{"the gross margin", Cond(FieldGrossMargin, OpIsSet), true},
		{"the net value", Cond(FieldNetValue, OpGT, "0"), true},
		{"deep in and, or and not", And(Cond(FieldNewsletterOptIn, OpEQ, "true"),
			Or(rel(RelationOpenDeal), Not(Cond(FieldNetValue, OpGT, "0")))), true},
		{"none in and, or and not", And(Cond(FieldNewsletterOptIn, OpEQ, "true"),
			Or(rel(RelationOpenDeal), Not(rel(RelationAnyPurchase)))), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.ReadsComputedValues(); got != tt.want {
				t.Errorf("ReadsComputedValues() = %v; want %v", got, tt.want)
			}
		})
	}
}

// TestRefreshSelected refreshes the segments that read computed values and
// the others apart, several at a time, and gets the members RefreshAll
// would.
func TestRefreshSelected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		rules := map[string]*Rule{
			"vip":        Cond(FieldValueTier, OpEQ, "VIP"),
			"profitable": Cond(FieldNetValue, OpGT, "0"),
			"subscribed": Cond(FieldNewsletterOptIn, OpEQ, "true"),
			"seminar":    rel(RelationAttendedCampaign, channel("SEMINAR")),
		}
		want := map[string][]string{
			"vip": names("ada bob"), "profitable": names("ada"),
			"subscribed": names("ada bob dee"), "seminar": names("ada bob cy"),
		}
		segs := map[string]*ent.Segment{}
		for name, r := range rules {
			segs[name] = must[*ent.Segment](t)(s.Client.Segment.Create().SetName(name).SetRule(mapOf(t, r)).Save(f.ctx))
		}
		refreshed := func() []string {
			var out []string
			for _, seg := range s.Client.Segment.Query().Where(entsegment.RefreshedAtNotNil()).AllX(f.ctx) {
				out = append(out, seg.Name)
			}
			slices.Sort(out)
			return out
		}
		if err := RefreshSelected(f.ctx, s.Client, testNow, OtherSegments, 2); err != nil {
			t.Fatal(err)
		}
		if got := refreshed(); !slices.Equal(got, []string{"seminar", "subscribed"}) {
			t.Errorf("OtherSegments refreshed %v; want seminar and subscribed", got)
		}
		if err := RefreshSelected(f.ctx, s.Client, testNow, ComputedValueSegments, 3); err != nil {
			t.Fatal(err)
		}
		if got := refreshed(); len(got) != 4 {
			t.Errorf("refreshed %v; want all four", got)
		}
		for name, seg := range segs {
			if got, _ := f.stored(t, seg); !slices.Equal(got, want[name]) {
				t.Errorf("%s: %v; want %v", name, got, want[name])
			}
		}
	})
}
