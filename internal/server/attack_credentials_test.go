package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/tenant"
)

// atkJWTSecret is the fixture's signing secret.
var atkJWTSecret = []byte("0123456789abcdef0123456789abcdef")

func atkSign(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// atkTamper rewrites a token's payload without signing it again.
func atkTamper(t *testing.T, token string, change func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	change(p)
	raw, _ = json.Marshal(p)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func atkHeader(t *testing.T, token string, header map[string]any, sig string) string {
	t.Helper()
	raw, _ := json.Marshal(header)
	parts := strings.Split(token, ".")
	return base64.RawURLEncoding.EncodeToString(raw) + "." + parts[1] + "." + sig
}

// TestAttackForgedCredentialsAreUnauthenticated sends forged, altered,
// expired, revoked and malformed credentials on a query and on a mutation:
// each is UNAUTHENTICATED with no data, and nothing is written. A token
// built the same way with valid contents is accepted, so each refusal is
// due to the defect under test.
func TestAttackForgedCredentialsAreUnauthenticated(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := atkSeed(t, f, atkSecret)
		b := atkSeed(t, f, "globex")
		c := f.store.Client
		owner := c.User.Query().Where(user.RoleEQ(user.RoleOWNER)).OnlyX(a.ctx)
		bOwner := c.User.Query().Where(user.RoleEQ(user.RoleOWNER)).OnlyX(b.ctx)
		member, err := f.ids.Login(a.ctx, "member@"+atkSecret+".example", "correct horse battery", a.org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		claims := func(change map[string]any, remove ...string) jwt.MapClaims {
			m := jwt.MapClaims{
				"iss": identity.Issuer, "aud": []string{identity.Audience}, "sub": string(owner.ID),
				"org": string(a.org.ID), "role": "OWNER", "jti": "forged-1",
				"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
			}
			for k, v := range change {
				m[k] = v
			}
			for _, k := range remove {
				delete(m, k)
			}
			return m
		}
		hs256 := func(cl jwt.MapClaims) string { return atkSign(t, jwt.SigningMethodHS256, atkJWTSecret, cl) }
		rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		pub, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
		pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
		hsSig := func(signingInput string, h jwt.SigningMethod) string {
			sig, err := h.Sign(signingInput, atkJWTSecret)
			if err != nil {
				t.Fatal(err)
			}
			return base64.RawURLEncoding.EncodeToString(sig)
		}
		valid := hs256(claims(nil))
		payload := strings.Split(valid, ".")[1]

		// API tokens of A in every state a stored token can be in.
		scopes, _ := auth.ParseScopeList([]string{"*:write"})
		revoked, revokedRow, err := f.ids.CreateAPIToken(a.ctx, "revoked", scopes, nil, string(owner.ID))
		if err != nil {
			t.Fatal(err)
		}
		c.APIToken.UpdateOneID(revokedRow.ID).SetRevokedAt(now.Add(-time.Minute)).ExecX(a.ctx)
		expired, prefix, hash, err := auth.GenerateAPIToken()
		if err != nil {
			t.Fatal(err)
		}
		c.APIToken.Create().SetName("expired").SetPrefix(prefix).SetHash(hash).SetScopes([]string{"*:write"}).
			SetExpiresAt(now.Add(-time.Second)).SetCreatedBy(string(owner.ID)).ExecX(a.ctx)
		unknown, _, _, err := auth.GenerateAPIToken()
		if err != nil {
			t.Fatal(err)
		}
		flipped := []byte(a.token)
		if flipped[10] == 'A' {
			flipped[10] = 'B'
		} else {
			flipped[10] = 'A'
		}
		refresh, err := f.ids.Login(a.ctx, owner.Email, "correct horse battery", a.org.Slug)
		if err != nil {
			t.Fatal(err)
		}

		type credential struct {
			name string
			// header is the whole Authorization value; headers, when set,
			// are several.
			header  string
			headers []string
		}
		bearer := func(name, tok string) credential { return credential{name: name, header: "Bearer " + tok} }
		cases := []credential{
			bearer("JWT alg none", atkSign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))),
			bearer("JWT alg none over A's real token, signature stripped", atkHeader(t, a.jwt, map[string]any{"alg": "none", "typ": "JWT"}, "")),
			bearer("JWT alg NONE (upper case), no signature", atkHeader(t, valid, map[string]any{"alg": "NONE", "typ": "JWT"}, "")),
			bearer("JWT alg none with the HS256 signature kept", atkHeader(t, valid, map[string]any{"alg": "none", "typ": "JWT"}, strings.Split(valid, ".")[2])),
			bearer("JWT RS256 signed with an attacker's RSA key", atkSign(t, jwt.SigningMethodRS256, rsaKey, claims(nil))),
			bearer("JWT header RS256 over an HMAC signature with the secret", func() string {
				h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
				return h + "." + payload + "." + hsSig(h+"."+payload, jwt.SigningMethodHS256)
			}()),
			bearer("JWT HS256 keyed with an RSA public key (RS/HS confusion)", atkSign(t, jwt.SigningMethodHS256, pubPEM, claims(nil))),
			bearer("JWT HS384 with the right secret", atkSign(t, jwt.SigningMethodHS384, atkJWTSecret, claims(nil))),
			bearer("JWT HS512 with the right secret", atkSign(t, jwt.SigningMethodHS512, atkJWTSecret, claims(nil))),
			bearer("JWT signed with a wrong key", atkSign(t, jwt.SigningMethodHS256, []byte("ffffffffffffffffffffffffffffffff"), claims(nil))),
			bearer("JWT signed with an empty key", atkSign(t, jwt.SigningMethodHS256, []byte{}, claims(nil))),
			bearer("JWT expired an hour ago", hs256(claims(map[string]any{"iat": now.Add(-2 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix()}))),
			bearer("JWT expired beyond the leeway", hs256(claims(map[string]any{"iat": now.Add(-time.Hour).Unix(), "exp": now.Add(-2 * time.Minute).Unix()}))),
			bearer("JWT without exp", hs256(claims(nil, "exp"))),
			bearer("JWT with exp as a string", hs256(claims(map[string]any{"exp": "tomorrow"}))),
			bearer("JWT with a wrong iss", hs256(claims(map[string]any{"iss": "https://evil.example"}))),
			bearer("JWT without iss", hs256(claims(nil, "iss"))),
			bearer("JWT with a wrong aud", hs256(claims(map[string]any{"aud": []string{"another-api"}}))),
			bearer("JWT without aud", hs256(claims(nil, "aud"))),
			bearer("JWT not valid before five minutes from now", hs256(claims(map[string]any{"nbf": now.Add(5 * time.Minute).Unix()}))),
			bearer("JWT issued five minutes in the future", hs256(claims(map[string]any{"iat": now.Add(5 * time.Minute).Unix()}))),
			bearer("JWT with an unknown role", hs256(claims(map[string]any{"role": "ROOT"}))),
			bearer("JWT without org", hs256(claims(nil, "org"))),
			bearer("JWT without sub", hs256(claims(nil, "sub"))),
			bearer("JWT payload tampered: MEMBER raised to OWNER", atkTamper(t, member.AccessToken, func(p map[string]any) { p["role"] = "OWNER" })),
			bearer("JWT payload tampered: org swapped to B's", atkTamper(t, a.jwt, func(p map[string]any) { p["org"] = string(b.org.ID) })),
			bearer("JWT payload tampered: sub swapped to B's owner", atkTamper(t, a.jwt, func(p map[string]any) { p["sub"] = string(bOwner.ID) })),
			bearer("JWT payload tampered: exp extended a year", atkTamper(t, a.jwt, func(p map[string]any) { p["exp"] = now.Add(365 * 24 * time.Hour).Unix() })),
			bearer("JWT with A's payload and B's signature", func() string {
				pa, pb := strings.Split(atkTamper(t, a.jwt, func(map[string]any) {}), "."), strings.Split(b.jwt, ".")
				return pa[0] + "." + strings.Split(a.jwt, ".")[1] + "." + pb[2]
			}()),
			bearer("JWT of 8 KB, correctly signed", hs256(claims(map[string]any{"pad": strings.Repeat("x", 8*1024)}))),
			bearer("8 KB of garbage", strings.Repeat("A", 8*1024)),
			bearer("JWT with a fourth part", valid+".x"),
			bearer("JWT truncated", valid[:len(valid)-10]),
			bearer("API token revoked a minute ago", revoked),
			bearer("API token expired a second ago", expired),
			bearer("API token truncated", a.token[:len(a.token)-6]),
			bearer("API token with one character changed", string(flipped)),
			bearer("API token well-formed but never issued", unknown),
			bearer("API token with an upper-case prefix", strings.ToUpper(a.token[:4])+a.token[4:]),
			bearer("refresh token as a bearer", refresh.RefreshToken),
			{name: "valid JWT under the Basic scheme", header: "Basic " + a.jwt},
			{name: "Bearer without a token", header: "Bearer "},
			{name: "two Authorization headers, valid then forged", headers: []string{"Bearer " + a.jwt, "Bearer " + atkTamper(t, a.jwt, func(p map[string]any) { p["org"] = string(b.org.ID) })}},
			{name: "valid token with a space inside", header: "Bearer " + a.token[:8] + " " + a.token[8:]},
		}
		const query = `{ contacts { totalCount edges { node { id email } } } }`
		const mutation = `mutation { createContact(input: {email: "forged@acme-secret.example", firstName: "forged"}) { id } }`
		send := func(cr credential, q string) atkResponse {
			body, _ := json.Marshal(map[string]any{"query": q})
			return f.atkSend(func() *http.Request {
				req, _ := http.NewRequest(http.MethodPost, f.url, strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				if cr.header != "" {
					req.Header.Set("Authorization", cr.header)
				}
				for _, h := range cr.headers {
					req.Header.Add("Authorization", h)
				}
				return req
			})
		}

		// Controls: a token forged with valid contents and the right secret,
		// and A's own credentials, are accepted.
		for _, cr := range []credential{bearer("control: JWT forged with valid claims and the secret", valid), bearer("control: A's API token", a.token), bearer("control: A's session", a.jwt)} {
			if r := send(cr, query); r.outcome() != "OK" || !strings.Contains(r.body, `"totalCount":2`) {
				t.Fatalf("%s: got %s; want A's 2 contacts: %.300s", cr.name, r.outcome(), r.body)
			}
		}
		before := atkRows(t, f, string(a.org.ID), atkTokenUse...)
		bBefore := atkRows(t, f, string(b.org.ID), atkTokenUse...)
		outcomes := atkTally{}
		for _, cr := range cases {
			for _, q := range []string{query, mutation} {
				r := send(cr, q)
				outcomes[r.outcome()]++
				if r.code() != "UNAUTHENTICATED" || string(r.Data) != "null" {
					kind := "query"
					if q == mutation {
						kind = "mutation"
					}
					t.Errorf("%s (%s): got %s, data %s; want UNAUTHENTICATED and no data\nresponse: %.300s", cr.name, kind, r.outcome(), r.Data, r.body)
				}
			}
		}
		atkUnchanged(t, f, "tenant A's rows", string(a.org.ID), before, atkTokenUse...)
		atkUnchanged(t, f, "tenant B's rows", string(b.org.ID), bBefore, atkTokenUse...)
		t.Logf("%d forged or invalid credentials, each on a query and a mutation: %s", len(cases), outcomes)
	})
}

// TestAttackCredentialsOfADeletedOrganization deletes an organization with
// its rows left behind (the foreign keys are bypassed for the test: the API
// offers no way to delete an organization) and presents its API token and
// its owner's session: both must be UNAUTHENTICATED.
func TestAttackCredentialsOfADeletedOrganization(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		d := f.tenant("doomed")
		ctx := tenant.WithSystem(d.ctx)
		conn, err := f.store.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		off, on := "PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"
		del := "DELETE FROM organizations WHERE id = ?"
		if f.store.Dialect == "postgres" {
			off, on = "SET session_replication_role = replica", "SET session_replication_role = DEFAULT"
			del = "DELETE FROM organizations WHERE id = $1"
		}
		if _, err := conn.ExecContext(ctx, off); err != nil {
			t.Skipf("cannot bypass the foreign keys here (%v): not practical", err)
		}
		_, err = conn.ExecContext(ctx, del, string(d.org.ID))
		if _, err2 := conn.ExecContext(ctx, on); err2 != nil {
			t.Fatal(err2)
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := f.store.Client.Organization.Query().CountX(ctx); n != 0 {
			t.Fatalf("%d organizations left", n)
		}
		for _, cr := range []struct{ name, tok string }{{"API token", d.token}, {"owner's session", d.jwt}} {
			for _, q := range []string{`{ contacts { totalCount } }`, `{ me { organization { id } } }`, `mutation { createPipeline(input: {name: "ghost"}) { id } }`} {
				r := f.atkDo("Bearer "+cr.tok, q, nil)
				if r.code() != "UNAUTHENTICATED" {
					t.Errorf("%s of a deleted organization, %s: got %s; want UNAUTHENTICATED\nresponse: %.300s", cr.name, q, r.outcome(), r.body)
				}
			}
		}
	})
}
