package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/store"
)

// config is the configuration shared by the commands that open the database.
type config struct {
	databaseURL string
	dataDir     string
}

func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "postgres://… or sqlite:PATH (default: SQLite in $CRM_DATA_DIR)")
	c.dataDir = env("CRM_DATA_DIR", "data")
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// open opens and migrates the database and installs the record rules.
func (c *config) open(ctx context.Context) (*store.Store, error) {
	s, err := store.Open(ctx, store.Config{DatabaseURL: c.databaseURL, DataDir: c.dataDir})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// identity returns the identity service with the JWT secret from
// CRM_JWT_SECRET, or from the data directory, generating it on first use.
func (c *config) identity(s *store.Store) (*identity.Service, error) {
	secret, err := c.jwtSecret()
	if err != nil {
		return nil, err
	}
	return identity.New(s.Client, secret)
}

func (c *config) jwtSecret() ([]byte, error) {
	if v := os.Getenv("CRM_JWT_SECRET"); v != "" {
		if len(v) < 32 {
			return nil, fmt.Errorf("CRM_JWT_SECRET must be at least 32 characters")
		}
		return []byte(v), nil
	}
	path := filepath.Join(c.dataDir, "jwt-secret")
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("storing the generated JWT secret: %w", err)
	}
	return []byte(secret), nil
}

// openOrg opens the database and finds the organization with the slug. The
// caller closes the store.
func (c *config) openOrg(ctx context.Context, slug string) (*store.Store, *identity.Service, *ent.Organization, error) {
	s, err := c.open(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	ids, err := c.identity(s)
	if err == nil {
		var org *ent.Organization
		if org, err = ids.OrganizationBySlug(ctx, slug); err == nil {
			return s, ids, org, nil
		}
	}
	s.Close()
	return nil, nil, nil, err
}
