package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/headlesscrm/crm/internal/errs"
)

func deep(n int, leaf *Rule) *Rule {
	r := leaf
	for range n {
		r = Not(r)
	}
	return r
}

func TestValidate(t *testing.T) {
	valid := Cond(FieldValueTier, OpEQ, "VIP")
	many := make([]*Rule, 100)
	for i := range many {
		many[i] = valid
	}
	cases := []struct {
		name string
		rule *Rule
		want Problems
	}{
		{"valid field", valid, nil},
		{"valid nested", And(valid, Or(Not(rel(RelationWonDeal, within(182))), rel(RelationLatestNPS, atMost(6)))), nil},
		{"valid 8 levels", deep(7, valid), nil},
		{"valid 100 nodes", And(many[:99]...), nil},
		{"nil rule", nil, Problems{{"rule", "a rule is required"}}},
		{"empty node", &Rule{}, Problems{{"rule", "a node needs exactly one of and, or, not, field, related"}}},
		{"two members", &Rule{Field: valid.Field, Related: &RelatedCondition{Relation: RelationWonDeal}},
			Problems{{"rule", "a node needs exactly one of and, or, not, field, related"}}},
		{"empty and", &Rule{And: []*Rule{}}, Problems{{"rule.and", "and needs at least one rule"}}},
		{"nil in or", Or(valid, nil), Problems{{"rule.or[1]", "a rule is required"}}},
		{"nested node", And(valid, &Rule{}), Problems{{"rule.and[1]", "a node needs exactly one of and, or, not, field, related"}}},
		{"number", And(valid, Cond(FieldPredictedCLV, OpGT, "abc")),
			Problems{{"rule.and[1].field.value", "PREDICTED_CLV needs a number"}}},
		{"infinite number", Cond(FieldValueScore, OpLT, "Inf"), Problems{{"rule.field.value", "VALUE_SCORE needs a number"}}},
		{"IN needs values", Cond(FieldValueTier, OpIn), Problems{{"rule.field.values", "IN needs values"}}},
		{"NOT_IN needs values", &Rule{Field: &FieldCondition{Field: FieldTags, Op: OpNotIn, Value: Ptr("x")}},
			Problems{{"rule.field.value", "NOT_IN takes values, not value"}, {"rule.field.values", "NOT_IN needs values"}}},
		{"too many values", Cond(FieldEmail, OpIn, make([]string, 101)...), Problems{{"rule.field.values", "IN takes at most 100 values"}}},
		{"EQ needs value", &Rule{Field: &FieldCondition{Field: FieldEmail, Op: OpEQ}}, Problems{{"rule.field.value", "EQ needs a value"}}},
		{"EQ takes one value", &Rule{Field: &FieldCondition{Field: FieldEmail, Op: OpEQ, Value: Ptr("a"), Values: []string{"b"}}},
			Problems{{"rule.field.values", "EQ takes value, not values"}}},
		{"IS_SET takes no value", &Rule{Field: &FieldCondition{Field: FieldTitle, Op: OpIsSet, Value: Ptr("x")}},
			Problems{{"rule.field.value", "IS_SET takes no value"}}},
		{"tier", Cond(FieldValueTier, OpEQ, "GOLD"), Problems{{"rule.field.value", "VALUE_TIER must be one of VIP, HIGH, MEDIUM, LOW"}}},
		{"tier in list", Cond(FieldValueTier, OpIn, "VIP", "GOLD"),
			Problems{{"rule.field.values[1]", "VALUE_TIER must be one of VIP, HIGH, MEDIUM, LOW"}}},
		{"rfm", Cond(FieldRFMSegment, OpEQ, "KINGS"), Problems{{"rule.field.value",
			"RFM_SEGMENT must be one of CHAMPIONS, LOYAL, POTENTIAL_LOYALISTS, NEW_CUSTOMERS, PROMISING, NEED_ATTENTION, ABOUT_TO_SLEEP, AT_RISK, CANT_LOSE, HIBERNATING"}}},
		{"lifecycle", Cond(FieldLifecycleStage, OpEQ, "lead"), Problems{{"rule.field.value",
			"LIFECYCLE_STAGE must be one of SUBSCRIBER, LEAD, MARKETING_QUALIFIED_LEAD, SALES_QUALIFIED_LEAD, OPPORTUNITY, CUSTOMER, EVANGELIST, OTHER"}}},
		{"bool", Cond(FieldNewsletterOptIn, OpEQ, "yes"), Problems{{"rule.field.value", "NEWSLETTER_OPT_IN needs true or false"}}},
		{"money", Cond(FieldGrossMargin, OpGTE, "12.345"), Problems{{"rule.field.value", "GROSS_MARGIN needs an amount such as 1250.00"}}},
		{"time", Cond(FieldCreatedAt, OpGT, "yesterday"), Problems{{"rule.field.value",
			"CREATED_AT needs a date (2024-01-31), an RFC 3339 time or a number of days from now (-30d)"}}},
		{"empty text", Cond(FieldEmail, OpContains, " "), Problems{{"rule.field.value", "EMAIL needs a non-empty value"}}},
		{"long text", Cond(FieldTitle, OpEQ, strings.Repeat("x", 255)), Problems{{"rule.field.value", "a value is at most 254 characters"}}},
		{"unknown field", Cond("SHOE_SIZE", OpEQ, "9"), Problems{{"rule.field.field",
			`"SHOE_SIZE" is not a field; use one of ` + strings.Join(SegmentField("").Values(), ", ")}}},
		{"unknown op", Cond(FieldEmail, "LIKE", "x"), Problems{{"rule.field.op",
			`"LIKE" is not a comparison; use one of ` + strings.Join(ComparisonOp("").Values(), ", ")}}},
		{"unsupported op", Cond(FieldEmail, OpGT, "x"), Problems{{"rule.field.op",
			"EMAIL cannot be compared with GT; use one of EQ, NEQ, IN, NOT_IN, CONTAINS, IS_SET, IS_NOT_SET"}}},
		{"unknown relation", Has(RelatedCondition{Relation: "FRIEND"}), Problems{{"rule.related.relation",
			`"FRIEND" is not a relation; use one of ` + strings.Join(Relation("").Values(), ", ")}}},
		{"withinDays low", rel(RelationWonDeal, within(0)), Problems{{"rule.related.withinDays", "withinDays must be between 1 and 3650"}}},
		{"withinDays high", Not(rel(RelationWonDeal, within(3651))), Problems{{"rule.not.related.withinDays", "withinDays must be between 1 and 3650"}}},
		{"channel", rel(RelationAttendedCampaign, channel("PODCAST")), Problems{{"rule.related.channel",
			"channel must be one of EMAIL, SMS, SEMINAR, EXHIBITION, WEBINAR, SOCIAL, ADS, REFERRAL, EVENT, OTHER"}}},
		{"channel on deal", rel(RelationWonDeal, channel("SEMINAR")), Problems{{"rule.related.channel",
			"channel applies only to ATTENDED_CAMPAIGN and RESPONDED_TO_CAMPAIGN"}}},
		{"minCount", rel(RelationReferredContact, minCount(0)), Problems{{"rule.related.minCount", "minCount must be between 1 and 10000"}}},
		{"minCount on latest", rel(RelationLatestNPS, atMost(6), minCount(2)), Problems{{"rule.related.minCount", "minCount does not apply to LATEST_NPS"}}},
		{"score needed", rel(RelationLatestCSAT), Problems{{"rule.related.scoreAtMost", "LATEST_CSAT needs scoreAtMost or scoreAtLeast"}}},
		{"score range NPS", rel(RelationLatestNPS, atMost(11)), Problems{{"rule.related.scoreAtMost", "scoreAtMost must be between 0 and 10 for NPS"}}},
		{"score range CSAT", rel(RelationLatestCSAT, atLeast(0)), Problems{{"rule.related.scoreAtLeast", "scoreAtLeast must be between 1 and 5 for CSAT"}}},
		{"score order", rel(RelationLatestNPS, atLeast(8), atMost(6)), Problems{{"rule.related.scoreAtLeast", "scoreAtLeast must not be greater than scoreAtMost"}}},
		{"score on deal", rel(RelationOpenDeal, atMost(3)), Problems{{"rule.related.scoreAtMost", "scoreAtMost applies only to LATEST_NPS and LATEST_CSAT"}}},
		{"too deep", deep(8, valid), Problems{{"rule.not.not.not.not.not.not.not.not", "rules may nest at most 8 levels deep"}}},
		{"too many nodes", And(many...), Problems{{"rule", "a rule may have at most 100 nodes; this one has 101"}}},
		{"every problem", And(
			Cond(FieldPredictedCLV, OpGT, "x"),
			Or(rel(RelationWonDeal, within(0)), Cond(FieldValueTier, OpIn, "A", "VIP", "B")),
		), Problems{
			{"rule.and[0].field.value", "PREDICTED_CLV needs a number"},
			{"rule.and[1].or[0].related.withinDays", "withinDays must be between 1 and 3650"},
			{"rule.and[1].or[1].field.values[0]", "VALUE_TIER must be one of VIP, HIGH, MEDIUM, LOW"},
			{"rule.and[1].or[1].field.values[2]", "VALUE_TIER must be one of VIP, HIGH, MEDIUM, LOW"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rule.Problems()
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("problems\n got %q\nwant %q", got, tc.want)
			}
			err := tc.rule.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate returned %T %v, want *errs.Error", err, err)
			}
			if e.Code != errs.BadUserInput || e.Field != tc.want[0].Path {
				t.Errorf("code %s field %q, want %s %q", e.Code, e.Field, errs.BadUserInput, tc.want[0].Path)
			}
			if !strings.HasPrefix(e.Message, tc.want[0].Message) {
				t.Errorf("message %q, want prefix %q", e.Message, tc.want[0].Message)
			}
			for _, p := range tc.want[1:] {
				if !strings.Contains(e.Message, p.Path+": "+p.Message) {
					t.Errorf("message %q lacks %q", e.Message, p.Path+": "+p.Message)
				}
			}
			var ps Problems
			if !errors.As(err, &ps) || !reflect.DeepEqual(ps, tc.want) {
				t.Errorf("errors.As Problems = %v", ps)
			}
			if errs.CodeOf(err) != errs.BadUserInput {
				t.Errorf("CodeOf = %s", errs.CodeOf(err))
			}
		})
	}
}

