package segment

import (
	"slices"
	"strings"
	"testing"

	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

type ruleCase struct {
	name string
	rule *Rule
	want []string
}

func rel(r Relation, opts ...func(*RelatedCondition)) *Rule {
	c := RelatedCondition{Relation: r}
	for _, o := range opts {
		o(&c)
	}
	return Has(c)
}

func within(n int) func(*RelatedCondition) {
	return func(c *RelatedCondition) { c.WithinDays = Ptr(n) }
}
func minCount(n int) func(*RelatedCondition) {
	return func(c *RelatedCondition) { c.MinCount = Ptr(n) }
}
func channel(ch string) func(*RelatedCondition) {
	return func(c *RelatedCondition) { c.Channel = Ptr(ch) }
}
func atMost(n int) func(*RelatedCondition) {
	return func(c *RelatedCondition) { c.ScoreAtMost = Ptr(n) }
}
func atLeast(n int) func(*RelatedCondition) {
	return func(c *RelatedCondition) { c.ScoreAtLeast = Ptr(n) }
}

func names(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Fields(s)
}

var fieldCases = []ruleCase{
	{"email EQ ignores case", Cond(FieldEmail, OpEQ, "ADA@example.com"), names("ada")},
	{"email NEQ keeps unset", Cond(FieldEmail, OpNEQ, "ada@example.com"), names("bob cy dee")},
	{"email IN", Cond(FieldEmail, OpIn, "bob@example.com", "dee@example.com", "eve@example.com"), names("bob dee")},
	{"email NOT_IN", Cond(FieldEmail, OpNotIn, "bob@example.com"), names("ada cy dee")},
	{"email CONTAINS", Cond(FieldEmail, OpContains, "EXAMPLE"), names("ada bob dee")},
	{"email IS_SET", Cond(FieldEmail, OpIsSet), names("ada bob dee")},
	{"email IS_NOT_SET", Cond(FieldEmail, OpIsNotSet), names("cy")},
	{"first name EQ", Cond(FieldFirstName, OpEQ, "bob"), names("bob")},
	{"first name CONTAINS", Cond(FieldFirstName, OpContains, "a"), names("ada")},
	{"last name IS_SET", Cond(FieldLastName, OpIsSet), names("ada bob cy")},
	{"last name IS_NOT_SET", Cond(FieldLastName, OpIsNotSet), names("dee")},
	{"last name CONTAINS escapes wildcards", Cond(FieldLastName, OpContains, "%"), names("")},
	{"title IN", Cond(FieldTitle, OpIn, "cto", "VP SALES"), names("ada cy")},
	{"title NOT_IN keeps unset", Cond(FieldTitle, OpNotIn, "CTO"), names("bob cy dee")},
	{"title IS_NOT_SET", Cond(FieldTitle, OpIsNotSet), names("bob dee")},
	{"lifecycle EQ", Cond(FieldLifecycleStage, OpEQ, "CUSTOMER"), names("ada")},
	{"lifecycle NEQ", Cond(FieldLifecycleStage, OpNEQ, "CUSTOMER"), names("bob cy dee")},
	{"lifecycle IN", Cond(FieldLifecycleStage, OpIn, "LEAD", "SUBSCRIBER"), names("bob dee")},
	{"lifecycle NOT_IN", Cond(FieldLifecycleStage, OpNotIn, "LEAD"), names("ada cy dee")},
	{"lead source EQ", Cond(FieldLeadSource, OpEQ, "GOOGLE"), names("cy")},
	{"lead source CONTAINS", Cond(FieldLeadSource, OpContains, "google"), names("ada cy")},
	{"lead source IS_SET", Cond(FieldLeadSource, OpIsSet), names("ada cy")},
	{"newsletter EQ true", Cond(FieldNewsletterOptIn, OpEQ, "true"), names("ada bob dee")},
	{"newsletter EQ false", Cond(FieldNewsletterOptIn, OpEQ, "false"), names("cy")},
	{"newsletter NEQ true", Cond(FieldNewsletterOptIn, OpNEQ, "true"), names("cy")},
	{"tags CONTAINS", Cond(FieldTags, OpContains, "beta"), names("ada cy")},
	{"tags CONTAINS is exact", Cond(FieldTags, OpContains, "bet"), names("")},
	{"tags IN", Cond(FieldTags, OpIn, "vip", "nope"), names("ada")},
	{"tags NOT_IN", Cond(FieldTags, OpNotIn, "beta"), names("bob dee")},
	{"tags IS_SET", Cond(FieldTags, OpIsSet), names("ada cy")},
	{"tags IS_NOT_SET", Cond(FieldTags, OpIsNotSet), names("bob dee")},
	{"gender EQ", Cond(FieldGender, OpEQ, "FEMALE"), names("ada")},
	{"gender NEQ keeps unset", Cond(FieldGender, OpNEQ, "FEMALE"), names("bob cy dee")},
	{"gender IN", Cond(FieldGender, OpIn, "MALE", "OTHER"), names("cy")},
	{"gender IS_SET", Cond(FieldGender, OpIsSet), names("ada cy")},
	{"gender IS_NOT_SET", Cond(FieldGender, OpIsNotSet), names("bob dee")},
	{"created GTE relative", Cond(FieldCreatedAt, OpGTE, "-30d"), names("bob cy")},
	{"created LT date", Cond(FieldCreatedAt, OpLT, "2025-01-01"), names("ada")},
	{"created GT RFC 3339", Cond(FieldCreatedAt, OpGT, "2025-05-28T00:00:00Z"), names("cy")},
	{"created LTE relative", Cond(FieldCreatedAt, OpLTE, "-60d"), names("ada dee")},
	{"last contacted GT", Cond(FieldLastContactedAt, OpGT, "-30d"), names("ada")},
	{"last contacted LT", Cond(FieldLastContactedAt, OpLT, "-30d"), names("cy")},
	{"last contacted IS_SET", Cond(FieldLastContactedAt, OpIsSet), names("ada cy")},
	{"last contacted IS_NOT_SET", Cond(FieldLastContactedAt, OpIsNotSet), names("bob dee")},
	{"tier EQ", Cond(FieldValueTier, OpEQ, "VIP"), names("ada bob")},
	{"tier NEQ keeps unset", Cond(FieldValueTier, OpNEQ, "VIP"), names("cy dee")},
	{"tier IN", Cond(FieldValueTier, OpIn, "HIGH", "MEDIUM"), names("cy")},
	{"tier NOT_IN", Cond(FieldValueTier, OpNotIn, "VIP"), names("cy dee")},
	{"tier GT", Cond(FieldValueTier, OpGT, "HIGH"), names("ada bob")},
	{"tier GTE", Cond(FieldValueTier, OpGTE, "HIGH"), names("ada bob cy")},
	{"tier LT", Cond(FieldValueTier, OpLT, "VIP"), names("cy")},
	{"tier LTE", Cond(FieldValueTier, OpLTE, "HIGH"), names("cy")},
	{"tier LT LOW", Cond(FieldValueTier, OpLT, "LOW"), names("")},
	{"tier IS_SET", Cond(FieldValueTier, OpIsSet), names("ada bob cy")},
	{"tier IS_NOT_SET", Cond(FieldValueTier, OpIsNotSet), names("dee")},
	{"rfm EQ", Cond(FieldRFMSegment, OpEQ, "CHAMPIONS"), names("ada")},
	{"rfm NEQ keeps unset", Cond(FieldRFMSegment, OpNEQ, "CHAMPIONS"), names("bob cy dee")},
	{"rfm IN", Cond(FieldRFMSegment, OpIn, "AT_RISK", "LOYAL"), names("bob")},
	{"rfm NOT_IN", Cond(FieldRFMSegment, OpNotIn, "CHAMPIONS"), names("bob cy dee")},
	{"rfm IS_SET", Cond(FieldRFMSegment, OpIsSet), names("ada bob")},
	{"rfm IS_NOT_SET", Cond(FieldRFMSegment, OpIsNotSet), names("cy dee")},
	{"clv GT", Cond(FieldPredictedCLV, OpGT, "500"), names("ada bob")},
	{"clv GTE", Cond(FieldPredictedCLV, OpGTE, "800"), names("ada bob")},
	{"clv LT", Cond(FieldPredictedCLV, OpLT, "100"), names("dee")},
	{"clv LTE", Cond(FieldPredictedCLV, OpLTE, "100"), names("cy dee")},
	{"clv EQ", Cond(FieldPredictedCLV, OpEQ, "100"), names("cy")},
	{"clv NEQ", Cond(FieldPredictedCLV, OpNEQ, "100"), names("ada bob dee")},
	{"alive LT", Cond(FieldProbabilityAlive, OpLT, "0.4"), names("bob dee")},
	{"alive GTE", Cond(FieldProbabilityAlive, OpGTE, "0.5"), names("ada cy")},
	{"score GTE", Cond(FieldValueScore, OpGTE, "85"), names("ada bob")},
	{"score LT", Cond(FieldValueScore, OpLT, "60"), names("dee")},
	{"score EQ", Cond(FieldValueScore, OpEQ, "60"), names("cy")},
	{"margin GTE", Cond(FieldGrossMargin, OpGTE, "1000"), names("ada")},
	{"margin LT", Cond(FieldGrossMargin, OpLT, "1000.00"), names("bob")},
	{"margin EQ", Cond(FieldGrossMargin, OpEQ, "500"), names("bob")},
	{"margin NEQ keeps missing metrics", Cond(FieldGrossMargin, OpNEQ, "500"), names("ada cy dee")},
	{"margin IS_SET", Cond(FieldGrossMargin, OpIsSet), names("ada bob")},
	{"margin IS_NOT_SET", Cond(FieldGrossMargin, OpIsNotSet), names("cy dee")},
	{"net value GT", Cond(FieldNetValue, OpGT, "0"), names("ada")},
	{"net value LT", Cond(FieldNetValue, OpLT, "0"), names("bob")},
	{"net value LTE", Cond(FieldNetValue, OpLTE, "-100"), names("bob")},
}

var relationCases = []ruleCase{
	{"won deal", rel(RelationWonDeal), names("ada bob")},
	{"won deal within", rel(RelationWonDeal, within(182)), names("ada")},
	{"won deal min count", rel(RelationWonDeal, minCount(2)), names("ada")},
	{"won deal min count within", rel(RelationWonDeal, minCount(2), within(365)), names("ada")},
	{"won deal min count within too short", rel(RelationWonDeal, minCount(2), within(182)), names("")},
	{"any purchase", rel(RelationAnyPurchase), names("ada bob")},
	{"any purchase within", rel(RelationAnyPurchase, within(365)), names("ada")},
	{"open deal", rel(RelationOpenDeal), names("ada bob dee")},
	{"open deal within", rel(RelationOpenDeal, within(30)), names("bob")},
	{"lost deal", rel(RelationLostDeal), names("cy")},
	{"lost deal within", rel(RelationLostDeal, within(5)), names("")},
	{"attended seminar", rel(RelationAttendedCampaign, channel("SEMINAR")), names("ada bob cy")},
	{"attended seminar within", rel(RelationAttendedCampaign, channel("SEMINAR"), within(365)), names("ada cy")},
	{"attended seminar within by start", rel(RelationAttendedCampaign, channel("SEMINAR"), within(60)), names("cy")},
	{"attended any within", rel(RelationAttendedCampaign, within(365)), names("ada cy")},
	{"attended email", rel(RelationAttendedCampaign, channel("EMAIL")), names("")},
	{"attended twice", rel(RelationAttendedCampaign, minCount(2)), names("")},
	{"responded", rel(RelationRespondedToCampaign), names("ada bob")},
	{"responded within", rel(RelationRespondedToCampaign, within(30)), names("bob")},
	{"responded to seminar", rel(RelationRespondedToCampaign, channel("SEMINAR")), names("ada")},
	{"latest NPS at most", rel(RelationLatestNPS, atMost(6)), names("bob")},
	{"latest NPS at least", rel(RelationLatestNPS, atLeast(9)), names("ada")},
	{"latest NPS range", rel(RelationLatestNPS, atLeast(7), atMost(9)), names("ada")},
	{"latest NPS within", rel(RelationLatestNPS, atLeast(0), within(30)), names("ada bob")},
	{"latest NPS within too short", rel(RelationLatestNPS, atMost(6), within(3)), names("")},
	{"latest CSAT", rel(RelationLatestCSAT, atLeast(4)), names("bob")},
	{"latest CSAT at most", rel(RelationLatestCSAT, atMost(2)), names("ada")},
	{"open ticket", rel(RelationOpenTicket), names("ada cy")},
	{"open ticket within", rel(RelationOpenTicket, within(1)), names("")},
	{"referred", rel(RelationReferredContact), names("ada")},
	{"referred two", rel(RelationReferredContact, minCount(2)), names("ada")},
	{"referred three", rel(RelationReferredContact, minCount(3)), names("")},
	{"referred within", rel(RelationReferredContact, within(10)), names("ada")},
	{"referred two within", rel(RelationReferredContact, within(10), minCount(2)), names("")},
}

var logicCases = []ruleCase{
	{"not field", Not(Cond(FieldValueTier, OpEQ, "VIP")), names("cy dee")},
	{"not tier IS_NOT_SET", Not(Cond(FieldValueTier, OpIsNotSet)), names("ada bob cy")},
	{"not number", Not(Cond(FieldPredictedCLV, OpGT, "500")), names("cy dee")},
	{"not of value figures", Not(Or(Cond(FieldValueTier, OpIsNotSet), Cond(FieldPredictedCLV, OpLT, "500"))), names("ada bob")},
	{"value figures and contact fields", And(
		Cond(FieldValueTier, OpGTE, "HIGH"),
		Cond(FieldPredictedCLV, OpLTE, "800"),
		Cond(FieldNewsletterOptIn, OpEQ, "true"),
	), names("bob")},
	{"not text", Not(Cond(FieldEmail, OpEQ, "ada@example.com")), names("bob cy dee")},
	{"not tags", Not(Cond(FieldTags, OpContains, "beta")), names("bob dee")},
	{"not money", Not(Cond(FieldGrossMargin, OpGTE, "1000")), names("bob cy dee")},
	{"not time", Not(Cond(FieldLastContactedAt, OpGT, "-30d")), names("bob cy dee")},
	{"not relation", Not(rel(RelationWonDeal)), names("cy dee")},
	{"not count", Not(rel(RelationReferredContact, minCount(2))), names("bob cy dee")},
	{"not latest", Not(rel(RelationLatestNPS, atMost(6))), names("ada cy dee")},
	{"double not", Not(Not(rel(RelationWonDeal))), names("ada bob")},
	{"triple not", Not(Not(Not(rel(RelationWonDeal)))), names("cy dee")},
	{"and", And(Cond(FieldNewsletterOptIn, OpEQ, "true"), rel(RelationOpenDeal)), names("ada bob dee")},
	{"or", Or(Cond(FieldGender, OpEQ, "MALE"), rel(RelationLostDeal), Cond(FieldTitle, OpEQ, "cto")), names("ada cy")},
	{"or of ands", Or(
		And(Cond(FieldValueTier, OpEQ, "VIP"), Not(rel(RelationWonDeal, within(182)))),
		rel(RelationLostDeal),
	), names("bob cy")},
	{"and of ors with not", And(
		Or(Cond(FieldValueTier, OpEQ, "HIGH"), Cond(FieldRFMSegment, OpEQ, "CHAMPIONS")),
		Not(Cond(FieldNewsletterOptIn, OpEQ, "true")),
	), names("cy")},
	{"not of and", Not(And(Cond(FieldNewsletterOptIn, OpEQ, "true"), rel(RelationWonDeal))), names("cy dee")},
	{"not of or", Not(Or(Cond(FieldTags, OpIsSet), rel(RelationOpenDeal))), names("")},
	{"single and", And(rel(RelationOpenTicket)), names("ada cy")},
}

func runCases(t *testing.T, f *fixture, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.members(t, tc.rule); !slices.Equal(got, tc.want) {
				t.Errorf("%s\n got %v\nwant %v", tc.rule, got, tc.want)
			}
		})
	}
}

func TestPredicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		t.Run("fields", func(t *testing.T) { runCases(t, f, fieldCases) })
		t.Run("relations", func(t *testing.T) { runCases(t, f, relationCases) })
		t.Run("logic", func(t *testing.T) { runCases(t, f, logicCases) })
	})
}

// TestPredicateCoversEverything makes sure every field, comparison a field
// supports, and relation appears in the cases above.
func TestPredicateCoversEverything(t *testing.T) {
	seenOp := map[SegmentField]map[ComparisonOp]bool{}
	seenRel := map[Relation]bool{}
	var walk func(r *Rule)
	walk = func(r *Rule) {
		switch {
		case r.Field != nil:
			if seenOp[r.Field.Field] == nil {
				seenOp[r.Field.Field] = map[ComparisonOp]bool{}
			}
			seenOp[r.Field.Field][r.Field.Op] = true
		case r.Related != nil:
			seenRel[r.Related.Relation] = true
		case r.Not != nil:
			walk(r.Not)
		}
		for _, c := range append(r.And, r.Or...) {
			walk(c)
		}
	}
	for _, tc := range slices.Concat(fieldCases, relationCases, logicCases) {
		walk(tc.rule)
	}
	for _, f := range segmentFields {
		if len(seenOp[f]) == 0 {
			t.Errorf("no case for field %s", f)
		}
	}
	// Every comparison is exercised on at least one field.
	for _, op := range comparisonOps {
		found := false
		for _, ops := range seenOp {
			found = found || ops[op]
		}
		if !found {
			t.Errorf("no case for comparison %s", op)
		}
	}
	for _, r := range relations {
		if !seenRel[r] {
			t.Errorf("no case for relation %s", r)
		}
	}
}

