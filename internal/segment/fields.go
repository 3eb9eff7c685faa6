package segment

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
)

// kind is how a field's values are read and compared.
type kind int

const (
	kindString kind = iota // case-insensitive text
	kindEnum               // one of a fixed list
	kindBool
	kindTags  // a JSON array of strings
	kindTime  // a date, a time or a number of days relative to now
	kindFloat // a number
	kindMoney // an amount of customer metrics, in cents
)

// spec describes a SegmentField: its column, how it compares and which
// comparisons it supports.
type spec struct {
	column string
	// value says the column is one of the contact's value figures, on its
	// row of contact_values rather than on contacts.
	value    bool
	kind     kind
	nullable bool     // the column can be NULL (or the metrics row missing)
	enum     []string // the allowed values of an enum
	ops      []ComparisonOp
	// computed says an analytics refresh writes the field: it is one of
	// the customer metrics or of the contact's value figures.
	computed bool
}

var (
	textOps  = []ComparisonOp{OpEQ, OpNEQ, OpIn, OpNotIn, OpContains, OpIsSet, OpIsNotSet}
	enumOps  = []ComparisonOp{OpEQ, OpNEQ, OpIn, OpNotIn, OpIsSet, OpIsNotSet}
	tierOps  = []ComparisonOp{OpEQ, OpNEQ, OpGT, OpGTE, OpLT, OpLTE, OpIn, OpNotIn, OpIsSet, OpIsNotSet}
	boolOps  = []ComparisonOp{OpEQ, OpNEQ}
	tagOps   = []ComparisonOp{OpContains, OpIn, OpNotIn, OpIsSet, OpIsNotSet}
	timeOps  = []ComparisonOp{OpGT, OpGTE, OpLT, OpLTE, OpIsSet, OpIsNotSet}
	numOps   = []ComparisonOp{OpEQ, OpNEQ, OpGT, OpGTE, OpLT, OpLTE}
	moneyOps = []ComparisonOp{OpEQ, OpNEQ, OpGT, OpGTE, OpLT, OpLTE, OpIsSet, OpIsNotSet}
)

// tiers are the value tiers from the best; a tier compares greater than
// the tiers after it (VIP > HIGH > MEDIUM > LOW).
var tiers = analytics.Tier("").Values()

var lifecycleStages = []string{
	string(contact.LifecycleStageSUBSCRIBER), string(contact.LifecycleStageLEAD),
	string(contact.LifecycleStageMARKETING_QUALIFIED_LEAD), string(contact.LifecycleStageSALES_QUALIFIED_LEAD),
	string(contact.LifecycleStageOPPORTUNITY), string(contact.LifecycleStageCUSTOMER),
	string(contact.LifecycleStageEVANGELIST), string(contact.LifecycleStageOTHER),
}

var genders = []string{
	string(contact.GenderFEMALE), string(contact.GenderMALE), string(contact.GenderNON_BINARY),
	string(contact.GenderOTHER), string(contact.GenderUNDISCLOSED),
}

// channels are the campaign channels a campaign relation may name.
var channels = []string{
	string(campaign.ChannelEMAIL), string(campaign.ChannelSMS), string(campaign.ChannelSEMINAR),
	string(campaign.ChannelEXHIBITION), string(campaign.ChannelWEBINAR), string(campaign.ChannelSOCIAL),
	string(campaign.ChannelADS), string(campaign.ChannelREFERRAL), string(campaign.ChannelEVENT),
	string(campaign.ChannelOTHER),
}

