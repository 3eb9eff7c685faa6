package identity

import (
	"context"
	"strings"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/ent/refreshtoken"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Session is what a login or a refresh returns.
type Session struct {
	AccessToken           string
	AccessTokenExpiresAt  time.Time
	RefreshToken          string
	RefreshTokenExpiresAt time.Time
	User                  *ent.User
}

// dummyHash is verified against when no user has the email, so a login
// takes as long whether or not the email exists.
var dummyHash, _ = auth.HashPassword("not-a-real-password-0123456789")

var errBadLogin = errs.New(errs.Unauthenticated, "wrong email or password")

// Login checks a user's email and password and opens a session. orgSlug
// names the organization when the email belongs to users of several.
func (s *Service) Login(ctx context.Context, email, password, orgSlug string) (*Session, error) {
	sys := tenant.WithSystem(ctx)
	now := s.now()
	if err := s.addresses.check(ctx, now); err != nil {
		return nil, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	q := s.client.User.Query().Where(user.Email(email), user.Active(true))
	if orgSlug != "" {
		q = q.Where(user.HasOrganizationWith(organization.Slug(orgSlug)))
	}
	users, err := q.Limit(10).All(sys)
	if err != nil {
		return nil, err
	}
	if len(users) > 1 {
		return nil, errs.Input("organization", "this email belongs to users of several organizations: name the organization by its slug")
	}
	if len(users) == 0 {
		key := orgSlug + "/" + email
		if err := s.unknown.check(key, now); err != nil {
			return nil, err
		}
		_, _ = auth.VerifyPassword(dummyHash, password)
		s.addresses.failed(ctx, now)
		return nil, s.unknown.failed(key, now)
	}
	u := users[0]
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		return nil, errLocked(u.LockedUntil.Sub(now))
	}
	ok, err := auth.VerifyPassword(u.PasswordHash, password)
	if err != nil || !ok {
		s.addresses.failed(ctx, now)
		return nil, s.loginFailed(sys, u, now)
	}
	if err := s.client.User.UpdateOneID(u.ID).SetLastLoginAt(now).SetFailedLogins(0).ClearLockedUntil().Exec(sys); err != nil {
		return nil, err
	}
	return s.issue(sys, u, pulid.New("fam").String(), now)
}

// loginFailed counts a wrong password against the account, locking it for
// a while once there were too many in a row.
func (s *Service) loginFailed(sys context.Context, u *ent.User, now time.Time) error {
	failures := u.FailedLogins + 1
	upd := s.client.User.UpdateOneID(u.ID).AddFailedLogins(1)
	lock := lockFor(failures)
	if lock > 0 {
		upd = upd.SetLockedUntil(now.Add(lock))
	}
	if err := upd.Exec(sys); err != nil {
		return err
	}
	if lock > 0 {
		return errLocked(lock)
	}
	return errBadLogin
}

// issue creates an access token and a refresh token of the family.
func (s *Service) issue(sys context.Context, u *ent.User, family string, now time.Time) (*Session, error) {
	access, exp, err := s.tokens.Issue(u.ID.String(), u.OrganizationID.String(), auth.Role(u.Role), now)
	if err != nil {
		return nil, err
	}
	refresh, hash, err := auth.GenerateRefreshToken()
	if err != nil {
		return nil, err
	}
	rexp := now.Add(s.refreshTTL)
	err = s.client.RefreshToken.Create().
		SetOrganizationID(u.OrganizationID).
		SetUserID(u.ID.String()).
		SetHash(hash).
		SetFamily(family).
		SetExpiresAt(rexp).
		Exec(sys)
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, AccessTokenExpiresAt: exp, RefreshToken: refresh, RefreshTokenExpiresAt: rexp, User: u}, nil
}

var errBadRefresh = errs.New(errs.Unauthenticated, "the refresh token is invalid, expired or already used: log in again")

// Refresh trades a refresh token for a new session. Each refresh token works
// once; presenting one that was already used revokes its whole family, so a
// stolen token dies as soon as either party uses it twice.
func (s *Service) Refresh(ctx context.Context, token string) (*Session, error) {
	if !strings.HasPrefix(token, auth.RefreshTokenPrefix) {
		return nil, errBadRefresh
	}
	sys := tenant.WithSystem(ctx)
	rt, err := s.client.RefreshToken.Query().Where(refreshtoken.Hash(auth.HashSecret(token))).Only(sys)
	if ent.IsNotFound(err) {
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if rt.RevokedAt != nil || rt.UsedAt != nil {
		_ = s.RevokeFamily(sys, rt.Family)
		return nil, errBadRefresh
	}
	if now.After(rt.ExpiresAt) {
		return nil, errBadRefresh
	}
	// Claim the token atomically: of two concurrent uses, one wins.
	n, err := s.client.RefreshToken.Update().
		Where(refreshtoken.ID(rt.ID), refreshtoken.UsedAtIsNil(), refreshtoken.RevokedAtIsNil()).
		SetUsedAt(now).
		Save(sys)
	if err != nil {
		return nil, err
	}
	if n != 1 {
		_ = s.RevokeFamily(sys, rt.Family)
		return nil, errBadRefresh
	}
	u, err := s.client.User.Get(sys, pulid.ID(rt.UserID))
	if err != nil || !u.Active {
		return nil, errBadRefresh
	}
	return s.issue(sys, u, rt.Family, now)
}

// RevokeFamily revokes every refresh token of a login's family.
func (s *Service) RevokeFamily(ctx context.Context, family string) error {
	return s.client.RefreshToken.Update().
		Where(refreshtoken.Family(family), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(s.now()).
		Exec(tenant.WithSystem(ctx))
}

// Logout ends the session of a refresh token: its whole family is revoked.
// An unknown token is not an error, so logging out twice is harmless.
func (s *Service) Logout(ctx context.Context, token string) error {
	rt, err := s.client.RefreshToken.Query().Where(refreshtoken.Hash(auth.HashSecret(token))).Only(tenant.WithSystem(ctx))
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.RevokeFamily(ctx, rt.Family)
}

// LogoutEverywhere revokes every session of the user. Access tokens already
// issued stay valid until they expire, at most AccessTokenTTL later.
func (s *Service) LogoutEverywhere(ctx context.Context, userID string) error {
	return s.client.RefreshToken.Update().
		Where(refreshtoken.UserID(userID), refreshtoken.RevokedAtIsNil()).
		SetRevokedAt(s.now()).
		Exec(tenant.WithSystem(ctx))
}