func TestValidateAt(t *testing.T) {
	err := Cond(FieldValueTier, OpEQ, "GOLD").ValidateAt("input.rule")
	var e *errs.Error
	if !errors.As(err, &e) || e.Field != "input.rule.field.value" {
		t.Fatalf("got %v", err)
	}
}

func TestRuleJSONRoundTrip(t *testing.T) {
	r := And(
		Cond(FieldValueTier, OpIn, "VIP", "HIGH"),
		Not(rel(RelationAttendedCampaign, channel("SEMINAR"), within(365), minCount(2))),
		Or(Cond(FieldEmail, OpIsSet), rel(RelationLatestNPS, atLeast(0), atMost(6))),
	)
	m, err := r.Map()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	want := `{"and":[{"field":{"field":"VALUE_TIER","op":"IN","values":["VIP","HIGH"]}},` +
		`{"not":{"related":{"channel":"SEMINAR","minCount":2,"relation":"ATTENDED_CAMPAIGN","withinDays":365}}},` +
		`{"or":[{"field":{"field":"EMAIL","op":"IS_SET"}},{"related":{"relation":"LATEST_NPS","scoreAtLeast":0,"scoreAtMost":6}}]}]}`
	if string(b) != want {
		t.Errorf("stored JSON\n got %s\nwant %s", b, want)
	}
	back, err := ParseRule(m)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip: got %s want %s", back, r)
	}
	if _, err := ParseRule(map[string]any{"field": map[string]any{"field": "EMAIL", "op": "EQ", "valeu": "x"}}); err == nil {
		t.Error("unknown member accepted")
	}
	if _, err := ParseRule(nil); err == nil {
		t.Error("nil rule accepted")
	}
}