// TestPredicateReadsContactValues changes the contacts' rows of
// contact_values and checks that rules on the value figures follow them,
// and never see eve's, of organization B.
func TestPredicateReadsContactValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		setValues(t, f.ctx, s.Client, f.ids["dee"], values{tier: analytics.TierVIP, rfm: analytics.SegmentLoyal, clv: 2000, alive: 0.95, score: 99})
		setValues(t, f.ctx, s.Client, f.ids["ada"], values{})
		runCases(t, f, []ruleCase{
			{"tier EQ", Cond(FieldValueTier, OpEQ, "VIP"), names("bob dee")},
			{"tier IS_NOT_SET", Cond(FieldValueTier, OpIsNotSet), names("ada")},
			{"tier GTE", Cond(FieldValueTier, OpGTE, "HIGH"), names("bob cy dee")},
			{"rfm EQ", Cond(FieldRFMSegment, OpEQ, "LOYAL"), names("dee")},
			{"rfm CHAMPIONS: eve of B is one", Cond(FieldRFMSegment, OpEQ, "CHAMPIONS"), names("")},
			{"clv GT: eve of B has 5000", Cond(FieldPredictedCLV, OpGT, "1000"), names("dee")},
			{"clv EQ 0", Cond(FieldPredictedCLV, OpEQ, "0"), names("ada")},
			{"alive GT", Cond(FieldProbabilityAlive, OpGT, "0.9"), names("dee")},
			{"score LT", Cond(FieldValueScore, OpLT, "70"), names("ada cy")},
			{"not tier EQ", Not(Cond(FieldValueTier, OpEQ, "VIP")), names("ada cy")},
		})
	})
}

