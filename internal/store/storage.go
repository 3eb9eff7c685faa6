package store

import (
	"context"
	"database/sql"
	"fmt"
)

// tableStorage are PostgreSQL storage parameters of tables, set by Migrate.
//
// A refresh rewrites every customer_metrics row of an organization whose
// values changed: nightly, nearly all of them. With pages half empty,
// PostgreSQL writes each row's new version beside the old one and leaves
// the table's four indexes alone (a heap-only update) instead of adding an
// entry to each; the space of the old versions is reused by the next
// refresh. New settings apply to pages written from then on.
var tableStorage = []struct{ table, parameter, value string }{
	{"customer_metrics", "fillfactor", "45"},
}

// setTableStorage applies the tableStorage a table does not have yet.
func setTableStorage(ctx context.Context, db *sql.DB) error {
	for _, t := range tableStorage {
		var set bool
		err := db.QueryRowContext(ctx, `SELECT $1 = ANY (COALESCE(reloptions, '{}')) FROM pg_class WHERE oid = $2::regclass`,
			t.parameter+"="+t.value, t.table).Scan(&set)
		if err == nil && !set {
			_, err = db.ExecContext(ctx, `ALTER TABLE `+t.table+` SET (`+t.parameter+` = `+t.value+`)`)
		}
		if err != nil {
			return fmt.Errorf("store: setting the storage of %s: %w", t.table, err)
		}
	}
	return nil
}
