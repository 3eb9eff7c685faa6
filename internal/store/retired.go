package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/contact"
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
	// The orders and filters of contacts by value, over the value columns
	// that moved to contact_values (see retiredColumns), which has its own.
	"contact_organization_id_predicted_clv_id",
	"contact_organization_id_value_score_id",
	"contact_organization_id_value_tier",
	"contact_organization_id_rfm_segment_id",
}

// retiredColumns are columns that earlier versions of the schema created
// and the current one no longer declares, by table. Migrate keeps the
// columns it does not know, so it drops these by name, once the retired
// indexes over them are gone.
var retiredColumns = []struct {
	table   string
	columns []string
}{
	// The value figures of contacts, moved to the narrow contact_values
	// table: a nightly refresh changed them for most contacts, rewriting
	// each contact row and all ten of its indexes. Migrate gives every
	// contact its row of contact_values before dropping them.
	{contact.Table, []string{"predicted_clv", "probability_alive", "value_score", "value_tier", "rfm_segment"}},
}

// retire drops the retired indexes and columns. A database written before
// the value figures of contacts had a table of their own, whose contacts
// still have the retired value columns, first gets every contact its row
// of contact_values, from its customer metrics: a scan of every contact
// that later migrations, finding the columns gone, skip.
func retire(ctx context.Context, db *sql.DB, dialectName string) error {
	present, err := presentRetiredColumns(ctx, db, dialectName)
	if err != nil {
		return err
	}
	if len(present[contact.Table]) > 0 {
		if err := EnsureContactValues(ctx, db, dialectName, ""); err != nil {
			return err
		}
	}
	if err := dropRetiredIndexes(ctx, db); err != nil {
		return err
	}
	// After the indexes: SQLite drops no column that an index covers.
	return dropRetiredColumns(ctx, db, dialectName, present)
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

// presentRetiredColumns returns the retired columns that exist, by table;
// none once Migrate has dropped them.
func presentRetiredColumns(ctx context.Context, db *sql.DB, dialectName string) (map[string][]string, error) {
	present := map[string][]string{}
	for _, t := range retiredColumns {
		have, err := columnsOf(ctx, db, dialectName, t.table)
		if err != nil {
			return nil, err
		}
		for _, c := range t.columns {
			if have[c] {
				present[t.table] = append(present[t.table], c)
			}
		}
	}
	return present, nil
}

// dropRetiredColumns drops the retired columns present, as
// presentRetiredColumns returns them. Tables without any are left alone,
// not even locked.
func dropRetiredColumns(ctx context.Context, db *sql.DB, dialectName string, present map[string][]string) error {
	for _, t := range retiredColumns {
		if err := dropColumns(ctx, db, dialectName, t.table, present[t.table]); err != nil {
			return err
		}
	}
	return nil
}

// columnsOf returns the names of the columns of table.
func columnsOf(ctx context.Context, db *sql.DB, dialectName, table string) (map[string]bool, error) {
	query := `SELECT name FROM pragma_table_info(?)`
	if dialectName == dialect.Postgres {
		query = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	rows, err := db.QueryContext(ctx, query, table)
	if err != nil {
		return nil, fmt.Errorf("store: listing the columns of %s: %w", table, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("store: listing the columns of %s: %w", table, err)
		}
		have[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listing the columns of %s: %w", table, err)
	}
	return have, nil
}

// dropColumns drops columns of table, all or none: in one statement on
// PostgreSQL, where dropping a column only marks it dropped, and one at a
// time in one transaction on SQLite, whose ALTER TABLE takes one change
// and has no IF EXISTS there, and rewrites the table for each (the
// transaction halves the time of rewriting a million contacts five times).
func dropColumns(ctx context.Context, db *sql.DB, dialectName, table string, columns []string) (err error) {
	if len(columns) == 0 {
		return nil
	}
	var stmts []string
	if dialectName == dialect.Postgres {
		stmts = []string{`ALTER TABLE ` + table + ` DROP COLUMN IF EXISTS ` + strings.Join(columns, `, DROP COLUMN IF EXISTS `)}
	} else {
		for _, c := range columns {
			stmts = append(stmts, `ALTER TABLE `+table+` DROP COLUMN `+c)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: dropping the retired columns of %s: %w", table, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: dropping the retired columns of %s: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: dropping the retired columns of %s: %w", table, err)
	}
	return nil
}
