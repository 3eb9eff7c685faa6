// Package segment is the segment engine: rules over contact fields, the
// contact's materialized value figures (contact_values) and related
// records (deals, campaign memberships, survey responses, tickets,
// referrals, customer metrics); their validation with field-level errors; their compilation to one ent
// predicate that runs on SQLite and PostgreSQL alike; and the materialized
// membership of saved segments, refreshed by diffing the rule's result
// against the stored members.
//
// A rule is a tree. Each node is exactly one of and, or, not, a condition on
// a field of the contact, or a condition on related records:
//
//	{"and": [
//	  {"field": {"field": "VALUE_TIER", "op": "EQ", "value": "VIP"}},
//	  {"not": {"related": {"relation": "WON_DEAL", "withinDays": 182}}}
//	]}
//
// Rules are stored as that JSON in Segment.rule and bound to the GraphQL
// input SegmentRuleInput.
//
// Every condition is two-valued: a contact either matches it or not, even
// when a column is NULL or the contact has no related record, so that
// "not" is always the exact complement of its operand.
package segment

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Rule is one node of a segment rule: exactly one of And, Or, Not, Field
// and Related is set. It is the Go model of the GraphQL input
// SegmentRuleInput and the JSON stored in Segment.rule.
type Rule struct {
	// And matches contacts that match every rule of the list.
	And []*Rule `json:"and,omitempty"`
	// Or matches contacts that match at least one rule of the list.
	Or []*Rule `json:"or,omitempty"`
	// Not matches contacts that do not match the rule.
	Not *Rule `json:"not,omitempty"`
	// Field is a condition on a field of the contact.
	Field *FieldCondition `json:"field,omitempty"`
	// Related is a condition on the contact's related records.
	Related *RelatedCondition `json:"related,omitempty"`
}

// FieldCondition compares a field of the contact with a value
// (FieldConditionInput). EQ, NEQ, GT, GTE, LT, LTE and CONTAINS take
// Value; IN and NOT_IN take Values; IS_SET and IS_NOT_SET take neither.
//
// Values are strings whatever the field: numbers ("0.5"), money ("1250.00"),
// booleans ("true"), enum values ("VIP") and times, which are a date
// ("2024-01-31", midnight UTC), an RFC 3339 time, or a number of days
// relative to the evaluation time ("-30d" is 30 days ago, "+7d" in a week).
type FieldCondition struct {
	// Field is the contact field compared.
	Field SegmentField `json:"field"`
	// Op is the comparison.
	Op ComparisonOp `json:"op"`
	// Value is the operand of single-value comparisons.
	Value *string `json:"value,omitempty"`
	// Values are the operands of IN and NOT_IN.
	Values []string `json:"values,omitempty"`
}

// RelatedCondition matches contacts by their related records
// (RelatedConditionInput); see Relation for what each relation means and
// which options it takes.
type RelatedCondition struct {
	// Relation is the kind of related record.
	Relation Relation `json:"relation"`
	// WithinDays limits the records to those of the last N days; nil means
	// all time.
	WithinDays *int `json:"withinDays,omitempty"`
	// Channel limits campaign relations to campaigns of a channel, such as
	// "SEMINAR".
	Channel *string `json:"channel,omitempty"`
	// MinCount is the number of matching records needed; nil means 1.
	MinCount *int `json:"minCount,omitempty"`
	// ScoreAtMost bounds the score of the latest survey response.
	ScoreAtMost *int `json:"scoreAtMost,omitempty"`
	// ScoreAtLeast bounds the score of the latest survey response.
	ScoreAtLeast *int `json:"scoreAtLeast,omitempty"`
}

// SegmentField is a field of a contact a rule can compare (the GraphQL enum
// SegmentField).
type SegmentField string

