// Package tenant carries the organization a request may touch through a
// context. The data layer reads it on every query and mutation: a context
// scoped to an organization sees and writes only that organization's rows; a
// context without a scope sees nothing; and a system context, reserved for
// audited paths (migrations, seeding, login lookups, CLI administration),
// sees every organization.
package tenant

import (
	"context"
	"errors"
)

type scopeKey struct{}

type scope struct {
	organizationID string
	system         bool
}

// ErrNoTenant is returned by the data layer when a context carries no
// organization scope.
var ErrNoTenant = errors.New("tenant: no organization in context")

// WithOrganization returns a context scoped to the organization id.
func WithOrganization(ctx context.Context, organizationID string) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{organizationID: organizationID})
}

// WithSystem returns a context that may touch every organization. Use it only
// on audited system paths, never for a request's data.
func WithSystem(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope{system: true})
}

// OrganizationID returns the organization the context is scoped to.
func OrganizationID(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(scopeKey{}).(scope)
	if !ok || s.system || s.organizationID == "" {
		return "", false
	}
	return s.organizationID, true
}

// IsSystem reports whether the context may touch every organization.
func IsSystem(ctx context.Context) bool {
	s, ok := ctx.Value(scopeKey{}).(scope)
	return ok && s.system
}
