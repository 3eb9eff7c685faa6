package valuation

import (
	"os"
	"runtime"
	"runtime/pprof"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
)

// stagingTable is the temporary table a refresh loads the computed metrics
// into before applying them to customer_metrics with a few set-based
// statements. It lives for one transaction of one connection.
const stagingTable = "valuation_staging"

// writeMetrics makes the stored metrics of the organization's contacts (or
// accounts) match the computed ones and copies the summary columns onto the
// contacts (or accounts) whose values changed, in one transaction, so
// readers see either the old or the new values: stageMetrics, then apply.
func (s *Service) writeMetrics(ctx context.Context, org, kind string, p *population, v *values, asOf, now time.Time, ph *phases) error {
	staged, err := s.stageMetrics(ctx, org, kind, p, v, asOf, now, ph)
	if err != nil {
		return err
	}
	return staged.apply(ctx, ph)
}

// stagedMetrics is an open transaction holding the computed metrics of one
// kind of customer in the staging table.
type stagedMetrics struct {
	tx   *sql.Tx
	w    metricsWrite
	kind string
}

// stageMetrics begins the transaction that writes the metrics of the
// organization's contacts (or accounts) and bulk-loads the computed rows
// (COPY on PostgreSQL) into a temporary table, which is neither logged nor
// indexed nor checked. The population and values are not used afterwards.
func (s *Service) stageMetrics(ctx context.Context, org, kind string, p *population, v *values, asOf, now time.Time, ph *phases) (*stagedMetrics, error) {
	tx, err := s.store.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	m := &stagedMetrics{tx: tx, kind: kind, w: metricsWrite{dialect: s.store.Dialect, org: org, table: "contacts", key: customermetrics.FieldContactID}}
	if kind == "account" {
		m.w.table, m.w.key = "accounts", customermetrics.FieldAccountID
	}
	for _, q := range m.w.prepareStatements() {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, m.fail(err)
		}
	}
	row := metricsRow{asOf: asOf.UTC(), now: now.UTC(), population: p, values: v}
	if err := store.BulkInsert(ctx, tx, m.w.dialect, stagingTable, m.w.stagedColumns(), len(p.customers), row.fill); err != nil {
		return nil, m.fail(err)
	}
	ph.done("stage " + kind + " metrics")
	return m, nil
}

// apply applies the staged rows and commits: rows whose values changed are
// updated in place, keeping their ID and creation time (their foreign keys
// do not change, so PostgreSQL checks none); rows that did not change are
// left alone, computed_at included; customers without a row get one; rows
// of customers no longer in the population are deleted. Every value was
// computed from records just read within the organization, so the record
// rules have nothing to check.
func (m *stagedMetrics) apply(ctx context.Context, ph *phases) error {
	for _, st := range m.w.applyStatements() {
		if _, err := m.tx.ExecContext(ctx, store.Rebind(m.w.dialect, st.query), st.args...); err != nil {
			return m.fail(err)
		}
		ph.done(st.phase)
	}
	if err := m.tx.Commit(); err != nil {
		return err
	}
	ph.done("commit " + m.kind + " metrics")
	return nil
}

// fail rolls the transaction back and returns err, explained.
func (m *stagedMetrics) fail(err error) error {
	_ = m.tx.Rollback()
	return fmt.Errorf("valuation: writing %s metrics: %w", m.kind, err)
}

// metricsWrite builds the statements that apply the staged metrics of one
// kind of customer.
type metricsWrite struct {
	dialect, org string
	// table is contacts or accounts; key is the customer_metrics column
	// naming its rows.
	table, key string
}

// statement is one step of applying the staged metrics.
type statement struct {
	query string
	args  []any
	// phase names the step in the refresh's timings.
	phase string
}

// computedColumns are the metrics columns a refresh computes, the date of
// the analysis first: a row whose computed columns all hold the computed
// values is up to date.
var computedColumns = []string{
	customermetrics.FieldAsOf,
	customermetrics.FieldRevenue, customermetrics.FieldGrossMargin, customermetrics.FieldCostToServe,
	customermetrics.FieldAcquisitionCost, customermetrics.FieldNetValue,
	customermetrics.FieldTransactions, customermetrics.FieldFirstPurchaseAt, customermetrics.FieldLastPurchaseAt,
	customermetrics.FieldRepeatTransactions, customermetrics.FieldRecencyWeeks, customermetrics.FieldAgeWeeks,
	customermetrics.FieldAverageRepeatSpend, customermetrics.FieldExpectedTransactions,
	customermetrics.FieldProbabilityAlive, customermetrics.FieldExpectedSpend, customermetrics.FieldPredictedClv,
	customermetrics.FieldModel, customermetrics.FieldRecencyDays,
	customermetrics.FieldRfmR, customermetrics.FieldRfmF, customermetrics.FieldRfmM, customermetrics.FieldRfmSegment,
	customermetrics.FieldValueScore, customermetrics.FieldValueTier, customermetrics.FieldComponents,
}