// The fields of SegmentField.
const (
	FieldEmail            SegmentField = "EMAIL"
	FieldFirstName        SegmentField = "FIRST_NAME"
	FieldLastName         SegmentField = "LAST_NAME"
	FieldTitle            SegmentField = "TITLE"
	FieldLifecycleStage   SegmentField = "LIFECYCLE_STAGE"
	FieldLeadSource       SegmentField = "LEAD_SOURCE"
	FieldNewsletterOptIn  SegmentField = "NEWSLETTER_OPT_IN"
	FieldTags             SegmentField = "TAGS"
	FieldGender           SegmentField = "GENDER"
	FieldCreatedAt        SegmentField = "CREATED_AT"
	FieldLastContactedAt  SegmentField = "LAST_CONTACTED_AT"
	FieldValueTier        SegmentField = "VALUE_TIER"
	FieldRFMSegment       SegmentField = "RFM_SEGMENT"
	FieldPredictedCLV     SegmentField = "PREDICTED_CLV"
	FieldProbabilityAlive SegmentField = "PROBABILITY_ALIVE"
	FieldValueScore       SegmentField = "VALUE_SCORE"
	FieldGrossMargin      SegmentField = "GROSS_MARGIN"
	FieldNetValue         SegmentField = "NET_VALUE"
)

var segmentFields = []SegmentField{
	FieldEmail, FieldFirstName, FieldLastName, FieldTitle, FieldLifecycleStage, FieldLeadSource,
	FieldNewsletterOptIn, FieldTags, FieldGender, FieldCreatedAt, FieldLastContactedAt,
	FieldValueTier, FieldRFMSegment, FieldPredictedCLV, FieldProbabilityAlive, FieldValueScore,
	FieldGrossMargin, FieldNetValue,
}

// Values lists the fields.
func (SegmentField) Values() []string { return stringsOf(segmentFields) }

// IsValid reports whether f is one of the fields.
func (f SegmentField) IsValid() bool { return slices.Contains(segmentFields, f) }

// String returns the field's name.
func (f SegmentField) String() string { return string(f) }

// MarshalGQL writes the field as a GraphQL enum value.
func (f SegmentField) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(f))) }

// UnmarshalGQL reads a field from a GraphQL enum value.
func (f *SegmentField) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, f, "SegmentField")
}

// ComparisonOp is how a field condition compares (the GraphQL enum
// ComparisonOp).
type ComparisonOp string

// The comparisons of ComparisonOp.
const (
	OpEQ       ComparisonOp = "EQ"
	OpNEQ      ComparisonOp = "NEQ"
	OpGT       ComparisonOp = "GT"
	OpGTE      ComparisonOp = "GTE"
	OpLT       ComparisonOp = "LT"
	OpLTE      ComparisonOp = "LTE"
	OpIn       ComparisonOp = "IN"
	OpNotIn    ComparisonOp = "NOT_IN"
	OpContains ComparisonOp = "CONTAINS"
	OpIsSet    ComparisonOp = "IS_SET"
	OpIsNotSet ComparisonOp = "IS_NOT_SET"
)

var comparisonOps = []ComparisonOp{OpEQ, OpNEQ, OpGT, OpGTE, OpLT, OpLTE, OpIn, OpNotIn, OpContains, OpIsSet, OpIsNotSet}

// Values lists the comparisons.
func (ComparisonOp) Values() []string { return stringsOf(comparisonOps) }

// IsValid reports whether op is one of the comparisons.
func (op ComparisonOp) IsValid() bool { return slices.Contains(comparisonOps, op) }

// String returns the comparison's name.
func (op ComparisonOp) String() string { return string(op) }

// MarshalGQL writes the comparison as a GraphQL enum value.
func (op ComparisonOp) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(op))) }

// UnmarshalGQL reads a comparison from a GraphQL enum value.
func (op *ComparisonOp) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, op, "ComparisonOp")
}

// Relation is a kind of related record a rule can test (the GraphQL enum
// Relation). Every relation takes withinDays (the last N days; all time
// when absent), and all but the LATEST_ ones take minCount (at least N
// records; 1 when absent):
//
//   - WON_DEAL, ANY_PURCHASE: a won deal closed within the period (a won
//     deal is a purchase, so the two are the same).
//   - OPEN_DEAL: an open deal created within the period.
//   - LOST_DEAL: a lost deal closed within the period.
//   - ATTENDED_CAMPAIGN: a campaign membership with status ATTENDED or
//     CONVERTED, on a campaign of channel when given, dated by its
//     responded_at or, when that is not recorded, the campaign's starts_at.
//   - RESPONDED_TO_CAMPAIGN: a campaign membership with a responded_at
//     within the period, on a campaign of channel when given.
//   - LATEST_NPS, LATEST_CSAT: the contact's most recent response to a
//     survey of that kind, submitted within the period, scored at most
//     scoreAtMost and at least scoreAtLeast (at least one of them needed).
//   - OPEN_TICKET: a ticket with status OPEN or PENDING opened within the
//     period.
//   - REFERRED_CONTACT: contacts referred by this one, created within the
//     period.
type Relation string

