package server_test

import (
	"testing"
)

const loginMutation = `mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { email role } }
}`

const refreshMutation = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`

type tokens struct{ AccessToken, RefreshToken string }

// TestLoginRefreshAndReuse follows an SPA's session: log in, call the API,
// refresh, and see a replayed refresh token revoke the whole session.
func TestLoginRefreshAndReuse(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		if r := f.do("", loginMutation, map[string]any{"email": "owner@acme.example", "password": "wrong password!"}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("a wrong password got %+v; want UNAUTHENTICATED", r.Errors)
		}
		if r := f.do("", loginMutation, map[string]any{"email": "nobody@acme.example", "password": "whatever12345"}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("an unknown email got %+v; want UNAUTHENTICATED", r.Errors)
		}
		var login struct {
			Login struct {
				tokens
				User struct{ Email, Role string }
			}
		}
		f.ok("", loginMutation, map[string]any{"email": "OWNER@acme.example", "password": "correct horse battery"}, &login)
		if login.Login.User.Role != "OWNER" || login.Login.AccessToken == "" {
			t.Fatalf("login = %+v", login.Login)
		}
		var me struct {
			Me struct{ User struct{ Email string } }
		}
		f.ok(login.Login.AccessToken, `{ me { user { email } } }`, nil, &me)
		if me.Me.User.Email != "owner@acme.example" {
			t.Errorf("me = %+v", me.Me)
		}

		var r1 struct{ RefreshToken tokens }
		f.ok("", refreshMutation, map[string]any{"t": login.Login.RefreshToken}, &r1)
		if r1.RefreshToken.RefreshToken == login.Login.RefreshToken {
			t.Fatal("the refresh token was not rotated")
		}
		f.ok(r1.RefreshToken.AccessToken, `{ me { user { email } } }`, nil, nil)

		// Replaying the first refresh token revokes the family, including the
		// token that replaced it.
		if r := f.do("", refreshMutation, map[string]any{"t": login.Login.RefreshToken}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("reuse of a retired refresh token got %+v; want UNAUTHENTICATED", r.Errors)
		}
		if r := f.do("", refreshMutation, map[string]any{"t": r1.RefreshToken.RefreshToken}); r.code() != "UNAUTHENTICATED" {
			t.Errorf("after reuse, the newest refresh token got %+v; want UNAUTHENTICATED (family revoked)", r.Errors)
		}
		_ = a
	})
}
