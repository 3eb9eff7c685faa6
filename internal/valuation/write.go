package valuation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/contactvalue"
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
// accounts) match the computed ones and copies the figures lists sort and
// filter by into the contact_values rows (or onto the accounts) whose
// figures changed: stageMetrics, then apply.
func (s *Service) writeMetrics(ctx context.Context, org, kind string, p *population, v *values, asOf, now time.Time, ph *phases) error {
	staged, err := s.stageMetrics(ctx, org, kind, p, v, asOf, now, ph)
	if err != nil {
		return err
	}
	return staged.apply(ctx, ph)
}

// stagedMetrics are the computed metrics of one kind of customer, loaded
// into the staging tables of one or more parts.
type stagedMetrics struct {
	kind  string
	parts []*stagedPart
	// phases are the timing lines of the parts, the caller's first.
	phases []*phases
}

// stagedPart is an open transaction holding the computed metrics of a
// range of customers, in ID order, in its staging table.
type stagedPart struct {
	tx *sql.Tx
	w  metricsWrite
}

// writeParts is how many parts, each a transaction on its own connection,
// write the metrics of n customers on PostgreSQL: one per processor from
// 50,000 customers, as one UPDATE keeps one core busy.
func writeParts(n int) int {
	if n < 50_000 {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// stageMetrics begins the transactions that write the metrics of the
// organization's contacts (or accounts), one per part, and bulk-loads each
// part's share of the computed rows (COPY on PostgreSQL) into its own
// temporary table, which is neither logged nor indexed nor checked. The
// parts share the customers in ID order, so each changes a range of keys.
// The population and values are not used afterwards.
func (s *Service) stageMetrics(ctx context.Context, org, kind string, p *population, v *values, asOf, now time.Time, ph *phases) (*stagedMetrics, error) {
	n := len(p.customers)
	// SQLite has one writer at a time.
	parts := 1
	if s.store.Dialect == dialect.Postgres {
		parts = max(1, min(s.writeParts(n), n))
	}
	m := &stagedMetrics{kind: kind, parts: make([]*stagedPart, parts), phases: []*phases{ph}}
	for len(m.phases) < parts {
		m.phases = append(m.phases, ph.side())
	}
	err := concurrently(sliceOf(parts, func(i int) func() error {
		return func() error {
			lo, hi := i*n/parts, (i+1)*n/parts
			w := newMetricsWrite(s.store.Dialect, org, kind)
			// The first part also owns the keys below the first customer,
			// and the last those above the last one: rows of customers who
			// are gone fall into some part's range.
			if i > 0 {
				w.from = p.customers[lo].id
			}
			if i < parts-1 {
				w.to = p.customers[hi].id
			}
			part, err := s.stagePart(ctx, w, p, v, asOf, now, lo, hi)
			m.parts[i] = part
			if err == nil {
				m.phases[i].done("stage " + kind + " metrics" + m.partName(i))
			}
			return err
		}
	})...)
	if err != nil {
		m.rollback()
		return nil, fmt.Errorf("valuation: writing %s metrics: %w", kind, err)
	}
	return m, nil
}

// stagePart begins a part's transaction and loads the computed rows of the
// customers from position lo to hi into its staging table. It returns the
// part, its transaction open, even with an error, unless it could not
// begin.
func (s *Service) stagePart(ctx context.Context, w metricsWrite, p *population, v *values, asOf, now time.Time, lo, hi int) (*stagedPart, error) {
	tx, err := s.store.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	part := &stagedPart{tx: tx, w: w}
	for _, q := range w.prepareStatements() {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return part, err
		}
	}
	row := metricsRow{asOf: asOf.UTC(), now: now.UTC(), population: p, values: v}
	fill := func(i int, dst []any) { row.fill(lo+i, dst) }
	return part, store.BulkInsert(ctx, tx, w.dialect, stagingTable, w.stagedColumns(), hi-lo, fill)
}

// partName tells part i apart in the phases, when there are several.
func (m *stagedMetrics) partName(i int) string {
	if len(m.parts) == 1 {
		return ""
	}
	return fmt.Sprintf(" (part %d of %d)", i+1, len(m.parts))
}

// apply applies the staged rows of every part, the parts at the same time,
// and then commits the parts one after the other, so readers see the old
// values or the new ones but for the moment between the commits. Within a
// part, rows whose values changed are updated in place, keeping their ID
// and creation time (their foreign keys do not change, so PostgreSQL checks
// none); rows that did not change are left alone, computed_at included;
// customers without a row get one; rows of customers no longer in the
// population are deleted. Every value was computed from records just read
// within the organization, so the record rules have nothing to check.
//
// Should a commit fail, the parts not yet committed are rolled back; those
// committed keep the new values, which the next refresh writes again.
func (m *stagedMetrics) apply(ctx context.Context, ph *phases) error {
	if len(m.parts) > 0 {
		// The caller's line may have moved on since staging.
		m.phases[0] = ph
	}
	err := concurrently(sliceOf(len(m.parts), func(i int) func() error {
		return func() error {
			part := m.parts[i]
			for _, st := range part.w.applyStatements() {
				if err := st.exec(ctx, part.tx, part.w.dialect); err != nil {
					return err
				}
				m.phases[i].done(st.phase + m.partName(i))
			}
			return nil
		}
	})...)
	if err != nil {
		m.rollback()
		return fmt.Errorf("valuation: writing %s metrics: %w", m.kind, err)
	}
	for i, part := range m.parts {
		if err := part.tx.Commit(); err != nil {
			m.parts[i] = nil
			m.rollback()
			return fmt.Errorf("valuation: committing %s metrics: %w", m.kind, err)
		}
		m.parts[i] = nil
	}
	ph.done("commit " + m.kind + " metrics")
	return nil
}

// rollback rolls back the parts not yet committed.
func (m *stagedMetrics) rollback() {
	for i, part := range m.parts {
		if part != nil {
			_ = part.tx.Rollback()
			m.parts[i] = nil
		}
	}
}

// metricsWrite builds the statements that apply the staged metrics of one
// kind of customer.
type metricsWrite struct {
	dialect, org string
	// kind is contact or account.
	kind string
	// key is the customer_metrics column naming the customer, contact_id
	// or account_id.
	key string
	// values is the table holding the customers' copies of the copied
	// columns, one row per customer, and valuesKey its column holding the
	// customer's ID, unique: contact_values by contact_id for contacts,
	// accounts by id for accounts.
	values, valuesKey string
	// from and to bound the keys of the customers written, from inclusive
	// and to exclusive; empty is no bound.
	from, to string
}

// newMetricsWrite returns the metricsWrite of the organization's customers
// of kind contact or account, with no bound on their keys.
func newMetricsWrite(dialectName, org, kind string) metricsWrite {
	if kind == "account" {
		return metricsWrite{dialect: dialectName, org: org, kind: kind,
			key: customermetrics.FieldAccountID, values: account.Table, valuesKey: account.FieldID}
	}
	return metricsWrite{dialect: dialectName, org: org, kind: kind,
		key: customermetrics.FieldContactID, values: contactvalue.Table, valuesKey: contactvalue.FieldContactID}
}

// statement is one step of applying the staged metrics.
type statement struct {
	query string
	args  []any
	// phase names the step in the refresh's timings.
	phase string
	// run, when set, runs the step instead of query.
	run func(ctx context.Context, tx *sql.Tx) error
}

// exec runs the step within tx.
func (st statement) exec(ctx context.Context, tx *sql.Tx, dialectName string) error {
	if st.run != nil {
		return st.run(ctx, tx)
	}
	_, err := tx.ExecContext(ctx, store.Rebind(dialectName, st.query), st.args...)
	return err
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

// copiedColumns are the columns of customer_metrics that lists of customers
// filter and sort by, repeated in contact_values for contacts and on the
// accounts' own rows for accounts.
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

// planSettings are the planner settings of a PostgreSQL transaction that
// writes metrics; see applyStatements.
const planSettings = `SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off; SET LOCAL jit = off`

// applyStatements return the statements that make customer_metrics and the
// copied columns of the values table (contact_values or accounts) match the
// staged rows. Statements take ? placeholders.
//
// Every statement walks the staged rows, which are in customer ID order, and
// finds the matching row through a unique index on the customer's ID
// (customer_metrics' on the key, contact_values' on contact_id, the
// accounts' primary key), so customer_metrics and the values table are
// changed in customer ID order. On PostgreSQL hash joins are turned off
// for the transaction to keep it so: the updated rows of a large
// organization do not fit in the buffer cache, and changing them in the
// scattered order of a hash join's batches costs several times more reads,
// writes and write-ahead log than changing them in index order. Merge
// joins are turned off too: the planner would otherwise read and sort all
// the organization's rows (a million at a million customers) in every part
// to merge them with the part's staged rows, which cost each part seconds
// more than looking its customers up by key. Sequential scans are turned
// off as well: an organization's first refresh finds customer_metrics
// empty, and once the table has been analyzed in that state the planner
// trusts it to stay so and joins each staged row to a full scan of the rows
// already written, which grows with every row the statement inserts (hours
// at 100,000 customers instead of seconds). JIT
// compilation is turned off too: the statements touch each row once, and
// compiling them took seconds at a million customers.
func (w metricsWrite) applyStatements() []statement {
	var sts []statement
	if w.dialect == dialect.Postgres {
		sts = append(sts, statement{query: planSettings, phase: "plan " + w.kind + " statements"})
	}
	sts = append(sts, statement{query: `CREATE INDEX ` + stagingTable + `_key ON ` + stagingTable + ` (` + w.key + `)`, phase: "index staged " + w.kind + " metrics"})
	if w.dialect == dialect.Postgres {
		// Without statistics the planner sorts the staged rows instead of
		// reading them through the index. The key's are the ones it uses.
		sts = append(sts, statement{query: `ANALYZE ` + stagingTable + ` (` + w.key + `)`, phase: "analyze staged " + w.kind + " metrics"})
	}
	sts = append(sts, statement{run: w.deleteVanished, phase: "delete vanished " + w.kind + " metrics"})
	if w.dialect == dialect.Postgres {
		sts = append(sts, statement{query: w.mergeStatement(), args: []any{w.org, w.org}, phase: "update changed, insert new " + w.kind + " metrics"})
	} else {
		sts = append(sts,
			statement{query: w.updateStatement(), args: []any{w.org}, phase: "update changed " + w.kind + " metrics"},
			statement{query: w.insertStatement(), args: []any{w.org}, phase: "insert new " + w.kind + " metrics"},
		)
	}
	sts = append(sts, statement{query: w.copyValuesStatement(), args: []any{w.org}, phase: "copy " + w.kind + " values into " + w.values})
	if w.dialect != dialect.Postgres {
		sts = append(sts, statement{query: `DROP TABLE temp.` + stagingTable, phase: "drop staged " + w.kind + " metrics"})
	}
	return sts
}

// deleteVanished deletes the organization's metrics rows of customers in
// the key range that are not staged: it lists their keys, normally none,
// with vanishedQuery, then deletes their rows by key.
func (w metricsWrite) deleteVanished(ctx context.Context, tx *sql.Tx) error {
	if w.dialect == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, mergeJoinOn); err != nil {
			return err
		}
	}
	q, args := w.vanishedQuery()
	rows, err := tx.QueryContext(ctx, store.Rebind(w.dialect, q), args...)
	if err != nil {
		return err
	}
	var keys []any
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, key)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if w.dialect == dialect.Postgres {
		if _, err := tx.ExecContext(ctx, mergeJoinOff); err != nil {
			return err
		}
	}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 500)]
		keys = keys[len(batch):]
		del := `DELETE FROM customer_metrics WHERE organization_id = ? AND ` + w.key + ` IN (?` + strings.Repeat(", ?", len(batch)-1) + `)`
		if _, err := tx.ExecContext(ctx, store.Rebind(w.dialect, del), append([]any{w.org}, batch...)...); err != nil {
			return err
		}
	}
	return nil
}

