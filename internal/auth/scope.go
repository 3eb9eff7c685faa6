package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Action is what a caller does to a resource.
type Action string

// The actions a scope can grant.
const (
	// ActionRead lets the caller list and fetch records.
	ActionRead Action = "read"
	// ActionWrite lets the caller create, update and delete records; it
	// implies ActionRead.
	ActionWrite Action = "write"
)

// Valid reports whether a is one of the defined actions.
func (a Action) Valid() bool { return a == ActionRead || a == ActionWrite }

// String returns the action's name.
func (a Action) String() string { return string(a) }

// The resources a scope can name.
const (
	ResourceContacts   = "contacts"   // people
	ResourceAccounts   = "accounts"   // companies
	ResourceDeals      = "deals"      // opportunities
	ResourcePipelines  = "pipelines"  // deal pipelines and their stages
	ResourceProducts   = "products"   // product catalogue
	ResourceActivities = "activities" // calls, meetings, tasks, notes
	ResourceTickets    = "tickets"    // support tickets
	ResourceCampaigns  = "campaigns"  // marketing campaigns
	ResourceSurveys    = "surveys"    // surveys and responses
	ResourceSegments   = "segments"   // saved audiences
	ResourceAnalytics  = "analytics"  // reports and metrics
	ResourceWebhooks   = "webhooks"   // outbound webhook subscriptions
	ResourceEvents     = "events"     // domain event log
	ResourceTokens     = "tokens"     // partner API tokens
	ResourceUsers      = "users"      // organization members
	ResourceAudit      = "audit"      // the audit log of changes
)

// ScopeWildcard, used as a scope's resource ("*:read", "*:write"), grants
// the action on every resource listed by AllResources, administrative ones
// (tokens, users, webhooks) included.
const ScopeWildcard = "*"

var allResources = []string{
	ResourceContacts, ResourceAccounts, ResourceDeals, ResourcePipelines,
	ResourceProducts, ResourceActivities, ResourceTickets, ResourceCampaigns,
	ResourceSurveys, ResourceSegments, ResourceAnalytics, ResourceWebhooks,
	ResourceEvents, ResourceTokens, ResourceUsers, ResourceAudit,
}

// AllResources returns every resource a scope can name, without the
// wildcard.
func AllResources() []string { return slices.Clone(allResources) }

// ErrInvalidScope is matched (errors.Is) by every scope parsing error.
var ErrInvalidScope = errors.New("auth: invalid scope")

// Scope grants one action on one resource (or on every resource, for the
// wildcard). Its text form is "resource:action", e.g. "contacts:write".
type Scope struct {
	Resource string
	Action   Action
}

// String returns the scope's "resource:action" form.
func (s Scope) String() string { return s.Resource + ":" + string(s.Action) }

// Allows reports whether s grants action on resource; write implies read.
func (s Scope) Allows(resource string, action Action) bool {
	if !action.Valid() || !slices.Contains(allResources, resource) {
		return false
	}
	if s.Resource != resource && s.Resource != ScopeWildcard {
		return false
	}
	return s.Action == action || s.Action == ActionWrite
}

// ParseScope parses one "resource:action" scope. It is strict: lower case
// only, no surrounding spaces, known resources (or "*") and actions only.
func ParseScope(s string) (Scope, error) {
	res, act, ok := strings.Cut(s, ":")
	if !ok {
		return Scope{}, fmt.Errorf("%w %q: want resource:action", ErrInvalidScope, s)
	}
	if res != ScopeWildcard && !slices.Contains(allResources, res) {
		return Scope{}, fmt.Errorf("%w %q: unknown resource %q", ErrInvalidScope, s, res)
	}
	if a := Action(act); !a.Valid() {
		return Scope{}, fmt.Errorf("%w %q: unknown action %q (want read or write)", ErrInvalidScope, s, act)
	}
	return Scope{Resource: res, Action: Action(act)}, nil
}

// Scopes is the set of grants of one API token.
type Scopes []Scope

// ParseScopes parses a space- or comma-separated list of scopes, such as
// "contacts:read deals:write" or "contacts:read,deals:write". The result is
// de-duplicated and sorted; an empty string yields no scopes. The first bad
// scope is named in the error.
func ParseScopes(s string) (Scopes, error) {
	return ParseScopeList(strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	}))
}

// ParseScopeList parses one scope per element, as in a JSON array. The
// result is de-duplicated and sorted. The first bad scope is named in the
// error.
func ParseScopeList(list []string) (Scopes, error) {
	out := make(Scopes, 0, len(list))
	for _, item := range list {
		sc, err := ParseScope(item)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	slices.SortFunc(out, func(a, b Scope) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out), nil
}

// Allows reports whether any scope in s grants action on resource; write
// implies read.
func (s Scopes) Allows(resource string, action Action) bool {
	for _, sc := range s {
		if sc.Allows(resource, action) {
			return true
		}
	}
	return false
}

// Strings returns each scope's "resource:action" form.
func (s Scopes) Strings() []string {
	out := make([]string, len(s))
	for i, sc := range s {
		out[i] = sc.String()
	}
	return out
}

// String returns the scopes space-separated, the form ParseScopes reads.
func (s Scopes) String() string { return strings.Join(s.Strings(), " ") }