func TestEnumsGQL(t *testing.T) {
	var f SegmentField
	if err := f.UnmarshalGQL("VALUE_TIER"); err != nil || f != FieldValueTier {
		t.Errorf("SegmentField: %v %v", f, err)
	}
	if err := f.UnmarshalGQL("NOPE"); err == nil {
		t.Error("bad SegmentField accepted")
	}
	var op ComparisonOp
	if err := op.UnmarshalGQL("NOT_IN"); err != nil || op != OpNotIn {
		t.Errorf("ComparisonOp: %v %v", op, err)
	}
	if err := op.UnmarshalGQL(3); err == nil {
		t.Error("non-string ComparisonOp accepted")
	}
	var r Relation
	if err := r.UnmarshalGQL("LATEST_CSAT"); err != nil || r != RelationLatestCSAT {
		t.Errorf("Relation: %v %v", r, err)
	}
	var buf bytes.Buffer
	RelationReferredContact.MarshalGQL(&buf)
	FieldNetValue.MarshalGQL(&buf)
	OpIsNotSet.MarshalGQL(&buf)
	if buf.String() != `"REFERRED_CONTACT""NET_VALUE""IS_NOT_SET"` {
		t.Errorf("MarshalGQL: %s", buf.String())
	}
	if len(SegmentField("").Values()) != 18 || len(ComparisonOp("").Values()) != 11 || len(Relation("").Values()) != 10 {
		t.Error("enum value counts differ from the GraphQL schema")
	}
	for _, f := range segmentFields {
		if _, ok := specs[f]; !ok {
			t.Errorf("no spec for %s", f)
		}
	}
}
