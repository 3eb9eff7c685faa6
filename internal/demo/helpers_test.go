package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"  // PostgreSQL driver.
	_ "modernc.org/sqlite" // SQLite driver.

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// envDatabaseURL names the PostgreSQL database the tests also run on.
const envDatabaseURL = "CRM_TEST_DATABASE_URL"

// testNow is the "today" of the test data.
var testNow = time.Date(2025, time.June, 2, 0, 0, 0, 0, time.UTC)

// dialects are the databases of this test run.
func dialects() []string {
	if os.Getenv(envDatabaseURL) != "" {
		return []string{dialect.SQLite, dialect.Postgres}
	}
	return []string{dialect.SQLite}
}

// openClient returns a client with the CRM's record rules on a fresh,
// migrated database of dialect d: a SQLite file in a temporary directory,
// or a new schema of the PostgreSQL database named by
// CRM_TEST_DATABASE_URL, dropped afterwards.
func openClient(t testing.TB, d string) *ent.Client {
	t.Helper()
	client, _ := openDB(t, d)
	return client
}

// openDB is openClient that also returns the connection pool under the
// client, for bulk loading.
func openDB(t testing.TB, d string) (*ent.Client, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	var drv *entsql.Driver
	switch d {
	case dialect.SQLite:
		db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db")+
			"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		if err != nil {
			t.Fatal(err)
		}
		drv = entsql.OpenDB(dialect.SQLite, db)
	case dialect.Postgres:
		base := os.Getenv(envDatabaseURL)
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		schema := "t_demo_" + hex.EncodeToString(b)
		admin, err := sql.Open("postgres", base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
			admin.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err := sql.Open("postgres", u.String())
		if err != nil {
			t.Fatal(err)
		}
		drv = entsql.OpenDB(dialect.Postgres, db)
	default:
		t.Fatalf("unknown dialect %q", d)
	}
	client := ent.NewClient(ent.Driver(drv))
	crm.Register(client, d)
	t.Cleanup(func() { client.Close() })
	if err := client.Schema.Create(ctx); err != nil {
		t.Fatal(err)
	}
	return client, drv.DB()
}

// newOrg creates an organization with an owner, two members and a viewer.
func newOrg(t testing.TB, client *ent.Client, slug string) pulid.ID {
	t.Helper()
	ctx := context.Background()
	org, err := client.Organization.Create().SetName("Org " + slug).SetSlug(slug).Save(tenant.WithSystem(ctx))
	if err != nil {
		t.Fatal(err)
	}
	octx := tenant.WithOrganization(ctx, string(org.ID))
	for _, u := range []struct {
		email string
		role  user.Role
	}{{"owner@t.example", user.RoleOWNER}, {"ann@t.example", user.RoleMEMBER}, {"bob@t.example", user.RoleMEMBER}, {"vic@t.example", user.RoleVIEWER}} {
		if _, err := client.User.Create().SetEmail(u.email).SetRole(u.role).SetPasswordHash("x").Save(octx); err != nil {
			t.Fatal(err)
		}
	}
	return org.ID
}

// seed seeds a new organization and returns it with the stats.
func seed(t testing.TB, client *ent.Client, slug string, opt Options) (pulid.ID, *Stats) {
	t.Helper()
	org := newOrg(t, client, slug)
	start := time.Now()
	st, err := Seed(context.Background(), client, org, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d contacts in %v: %v", opt.Contacts, time.Since(start).Round(time.Millisecond), st)
	return org, st
}
