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

type ownerKey struct{}

// WithOwnRecordsOnly returns a context that, within its organization, sees
// and changes only the owned records (contacts, accounts, deals) whose owner
// is the user: what a MEMBER gets when the organization limits members to
// their own records. Records it creates are owned by the user.
func WithOwnRecordsOnly(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, ownerKey{}, userID)
}

// OwnRecordsOnly returns the user whose records alone the context may see,
// if it is so limited.
func OwnRecordsOnly(ctx context.Context) (string, bool) {
	u, ok := ctx.Value(ownerKey{}).(string)
	return u, ok && u != "" && !IsSystem(ctx)
}

// ErrOwnerChange is returned when a user limited to their own records tries
// to give a record to someone else, or to leave it without an owner.
var ErrOwnerChange = errors.New("members limited to their own records cannot change a record's owner")