// copiedColumns are the columns of customer_metrics that contacts and
// accounts repeat, for lists to filter and sort by.
var copiedColumns = []string{"predicted_clv", "probability_alive", "value_score", "value_tier", "rfm_segment"}

// stagedColumns are the columns of the staging table, in the order
// metricsRow.fill fills them: the ID a new row gets, the customer, when the
// values were computed, and the computed columns.
func (w metricsWrite) stagedColumns() []string {
	return append([]string{customermetrics.FieldID, w.key, customermetrics.FieldComputedAt}, computedColumns...)
}

// prepareStatements create the empty staging table, with the types of the
// customer_metrics columns it holds. PostgreSQL drops it at the end of the
// transaction; SQLite keeps temporary tables until the connection closes,
// so a table a failed refresh left behind on the connection is dropped
// first, and applyStatements drops it again.
func (w metricsWrite) prepareStatements() []string {
	sel := ` AS SELECT ` + strings.Join(w.stagedColumns(), ", ") + ` FROM customer_metrics WHERE 1 = 0`
	if w.dialect == dialect.Postgres {
		return []string{`CREATE TEMPORARY TABLE ` + stagingTable + ` ON COMMIT DROP` + sel}
	}
	return []string{`DROP TABLE IF EXISTS temp.` + stagingTable, `CREATE TEMPORARY TABLE ` + stagingTable + sel}
}

// applyStatements return the statements that make customer_metrics and the
// copied columns of the table match the staged rows. Statements take ?
// placeholders.
//
// Every statement walks the staged rows, which are in customer ID order, and
// finds the matching row through a unique index, so customer_metrics and
// the table are changed in ID order. On PostgreSQL hash joins are turned off
// for the transaction to keep it so: the updated rows of a large
// organization do not fit in the buffer cache, and changing them in the
// scattered order of a hash join's batches costs several times more reads,
// writes and write-ahead log than changing them in index order.
func (w metricsWrite) applyStatements() []statement {
	kind := strings.TrimSuffix(w.table, "s")
	var sts []statement
	if w.dialect == dialect.Postgres {
		sts = append(sts, statement{query: `SET LOCAL enable_hashjoin = off`, phase: "plan " + kind + " statements"})
	}
	sts = append(sts, statement{query: `CREATE INDEX ` + stagingTable + `_key ON ` + stagingTable + ` (` + w.key + `)`, phase: "index staged " + kind + " metrics"})
	if w.dialect == dialect.Postgres {
		// Without statistics the planner sorts the staged rows instead of
		// reading them through the index.
		sts = append(sts, statement{query: `ANALYZE ` + stagingTable, phase: "analyze staged " + kind + " metrics"})
	}
	sts = append(sts,
		statement{query: w.deleteStatement(), args: []any{w.org}, phase: "delete vanished " + kind + " metrics"},
		statement{query: w.updateStatement(), args: []any{w.org}, phase: "update changed " + kind + " metrics"},
		statement{query: w.insertStatement(), args: []any{w.org}, phase: "insert new " + kind + " metrics"},
		statement{query: w.copyValuesStatement(), args: []any{w.org}, phase: "copy " + kind + " values onto " + w.table},
	)
	if w.dialect != dialect.Postgres {
		sts = append(sts, statement{query: `DROP TABLE temp.` + stagingTable, phase: "drop staged " + kind + " metrics"})
	}
	return sts
}

// deleteStatement deletes the organization's metrics rows of customers that
// are not staged (one ? for the organization).
func (w metricsWrite) deleteStatement() string {
	return `DELETE FROM customer_metrics WHERE organization_id = ? AND ` + w.key + ` IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM ` + stagingTable + ` t WHERE t.` + w.key + ` = customer_metrics.` + w.key + `)`
}

