package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testSecret   = []byte("0123456789abcdef0123456789abcdef-test-secret")
	testIssuer   = "https://crm.example.test"
	testAudience = "crm-api"
	testTTL      = 15 * time.Minute
	// testNow is the clock of every test issuer.
	testNow = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
)

func newTestIssuer(t *testing.T) *TokenIssuer {
	t.Helper()
	iss, err := NewTokenIssuer(testSecret, testIssuer, testAudience, testTTL)
	if err != nil {
		t.Fatal(err)
	}
	iss.now = func() time.Time { return testNow }
	return iss
}

// validClaims are the claims Issue would write at testNow, as a map so
// tests can remove or alter any of them.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"iss":  testIssuer,
		"sub":  "user_1",
		"aud":  []string{testAudience},
		"exp":  testNow.Add(testTTL).Unix(),
		"iat":  testNow.Unix(),
		"jti":  "jti_1",
		"org":  "org_1",
		"role": "MEMBER",
	}
}

func with(overrides map[string]any, remove ...string) jwt.MapClaims {
	c := validClaims()
	for k, v := range overrides {
		c[k] = v
	}
	for _, k := range remove {
		delete(c, k)
	}
	return c
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hs256(t *testing.T, claims jwt.Claims) string {
	return sign(t, jwt.SigningMethodHS256, testSecret, claims)
}

// tamper rewrites a token's payload without re-signing it.
func tamper(t *testing.T, token string, change func(map[string]any)) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil {
		t.Fatal(err)
	}
	change(payload)
	raw, _ = json.Marshal(payload)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func TestIssueAndParseRoundTrip(t *testing.T) {
	iss := newTestIssuer(t)
	tok, exp, err := iss.Issue("user_42", "org_7", RoleManager, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(testNow.Add(testTTL)) {
		t.Errorf("expiresAt = %v, want %v", exp, testNow.Add(testTTL))
	}
	c, err := iss.Parse(tok)
	if err != nil {
		t.Fatalf("Parse(own token) = %v", err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"sub", c.Subject, "user_42"},
		{"org", c.OrganizationID, "org_7"},
		{"role", c.Role, RoleManager},
		{"iss", c.Issuer, testIssuer},
		{"aud", []string(c.Audience), []string{testAudience}},
		{"exp", c.ExpiresAt.Time.UTC(), exp.UTC()},
		{"iat", c.IssuedAt.Time.UTC(), testNow},
	}
	for _, ch := range checks {
		if g, w := ch.got, ch.want; !jsonEqual(g, w) {
			t.Errorf("claim %s = %v, want %v", ch.what, g, w)
		}
	}
	if len(c.ID) < 20 {
		t.Errorf("jti %q is too short to be random", c.ID)
	}
	tok2, _, _ := iss.Issue("user_42", "org_7", RoleManager, testNow)
	if c2, _ := iss.Parse(tok2); c2 == nil || c2.ID == c.ID {
		t.Error("two tokens share a jti")
	}
	var header map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	_ = json.Unmarshal(raw, &header)
	if header["alg"] != "HS256" {
		t.Errorf("alg = %v, want HS256", header["alg"])
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestParseAcceptsWithinLeeway(t *testing.T) {
	iss := newTestIssuer(t)
	tests := []struct {
		name   string
		claims jwt.MapClaims
	}{
		{"expired 20s ago", with(map[string]any{"exp": testNow.Add(-20 * time.Second).Unix(), "iat": testNow.Add(-time.Hour).Unix()})},
		{"issued 20s in the future", with(map[string]any{"iat": testNow.Add(20 * time.Second).Unix()})},
		{"not before 20s from now", with(map[string]any{"nbf": testNow.Add(20 * time.Second).Unix()})},
		{"audience among several", with(map[string]any{"aud": []string{"other", testAudience}})},
		{"audience as a string", with(map[string]any{"aud": testAudience})},
	}
	for _, tt := range tests {
		if _, err := iss.Parse(hs256(t, tt.claims)); err != nil {
			t.Errorf("%s: Parse = %v, want success", tt.name, err)
		}
	}
}

func TestParseRejectsAttacks(t *testing.T) {
	iss := newTestIssuer(t)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid, _, err := iss.Issue("user_1", "org_1", RoleViewer, testNow)
	if err != nil {
		t.Fatal(err)
	}
	past := testNow.Add(-time.Hour)

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims()), ErrInvalidToken},
		{"alg none, signature stripped from a valid token", func() string {
			p := strings.Split(valid, ".")
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
			return h + "." + p[1] + "."
		}(), ErrInvalidToken},
		{"RS256 signed", sign(t, jwt.SigningMethodRS256, rsaKey, validClaims()), ErrInvalidToken},
		{"ES256 signed", sign(t, jwt.SigningMethodES256, ecKey, validClaims()), ErrInvalidToken},
		{"HS384 with the same secret", sign(t, jwt.SigningMethodHS384, testSecret, validClaims()), ErrInvalidToken},
		{"HS512 with the same secret", sign(t, jwt.SigningMethodHS512, testSecret, validClaims()), ErrInvalidToken},
		{"header relabelled HS256 over an HS512 signature", func() string {
			p := strings.Split(sign(t, jwt.SigningMethodHS512, testSecret, validClaims()), ".")
			p[0] = strings.Split(valid, ".")[0]
			return strings.Join(p, ".")
		}(), ErrInvalidToken},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), validClaims()), ErrInvalidToken},
		{"empty key", sign(t, jwt.SigningMethodHS256, []byte{}, validClaims()), ErrInvalidToken},
		{"expired", hs256(t, with(map[string]any{"exp": testNow.Add(-time.Minute).Unix(), "iat": past.Unix()})), ErrTokenExpired},
		{"expired and wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"),
			with(map[string]any{"exp": testNow.Add(-time.Minute).Unix(), "iat": past.Unix()})), ErrInvalidToken},
		{"expired and wrong audience", hs256(t, with(map[string]any{"exp": testNow.Add(-time.Minute).Unix(), "iat": past.Unix(), "aud": "other"})), ErrInvalidToken},
		{"expired and bad role", hs256(t, with(map[string]any{"exp": testNow.Add(-time.Minute).Unix(), "iat": past.Unix(), "role": "ROOT"})), ErrInvalidToken},
		{"expired without iat", hs256(t, with(map[string]any{"exp": testNow.Add(-time.Minute).Unix()}, "iat")), ErrInvalidToken},
		{"missing exp", hs256(t, with(nil, "exp")), ErrInvalidToken},
		{"exp not a number", hs256(t, with(map[string]any{"exp": "tomorrow"})), ErrInvalidToken},
		{"wrong iss", hs256(t, with(map[string]any{"iss": "https://evil.example"})), ErrInvalidToken},
		{"missing iss", hs256(t, with(nil, "iss")), ErrInvalidToken},
		{"wrong aud", hs256(t, with(map[string]any{"aud": []string{"other-api"}})), ErrInvalidToken},
		{"missing aud", hs256(t, with(nil, "aud")), ErrInvalidToken},
		{"empty aud", hs256(t, with(map[string]any{"aud": []string{}})), ErrInvalidToken},
		{"tampered payload: role raised", tamper(t, valid, func(p map[string]any) { p["role"] = "OWNER" }), ErrInvalidToken},
		{"tampered payload: other org", tamper(t, valid, func(p map[string]any) { p["org"] = "org_2" }), ErrInvalidToken},
		{"tampered payload: exp extended", tamper(t, valid, func(p map[string]any) { p["exp"] = testNow.Add(time.Hour * 24 * 365).Unix() }), ErrInvalidToken},
		{"longer than 4 KiB", hs256(t, with(map[string]any{"pad": strings.Repeat("x", 4096)})), ErrInvalidToken},
		{"nbf beyond leeway", hs256(t, with(map[string]any{"nbf": testNow.Add(5 * time.Minute).Unix()})), ErrInvalidToken},
		{"iat beyond leeway", hs256(t, with(map[string]any{"iat": testNow.Add(5 * time.Minute).Unix()})), ErrInvalidToken},
		{"missing iat", hs256(t, with(nil, "iat")), ErrInvalidToken},
		{"missing sub", hs256(t, with(nil, "sub")), ErrInvalidToken},
		{"missing org", hs256(t, with(nil, "org")), ErrInvalidToken},
		{"missing jti", hs256(t, with(nil, "jti")), ErrInvalidToken},
		{"unknown role", hs256(t, with(map[string]any{"role": "ROOT"})), ErrInvalidToken},
		{"lower-case role", hs256(t, with(map[string]any{"role": "owner"})), ErrInvalidToken},
		{"missing role", hs256(t, with(nil, "role")), ErrInvalidToken},
		{"garbage: empty", "", ErrInvalidToken},
		{"garbage: word", "hello", ErrInvalidToken},
		{"garbage: dots", "..", ErrInvalidToken},
		{"garbage: four parts", valid + ".x", ErrInvalidToken},
		{"garbage: bad base64", "!!!.@@@.###", ErrInvalidToken},
		{"garbage: API token", goldenAPITokens[0], ErrInvalidToken},
		{"garbage: truncated", valid[:len(valid)-5], ErrInvalidToken},
		{"garbage: header not JSON", base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + strings.SplitN(valid, ".", 2)[1], ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := iss.Parse(tt.token)
			t.Logf("rejected: %v", err)
			if c != nil {
				t.Errorf("Parse returned claims %+v for a rejected token", c)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse error = %v, want %v", err, tt.want)
			}
			other := ErrTokenExpired
			if tt.want == ErrTokenExpired {
				other = ErrInvalidToken
			}
			if errors.Is(err, other) {
				t.Errorf("error %v matches both sentinels", err)
			}
			for _, leaked := range []error{jwt.ErrTokenExpired, jwt.ErrTokenSignatureInvalid, jwt.ErrTokenMalformed, jwt.ErrTokenInvalidClaims} {
				if errors.Is(err, leaked) {
					t.Errorf("error %v exposes library error %v to callers", err, leaked)
				}
			}
		})
	}
}

