package graph

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
)

// Access is what a root field requires of its caller.
type Access struct {
	// Public fields answer without a token: login, refreshToken and
	// introspection.
	Public bool
	// Resource and Action are the right the caller needs; an empty
	// Resource needs only a valid caller.
	Resource string
	Action   auth.Action
}

// resourceOfType maps GraphQL types to the resource whose scope guards them.
var resourceOfType = map[string]string{
	"Account":         auth.ResourceAccounts,
	"Contact":         auth.ResourceContacts,
	"Pipeline":        auth.ResourcePipelines,
	"Stage":           auth.ResourcePipelines,
	"Deal":            auth.ResourceDeals,
	"LineItem":        auth.ResourceDeals,
	"Product":         auth.ResourceProducts,
	"Activity":        auth.ResourceActivities,
	"Ticket":          auth.ResourceTickets,
	"Campaign":        auth.ResourceCampaigns,
	"CampaignMember":  auth.ResourceCampaigns,
	"Survey":          auth.ResourceSurveys,
	"SurveyResponse":  auth.ResourceSurveys,
	"User":            auth.ResourceUsers,
	"Segment":         auth.ResourceSegments,
	"CustomerMetrics": auth.ResourceAnalytics,
	"Organization":    auth.ResourceUsers,
	"AuditEntry":      auth.ResourceAudit,
	"Event":           auth.ResourceEvents,
	"WebhookEndpoint": auth.ResourceWebhooks,
	"WebhookDelivery": auth.ResourceWebhooks,
}

// pluralOf maps root list fields to their type.
var listFields = map[string]string{
	"accounts": "Account", "contacts": "Contact", "pipelines": "Pipeline", "stages": "Stage",
	"deals": "Deal", "lineItems": "LineItem", "products": "Product", "activities": "Activity",
	"tickets": "Ticket", "campaigns": "Campaign", "campaignMembers": "CampaignMember",
	"surveys": "Survey", "surveyResponses": "SurveyResponse", "users": "User", "segments": "Segment",
	"auditLog": "AuditEntry", "events": "Event",
}

// RootFieldAccess returns what the root field of an operation requires.
// Fields it does not know need a caller with every right (fail closed).
func RootFieldAccess(op ast.Operation, field string) Access {
	switch field {
	case "__typename", "__schema", "__type":
		return Access{Public: true}
	}
	if op == ast.Mutation {
		switch field {
		case "login", "refreshToken", "logout":
			return Access{Public: true}
		case "logoutEverywhere":
			return Access{}
		case "createApiToken", "revokeApiToken":
			return Access{Resource: auth.ResourceTokens, Action: auth.ActionWrite}
		case "updateOrganization", "createUser", "updateUser":
			return Access{Resource: auth.ResourceUsers, Action: auth.ActionWrite}
		case "createSegment", "updateSegment", "deleteSegment", "refreshSegment":
			return Access{Resource: auth.ResourceSegments, Action: auth.ActionWrite}
		case "rotateWebhookSecret", "redeliverWebhook":
			return Access{Resource: auth.ResourceWebhooks, Action: auth.ActionWrite}
		case "refreshAnalytics":
			return Access{Resource: auth.ResourceAnalytics, Action: auth.ActionWrite}
		case "upsertContacts":
			return Access{Resource: auth.ResourceContacts, Action: auth.ActionWrite}
		case "upsertAccounts":
			return Access{Resource: auth.ResourceAccounts, Action: auth.ActionWrite}
		}
		for _, verb := range []string{"create", "update", "delete"} {
			if t, ok := strings.CutPrefix(field, verb); ok {
				if r, ok := resourceOfType[t]; ok {
					return Access{Resource: r, Action: auth.ActionWrite}
				}
			}
		}
		return Access{Resource: "*", Action: auth.ActionWrite}
	}
	switch field {
	case "me", "node", "nodes":
		return Access{}
	case "previewSegment":
		return Access{Resource: auth.ResourceSegments, Action: auth.ActionRead}
	case "webhookEndpoints", "webhookDeliveries":
		return Access{Resource: auth.ResourceWebhooks, Action: auth.ActionRead}
	case "apiTokens":
		return Access{Resource: auth.ResourceTokens, Action: auth.ActionRead}
	case "clvModel", "analytics":
		return Access{Resource: auth.ResourceAnalytics, Action: auth.ActionRead}
	}
	if t, ok := listFields[field]; ok {
		return Access{Resource: resourceOfType[t], Action: auth.ActionRead}
	}
	return Access{Resource: "*", Action: auth.ActionWrite}
}

// readable reports whether the viewer may read a node of this type; a node
// it may not read is reported as not found.
func readable(v *auth.Viewer, n ent.Noder) bool {
	if n == nil {
		return true
	}
	t := strings.TrimPrefix(typeName(n), "*ent.")
	r, ok := resourceOfType[t]
	return ok && v.Can(r, auth.ActionRead)
}

// FieldResource returns the resource whose read right guards a field of
// the given GraphQL type (a record type, or a connection or edge of one):
// a token scoped to contacts cannot read deals through contact.deals.
func FieldResource(typeName string) (string, bool) {
	t := strings.TrimSuffix(strings.TrimSuffix(typeName, "Connection"), "Edge")
	r, ok := resourceOfType[t]
	return r, ok
}