// updateStatement writes the staged values over the organization's metrics
// rows whose computed columns differ (one ? for the organization).
func (w metricsWrite) updateStatement() string {
	set := []string{"updated_at = t.computed_at", "computed_at = t.computed_at"}
	var changed []string
	for _, c := range computedColumns {
		set = append(set, c+" = t."+c)
		changed = append(changed, "customer_metrics."+c+" IS DISTINCT FROM t."+c)
	}
	return `UPDATE customer_metrics SET ` + strings.Join(set, ", ") + `
		FROM ` + stagingTable + ` t WHERE customer_metrics.` + w.key + ` = t.` + w.key + ` AND customer_metrics.organization_id = ?
		AND (` + strings.Join(changed, " OR ") + `)`
}

// insertStatement inserts the staged rows of customers without a metrics
// row (one ? for the organization).
func (w metricsWrite) insertStatement() string {
	cols := append([]string{"id", "created_at", "updated_at", "organization_id", w.key, "computed_at"}, computedColumns...)
	vals := append([]string{"t.id", "t.computed_at", "t.computed_at", "?", "t." + w.key, "t.computed_at"}, prefixed("t.", computedColumns)...)
	return `INSERT INTO customer_metrics (` + strings.Join(cols, ", ") + `)
		SELECT ` + strings.Join(vals, ", ") + ` FROM ` + stagingTable + ` t
		WHERE NOT EXISTS (SELECT 1 FROM customer_metrics m WHERE m.` + w.key + ` = t.` + w.key + `)`
}

// copyValuesStatement copies the copied columns of the staged rows onto the
// organization's rows of the table (one ? for the organization). Rows that
// already hold the values are left alone.
func (w metricsWrite) copyValuesStatement() string {
	var set, changed []string
	for _, c := range copiedColumns {
		set = append(set, c+" = t."+c)
		changed = append(changed, w.table+"."+c+" IS DISTINCT FROM t."+c)
	}
	return `UPDATE ` + w.table + ` SET ` + strings.Join(set, ", ") + `
		FROM ` + stagingTable + ` t WHERE ` + w.table + `.id = t.` + w.key + ` AND ` + w.table + `.organization_id = ?
		AND (` + strings.Join(changed, " OR ") + `)`
}

func prefixed(prefix string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + c
	}
	return out
}

// metricsRow fills the staged metrics rows of a valued population.
type metricsRow struct {
	asOf, now  time.Time
	population *population
	values     *values
	components []analytics.Component
}

// fill fills dst with the staged row of customer i, in the order of
// metricsWrite.stagedColumns.
func (r *metricsRow) fill(i int, dst []any) {
	if i == len(r.population.customers)/2 && os.Getenv("HEAPPROF") != "" {
		f, _ := os.Create(os.Getenv("HEAPPROF") + "." + fmt.Sprint(len(r.population.customers)))
		runtime.GC()
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	c := &r.population.customers[i]
	var sum analytics.CustomerSummary
	var first, last any
	if c.buyer >= 0 {
		sum = r.population.buyers[c.buyer]
		first, last = sum.FirstPurchase.UTC(), sum.LastPurchase.UTC()
	}
	revenue := money.FromFloat(sum.Revenue)
	margin := revenue - money.Amount(c.cost)
	var recencyDays, rfmSegment any
	var rr, f, m int
	if x := r.values.rfmScore(c); x != nil {
		recencyDays, rfmSegment = int(x.recency), string(x.segment())
		rr, f, m = int(x.r), int(x.f), int(x.m)
	}
	pred := r.values.prediction(c)
	scores := &r.values.scores
	copy(dst, []any{
		pulid.New("cm").String(), c.id, r.now,
		r.asOf,
		int64(revenue), int64(margin), c.costToServe,
		c.acquisition, int64(margin) - c.costToServe - c.acquisition,
		sum.Transactions, first, last,
		sum.Frequency, sum.Recency, sum.T,
		sum.MonetaryValue, pred.ExpectedTransactions,
		pred.ProbabilityAlive, pred.ExpectedSpend, pred.Value,
		pred.Model, recencyDays,
		rr, f, m, rfmSegment,
		scores.Scores[i], string(scores.Tiers[i]), r.componentsJSON(i),
	})
}

// componentsJSON returns the value-score components of customer i with
// their raw values, as JSON.
func (r *metricsRow) componentsJSON(i int) json.RawMessage {
	r.components = r.values.scores.Components(i, r.components[:0])
	for c := range r.components {
		r.components[c].Raw = round(r.values.inputs.Columns[c][i], 4)
	}
	b, err := json.Marshal(r.components)
	if err != nil {
		return json.RawMessage("[]")
	}
	return b
}
