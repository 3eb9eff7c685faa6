package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// oldComponents are value-score components in the form stored before the
// compact one, as PostgreSQL prints them from jsonb.
const oldComponents = `[{"raw": 1630.3647, "name": "CLV", "value": 0.731031231031231, "weight": 0.35},
	{"raw": -12.5, "name": "PROFITABILITY", "value": 0.5, "weight": 0.2},
	{"raw": 3.25, "name": "LOYALTY", "value": 1, "weight": 0.15},
	{"raw": 0, "name": "ENGAGEMENT", "value": 0, "weight": 0.1},
	{"raw": 0.9, "name": "SATISFACTION", "value": 0.5, "weight": 0.1},
	{"raw": 2, "name": "ADVOCACY", "value": 0.25, "weight": 0.1}]`

// TestMigrateStoresComponentsAsText upgrades a PostgreSQL database whose
// metrics hold the value-score components as jsonb, in the old form: after
// Migrate the column is text, the old rows read as before, new rows are
// written in the compact form, and migrating again changes nothing.
func TestMigrateStoresComponentsAsText(t *testing.T) {
	s := storetest.Open(t, dialect.Postgres, nil)
	ctx := context.Background()
	if _, err := s.DB.ExecContext(ctx, `ALTER TABLE customer_metrics ALTER COLUMN components TYPE jsonb USING components::jsonb`); err != nil {
		t.Fatal(err)
	}
	octx, old := createMetrics(t, s, "old")
	if _, err := s.DB.ExecContext(ctx, `UPDATE customer_metrics SET components = $1::jsonb WHERE id = $2`, oldComponents, old.ID.String()); err != nil {
		t.Fatal(err)
	}
	var want analytics.Components
	if err := json.Unmarshal([]byte(oldComponents), (*[]analytics.Component)(&want)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := columnType(t, s, "customer_metrics", "components"); got != "text" {
			t.Fatalf("components column is %s; want text", got)
		}
		// Read by ID, and through the contact as the API reads it: an edge
		// query, which ent makes SELECT DISTINCT.
		byID, err := s.Client.CustomerMetrics.Get(octx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		viaContact, err := s.Client.Contact.Query().Where(contact.ID(*old.ContactID)).QueryMetrics().Only(octx)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []*ent.CustomerMetrics{byID, viaContact} {
			if !reflect.DeepEqual(got.Components, want) {
				t.Fatalf("old row reads %+v; want %+v", got.Components, want)
			}
		}
	}
	_, fresh := createMetrics(t, s, "new")
	var stored string
	if err := s.DB.QueryRowContext(ctx, `SELECT components::text FROM customer_metrics WHERE id = $1`, fresh.ID.String()).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if compact, _ := json.Marshal(fresh.Components); stored != string(compact) {
		t.Errorf("new row stores %s; want %s", stored, compact)
	}
}

// createMetrics creates an organization named name with a contact and its
// metrics, and returns a context scoped to the organization and the
// metrics.
func createMetrics(t *testing.T, s *store.Store, name string) (context.Context, *ent.CustomerMetrics) {
	t.Helper()
	o, err := s.Client.Organization.Create().SetName(name).SetSlug(name).Save(tenant.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := tenant.WithOrganization(context.Background(), o.ID.String())
	c, err := s.Client.Contact.Create().SetFirstName(name).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cs := make(analytics.Components, len(analytics.ValueComponents))
	for i, n := range analytics.ValueComponents {
		cs[i] = analytics.Component{Name: n, Value: float64(i) / 5, Weight: 1.0 / 6, Raw: float64(i) * 1.5}
	}
	m, err := s.Client.CustomerMetrics.Create().SetContactID(c.ID).SetAsOf(o.CreatedAt).SetComputedAt(o.CreatedAt).
		SetComponents(cs).Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, m
}

// columnType returns the PostgreSQL type of a column of a table in the
// current schema.
func columnType(t *testing.T, s *store.Store, table, column string) string {
	t.Helper()
	var typ string
	err := s.DB.QueryRowContext(context.Background(), `SELECT data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`, table, column).Scan(&typ)
	if err != nil {
		t.Fatal(err)
	}
	return typ
}
