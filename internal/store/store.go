// Package store opens the database behind the CRM: PostgreSQL when given a
// postgres:// URL, otherwise the embedded SQLite file in the data directory.
// Everything that differs between the two dialects lives here.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	_ "github.com/lib/pq"  // PostgreSQL driver.
	_ "modernc.org/sqlite" // Embedded SQLite driver.

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/migrate"
	_ "github.com/headlesscrm/crm/ent/runtime" // Schema hooks, interceptors and defaults.
	"github.com/headlesscrm/crm/internal/audit"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/events"
)

// Store is an open database with its ent client.
type Store struct {
	// Client is the ent client every package queries through.
	Client *ent.Client
	// DB is the underlying connection pool, for set-based SQL.
	DB *sql.DB
	// Dialect is dialect.Postgres or dialect.SQLite.
	Dialect string
	// Driver is the ent driver over DB.
	Driver dialect.Driver
}

// Config says which database to open.
type Config struct {
	// DatabaseURL is a postgres:// URL, "sqlite:PATH", or empty for the
	// embedded SQLite file crm.db in DataDir.
	DatabaseURL string
	// DataDir is where the embedded database lives; "./data" when empty.
	DataDir string
	// Wrap, when set, wraps the driver (tests use it to count statements).
	Wrap func(dialect.Driver) dialect.Driver
}

// Open opens the configured database, with the record rules of package crm
// installed on its client. It does not migrate the schema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	drv, db, name, err := openDriver(cfg)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: cannot reach the %s database: %w", name, err)
	}
	var d dialect.Driver = drv
	if cfg.Wrap != nil {
		d = cfg.Wrap(d)
	}
	client := ent.NewClient(ent.Driver(d))
	crm.Register(client, name)
	client.Use(changes.Hook(audit.Record, events.Record))
	return &Store{Client: client, DB: db, Dialect: name, Driver: d}, nil
}

func openDriver(cfg Config) (*entsql.Driver, *sql.DB, string, error) {
	u := cfg.DatabaseURL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		db, err := sql.Open("postgres", u)
		if err != nil {
			return nil, nil, "", fmt.Errorf("store: %w", err)
		}
		n := 4 * runtime.GOMAXPROCS(0)
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return entsql.OpenDB(dialect.Postgres, db), db, dialect.Postgres, nil
	case u == "" || strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(u, "sqlite:")
		if path == "" {
			dir := cfg.DataDir
			if dir == "" {
				dir = "data"
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, nil, "", fmt.Errorf("store: creating the data directory: %w", err)
			}
			path = filepath.Join(dir, "crm.db")
		}
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite")
		if err != nil {
			return nil, nil, "", fmt.Errorf("store: %w", err)
		}
		db.SetMaxOpenConns(runtime.GOMAXPROCS(0) + 2)
		return entsql.OpenDB(dialect.SQLite, db), db, dialect.SQLite, nil
	default:
		return nil, nil, "", fmt.Errorf("store: unsupported database URL: want postgres://… or sqlite:PATH")
	}
}

// Migrate creates or updates the tables and indexes to match the schema,
// and on PostgreSQL the tables' storage parameters and the triggers that
// announce credential changes. It
// only adds: columns and indexes no longer in the schema are kept, but for
// the retired indexes and columns it drops. The contacts of a database
// written before their value figures had a table of their own get their
// row of it, holding the figures of their customer metrics. Migrating
// again changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.Client.Schema.Create(ctx, migrate.WithForeignKeys(true), schema.WithDropColumn(false), schema.WithDropIndex(false)); err != nil {
		return fmt.Errorf("store: migrating the schema: %w", err)
	}
	if err := retire(ctx, s.DB, s.Dialect); err != nil {
		return err
	}
	if s.Dialect == dialect.Postgres {
		if err := setTableStorage(ctx, s.DB); err != nil {
			return err
		}
		return installCredentialTriggers(ctx, s.DB)
	}
	return nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.DB.PingContext(ctx) }

// Close closes the database.
func (s *Store) Close() error { return s.Client.Close() }

// Rebind rewrites the ? placeholders of a query for the store's dialect
// ($1, $2, … on PostgreSQL).
func (s *Store) Rebind(query string) string { return Rebind(s.Dialect, query) }

// Rebind rewrites the ? placeholders of a query for the dialect ($1, $2, …
// on PostgreSQL); other dialects get the query unchanged.
func Rebind(dialectName, query string) string {
	if dialectName != dialect.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
