package valuation

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// TestFirstRefreshWritesThroughIndexes checks, on PostgreSQL, the plans of
// an organization's first refresh once customer_metrics has been analyzed
// while empty (as VACUUM ANALYZE on a new database leaves it). The planner
// then trusts the table to hold no row; without the write transaction's
// settings it joins each staged row to a full scan of customer_metrics,
// and a first refresh of 100,000 customers ran for hours instead of
// seconds. With them, every statement reads the staged rows through their
// index and looks each customer's row up through a unique index (the
// copy of the figures, each contact's contact_values row through the
// unique index on contact_id), without reading or sorting the
// organization's other rows, and the rows of customers who are gone are
// found by merging two key indexes.
func TestFirstRefreshWritesThroughIndexes(t *testing.T) {
	if !strings.Contains(strings.Join(storetest.Dialects(), " "), dialect.Postgres) {
		t.Skip("the plans are PostgreSQL's")
	}
	s := storetest.Open(t, dialect.Postgres, nil)
	ctx := context.Background()
	if _, err := s.DB.ExecContext(ctx, `ANALYZE customer_metrics`); err != nil {
		t.Fatal(err)
	}
	w := newMetricsWrite(dialect.Postgres, "org_1", "contact")
	tests := []struct {
		name string
		// settings run before the plans are read.
		settings string
		// fullScans are the statements whose plans scan customer_metrics
		// or contact_values in full.
		fullScans []string
	}{
		{"the planner's defaults fall into the trap", "SELECT 1", []string{"merge", "copy"}},
		{"the write transaction's settings", planSettings, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plans := explainWrite(t, s, w, tt.settings, 5_000)
			for _, name := range []string{"merge", "copy"} {
				plan := plans[name]
				full := strings.Contains(plan, "Seq Scan on customer_metrics") || strings.Contains(plan, "Seq Scan on contact_values")
				if want := slices.Contains(tt.fullScans, name); full != want {
					t.Errorf("%s: full scan %v, want %v; plan:\n%s", name, full, want, plan)
				}
			}
			if tt.settings != planSettings {
				return
			}
			if plan := plans["vanished"]; !strings.Contains(plan, "Merge Anti Join") || strings.Contains(plan, "Sort") {
				t.Errorf("vanished: want the two key indexes merged, unsorted; plan:\n%s", plan)
			}
			for name, lookup := range map[string]string{
				"merge": "Index Scan using customer_metrics_contact_id_key on customer_metrics",
				"copy":  "Index Scan using contact_values_contact_id_key on contact_values",
			} {
				if plan := plans[name]; !strings.Contains(plan, lookup) || strings.Contains(plan, "Sort") {
					t.Errorf("%s: want a lookup by key (%s) and no sort; plan:\n%s", name, lookup, plan)
				}
			}
		})
	}
}

// explainWrite stages n of an organization's 2n contacts for w in a
// transaction it rolls back, runs settings and returns the plans of the
// statements that write their metrics and copy their figures into
// contact_values, by statement.
func explainWrite(t *testing.T, s *store.Store, w metricsWrite, settings string, n int) map[string]string {
	t.Helper()
	ctx := context.Background()
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	run := func(q string, args ...any) {
		t.Helper()
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The organization's contacts and their contact_values rows, analyzed,
	// as a refresh finds them.
	run(`INSERT INTO organizations (id, created_at, updated_at, name, slug) VALUES ($1, now(), now(), 'Plans', 'plans')`, w.org)
	run(`INSERT INTO contacts (id, created_at, updated_at, organization_id)
		SELECT 'ct_' || lpad(i::text, 8, '0'), now(), now(), $1 FROM generate_series(1, $2) i`, w.org, 2*n)
	if err := store.EnsureContactValues(ctx, tx, dialect.Postgres, w.org); err != nil {
		t.Fatal(err)
	}
	run(`ANALYZE contacts`)
	run(`ANALYZE contact_values`)
	for _, q := range w.prepareStatements() {
		run(q)
	}
	run(settings)
	run(`INSERT INTO `+stagingTable+` (id, `+w.key+`, computed_at, as_of, model, value_tier)
		SELECT 'cm_' || i, 'ct_' || lpad(i::text, 8, '0'), now(), now(), '', 'LOW' FROM generate_series(1, $1) i`, n)
	run(`CREATE INDEX ` + stagingTable + `_key ON ` + stagingTable + ` (` + w.key + `)`)
	run(`ANALYZE ` + stagingTable + ` (` + w.key + `)`)
	plans := map[string]string{}
	explain := func(name, q string, args []any) {
		t.Helper()
		rows, err := tx.QueryContext(ctx, `EXPLAIN `+store.Rebind(dialect.Postgres, q), args...)
		if err != nil {
			t.Fatalf("explaining the %s: %v", name, err)
		}
		plans[name] = readPlan(t, rows)
	}
	for name, q := range map[string]string{"merge": w.mergeStatement(), "copy": w.copyValuesStatement()} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = w.org
		}
		explain(name, q, args)
	}
	if settings == planSettings {
		// A later refresh: every contact has its metrics row.
		run(`INSERT INTO customer_metrics (id, created_at, updated_at, as_of, computed_at, organization_id, contact_id)
			SELECT 'cm_' || id, now(), now(), now(), now(), organization_id, id FROM contacts`)
		run(`ANALYZE customer_metrics`)
		run(mergeJoinOn)
		q, args := w.vanishedQuery()
		explain("vanished", q, args)
		run(mergeJoinOff)
	}
	return plans
}

// readPlan returns the lines of an EXPLAIN.
func readPlan(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
