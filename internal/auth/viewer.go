package auth

import (
	"context"
	"fmt"
	"strings"
)

// Role is a user's role within one organization.
type Role string

// The roles a user can hold in an organization, from most to least
// privileged.
const (
	// RoleOwner may do everything, including administering the organization.
	RoleOwner Role = "OWNER"
	// RoleAdmin may do everything on records and administer users, API
	// tokens and webhooks.
	RoleAdmin Role = "ADMIN"
	// RoleManager may read and write CRM records.
	RoleManager Role = "MANAGER"
	// RoleMember may read and write CRM records.
	RoleMember Role = "MEMBER"
	// RoleViewer may only read CRM records.
	RoleViewer Role = "VIEWER"
)

// roleRank orders roles by privilege; a higher rank includes the rights of
// every lower one.
var roleRank = map[Role]int{
	RoleViewer:  1,
	RoleMember:  2,
	RoleManager: 3,
	RoleAdmin:   4,
	RoleOwner:   5,
}

// Roles returns every valid role, from most to least privileged.
func Roles() []Role {
	return []Role{RoleOwner, RoleAdmin, RoleManager, RoleMember, RoleViewer}
}

// ParseRole returns the role named by s, ignoring case and surrounding
// spaces, or an error if s names no role.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", fmt.Errorf("auth: unknown role %q", s)
	}
	return r, nil
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	_, ok := roleRank[r]
	return ok
}

// AtLeast reports whether r is a valid role at least as privileged as min.
func (r Role) AtLeast(min Role) bool {
	have, ok := roleRank[r]
	want, ok2 := roleRank[min]
	return ok && ok2 && have >= want
}

// String returns the role's name.
func (r Role) String() string { return string(r) }

// rolePolicy is the least privileged role allowed to read and to write a
// resource.
type rolePolicy struct{ read, write Role }

// userPolicy says what users of each role may do on each resource. CRM
// records are readable by everyone and writable from MEMBER up; users are
// readable by everyone (assignee pickers) and managed by admins; API tokens
// and webhooks are credentials and outbound data flows, visible to admins
// only.
var userPolicy = map[string]rolePolicy{
	ResourceContacts:   {RoleViewer, RoleMember},
	ResourceAccounts:   {RoleViewer, RoleMember},
	ResourceDeals:      {RoleViewer, RoleMember},
	ResourcePipelines:  {RoleViewer, RoleMember},
	ResourceProducts:   {RoleViewer, RoleMember},
	ResourceActivities: {RoleViewer, RoleMember},
	ResourceTickets:    {RoleViewer, RoleMember},
	ResourceCampaigns:  {RoleViewer, RoleMember},
	ResourceSurveys:    {RoleViewer, RoleMember},
	ResourceSegments:   {RoleViewer, RoleMember},
	ResourceAnalytics:  {RoleViewer, RoleMember},
	ResourceEvents:     {RoleViewer, RoleMember},
	ResourceUsers:      {RoleViewer, RoleAdmin},
	ResourceWebhooks:   {RoleAdmin, RoleAdmin},
	ResourceTokens:     {RoleAdmin, RoleAdmin},
	ResourceAudit:      {RoleAdmin, RoleOwner},
}

// Viewer is the authenticated caller of a request: either a user acting
// with their role in one organization, or a partner API token acting with
// its scopes.
type Viewer struct {
	// OrganizationID is the tenant the caller acts in; every request is
	// confined to it.
	OrganizationID string
	// UserID is the calling user's id; empty for API tokens.
	UserID string
	// TokenID is the calling API token's id; empty for users.
	TokenID string
	// Role is the user's role in the organization. For an API token it is
	// the role of the user who created it, when a user did: the token's
	// rights are then its scopes intersected with that role's.
	Role Role
	// Scopes are the API token's grants; they govern tokens only.
	Scopes Scopes
	// OnlyRecordsOf, when set, limits the caller to the owned records
	// (contacts, accounts, deals) of this user: a MEMBER, or a token minted
	// by one, in an organization that limits members to their own records.
	OnlyRecordsOf string
}

// IsUser reports whether the caller is a signed-in user.
func (v *Viewer) IsUser() bool {
	return v != nil && v.UserID != "" && v.TokenID == ""
}

// IsToken reports whether the caller is a partner API token.
func (v *Viewer) IsToken() bool {
	return v != nil && v.TokenID != ""
}

// Can reports whether the caller may perform action on resource within its
// organization. Users are judged by role (see the Role constants), API
// tokens by their scopes. A nil viewer, a viewer without organization and
// an unknown resource or action are always refused.
func (v *Viewer) Can(resource string, action Action) bool {
	if v == nil || v.OrganizationID == "" || !action.Valid() {
		return false
	}
	switch {
	case v.IsToken():
		return v.Scopes.Allows(resource, action) && (v.Role == "" || roleAllows(v.Role, resource, action))
	case v.IsUser():
		return roleAllows(v.Role, resource, action)
	default:
		return false
	}
}

// roleAllows reports whether the role may perform action on resource.
func roleAllows(r Role, resource string, action Action) bool {
	p, ok := userPolicy[resource]
	if !ok {
		return false
	}
	if action == ActionWrite {
		return r.AtLeast(p.write)
	}
	return r.AtLeast(p.read)
}

// Actor returns the id recorded as the author of changes made by the
// caller (created_by, audit log): the user id for users, the token id for
// API tokens, and "" for a nil viewer.
func (v *Viewer) Actor() string {
	switch {
	case v == nil:
		return ""
	case v.IsToken():
		return v.TokenID
	default:
		return v.UserID
	}
}

// The kinds of author ActorKind names.
const (
	ActorUser   = "USER"
	ActorToken  = "TOKEN"
	ActorSystem = "SYSTEM"
)

// ActorKind names the kind of author the caller is in the audit log and
// on events: ActorUser, ActorToken, or ActorSystem for a nil viewer (the
// CRM itself). Actor is the author's id.
func (v *Viewer) ActorKind() string {
	switch {
	case v.IsToken():
		return ActorToken
	case v.IsUser():
		return ActorUser
	}
	return ActorSystem
}

type viewerKey struct{}

// NewContext returns a copy of ctx carrying v as the request's caller.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the caller stored in ctx by NewContext, and whether
// there is one.
func FromContext(ctx context.Context) (*Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(*Viewer)
	return v, ok && v != nil
}