// The relations of Relation.
const (
	RelationWonDeal             Relation = "WON_DEAL"
	RelationOpenDeal            Relation = "OPEN_DEAL"
	RelationLostDeal            Relation = "LOST_DEAL"
	RelationAnyPurchase         Relation = "ANY_PURCHASE"
	RelationAttendedCampaign    Relation = "ATTENDED_CAMPAIGN"
	RelationRespondedToCampaign Relation = "RESPONDED_TO_CAMPAIGN"
	RelationLatestNPS           Relation = "LATEST_NPS"
	RelationLatestCSAT          Relation = "LATEST_CSAT"
	RelationOpenTicket          Relation = "OPEN_TICKET"
	RelationReferredContact     Relation = "REFERRED_CONTACT"
)

var relations = []Relation{
	RelationWonDeal, RelationOpenDeal, RelationLostDeal, RelationAnyPurchase, RelationAttendedCampaign,
	RelationRespondedToCampaign, RelationLatestNPS, RelationLatestCSAT, RelationOpenTicket, RelationReferredContact,
}

// Values lists the relations.
func (Relation) Values() []string { return stringsOf(relations) }

// IsValid reports whether r is one of the relations.
func (r Relation) IsValid() bool { return slices.Contains(relations, r) }

// String returns the relation's name.
func (r Relation) String() string { return string(r) }

// MarshalGQL writes the relation as a GraphQL enum value.
func (r Relation) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a relation from a GraphQL enum value.
func (r *Relation) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, r, "Relation")
}

type enum interface {
	~string
	Values() []string
}

func unmarshalEnum[E enum](v any, dst *E, name string) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%s must be a string", name)
	}
	if !slices.Contains((*dst).Values(), s) {
		return fmt.Errorf("%s is not a valid %s", s, name)
	}
	*dst = E(s)
	return nil
}

func stringsOf[E ~string](es []E) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return out
}

// And returns a rule matching contacts that match every rule.
func And(rules ...*Rule) *Rule { return &Rule{And: rules} }

// Or returns a rule matching contacts that match at least one rule.
func Or(rules ...*Rule) *Rule { return &Rule{Or: rules} }

// Not returns a rule matching contacts that do not match r.
func Not(r *Rule) *Rule { return &Rule{Not: r} }

// Cond returns a field condition. IN and NOT_IN take the values as
// Values, IS_SET and IS_NOT_SET take none, and the other comparisons take
// one value.
func Cond(field SegmentField, op ComparisonOp, values ...string) *Rule {
	c := &FieldCondition{Field: field, Op: op}
	switch {
	case op == OpIn || op == OpNotIn:
		c.Values = values
	case len(values) == 1:
		c.Value = &values[0]
	case len(values) > 1:
		c.Values = values
	}
	return &Rule{Field: c}
}

// Has returns a condition on related records; see Relation.
func Has(c RelatedCondition) *Rule { return &Rule{Related: &c} }

// Ptr returns a pointer to v, for the optional members of conditions.
func Ptr[T any](v T) *T { return &v }

// Map returns the rule as the JSON object stored in Segment.rule.
func (r *Rule) Map() (map[string]any, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("segment: encoding rule: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("segment: encoding rule: %w", err)
	}
	return m, nil
}

// ParseRule reads a rule from the JSON object stored in Segment.rule. It
// refuses unknown members but does not validate the rule; call Validate.
func ParseRule(m map[string]any) (*Rule, error) {
	if m == nil {
		return nil, fmt.Errorf("segment: the segment has no rule")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("segment: reading rule: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var r Rule
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("segment: reading rule: %w", err)
	}
	return &r, nil
}

// String returns the rule as compact JSON, for logs and messages.
func (r *Rule) String() string {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Sprintf("<bad rule: %v>", err)
	}
	return string(b)
}
