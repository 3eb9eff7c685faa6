package identity

import (
	"context"
	"strings"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/apitoken"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// CreateAPIToken mints a partner token for the organization of ctx. The
// returned plaintext is shown once; only its hash is stored.
func (s *Service) CreateAPIToken(ctx context.Context, name string, scopes auth.Scopes, expiresAt *time.Time, createdBy string) (string, *ent.APIToken, error) {
	if strings.TrimSpace(name) == "" {
		return "", nil, errs.Input("name", "name must not be empty")
	}
	if len(scopes) == 0 {
		return "", nil, errs.Input("scopes", "a token needs at least one scope, such as contacts:read")
	}
	if expiresAt != nil && !expiresAt.After(s.now()) {
		return "", nil, errs.Input("expiresAt", "expiresAt must be in the future")
	}
	plain, prefix, hash, err := auth.GenerateAPIToken()
	if err != nil {
		return "", nil, err
	}
	t, err := s.client.APIToken.Create().
		SetName(name).
		SetPrefix(prefix).
		SetHash(hash).
		SetScopes(scopes.Strings()).
		SetNillableExpiresAt(expiresAt).
		SetCreatedBy(createdBy).
		Save(ctx)
	if err != nil {
		return "", nil, errs.From(err)
	}
	return plain, t, nil
}

var errBadToken = errs.New(errs.Unauthenticated, "invalid or expired token")

// Authenticate turns a bearer token (a user's access token or a partner API
// token) into the viewer it stands for. While the instance watches for
// credential changes (WatchCredentialChanges), a credential checked in the
// last minute is not read again.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*auth.Viewer, error) {
	key := credentialKey(bearer)
	now := s.now()
	if v, ok := s.cache.viewer(key, now); ok {
		return v, nil
	}
	gen := s.cache.generation()
	v, expires, err := s.checkCredential(ctx, bearer)
	if err != nil {
		return nil, err
	}
	until := now.Add(maxCachedFor)
	if !expires.IsZero() && expires.Before(until) {
		until = expires
	}
	s.cache.remember(key, gen, v, until)
	return v, nil
}

// checkCredential reads a bearer token's credential from the database and
// returns its viewer and when it expires (zero: never).
func (s *Service) checkCredential(ctx context.Context, bearer string) (*auth.Viewer, time.Time, error) {
	if auth.LooksLikeAPIToken(bearer) {
		return s.authenticateAPIToken(ctx, bearer)
	}
	claims, err := s.tokens.Parse(bearer)
	if err != nil {
		return nil, time.Time{}, errBadToken
	}
	// The user must still exist, be active and belong to a live
	// organization; the role is read fresh, so a demotion or deactivation
	// takes effect on the next request rather than when the token expires.
	u, err := s.client.User.Query().
		Where(user.ID(pulid.ID(claims.Subject)), user.OrganizationID(pulid.ID(claims.OrganizationID)), user.Active(true), user.HasOrganizationWith()).
		Select(user.FieldID, user.FieldRole).
		Only(tenant.WithSystem(ctx))
	if err != nil {
		if ent.IsNotFound(err) {
			return nil, time.Time{}, errBadToken
		}
		return nil, time.Time{}, err
	}
	v := &auth.Viewer{OrganizationID: claims.OrganizationID, UserID: claims.Subject, Role: auth.Role(u.Role)}
	var expires time.Time
	if claims.ExpiresAt != nil {
		expires = claims.ExpiresAt.Time
	}
	return v, expires, s.limitMember(ctx, v, claims.Subject)
}

// limitMember limits a MEMBER (or a token minted by one) to the user's own
// records when the organization chooses so. Other roles cost no query.
func (s *Service) limitMember(ctx context.Context, v *auth.Viewer, userID string) error {
	if v.Role != auth.RoleMember {
		return nil
	}
	limited, err := s.client.Organization.Query().
		Where(organization.ID(pulid.ID(v.OrganizationID)), organization.MembersSeeOnlyOwnRecords(true)).
		Exist(tenant.WithSystem(ctx))
	if err != nil {
		return err
	}
	if limited {
		v.OnlyRecordsOf = userID
	}
	return nil
}

// lastUsedGranularity is how stale last_used_at may get, so that a busy
// token does not write on every request.
const lastUsedGranularity = time.Minute

