package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
)

// TestPartnerTokenLifecycle mints, uses, lists and revokes a token through
// the API, as an admin would for a partner.
func TestPartnerTokenLifecycle(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 2)
		exp := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
		var created struct {
			CreateApiToken struct {
				Token    string
				ApiToken struct{ ID, Prefix string }
			}
		}
		f.ok(a.jwt, `mutation($exp: Time!) { createApiToken(input: {name: "partner", scopes: ["contacts:read"], expiresAt: $exp}) { token apiToken { id prefix } } }`,
			map[string]any{"exp": exp}, &created)
		tok := created.CreateApiToken.Token
		if !strings.HasPrefix(tok, created.CreateApiToken.ApiToken.Prefix) {
			t.Fatalf("token %q does not start with its prefix %q", tok, created.CreateApiToken.ApiToken.Prefix)
		}
		f.ok(tok, `{ contacts { totalCount } }`, nil, nil)
		if r := f.do(tok, `mutation { createContact(input: {email: "x@acme.example"}) { id } }`, nil); r.code() != "FORBIDDEN" {
			t.Errorf("a contacts:read token writing got %+v; want FORBIDDEN", r.Errors)
		}
		var list struct{ ApiTokens []map[string]any }
		f.ok(a.jwt, `{ apiTokens { id name prefix scopes lastUsedAt } }`, nil, &list)
		body := strings.Join(strings.Fields(strings.TrimSpace(string(mustJSON(list)))), "")
		if strings.Contains(body, tok) {
			t.Error("apiTokens reveals a token's secret")
		}
		var revoked struct {
			RevokeApiToken struct{ RevokedAt *time.Time }
		}
		f.ok(a.jwt, `mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, map[string]any{"id": created.CreateApiToken.ApiToken.ID}, &revoked)
		if revoked.RevokeApiToken.RevokedAt == nil {
			t.Error("revokeApiToken did not set revokedAt")
		}
		if r := f.do(tok, `{ contacts { totalCount } }`, nil); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a revoked token got %+v; want UNAUTHENTICATED on the next request", r.Errors)
		}
		for _, tc := range []struct{ name, vars string }{
			{"no expiry", `{"exp": null}`},
		} {
			_ = tc
		}
		if r := f.do(a.jwt, `mutation { createApiToken(input: {name: "forever", scopes: ["contacts:read"], expiresAt: "2099-01-01T00:00:00Z"}) { token } }`, nil); r.code() != "BAD_USER_INPUT" || r.field() != "expiresAt" {
			t.Errorf("an expiry decades away got %+v; want BAD_USER_INPUT on expiresAt", r.Errors)
		}
		if r := f.do(a.jwt, `mutation($exp: Time!) { createApiToken(input: {name: "x", scopes: ["contacts:fly"], expiresAt: $exp}) { token } }`, map[string]any{"exp": exp}); r.code() != "BAD_USER_INPUT" || r.field() != "scopes" {
			t.Errorf("an unknown scope got %+v; want BAD_USER_INPUT on scopes", r.Errors)
		}
	})
}

// TestTokenRightsNeverExceedItsCreator demotes the admin who minted a
// write token: the token can no longer write.
func TestTokenRightsNeverExceedItsCreator(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		hash, _ := auth.HashPassword("another long password")
		f.store.Client.User.Create().SetEmail("admin@acme.example").SetRole(user.RoleADMIN).SetPasswordHash(hash).ExecX(a.ctx)
		sess, err := f.ids.Login(a.ctx, "admin@acme.example", "another long password", a.org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		var created struct{ CreateApiToken struct{ Token string } }
		f.ok(sess.AccessToken, `mutation($exp: Time!) { createApiToken(input: {name: "sync", scopes: ["contacts:write"], expiresAt: $exp}) { token } }`,
			map[string]any{"exp": exp}, &created)
		tok := created.CreateApiToken.Token
		f.ok(tok, `mutation { createContact(input: {email: "one@acme.example"}) { id } }`, nil, nil)

		member := f.store.Client.User.Create().SetEmail("member@acme.example").SetRole(user.RoleMEMBER).SetPasswordHash(hash).SaveX(a.ctx)
		msess, err := f.ids.Login(a.ctx, member.Email, "another long password", a.org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if r := f.do(msess.AccessToken, `mutation($exp: Time!) { createApiToken(input: {name: "x", scopes: ["contacts:read"], expiresAt: $exp}) { token } }`, map[string]any{"exp": exp}); r.code() != "FORBIDDEN" {
			t.Errorf("a MEMBER minting a token got %+v; want FORBIDDEN", r.Errors)
		}

		f.store.Client.User.Update().Where(user.Email("admin@acme.example")).SetRole(user.RoleVIEWER).ExecX(a.ctx)
		if r := f.do(tok, `mutation { createContact(input: {email: "two@acme.example"}) { id } }`, nil); r.code() != "FORBIDDEN" {
			t.Errorf("after its creator became a VIEWER, the token writing got %+v; want FORBIDDEN", r.Errors)
		}
		f.ok(tok, `{ contacts { totalCount } }`, nil, nil)
		f.store.Client.User.Update().Where(user.Email("admin@acme.example")).SetActive(false).ExecX(a.ctx)
		if r := f.do(tok, `{ contacts { totalCount } }`, nil); r.code() != "UNAUTHENTICATED" {
			t.Errorf("after its creator was deactivated, the token got %+v; want UNAUTHENTICATED", r.Errors)
		}
	})
}

// TestLogoutEndsTheSession logs out and sees the refresh token refused.
func TestLogoutEndsTheSession(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		f.tenant("acme")
		var login struct{ Login tokens }
		f.ok("", loginMutation, map[string]any{"email": "owner@acme.example", "password": "correct horse battery"}, &login)
		var other struct{ Login tokens }
		f.ok("", loginMutation, map[string]any{"email": "owner@acme.example", "password": "correct horse battery"}, &other)
		f.ok("", `mutation($t: String!) { logout(refreshToken: $t) }`, map[string]any{"t": login.Login.RefreshToken}, nil)
		if r := f.do("", refreshMutation, map[string]any{"t": login.Login.RefreshToken}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("refresh after logout got %+v; want UNAUTHENTICATED", r.Errors)
		}
		f.ok("", refreshMutation, map[string]any{"t": other.Login.RefreshToken}, nil)
		f.ok(other.Login.AccessToken, `mutation { logoutEverywhere }`, nil, nil)
		var third struct{ RefreshToken tokens }
		if r := f.do("", refreshMutation, map[string]any{"t": other.Login.RefreshToken}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("refresh after logoutEverywhere got %+v; want UNAUTHENTICATED", r.Errors)
		}
		_ = third
	})
}
