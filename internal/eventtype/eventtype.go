// Package eventtype names the kinds of events the CRM raises. It is a leaf
// package so that the data model, the outbox and the API can share the names
// without importing each other.
package eventtype

import (
	"fmt"
	"io"
	"strconv"
)

// Type is the kind of an event. Its value is the GraphQL enum value and the
// database value ("DEAL_WON"); Name gives the dotted form used in webhook
// payloads ("deal.won").
type Type string

// The kinds of events.
const (
	ContactCreated          Type = "CONTACT_CREATED"
	ContactUpdated          Type = "CONTACT_UPDATED"
	ContactDeleted          Type = "CONTACT_DELETED"
	AccountCreated          Type = "ACCOUNT_CREATED"
	AccountUpdated          Type = "ACCOUNT_UPDATED"
	AccountDeleted          Type = "ACCOUNT_DELETED"
	DealCreated             Type = "DEAL_CREATED"
	DealUpdated             Type = "DEAL_UPDATED"
	DealDeleted             Type = "DEAL_DELETED"
	DealStageChanged        Type = "DEAL_STAGE_CHANGED"
	DealWon                 Type = "DEAL_WON"
	DealLost                Type = "DEAL_LOST"
	SurveyResponseSubmitted Type = "SURVEY_RESPONSE_SUBMITTED"
	SegmentEntered          Type = "SEGMENT_ENTERED"
	SegmentExited           Type = "SEGMENT_EXITED"
	CustomerAtRisk          Type = "CUSTOMER_AT_RISK"
	SpendThresholdCrossed   Type = "SPEND_THRESHOLD_CROSSED"
)

type info struct {
	name     string // dotted name
	resource string // the scope resource needed to see it
}

var infos = map[Type]info{
	ContactCreated:          {"contact.created", "contacts"},
	ContactUpdated:          {"contact.updated", "contacts"},
	ContactDeleted:          {"contact.deleted", "contacts"},
	AccountCreated:          {"account.created", "accounts"},
	AccountUpdated:          {"account.updated", "accounts"},
	AccountDeleted:          {"account.deleted", "accounts"},
	DealCreated:             {"deal.created", "deals"},
	DealUpdated:             {"deal.updated", "deals"},
	DealDeleted:             {"deal.deleted", "deals"},
	DealStageChanged:        {"deal.stage_changed", "deals"},
	DealWon:                 {"deal.won", "deals"},
	DealLost:                {"deal.lost", "deals"},
	SurveyResponseSubmitted: {"survey_response.submitted", "surveys"},
	SegmentEntered:          {"segment.entered", "segments"},
	SegmentExited:           {"segment.exited", "segments"},
	CustomerAtRisk:          {"customer.at_risk", "contacts"},
	SpendThresholdCrossed:   {"customer.spend_threshold_crossed", "contacts"},
}

// All lists every kind of event, in documentation order.
var All = []Type{
	ContactCreated, ContactUpdated, ContactDeleted,
	AccountCreated, AccountUpdated, AccountDeleted,
	DealCreated, DealUpdated, DealDeleted, DealStageChanged, DealWon, DealLost,
	SurveyResponseSubmitted,
	SegmentEntered, SegmentExited,
	CustomerAtRisk, SpendThresholdCrossed,
}

// Values lists the database values of the type, for ent's enum field.
func (Type) Values() []string {
	vs := make([]string, len(All))
	for i, t := range All {
		vs[i] = string(t)
	}
	return vs
}

// Valid reports whether t is a known kind of event.
func (t Type) Valid() bool { _, ok := infos[t]; return ok }

// Name is the dotted name of the type used in webhook payloads ("deal.won").
func (t Type) Name() string { return infos[t].name }

// Resource is the kind of record the event is about, as scopes name it
// ("deals" for DEAL_WON): a subscriber needs its read scope to see it.
func (t Type) Resource() string { return infos[t].resource }

// MarshalGQL writes the type as its GraphQL enum value.
func (t Type) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(t))) }

// UnmarshalGQL reads a GraphQL enum value.
func (t *Type) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("event type must be a string")
	}
	if !Type(s).Valid() {
		return fmt.Errorf("%q is not an event type", s)
	}
	*t = Type(s)
	return nil
}