// mergeJoinOn and mergeJoinOff bracket vanishedQuery on PostgreSQL. Unlike
// the statements that change rows (see applyStatements), it is best
// answered by a merge join: both sides are read in key order from indexes
// alone, and merging them took a third of the time of looking each metrics
// row's key up among the staged ones (0.9 s against 2.8 s for half a
// million rows).
const (
	mergeJoinOn  = `SET LOCAL enable_mergejoin = on`
	mergeJoinOff = `SET LOCAL enable_mergejoin = off`
)

// vanishedQuery lists the keys of the organization's metrics rows in the
// key range that are not staged, and returns its arguments. It reads the
// index on (organization_id, key) alone, which on PostgreSQL needs no read
// of the table's pages once vacuum has marked them all visible, as
// autovacuum does after each refresh.
func (w metricsWrite) vanishedQuery() (string, []any) {
	q := `SELECT m.` + w.key + ` FROM customer_metrics m WHERE m.organization_id = ? AND m.` + w.key + ` IS NOT NULL`
	args := []any{w.org}
	if w.from != "" {
		q += ` AND m.` + w.key + ` >= ?`
		args = append(args, w.from)
	}
	if w.to != "" {
		q += ` AND m.` + w.key + ` < ?`
		args = append(args, w.to)
	}
	return q + ` AND NOT EXISTS (SELECT 1 FROM ` + stagingTable + ` t WHERE t.` + w.key + ` = m.` + w.key + `)`, args
}

