// Package storetest gives tests a fresh, migrated database: the embedded
// SQLite always, and PostgreSQL too when CRM_TEST_DATABASE_URL is set, so
// every suite runs on both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	_ "github.com/lib/pq" // PostgreSQL driver.

	"github.com/headlesscrm/crm/internal/store"
)

// EnvDatabaseURL names the environment variable holding the PostgreSQL URL
// that tests run against besides SQLite.
const EnvDatabaseURL = "CRM_TEST_DATABASE_URL"

// Dialects returns the databases this test run covers: "sqlite", and
// "postgres" when CRM_TEST_DATABASE_URL is set.
func Dialects() []string {
	if os.Getenv(EnvDatabaseURL) != "" {
		return []string{dialect.SQLite, dialect.Postgres}
	}
	return []string{dialect.SQLite}
}

// Each runs fn as a subtest on every database of the run, each with a
// fresh, migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d, nil)) })
	}
}

// Open returns a fresh, migrated store of the dialect, closed and dropped
// when the test ends. wrap, when not nil, wraps the driver.
func Open(t testing.TB, d string, wrap func(dialect.Driver) dialect.Driver) *store.Store {
	t.Helper()
	ctx := context.Background()
	cfg := store.Config{Wrap: wrap}
	switch d {
	case dialect.SQLite:
		cfg.DatabaseURL = "sqlite:" + filepath.Join(t.TempDir(), "crm.db")
	case dialect.Postgres:
		cfg.DatabaseURL = freshSchema(t)
	default:
		t.Fatalf("storetest: unknown dialect %q", d)
	}
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return s
}

// PostgresURL returns the URL of a fresh, empty PostgreSQL schema for one
// test, dropped when it ends, for tests that open several stores on one
// database; it skips the test when CRM_TEST_DATABASE_URL is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return freshSchema(t)
}

var schemas atomic.Int64

// freshSchema creates an empty PostgreSQL schema for one test and returns a
// URL whose connections use it; the schema is dropped when the test ends.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		t.Skip("storetest: " + EnvDatabaseURL + " is not set")
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "t_" + hex.EncodeToString(b) + "_" + itoa(schemas.Add(1))
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatalf("storetest: creating schema: %v", err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("postgres", base); err == nil {
			_, _ = db.Exec("DROP SCHEMA " + name + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: bad %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
