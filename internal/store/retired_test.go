package store_test

import (
	"context"
	"maps"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// valueColumnsOfOldContacts are the value columns, and their indexes, of
// the contacts of databases written before contact_values existed, as the
// schema of the time created them (the types read alike on both
// databases).
var valueColumnsOfOldContacts = []string{
	`ALTER TABLE contacts ADD COLUMN predicted_clv double precision NOT NULL DEFAULT 0`,
	`ALTER TABLE contacts ADD COLUMN probability_alive double precision NOT NULL DEFAULT 0`,
	`ALTER TABLE contacts ADD COLUMN value_score double precision NOT NULL DEFAULT 0`,
	`ALTER TABLE contacts ADD COLUMN value_tier character varying NULL`,
	`ALTER TABLE contacts ADD COLUMN rfm_segment character varying NULL`,
	`CREATE INDEX contact_organization_id_predicted_clv_id ON contacts (organization_id, predicted_clv, id)`,
	`CREATE INDEX contact_organization_id_value_score_id ON contacts (organization_id, value_score, id)`,
	`CREATE INDEX contact_organization_id_value_tier ON contacts (organization_id, value_tier)`,
	`CREATE INDEX contact_organization_id_rfm_segment_id ON contacts (organization_id, rfm_segment, id)`,
}

// valued describes a contact of the test and the metrics it has, if any.
type valued struct {
	org, name string
	metrics   *storetest.Figures // nil: never valued
}

// TestMigrateGivesOldContactsTheirValues migrates a database written
// before the contacts' value figures had a table of their own: its
// contacts have the value columns and their indexes, and no row of
// contact_values. After Migrate each contact of every organization has one
// row, with the figures of its metrics or zeros without any; the old
// columns and indexes are gone; migrating again changes nothing; and
// contacts created afterwards get their row too.
func TestMigrateGivesOldContactsTheirValues(t *testing.T) {
	contacts := []valued{
		{org: "one", name: "valued", metrics: &storetest.Figures{Rows: 1, PredictedCLV: 1250.5, ProbabilityAlive: 0.75,
			ValueScore: 0.82, ValueTier: string(analytics.TierVIP), RFMSegment: string(analytics.SegmentChampions)}},
		{org: "one", name: "never valued"},
		{org: "two", name: "valued without a segment", metrics: &storetest.Figures{Rows: 1, PredictedCLV: 12,
			ProbabilityAlive: 0.1, ValueScore: 0.2, ValueTier: string(analytics.TierLow)}},
		{org: "two", name: "also never valued"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgs, want := createValued(t, s, contacts)
		makeOld(t, s)
		var kept map[string]int64
		for _, run := range []string{"first migration", "second migration"} {
			t.Run(run, func(t *testing.T) {
				if err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				seen := 0
				for _, org := range orgs {
					for id, got := range storetest.ContactFigures(t, s.DB, s.Dialect, org) {
						seen++
						if got != want[id] {
							t.Errorf("contact %s has figures %+v; want %+v", id, got, want[id])
						}
					}
				}
				if seen != len(want) {
					t.Errorf("%d contacts; want %d", seen, len(want))
				}
				checkRetiredGone(t, s)
				rows := valueRowIDs(t, s)
				if kept != nil && !maps.Equal(rows, kept) {
					t.Errorf("migrating again changed the rows of contact_values: %v, then %v", kept, rows)
				}
				kept = rows
			})
		}
		t.Run("a contact created afterwards", func(t *testing.T) {
			octx := tenant.WithOrganization(ctx, orgs["one"])
			c, err := s.Client.Contact.Create().SetFirstName("later").Save(octx)
			if err != nil {
				t.Fatal(err)
			}
			if got := storetest.ContactFigures(t, s.DB, s.Dialect, orgs["one"])[c.ID.String()]; got != storetest.Unvalued {
				t.Errorf("new contact has figures %+v; want %+v", got, storetest.Unvalued)
			}
		})
	})
}

// createValued creates the organizations and contacts, with their
// metrics, and returns the organizations' IDs by name and the figures each
// contact should have, by ID.
func createValued(t *testing.T, s *store.Store, contacts []valued) (map[string]string, map[string]storetest.Figures) {
	t.Helper()
	orgs := map[string]string{}
	want := map[string]storetest.Figures{}
	for _, v := range contacts {
		if orgs[v.org] == "" {
			o, err := s.Client.Organization.Create().SetName(v.org).SetSlug(v.org).Save(tenant.WithSystem(context.Background()))
			if err != nil {
				t.Fatal(err)
			}
			orgs[v.org] = o.ID.String()
		}
		ctx := tenant.WithOrganization(context.Background(), orgs[v.org])
		c, err := s.Client.Contact.Create().SetFirstName(v.name).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want[c.ID.String()] = storetest.Unvalued
		if v.metrics != nil {
			createFigures(t, ctx, s, c, *v.metrics)
			want[c.ID.String()] = *v.metrics
		}
	}
	return orgs, want
}

// createFigures creates the metrics of contact c with the figures f.
func createFigures(t *testing.T, ctx context.Context, s *store.Store, c *ent.Contact, f storetest.Figures) {
	t.Helper()
	m := s.Client.CustomerMetrics.Create().SetContactID(c.ID).SetAsOf(c.CreatedAt).SetComputedAt(c.CreatedAt).
		SetPredictedClv(f.PredictedCLV).SetProbabilityAlive(f.ProbabilityAlive).SetValueScore(f.ValueScore).
		SetValueTier(analytics.Tier(f.ValueTier))
	if f.RFMSegment != "" {
		m.SetRfmSegment(analytics.RFMSegment(f.RFMSegment))
	}
	if err := m.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// makeOld turns the database into one written before contact_values
// existed: the contacts get back their value columns and indexes, and
// lose their rows of contact_values.
func makeOld(t *testing.T, s *store.Store) {
	t.Helper()
	for _, q := range append(valueColumnsOfOldContacts, `DELETE FROM contact_values`) {
		if _, err := s.DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// retiredValueIndexes and retiredValueColumns are what Migrate drops of
// the old contacts.
var (
	retiredValueIndexes = []string{"contact_organization_id_predicted_clv_id", "contact_organization_id_value_score_id",
		"contact_organization_id_value_tier", "contact_organization_id_rfm_segment_id"}
	retiredValueColumns = []string{"predicted_clv", "probability_alive", "value_score", "value_tier", "rfm_segment"}
)

// checkRetiredGone fails the test when contacts still has a retired value
// column or index.
func checkRetiredGone(t *testing.T, s *store.Store) {
	t.Helper()
	indexQuery := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	columnQuery := `SELECT COUNT(*) FROM pragma_table_info('contacts') WHERE name = ?`
	if s.Dialect == dialect.Postgres {
		indexQuery = `SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = $1`
		columnQuery = `SELECT COUNT(*) FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'contacts' AND column_name = $1`
	}
	for _, c := range []struct {
		what, query string
		names       []string
	}{{"index", indexQuery, retiredValueIndexes}, {"column", columnQuery, retiredValueColumns}} {
		for _, name := range c.names {
			var n int
			if err := s.DB.QueryRow(c.query, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("the retired %s %s is still there", c.what, name)
			}
		}
	}
}

// valueRowIDs returns the ID of each row of contact_values, by contact.
func valueRowIDs(t *testing.T, s *store.Store) map[string]int64 {
	t.Helper()
	rows, err := s.DB.Query(`SELECT contact_id, id FROM contact_values`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var contact string
		var id int64
		if err := rows.Scan(&contact, &id); err != nil {
			t.Fatal(err)
		}
		ids[contact] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}