// updateStatement writes the staged values over the organization's metrics
// rows whose computed columns differ (one ? for the organization).
func (w metricsWrite) updateStatement() string {
	set, changed := updateClauses("customer_metrics")
	return `UPDATE customer_metrics SET ` + strings.Join(set, ", ") + `
		FROM ` + stagingTable + ` t WHERE customer_metrics.` + w.key + ` = t.` + w.key + ` AND customer_metrics.organization_id = ?
		AND (` + strings.Join(changed, " OR ") + `)`
}

// updateClauses returns the assignments that write a staged row t over a
// metrics row, and the conditions, one per computed column, under which
// the metrics row (named by alias) differs from it.
func updateClauses(alias string) (set, changed []string) {
	set = []string{"updated_at = t.computed_at", "computed_at = t.computed_at"}
	for _, c := range computedColumns {
		set = append(set, c+" = t."+c)
		changed = append(changed, alias+"."+c+" IS DISTINCT FROM t."+c)
	}
	return set, changed
}

// mergeStatement is updateStatement and insertStatement in one pass over
// the staged rows, for PostgreSQL (two ? for the organization).
func (w metricsWrite) mergeStatement() string {
	set, changed := updateClauses("m")
	cols, vals := w.insertColumns()
	return `MERGE INTO customer_metrics m USING ` + stagingTable + ` t ON m.` + w.key + ` = t.` + w.key + `
		WHEN MATCHED AND m.organization_id = ? AND (` + strings.Join(changed, " OR ") + `) THEN
			UPDATE SET ` + strings.Join(set, ", ") + `
		WHEN NOT MATCHED THEN
			INSERT (` + strings.Join(cols, ", ") + `) VALUES (` + strings.Join(vals, ", ") + `)`
}