var specs = map[SegmentField]spec{
	FieldEmail:            {column: contact.FieldEmail, kind: kindString, nullable: true, ops: textOps},
	FieldFirstName:        {column: contact.FieldFirstName, kind: kindString, ops: textOps},
	FieldLastName:         {column: contact.FieldLastName, kind: kindString, ops: textOps},
	FieldTitle:            {column: contact.FieldTitle, kind: kindString, nullable: true, ops: textOps},
	FieldLeadSource:       {column: contact.FieldLeadSource, kind: kindString, nullable: true, ops: textOps},
	FieldLifecycleStage:   {column: contact.FieldLifecycleStage, kind: kindEnum, enum: lifecycleStages, ops: []ComparisonOp{OpEQ, OpNEQ, OpIn, OpNotIn}},
	FieldGender:           {column: contact.FieldGender, kind: kindEnum, nullable: true, enum: genders, ops: enumOps},
	FieldValueTier:        {column: contactvalue.FieldValueTier, value: true, kind: kindEnum, nullable: true, enum: tiers, ops: tierOps, computed: true},
	FieldRFMSegment:       {column: contactvalue.FieldRfmSegment, value: true, kind: kindEnum, nullable: true, enum: analytics.RFMSegment("").Values(), ops: enumOps, computed: true},
	FieldNewsletterOptIn:  {column: contact.FieldNewsletterOptIn, kind: kindBool, ops: boolOps},
	FieldTags:             {column: contact.FieldTags, kind: kindTags, nullable: true, ops: tagOps},
	FieldCreatedAt:        {column: contact.FieldCreatedAt, kind: kindTime, ops: []ComparisonOp{OpGT, OpGTE, OpLT, OpLTE}},
	FieldLastContactedAt:  {column: contact.FieldLastContactedAt, kind: kindTime, nullable: true, ops: timeOps},
	FieldPredictedCLV:     {column: contactvalue.FieldPredictedClv, value: true, kind: kindFloat, ops: numOps, computed: true},
	FieldProbabilityAlive: {column: contactvalue.FieldProbabilityAlive, value: true, kind: kindFloat, ops: numOps, computed: true},
	FieldValueScore:       {column: contactvalue.FieldValueScore, value: true, kind: kindFloat, ops: numOps, computed: true},
	FieldGrossMargin:      {column: "gross_margin", kind: kindMoney, nullable: true, ops: moneyOps, computed: true},
	FieldNetValue:         {column: "net_value", kind: kindMoney, nullable: true, ops: moneyOps, computed: true},
}

// Limits of a rule.
const (
	// MaxDepth is how deep rules may nest; the root is at depth 1.
	MaxDepth = 8
	// MaxNodes is how many nodes a rule may have.
	MaxNodes = 100
	// MaxValues is how many values IN and NOT_IN may take.
	MaxValues = 100
	// MaxValueLength is the longest text value, in characters.
	MaxValueLength = 254
	// MaxWithinDays is the longest period of withinDays: ten years.
	MaxWithinDays = 3650
	// MaxMinCount is the largest minCount.
	MaxMinCount = 10000
)

// value is a parsed operand.
type value struct {
	s string
	b bool
	f float64
	m money.Amount
	t time.Time
}

// parseValue reads the operand v of field f, or says what it should be.
// Times relative to now are resolved against now.
func parseValue(f SegmentField, sp spec, v string, now time.Time) (value, string) {
	switch sp.kind {
	case kindString, kindTags:
		if strings.TrimSpace(v) == "" {
			return value{}, fmt.Sprintf("%s needs a non-empty value", f)
		}
		if len([]rune(v)) > MaxValueLength {
			return value{}, fmt.Sprintf("a value is at most %d characters", MaxValueLength)
		}
		return value{s: v}, ""
	case kindEnum:
		for _, e := range sp.enum {
			if v == e {
				return value{s: v}, ""
			}
		}
		return value{}, fmt.Sprintf("%s must be one of %s", f, strings.Join(sp.enum, ", "))
	case kindBool:
		switch v {
		case "true":
			return value{b: true}, ""
		case "false":
			return value{b: false}, ""
		}
		return value{}, fmt.Sprintf("%s needs true or false", f)
	case kindFloat:
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return value{}, fmt.Sprintf("%s needs a number", f)
		}
		return value{f: x}, ""
	case kindMoney:
		a, err := money.Parse(v)
		if err != nil {
			return value{}, fmt.Sprintf("%s needs an amount such as 1250.00", f)
		}
		return value{m: a}, ""
	case kindTime:
		t, ok := parseTime(v, now)
		if !ok {
			return value{}, fmt.Sprintf("%s needs a date (2024-01-31), an RFC 3339 time or a number of days from now (-30d)", f)
		}
		return value{t: t}, ""
	}
	return value{}, fmt.Sprintf("%s cannot be compared", f)
}

// parseTime reads "2024-01-31" (midnight UTC), an RFC 3339 time, or "-30d"
// / "+7d" (days before or after now).
func parseTime(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok && len(n) > 1 && (n[0] == '-' || n[0] == '+') {
		days, err := strconv.Atoi(n)
		if err != nil || days < -36500 || days > 36500 {
			return time.Time{}, false
		}
		return now.AddDate(0, 0, days), true
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}
