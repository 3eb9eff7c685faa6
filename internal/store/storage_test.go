package store_test

import (
	"context"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// TestMigrateSetsTableStorage checks that on PostgreSQL the metrics table
// leaves room on its pages for refreshes to rewrite rows beside their old
// versions, and that migrating again keeps the setting.
func TestMigrateSetsTableStorage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if s.Dialect != dialect.Postgres {
			t.Skip("storage parameters are PostgreSQL's")
		}
		ctx := context.Background()
		for range 2 {
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var options []byte
			if err := s.DB.QueryRowContext(ctx, `SELECT COALESCE(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = 'customer_metrics'::regclass`).Scan(&options); err != nil {
				t.Fatal(err)
			}
			if got := string(options); got != "fillfactor=45" {
				t.Errorf("customer_metrics has storage options %q; want fillfactor=45", got)
			}
		}
	})
}
