package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors returned by TokenIssuer.Parse. Every rejection matches exactly one
// of them (errors.Is). The error text carries the underlying cause for
// server logs; callers must answer clients with a fixed message, never
// err.Error().
var (
	// ErrInvalidToken means the token is not one this issuer accepts:
	// malformed, wrongly signed, for another issuer or audience, not yet
	// valid, or carrying bad claims.
	ErrInvalidToken = errors.New("auth: invalid token")
	// ErrTokenExpired means the token is authentic and otherwise valid but
	// past its expiry; the client should refresh it.
	ErrTokenExpired = errors.New("auth: token expired")
)

// Limits on access tokens.
const (
	// MaxJWTLength is the longest token Parse will look at, in bytes.
	MaxJWTLength = 4096
	// MinJWTSecretLength is the shortest HMAC secret NewTokenIssuer accepts,
	// in bytes.
	MinJWTSecretLength = 32
	// JWTLeeway is the clock skew tolerated on exp, nbf and iat.
	JWTLeeway = 30 * time.Second
)

var jwtMethod = jwt.SigningMethodHS256

// Claims is the payload of a user access token.
type Claims struct {
	jwt.RegisteredClaims
	// OrganizationID is the organization the token is valid in.
	OrganizationID string `json:"org"`
	// Role is the user's role in that organization when the token was issued.
	Role Role `json:"role"`
}

// Validate checks the application claims; the JWT parser calls it after
// the registered claims have been checked.
func (c *Claims) Validate() error {
	switch {
	case c.Subject == "":
		return errors.New("missing sub")
	case c.OrganizationID == "":
		return errors.New("missing org")
	case !c.Role.Valid():
		return fmt.Errorf("invalid role %q", c.Role)
	case c.ID == "":
		return errors.New("missing jti")
	case c.IssuedAt == nil:
		return errors.New("missing iat")
	}
	return nil
}

// TokenIssuer issues and verifies user access tokens (JWT, HS256) for one
// issuer and audience. It is safe for concurrent use.
type TokenIssuer struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	now      func() time.Time // clock used by Parse; replaced in tests
}

// NewTokenIssuer returns an issuer signing with secret (at least
// MinJWTSecretLength bytes), stamping tokens with issuer and audience and
// making them live for ttl.
func NewTokenIssuer(secret []byte, issuer, audience string, ttl time.Duration) (*TokenIssuer, error) {
	switch {
	case len(secret) < MinJWTSecretLength:
		return nil, fmt.Errorf("auth: JWT secret must be at least %d bytes", MinJWTSecretLength)
	case issuer == "":
		return nil, errors.New("auth: JWT issuer must not be empty")
	case audience == "":
		return nil, errors.New("auth: JWT audience must not be empty")
	case ttl <= 0:
		return nil, errors.New("auth: JWT lifetime must be positive")
	}
	return &TokenIssuer{
		secret:   append([]byte(nil), secret...),
		issuer:   issuer,
		audience: audience,
		ttl:      ttl,
		now:      time.Now,
	}, nil
}

// TTL returns how long issued tokens live.
func (t *TokenIssuer) TTL() time.Duration { return t.ttl }

// Issue returns a signed access token for userID acting as role in orgID,
// issued at now, and the moment it expires.
func (t *TokenIssuer) Issue(userID, orgID string, role Role, now time.Time) (token string, expiresAt time.Time, err error) {
	switch {
	case userID == "":
		return "", time.Time{}, errors.New("auth: issuing token: empty user id")
	case orgID == "":
		return "", time.Time{}, errors.New("auth: issuing token: empty organization id")
	case !role.Valid():
		return "", time.Time{}, fmt.Errorf("auth: issuing token: invalid role %q", role)
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", time.Time{}, fmt.Errorf("auth: issuing token: %w", err)
	}
	iat := now.Truncate(time.Second)
	expiresAt = iat.Add(t.ttl)
	claims := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(expiresAt),
			IssuedAt:  jwt.NewNumericDate(iat),
			ID:        base64.RawURLEncoding.EncodeToString(jti),
		},
		OrganizationID: orgID,
		Role:           role,
	}
	token, err = jwt.NewWithClaims(jwtMethod, claims).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: signing token: %w", err)
	}
	return token, expiresAt, nil
}

// parserOptions are the checks every token must pass; at is the clock.
func (t *TokenIssuer) parserOptions(at func() time.Time) []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwtMethod.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(t.issuer),
		jwt.WithAudience(t.audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(JWTLeeway),
		jwt.WithTimeFunc(at),
	}
}

func (t *TokenIssuer) keyFunc(tok *jwt.Token) (any, error) {
	if _, ok := tok.Method.(*jwt.SigningMethodHMAC); !ok || tok.Method.Alg() != jwtMethod.Alg() {
		return nil, fmt.Errorf("unexpected signing method %v", tok.Header["alg"])
	}
	return t.secret, nil
}

// Parse verifies token and returns its claims. Any failure matches either
// ErrTokenExpired (authentic, otherwise valid, but expired) or
// ErrInvalidToken (everything else).
func (t *TokenIssuer) Parse(token string) (*Claims, error) {
	if len(token) > MaxJWTLength {
		return nil, fmt.Errorf("%w: token longer than %d bytes", ErrInvalidToken, MaxJWTLength)
	}
	claims := &Claims{}
	_, err := jwt.NewParser(t.parserOptions(t.now)...).ParseWithClaims(token, claims, t.keyFunc)
	if err == nil {
		return claims, nil
	}
	// Expiry is only reported for a token whose signature checked out (the
	// parser verifies it before the claims) and which would be valid in
	// every other respect at the moment it was issued.
	if errors.Is(err, jwt.ErrTokenExpired) && claims.IssuedAt != nil {
		issued := claims.IssuedAt.Time
		if jwt.NewValidator(t.parserOptions(func() time.Time { return issued })...).Validate(claims) == nil {
			return nil, fmt.Errorf("%w: %v", ErrTokenExpired, err)
		}
	}
	// %v, not %w: the cause is for logs only and stays out of the error chain.
	return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
}