func (s *Service) authenticateAPIToken(ctx context.Context, bearer string) (*auth.Viewer, time.Time, error) {
	if err := auth.CheckAPITokenFormat(bearer); err != nil {
		return nil, time.Time{}, errBadToken
	}
	sys := tenant.WithSystem(ctx)
	t, err := s.client.APIToken.Query().Where(apitoken.Hash(auth.HashSecret(bearer)), apitoken.HasOrganizationWith()).Only(sys)
	if err != nil {
		if ent.IsNotFound(err) {
			return nil, time.Time{}, errBadToken
		}
		return nil, time.Time{}, err
	}
	now := s.now()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return nil, time.Time{}, errBadToken
	}
	scopes, err := auth.ParseScopeList(t.Scopes)
	if err != nil {
		return nil, time.Time{}, errBadToken
	}
	v := &auth.Viewer{OrganizationID: t.OrganizationID.String(), TokenID: t.ID.String(), Scopes: scopes}
	// A token minted by a user holds no more than that user may do now; a
	// token of a deactivated or deleted user stops working.
	if creator := pulid.ID(t.CreatedBy); creator.Prefix() == "usr" {
		u, err := s.client.User.Query().Where(user.ID(creator), user.OrganizationID(t.OrganizationID)).Only(sys)
		if err != nil || !u.Active {
			return nil, time.Time{}, errBadToken
		}
		v.Role = auth.Role(u.Role)
		if err := s.limitMember(ctx, v, u.ID.String()); err != nil {
			return nil, time.Time{}, err
		}
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > lastUsedGranularity {
		_ = s.client.APIToken.UpdateOneID(t.ID).SetLastUsedAt(now).Exec(sys)
	}
	var expires time.Time
	if t.ExpiresAt != nil {
		expires = *t.ExpiresAt
	}
	return v, expires, nil
}

// MaxAPITokenLifetime is the longest expiry a token minted through the API
// may have.
const MaxAPITokenLifetime = 366 * 24 * time.Hour

// CreateAPITokenFor mints a token for the calling user or token of ctx: its
// expiry is required and at most a year away, and it may not carry scopes
// the caller itself lacks.
func (s *Service) CreateAPITokenFor(ctx context.Context, caller *auth.Viewer, name string, scopes auth.Scopes, expiresAt time.Time) (string, *ent.APIToken, error) {
	if expiresAt.After(s.now().Add(MaxAPITokenLifetime)) {
		return "", nil, errs.Input("expiresAt", "expiresAt must be within a year")
	}
	for _, sc := range scopes {
		resources := []string{sc.Resource}
		if sc.Resource == auth.ScopeWildcard {
			resources = auth.AllResources()
		}
		for _, r := range resources {
			if !caller.Can(r, sc.Action) {
				return "", nil, &errs.Error{Code: errs.Forbidden, Field: "scopes", Message: "you cannot grant " + sc.String() + ": you do not hold it yourself"}
			}
		}
	}
	return s.CreateAPIToken(ctx, name, scopes, &expiresAt, caller.Actor())
}

// RevokeAPIToken revokes a token of the organization of ctx; it stops
// working on the next request.
func (s *Service) RevokeAPIToken(ctx context.Context, id pulid.ID) (*ent.APIToken, error) {
	t, err := s.client.APIToken.Get(ctx, id)
	if err != nil {
		return nil, errs.From(err)
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	return s.client.APIToken.UpdateOne(t).SetRevokedAt(s.now()).Save(ctx)
}

// APITokens lists the organization's tokens, newest first, secrets never
// included (only their hashes are stored).
func (s *Service) APITokens(ctx context.Context, includeRevoked bool, limit int) ([]*ent.APIToken, error) {
	q := s.client.APIToken.Query().Order(ent.Desc(apitoken.FieldCreatedAt)).Limit(limit)
	if !includeRevoked {
		q = q.Where(apitoken.RevokedAtIsNil())
	}
	return q.All(ctx)
}

// UserByID returns a user of the organization of ctx.
func (s *Service) UserByID(ctx context.Context, id string) (*ent.User, error) {
	return s.client.User.Get(ctx, pulid.ID(id))
}
