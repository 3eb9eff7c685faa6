// Package identity is who may call the CRM: organizations and their users,
// logins with rotating refresh tokens, partner API tokens, and turning the
// bearer token of a request into a viewer scoped to one organization.
package identity

import (
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
)

// Service manages identities in the database.
type Service struct {
	client     *ent.Client
	tokens     *auth.TokenIssuer
	refreshTTL time.Duration
	now        func() time.Time
	addresses  addressThrottle
	unknown    unknownAccounts
	cache      *credentialCache
}

// Default lifetimes of user credentials.
const (
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 30 * 24 * time.Hour
	// Issuer and Audience are the iss and aud of access tokens.
	Issuer   = "headless-crm"
	Audience = "headless-crm-api"
)

// New returns a Service that signs access tokens with secret.
func New(client *ent.Client, secret []byte) (*Service, error) {
	ti, err := auth.NewTokenIssuer(secret, Issuer, Audience, AccessTokenTTL)
	if err != nil {
		return nil, err
	}
	s := &Service{client: client, tokens: ti, refreshTTL: RefreshTokenTTL, now: time.Now, cache: newCredentialCache()}
	client.Use(s.forgetOnCredentialChange)
	return s, nil
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Tokens returns the access-token issuer.
func (s *Service) Tokens() *auth.TokenIssuer { return s.tokens }