// TestValuePredicate checks that every rule of the cases above that reads
// only value figures selects the same contacts when evaluated on
// contact_values alone, as segment refreshes do, as on contacts.
func TestValuePredicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		n := 0
		for _, tc := range slices.Concat(fieldCases, relationCases, logicCases) {
			vp, ok, err := tc.rule.valuePredicate(testNow)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !ok {
				continue
			}
			n++
			ids, err := valueMembers(f.ctx, s.Client, f.orgA, vp)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !slices.IsSorted(ids) {
				t.Errorf("%s: %v not in ID order", tc.name, ids)
			}
			if got := f.sortedNames(ids); !slices.Equal(got, tc.want) {
				t.Errorf("%s\n got %v\nwant %v", tc.rule, got, tc.want)
			}
		}
		if n < 30 {
			t.Errorf("only %d cases read value figures only", n)
		}
	})
}

func TestReadsOnlyValues(t *testing.T) {
	tier := Cond(FieldValueTier, OpEQ, "VIP")
	for _, tc := range []struct {
		name string
		rule *Rule
		want bool
	}{
		{"a value figure", tier, true},
		{"each value figure", And(tier, Cond(FieldRFMSegment, OpIsSet), Cond(FieldPredictedCLV, OpGT, "1"),
			Cond(FieldProbabilityAlive, OpLT, "1"), Cond(FieldValueScore, OpGTE, "1")), true},
		{"not, or of value figures", Not(Or(tier, Not(Cond(FieldValueScore, OpLT, "5")))), true},
		{"a contact field", Cond(FieldEmail, OpIsSet), false},
		{"a metric", Cond(FieldNetValue, OpGT, "0"), false},
		{"a relation", rel(RelationWonDeal), false},
		{"value figures and a contact field", And(tier, Cond(FieldNewsletterOptIn, OpEQ, "true")), false},
		{"value figures or a relation", Or(tier, Not(rel(RelationOpenDeal))), false},
		{"empty", &Rule{}, false},
	} {
		if got := tc.rule.readsOnlyValues(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestPredicateRefusesInvalidRule(t *testing.T) {
	_, err := Cond(FieldPredictedCLV, OpGT, "lots").Predicate(testNow)
	if err == nil || !strings.Contains(err.Error(), "rule.field.value: PREDICTED_CLV needs a number") {
		t.Fatalf("got %v", err)
	}
}