func TestParseUsesTheClock(t *testing.T) {
	iss := newTestIssuer(t)
	tok, exp, err := iss.Issue("user_1", "org_1", RoleOwner, testNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Time
		want error
	}{
		{testNow, nil},
		{exp.Add(JWTLeeway - time.Second), nil},
		{exp.Add(JWTLeeway + time.Second), ErrTokenExpired},
		{testNow.Add(-JWTLeeway - time.Second), ErrInvalidToken}, // issued in the future
	}
	for _, tt := range tests {
		iss.now = func() time.Time { return tt.at }
		if _, err := iss.Parse(tok); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Errorf("Parse at %v = %v, want %v", tt.at, err, tt.want)
		}
	}
}

func TestTokensFromAnotherIssuerAreRejected(t *testing.T) {
	a := newTestIssuer(t)
	tests := []struct {
		name             string
		secret           []byte
		issuer, audience string
	}{
		{"other secret", []byte("ffffffffffffffffffffffffffffffff"), testIssuer, testAudience},
		{"other issuer", testSecret, "https://other.example", testAudience},
		{"other audience", testSecret, testIssuer, "other-api"},
	}
	for _, tt := range tests {
		b, err := NewTokenIssuer(tt.secret, tt.issuer, tt.audience, testTTL)
		if err != nil {
			t.Fatal(err)
		}
		tok, _, err := b.Issue("user_1", "org_1", RoleOwner, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Parse(tok); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: Parse = %v, want ErrInvalidToken", tt.name, err)
		}
	}
}

func TestNewTokenIssuerRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name             string
		secret           []byte
		issuer, audience string
		ttl              time.Duration
	}{
		{"short secret", []byte("short"), testIssuer, testAudience, testTTL},
		{"31-byte secret", make([]byte, 31), testIssuer, testAudience, testTTL},
		{"no issuer", testSecret, "", testAudience, testTTL},
		{"no audience", testSecret, testIssuer, "", testTTL},
		{"zero ttl", testSecret, testIssuer, testAudience, 0},
		{"negative ttl", testSecret, testIssuer, testAudience, -time.Minute},
	}
	for _, tt := range tests {
		if iss, err := NewTokenIssuer(tt.secret, tt.issuer, tt.audience, tt.ttl); err == nil || iss != nil {
			t.Errorf("%s: NewTokenIssuer = %v, %v; want error", tt.name, iss, err)
		}
	}
}

func TestNewTokenIssuerCopiesTheSecret(t *testing.T) {
	secret := append([]byte(nil), testSecret...)
	iss, err := NewTokenIssuer(secret, testIssuer, testAudience, testTTL)
	if err != nil {
		t.Fatal(err)
	}
	iss.now = func() time.Time { return testNow }
	tok, _, _ := iss.Issue("user_1", "org_1", RoleOwner, testNow)
	secret[0] ^= 0xff
	if _, err := iss.Parse(tok); err != nil {
		t.Errorf("changing the caller's slice broke the issuer: %v", err)
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	iss := newTestIssuer(t)
	tests := []struct {
		name, user, org string
		role            Role
	}{
		{"no user", "", "org_1", RoleOwner},
		{"no org", "user_1", "", RoleOwner},
		{"unknown role", "user_1", "org_1", Role("ROOT")},
		{"empty role", "user_1", "org_1", ""},
	}
	for _, tt := range tests {
		if tok, _, err := iss.Issue(tt.user, tt.org, tt.role, testNow); err == nil {
			t.Errorf("%s: Issue = %q, want error", tt.name, tok)
		}
	}
}