// insertColumns returns the columns a new metrics row is inserted with and
// their values, taken from the staged row t and one ? for the organization.
func (w metricsWrite) insertColumns() (cols, vals []string) {
	cols = append([]string{"id", "created_at", "updated_at", "organization_id", w.key, "computed_at"}, computedColumns...)
	vals = append([]string{"t.id", "t.computed_at", "t.computed_at", "?", "t." + w.key, "t.computed_at"}, prefixed("t.", computedColumns)...)
	return cols, vals
}

// insertStatement inserts the staged rows of customers without a metrics
// row (one ? for the organization).
func (w metricsWrite) insertStatement() string {
	cols, vals := w.insertColumns()
	return `INSERT INTO customer_metrics (` + strings.Join(cols, ", ") + `)
		SELECT ` + strings.Join(vals, ", ") + ` FROM ` + stagingTable + ` t
		WHERE NOT EXISTS (SELECT 1 FROM customer_metrics m WHERE m.` + w.key + ` = t.` + w.key + `)`
}

// copyValuesStatement copies the copied columns of the staged rows into the
// organization's rows of the values table, matched by the customer's ID
// (one ? for the organization). Rows that already hold the values are left
// alone. A contact's figures live in contact_values rather than on its
// contacts row so that this, which changes most customers' figures every
// night, rewrites narrow rows with few indexes instead of every changed
// contact with all the indexes of contacts.
func (w metricsWrite) copyValuesStatement() string {
	var set, changed []string
	for _, c := range copiedColumns {
		set = append(set, c+" = t."+c)
		changed = append(changed, w.values+"."+c+" IS DISTINCT FROM t."+c)
	}
	return `UPDATE ` + w.values + ` SET ` + strings.Join(set, ", ") + `
		FROM ` + stagingTable + ` t WHERE ` + w.values + `.` + w.valuesKey + ` = t.` + w.key + ` AND ` + w.values + `.organization_id = ?
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
}

// fill fills dst with the staged row of customer i, in the order of
// metricsWrite.stagedColumns.
func (r *metricsRow) fill(i int, dst []any) {
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
// their raw values rounded to 4 decimals, as JSON: what
// analytics.Components.MarshalJSON writes, or [] (no components) when it
// would fail. A raw value that rounds to -0 is written as 0, as the jsonb
// column that held the components before kept it.
func (r *metricsRow) componentsJSON(i int) json.RawMessage {
	var n componentNumbers
	for c := range analytics.ValueComponents {
		n.values[c] = r.values.scores.Percentiles[c][i]
		n.weights[c] = r.values.scores.Weights[c]
		if n.raws[c] = round(r.values.inputs.Columns[c][i], 4); n.raws[c] == 0 {
			n.raws[c] = 0
		}
	}
	b, ok := appendComponentsJSON(make([]byte, 0, 192), &n)
	if !ok {
		return json.RawMessage("[]")
	}
	return b
}

// componentNumbers are the numbers of a value score's components, each
// array in analytics.ValueComponents order.
type componentNumbers struct {
	values, weights, raws [len(analytics.ValueComponents)]float64
}

// appendComponentsJSON appends the components to b in the compact form, as
// analytics.Components.MarshalJSON writes them byte for byte, many times
// faster, and reports false where MarshalJSON fails: on a NaN or infinite
// number.
func appendComponentsJSON(b []byte, n *componentNumbers) ([]byte, bool) {
	for _, f := range []struct {
		key string
		vs  *[len(analytics.ValueComponents)]float64
	}{{`{"v":[`, &n.values}, {`],"w":[`, &n.weights}, {`],"r":[`, &n.raws}} {
		b = append(b, f.key...)
		for c, v := range f.vs {
			if c > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSONFloat(b, v); !ok {
				return b, false
			}
		}
	}
	return append(b, "]}"...), true
}

// appendJSONFloat appends f as json.Marshal encodes a float64 (ES6 number
// formatting), or reports false for a NaN or infinite f.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if n := len(b); format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		// e-07 becomes e-7.
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b, true
}
