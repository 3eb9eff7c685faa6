package store

import (
	"context"
	"database/sql"
	"fmt"
)

// retiredIndexes are indexes that earlier versions of the schema created
// and the current one no longer declares. Migrate keeps the indexes it does
// not know, so it drops these by name.
var retiredIndexes = []string{
	// Tried for paging by ID alone; they slowed bulk loads and refreshes
	// more than they sped reads.
	"contact_organization_id_id",
	"account_organization_id_id",
	"deal_organization_id_id",
}

// dropRetiredIndexes drops the retired indexes that exist.
func dropRetiredIndexes(ctx context.Context, db *sql.DB) error {
	for _, name := range retiredIndexes {
		if _, err := db.ExecContext(ctx, `DROP INDEX IF EXISTS `+name); err != nil {
			return fmt.Errorf("store: dropping the retired index %s: %w", name, err)
		}
	}
	return nil
}
