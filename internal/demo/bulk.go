package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
)

// bulkSink writes each batch in one transaction straight through
// database/sql: COPY on PostgreSQL, wide multi-row INSERTs on SQLite. It
// skips ent's builders, hooks and validators, which cost more than the
// database itself at a million contacts; the generator only produces rows
// the ent path accepts (the tests load the same data both ways), and the
// rows ent's hooks would add are written with the rest: each contact's
// value figures, in the contact's transaction.
type bulkSink struct {
	db      *sql.DB
	dialect string
	org     pulid.ID
}

// bulkTable is one table of a batch: its rows, as a count and a function
// filling one row's values.
type bulkTable struct {
	name    string
	columns []string
	n       int
	row     func(i int, dst []any)
}

// tables lists the batch's tables, parents before children.
func (s bulkSink) tables(b *batch) []bulkTable {
	o := s.org
	return []bulkTable{
		{"pipelines", pipelineColumns, len(b.pipelines), func(i int, d []any) { b.pipelines[i].values(o, d) }},
		{"stages", stageColumns, len(b.stages), func(i int, d []any) { b.stages[i].values(o, d) }},
		{"products", productColumns, len(b.products), func(i int, d []any) { b.products[i].values(o, d) }},
		{"campaigns", campaignColumns, len(b.campaigns), func(i int, d []any) { b.campaigns[i].values(o, d) }},
		{"surveys", surveyColumns, len(b.surveys), func(i int, d []any) { b.surveys[i].values(o, d) }},
		{"accounts", accountColumns, len(b.accounts), func(i int, d []any) { b.accounts[i].values(o, d) }},
		{"contacts", contactColumns, len(b.contacts), func(i int, d []any) { b.contacts[i].values(o, d) }},
		{"contact_values", contactValueColumns, len(b.contacts), func(i int, d []any) { b.contacts[i].valueFigures(o, d) }},
		{"deals", dealColumns, len(b.deals), func(i int, d []any) { b.deals[i].values(o, d) }},
		{"line_items", lineItemColumns, len(b.lineItems), func(i int, d []any) { b.lineItems[i].values(o, d) }},
		{"campaign_members", memberColumns, len(b.members), func(i int, d []any) { b.members[i].values(o, d) }},
		{"survey_responses", responseColumns, len(b.responses), func(i int, d []any) { b.responses[i].values(o, d) }},
		{"tickets", ticketColumns, len(b.tickets), func(i int, d []any) { b.tickets[i].values(o, d) }},
		{"activities", activityColumns, len(b.activities), func(i int, d []any) { b.activities[i].values(o, d) }},
	}
}

func (s bulkSink) write(ctx context.Context, b *batch) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: starting a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, t := range s.tables(b) {
		if err := store.BulkInsert(ctx, tx, s.dialect, t.name, t.columns, t.n, t.row); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: committing: %w", err)
	}
	return nil
}

// analyze refreshes PostgreSQL's statistics of the tables written, which a
// bulk load leaves stale until autovacuum comes by: the first queries
// would otherwise be planned for empty tables.
func (s bulkSink) analyze(ctx context.Context) error {
	if s.dialect != dialect.Postgres {
		return nil
	}
	var names []string
	for _, t := range s.tables(&batch{}) {
		names = append(names, t.name)
	}
	if _, err := s.db.ExecContext(ctx, "ANALYZE "+strings.Join(names, ", ")); err != nil {
		return fmt.Errorf("demo: analyzing: %w", err)
	}
	return nil
}

func (s bulkSink) setAccountStages(ctx context.Context, stage account.LifecycleStage, ids []pulid.ID, at time.Time) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("demo: starting a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, 0, n+3)
		args = append(args, string(stage), at.UTC(), string(s.org))
		for _, id := range ids[:n] {
			args = append(args, string(id))
		}
		query := "UPDATE accounts SET lifecycle_stage = ?, updated_at = ? WHERE organization_id = ? AND id IN (" +
			strings.Repeat("?,", n-1) + "?)"
		if _, err := tx.ExecContext(ctx, store.Rebind(s.dialect, query), args...); err != nil {
			return fmt.Errorf("demo: updating accounts: %w", err)
		}
		ids = ids[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: committing: %w", err)
	}
	return nil
}
