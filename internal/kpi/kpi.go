package kpi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/headlesscrm/crm/internal/money"
)

// activityWindow is how far back a purchase keeps a customer active.
const activityWindow = 365 * 24 * time.Hour

// pipelineMonths is the number of calendar months of the pipeline forecast.
const pipelineMonths = 12

// Compute returns the KPIs of the organization org over the period p, read
// from db, an SQLite ("sqlite3") or PostgreSQL ("postgres") database of the
// CRM's schema. Every query is confined to org. The queries do not run in one
// transaction, so rows written meanwhile may show in some figures only. On
// PostgreSQL they run in read-only transactions with more memory per sort
// and hash and without JIT compilation (reportSettings).
func Compute(ctx context.Context, db *sql.DB, dialect string, org string, p Period) (*Report, error) {
	d, err := newDialect(dialect)
	if err != nil {
		return nil, err
	}
	if org == "" {
		return nil, errors.New("kpi: no organization")
	}
	if !p.From.Before(p.To) {
		return nil, fmt.Errorf("kpi: the period must start before it ends (from %s to %s)", p.From.Format(time.RFC3339), p.To.Format(time.RFC3339))
	}
	c := &computer{ctx: ctx, db: db, q: db, d: d, org: org, p: p}
	r := &Report{From: p.From, To: p.To}
	// Each task fills its own part of the report, so the tasks run at
	// once, on their own connections: at a million customers each reads
	// millions of deals. Steps of one task run in order.
	tasks := [][]step{
		{{"customers", (*computer).customers}, {"acquisition cost", (*computer).acquisitionCost}},
		{{"revenue concentration", (*computer).concentration}},
		{{"surveys", (*computer).surveys}},
		{{"sales", (*computer).sales}},
		{{"sales by owner", (*computer).salesByOwner}},
		{{"lead conversion", (*computer).leads}},
		{{"campaigns", (*computer).campaigns}, {"channels", (*computer).channels}},
		{{"contact time", (*computer).contactTime}},
		{{"pipeline", (*computer).pipeline}},
		{{"service", (*computer).service}},
	}
	g, gctx := errgroup.WithContext(ctx)
	c.ctx = gctx
	g.SetLimit(parallelQueries)
	for _, task := range tasks {
		g.Go(func() error { return c.runTask(task, r) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return r, nil
}

// runTask runs the steps of one task in order. On PostgreSQL they run in a
// read-only transaction of their own (so on a connection of their own) with
// the settings of reportSettings; each statement still reads the rows
// committed when it starts, as outside a transaction.
func (c *computer) runTask(task []step, r *Report) error {
	tc := *c
	var tx *sql.Tx
	if c.d.postgres {
		var err error
		if tx, err = c.db.BeginTx(c.ctx, &sql.TxOptions{ReadOnly: true}); err != nil {
			return fmt.Errorf("kpi: %s: %w", task[0].name, err)
		}
		defer tx.Rollback() // After Commit, a no-op.
		if _, err := tx.ExecContext(c.ctx, reportSettings); err != nil {
			return fmt.Errorf("kpi: %s: %w", task[0].name, err)
		}
		tc.q = tx
	}
	for _, st := range task {
		if err := st.run(&tc, r); err != nil {
			return fmt.Errorf("kpi: %s: %w", st.name, err)
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("kpi: %s: %w", task[len(task)-1].name, err)
		}
	}
	return nil
}

// reportSettings are the PostgreSQL settings of the report's transactions,
// from EXPLAIN (ANALYZE, BUFFERS) at a million contacts and 5.2 million
// deals:
//
//   - work_mem: the per-contact aggregates of the customers and revenue
//     concentration queries (600,000 and 280,000 groups; the planner
//     expects 64,000) spill to disk in batches at the default 4 MB, as do
//     their sorts and the hash join with contacts.
//   - jit: compiling the customers query's expressions took 2.1–2.5 s of
//     its 6.4 s, and 0.1–0.2 s of each other query, more than it saved;
//     the queries are aggregates over rows read once.
//
// SET LOCAL ends with the transaction, so the pool's connections keep the
// server's defaults.
const reportSettings = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"

// parallelQueries is how many of a report's queries run at once: as many
// as this machine has cores, at least two.
var parallelQueries = max(2, runtime.GOMAXPROCS(0))

// step is one query of a report and what it fills in, run by a computer
// whose q is the task's.
type step struct {
	name string
	run  func(*computer, *Report) error
}

// querier runs the statements of a task: the pool, or the task's
// transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// computer runs the KPI queries of one report.
type computer struct {
	ctx context.Context
	db  *sql.DB
	// q runs the statements: db, or a task's transaction.
	q   querier
	d   sqlDialect
	org string
	p   Period
}

// args returns the arguments $1 (organization), $2 (From) and $3 (To),
// followed by more.
func (c *computer) args(more ...any) []any {
	return append([]any{c.org, c.d.arg(c.p.From), c.d.arg(c.p.To)}, more...)
}

// inPeriod returns the condition that the time column col is in [$2, $3).
func (c *computer) inPeriod(col string) string {
	at := c.d.at(col)
	return "(" + col + " IS NOT NULL AND " + at + " >= $2 AND " + at + " < $3)"
}

const (
	// sentMember is the condition that campaign member m was sent.
	sentMember = "(m.status <> 'TARGETED' OR m.sent_at IS NOT NULL)"
	// respondedMember is the condition that campaign member m responded.
	respondedMember = "(m.responded_at IS NOT NULL OR m.status IN ('RESPONDED', 'ATTENDED', 'CONVERTED', 'CLICKED'))"
)

// customers fills the customer counts, retention and the new customers'
// part of acquisition; their predicted CLV is read from their contacts'
// rows of contact_values.
func (c *computer) customers(r *Report) error {
	d := c.d
	q := `
WITH purchases AS (
	SELECT contact_id, ` + d.at("closed_at") + ` AS closed
	FROM deals
	WHERE organization_id = $1 AND status = 'WON' AND closed_at IS NOT NULL AND contact_id IS NOT NULL
), customers AS (
	SELECT contact_id,
		MIN(closed) AS first_purchase,
		MAX(CASE WHEN closed >= $4 AND closed < $2 THEN 1 ELSE 0 END) AS active_start,
		MAX(CASE WHEN closed >= $5 THEN 1 ELSE 0 END) AS active_end,
		MAX(CASE WHEN closed >= $2 THEN 1 ELSE 0 END) AS active_period
	FROM purchases
	WHERE closed < $3
	GROUP BY contact_id
)
SELECT
	COALESCE(SUM(cu.active_start), 0),
	COALESCE(SUM(cu.active_end), 0),
	COALESCE(SUM(CASE WHEN cu.first_purchase >= $2 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN cu.active_end = 1 AND cu.first_purchase < $2 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(cu.active_period), 0),
	AVG(CASE WHEN cu.first_purchase >= $2 THEN ` + d.float("COALESCE(cv.predicted_clv, 0)") + ` END),
	COALESCE(SUM(CASE WHEN cu.first_purchase >= $2 AND ct.referred_by_id IS NOT NULL THEN 1 ELSE 0 END), 0)
FROM customers cu
LEFT JOIN contacts ct ON ct.id = cu.contact_id AND ct.organization_id = $1
LEFT JOIN contact_values cv ON cv.contact_id = ct.id AND cv.organization_id = ct.organization_id`
	var (
		ret     = &r.Retention
		meanCLV sql.NullFloat64
	)
	err := c.q.QueryRowContext(c.ctx, q, c.args(
		d.arg(c.p.From.Add(-activityWindow)),
		d.arg(c.p.To.Add(-activityWindow)),
	)...).Scan(&ret.StartCustomers, &ret.EndCustomers, &ret.NewCustomers, &ret.Retained,
		&r.ActiveCustomers, &meanCLV, &r.Acquisition.ReferredNewCustomers)
	if err != nil {
		return err
	}
	ret.Rate = ratio(float64(ret.Retained), float64(ret.StartCustomers))
	if ret.Rate != nil {
		ret.ChurnRate = ptr(1 - *ret.Rate)
	}
	r.NewCustomers = ret.NewCustomers
	r.Acquisition.NewCustomers = ret.NewCustomers
	r.Acquisition.MeanPredictedCLV = nullFloat(meanCLV)
	return nil
}

// runsInPeriod is the condition that campaign cm ran in the period.
func (c *computer) runsInPeriod() string {
	return "(" + c.d.at("COALESCE(cm.starts_at, cm.created_at)") + " < $3 AND (cm.ends_at IS NULL OR " + c.d.at("cm.ends_at") + " > $2))"
}

// acquisitionCost fills the blended CAC; customers must have run.
func (c *computer) acquisitionCost(r *Report) error {
	q := `SELECT COALESCE(SUM(cm.actual_cost), 0) FROM campaigns cm WHERE cm.organization_id = $1 AND ` + c.runsInPeriod()
	a := &r.Acquisition
	if err := c.q.QueryRowContext(c.ctx, q, c.args()...).Scan(&a.CampaignCost); err != nil {
		return err
	}
	a.CAC = divMoney(a.CampaignCost, a.NewCustomers)
	if a.MeanPredictedCLV != nil && a.NewCustomers > 0 {
		a.CLVToCAC = ratio(*a.MeanPredictedCLV, a.CampaignCost.Float()/float64(a.NewCustomers))
	}
	return nil
}

// concentration fills the revenue concentration of the top 20 % customers.
func (c *computer) concentration(r *Report) error {
	q := `
WITH revenue AS (
	SELECT contact_id, SUM(amount) AS total
	FROM deals
	WHERE organization_id = $1 AND status = 'WON' AND contact_id IS NOT NULL AND ` + c.inPeriod("closed_at") + `
	GROUP BY contact_id
), ranked AS (
	SELECT total,
		ROW_NUMBER() OVER (ORDER BY total DESC, contact_id) AS place,
		COUNT(*) OVER () AS customers
	FROM revenue
)
SELECT
	COUNT(*),
	COALESCE(SUM(total), 0),
	COALESCE(SUM(CASE WHEN place <= (customers + 4) / 5 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN place <= (customers + 4) / 5 THEN total ELSE 0 END), 0)
FROM ranked`
	rc := &r.RevenueConcentration
	if err := c.q.QueryRowContext(c.ctx, q, c.args()...).Scan(&rc.Customers, &rc.CustomerRevenue, &rc.TopCustomers, &rc.TopRevenue); err != nil {
		return err
	}
	rc.Share = ratio(rc.TopRevenue.Float(), rc.CustomerRevenue.Float())
	return nil
}

// surveys fills CSAT, NPS and CES.
func (c *computer) surveys(r *Report) error {
	d := c.d
	score := d.float("r.score")
	q := `
SELECT
	COALESCE(SUM(CASE WHEN s.kind = 'CSAT' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.kind = 'CSAT' AND r.score >= 4 THEN 1 ELSE 0 END), 0),
	AVG(CASE WHEN s.kind = 'CSAT' THEN ` + score + ` END),
	COALESCE(SUM(CASE WHEN s.kind = 'NPS' AND r.score >= 9 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.kind = 'NPS' AND r.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.kind = 'NPS' AND r.score <= 6 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.kind = 'CES' THEN 1 ELSE 0 END), 0),
	AVG(CASE WHEN s.kind = 'CES' THEN ` + score + ` END)
FROM survey_responses r
JOIN surveys s ON s.id = r.survey_id AND s.organization_id = $1
WHERE r.organization_id = $1 AND ` + c.inPeriod("r.submitted_at")
	var csatMean, cesMean sql.NullFloat64
	err := c.q.QueryRowContext(c.ctx, q, c.args()...).Scan(
		&r.CSAT.Responses, &r.CSAT.Satisfied, &csatMean,
		&r.NPS.Promoters, &r.NPS.Passives, &r.NPS.Detractors,
		&r.CES.Responses, &cesMean)
	if err != nil {
		return err
	}
	r.CSAT.Mean = nullFloat(csatMean)
	r.CSAT.Score = percent(float64(r.CSAT.Satisfied), float64(r.CSAT.Responses))
	r.NPS.Responses = r.NPS.Promoters + r.NPS.Passives + r.NPS.Detractors
	r.NPS.Score = percent(float64(r.NPS.Promoters-r.NPS.Detractors), float64(r.NPS.Responses))
	r.CES.Mean = nullFloat(cesMean)
	return nil
}

// salesSelect returns the query of the sales figures of the deals closed in
// the period, selecting before them the columns in group (if any) and
// grouping by them.
func (c *computer) salesSelect(group string) string {
	cols, tail := "", ""
	if group != "" {
		cols = group + ", "
		tail = " GROUP BY " + group
	}
	return `
SELECT ` + cols + `
	COALESCE(SUM(CASE WHEN status = 'WON' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN status = 'LOST' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN status = 'WON' THEN amount ELSE 0 END), 0),
	AVG(CASE WHEN status = 'WON' THEN ` + c.d.days("closed_at", "created_at") + ` END)
FROM deals
WHERE organization_id = $1 AND status IN ('WON', 'LOST') AND ` + c.inPeriod("closed_at") + tail
}

// sales fills the overall sales figures and the revenue of the period.
func (c *computer) sales(r *Report) error {
	s := &r.Sales
	var cycle sql.NullFloat64
	if err := c.q.QueryRowContext(c.ctx, c.salesSelect(""), c.args()...).Scan(&s.Won, &s.Lost, &s.Revenue, &cycle); err != nil {
		return err
	}
	s.WinRate = ratio(float64(s.Won), float64(s.Won+s.Lost))
	s.AverageDealSize = divMoney(s.Revenue, s.Won)
	s.SalesCycleDays = nullFloat(cycle)
	r.Revenue = s.Revenue
	r.Purchases = s.Won
	return nil
}

// salesByOwner fills the sales figures per owner.
func (c *computer) salesByOwner(r *Report) error {
	q := c.salesSelect("owner_id") + `
ORDER BY 4 DESC, CASE WHEN owner_id IS NULL THEN 1 ELSE 0 END, owner_id`
	rows, err := c.q.QueryContext(c.ctx, q, c.args()...)
	if err != nil {
		return err
	}
	defer rows.Close()
	r.Sales.ByOwner = []OwnerSales{}
	for rows.Next() {
		var (
			o     OwnerSales
			owner sql.NullString
			cycle sql.NullFloat64
		)
		if err := rows.Scan(&owner, &o.Won, &o.Lost, &o.Revenue, &cycle); err != nil {
			return err
		}
		if owner.Valid {
			o.OwnerID = ptr(owner.String)
		}
		o.Deals = o.Won + o.Lost
		o.WinRate = ratio(float64(o.Won), float64(o.Deals))
		o.AverageDealSize = divMoney(o.Revenue, o.Won)
		o.SalesCycleDays = nullFloat(cycle)
		r.Sales.ByOwner = append(r.Sales.ByOwner, o)
	}
	return rows.Err()
}

// leads fills the lead conversion rate.
func (c *computer) leads(r *Report) error {
	q := `
SELECT
	COUNT(*),
	COALESCE(SUM(CASE WHEN EXISTS (
		SELECT 1 FROM deals d
		WHERE d.organization_id = $1 AND d.contact_id = ct.id AND d.status = 'WON'
			AND d.closed_at IS NOT NULL AND ` + c.d.at("d.closed_at") + ` < $3
	) THEN 1 ELSE 0 END), 0)
FROM contacts ct
WHERE ct.organization_id = $1 AND ` + c.inPeriod("ct.created_at")
	l := &r.LeadConversion
	if err := c.q.QueryRowContext(c.ctx, q, c.args()...).Scan(&l.Leads, &l.Converted); err != nil {
		return err
	}
	l.Rate = ratio(float64(l.Converted), float64(l.Leads))
	return nil
}

// campaignStats returns the common table expression "stats": one row per
// campaign that ran in the period, with its cost, members sent and
// responded, customers acquired up to To, and WON deals closed in the
// period. Members, customers and deals are counted for the campaigns that
// ran only: at a million contacts, checking every acquired contact for a
// purchase costs more than the rest of the statement.
func (c *computer) campaignStats() string {
	// Not a common table expression: PostgreSQL materializes one used more
	// than once, and a statement reading one runs without parallel workers.
	ran := "SELECT cm.id FROM campaigns cm WHERE cm.organization_id = $1 AND " + c.runsInPeriod()
	return `
WITH members AS (
	SELECT m.campaign_id,
		SUM(CASE WHEN ` + sentMember + ` THEN 1 ELSE 0 END) AS sent,
		SUM(CASE WHEN ` + sentMember + ` AND ` + respondedMember + ` THEN 1 ELSE 0 END) AS responses
	FROM campaign_members m
	WHERE m.organization_id = $1 AND m.campaign_id IN (` + ran + `)
	GROUP BY m.campaign_id
), acquired AS (
	SELECT ct.acquisition_campaign_id AS campaign_id, COUNT(*) AS customers
	FROM contacts ct
	WHERE ct.organization_id = $1 AND ct.acquisition_campaign_id IN (` + ran + `) AND EXISTS (
		SELECT 1 FROM deals d
		WHERE d.organization_id = $1 AND d.contact_id = ct.id AND d.status = 'WON'
			AND d.closed_at IS NOT NULL AND ` + c.d.at("d.closed_at") + ` < $3
	)
	GROUP BY ct.acquisition_campaign_id
), sourced AS (
	SELECT d.source_campaign_id AS campaign_id, COUNT(*) AS won, SUM(d.amount) AS revenue
	FROM deals d
	WHERE d.organization_id = $1 AND d.status = 'WON' AND d.source_campaign_id IN (` + ran + `) AND ` + c.inPeriod("d.closed_at") + `
	GROUP BY d.source_campaign_id
), stats AS (
	SELECT cm.id, cm.name, cm.channel, cm.actual_cost AS cost,
		COALESCE(mb.sent, 0) AS sent,
		COALESCE(mb.responses, 0) AS responses,
		COALESCE(a.customers, 0) AS customers,
		COALESCE(s.won, 0) AS won,
		COALESCE(s.revenue, 0) AS revenue
	FROM campaigns cm
	LEFT JOIN members mb ON mb.campaign_id = cm.id
	LEFT JOIN acquired a ON a.campaign_id = cm.id
	LEFT JOIN sourced s ON s.campaign_id = cm.id
	WHERE cm.organization_id = $1 AND ` + c.runsInPeriod() + `
)`
}

// campaigns fills the per-campaign figures.
func (c *computer) campaigns(r *Report) error {
	q := c.campaignStats() + `
SELECT id, name, channel, cost, sent, responses, customers, won, revenue
FROM stats
ORDER BY channel, name, id`
	rows, err := c.q.QueryContext(c.ctx, q, c.args()...)
	if err != nil {
		return err
	}
	defer rows.Close()
	r.Campaigns = []CampaignStats{}
	for rows.Next() {
		var s CampaignStats
		if err := rows.Scan(&s.CampaignID, &s.Name, &s.Channel, &s.Cost, &s.Sent, &s.Responses, &s.Customers, &s.WonDeals, &s.Revenue); err != nil {
			return err
		}
		s.ResponseRate = ratio(float64(s.Responses), float64(s.Sent))
		s.CAC = divMoney(s.Cost, s.Customers)
		s.ROI = roi(s.Revenue, s.Cost)
		r.Campaigns = append(r.Campaigns, s)
	}
	return rows.Err()
}

// channels fills the per-channel figures and the best channel from the
// campaigns' (campaigns must have run): sums over each channel's campaigns,
// which come in channel order, as the statement of campaignStats grouped by
// channel would give them, without running it a second time.
func (c *computer) channels(r *Report) error {
	r.Channels = []ChannelStats{}
	for _, cs := range r.Campaigns {
		if n := len(r.Channels); n == 0 || r.Channels[n-1].Channel != cs.Channel {
			r.Channels = append(r.Channels, ChannelStats{Channel: cs.Channel})
		}
		s := &r.Channels[len(r.Channels)-1]
		s.Campaigns++
		s.Cost += cs.Cost
		s.Sent += cs.Sent
		s.Responses += cs.Responses
		s.Customers += cs.Customers
		s.WonDeals += cs.WonDeals
		s.Revenue += cs.Revenue
	}
	var best *ChannelStats
	for i := range r.Channels {
		s := &r.Channels[i]
		s.ResponseRate = ratio(float64(s.Responses), float64(s.Sent))
		s.CAC = divMoney(s.Cost, s.Customers)
		s.ROI = roi(s.Revenue, s.Cost)
		// Channels come in order, so a later channel wins only when
		// strictly better.
		if s.ROI == nil {
			continue
		}
		if best == nil || *s.ROI > *best.ROI || (*s.ROI == *best.ROI && s.Revenue > best.Revenue) {
			best = s
		}
	}
	if best != nil {
		r.BestChannel = ptr(best.Channel)
	}
	return nil
}

// contactTime fills the response rate by hour and weekday of sending.
func (c *computer) contactTime(r *Report) error {
	ct := &r.ContactTime
	ct.ByHour = make([]TimeSlot, 24)
	for h := range ct.ByHour {
		ct.ByHour[h].Hour = h
	}
	ct.ByWeekday = make([]TimeSlot, 7)
	for i := range ct.ByWeekday {
		ct.ByWeekday[i].Weekday = time.Weekday((i + 1) % 7) // Monday first.
	}
	slots := func(expr string, fill func(slot int) *TimeSlot) error {
		q := `
SELECT ` + expr + `,
	COUNT(*),
	COALESCE(SUM(CASE WHEN ` + respondedMember + ` THEN 1 ELSE 0 END), 0)
FROM campaign_members m
WHERE m.organization_id = $1 AND ` + c.inPeriod("m.sent_at") + `
GROUP BY 1`
		rows, err := c.q.QueryContext(c.ctx, q, c.args()...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var slot, sent, responses int
			if err := rows.Scan(&slot, &sent, &responses); err != nil {
				return err
			}
			s := fill(slot)
			if s == nil {
				return fmt.Errorf("unexpected slot %d", slot)
			}
			s.Sent, s.Responses = sent, responses
			s.ResponseRate = ratio(float64(responses), float64(sent))
		}
		return rows.Err()
	}
	err := slots(c.d.hour("m.sent_at"), func(h int) *TimeSlot {
		if h < 0 || h > 23 {
			return nil
		}
		return &ct.ByHour[h]
	})
	if err != nil {
		return err
	}
	err = slots(c.d.isoWeekday("m.sent_at"), func(iso int) *TimeSlot {
		if iso < 1 || iso > 7 {
			return nil
		}
		return &ct.ByWeekday[iso-1]
	})
	if err != nil {
		return err
	}
	if i := bestSlot(ct.ByHour); i >= 0 {
		ct.BestHour = ptr(i)
	}
	if i := bestSlot(ct.ByWeekday); i >= 0 {
		ct.BestWeekday = ptr(ct.ByWeekday[i].Weekday)
	}
	return nil
}

// bestSlot returns the index of the slot with the highest response rate,
// ties going to more responses and then to the first slot; −1 when no slot
// was sent anything.
func bestSlot(slots []TimeSlot) int {
	best := -1
	for i, s := range slots {
		if s.ResponseRate == nil {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := slots[best]
		if *s.ResponseRate > *b.ResponseRate || (*s.ResponseRate == *b.ResponseRate && s.Responses > b.Responses) {
			best = i
		}
	}
	return best
}

// pipeline fills the open pipeline and weighted forecast by month.
func (c *computer) pipeline(r *Report) error {
	from := c.p.From.UTC()
	first := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	r.Pipeline = make([]PipelineMonth, pipelineMonths)
	index := map[string]int{}
	for i := range r.Pipeline {
		start := first.AddDate(0, i, 0)
		r.Pipeline[i] = PipelineMonth{Month: start.Format("2006-01"), Start: start}
		index[r.Pipeline[i].Month] = i
	}
	end := first.AddDate(0, pipelineMonths, 0)
	at := c.d.at("d.expected_close_date")
	q := `
SELECT ` + c.d.month("d.expected_close_date") + `,
	COUNT(*),
	COALESCE(SUM(d.amount), 0),
	COALESCE(SUM(d.amount * COALESCE(s.probability, 0)), 0)
FROM deals d
LEFT JOIN stages s ON s.id = d.stage_id AND s.organization_id = $1
WHERE d.organization_id = $1 AND d.status = 'OPEN' AND d.expected_close_date IS NOT NULL
	AND ` + at + ` >= $2 AND ` + at + ` < $3
GROUP BY 1`
	// $3 is the end of the forecast, not To.
	rows, err := c.q.QueryContext(c.ctx, q, c.org, c.d.arg(c.p.From), c.d.arg(end))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			month    string
			deals    int
			amount   money.Amount
			weighted float64
		)
		if err := rows.Scan(&month, &deals, &amount, &weighted); err != nil {
			return err
		}
		i, ok := index[month]
		if !ok {
			return fmt.Errorf("unexpected month %q", month)
		}
		m := &r.Pipeline[i]
		m.Deals, m.Amount, m.Weighted = deals, amount, money.Amount(math.Round(weighted))
	}
	return rows.Err()
}

// service fills the tickets' figures.
func (c *computer) service(r *Report) error {
	opened, resolved := c.inPeriod("opened_at"), c.inPeriod("resolved_at")
	q := `
SELECT
	COALESCE(SUM(CASE WHEN ` + opened + ` THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN ` + resolved + ` THEN 1 ELSE 0 END), 0),
	AVG(CASE WHEN ` + resolved + ` THEN ` + c.d.hours("resolved_at", "opened_at") + ` END),
	COALESCE(SUM(CASE WHEN ` + opened + ` THEN cost_to_serve ELSE 0 END), 0)
FROM tickets
WHERE organization_id = $1`
	s := &r.Service
	var mean sql.NullFloat64
	if err := c.q.QueryRowContext(c.ctx, q, c.args()...).Scan(&s.Opened, &s.Resolved, &mean, &s.CostToServe); err != nil {
		return err
	}
	s.MeanResolutionHours = nullFloat(mean)
	return nil
}

// ratio returns num ÷ den, or nil when den is 0 or the result is not finite.
func ratio(num, den float64) *float64 {
	if den == 0 {
		return nil
	}
	v := num / den
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// percent returns 100 × num ÷ den, or nil when den is 0.
func percent(num, den float64) *float64 {
	v := ratio(num, den)
	if v != nil {
		*v *= 100
	}
	return v
}

// roi returns (revenue − cost) ÷ cost, or nil when the cost is 0.
func roi(revenue, cost money.Amount) *float64 {
	return ratio(float64(revenue.Cents()-cost.Cents()), float64(cost.Cents()))
}

// divMoney returns a ÷ n rounded to the cent (halves away from zero), or
// nil when n is 0.
func divMoney(a money.Amount, n int) *money.Amount {
	if n == 0 {
		return nil
	}
	c, d := a.Cents(), int64(n)
	if d < 0 {
		c, d = -c, -d
	}
	q, rem := c/d, c%d
	switch {
	case rem > 0 && 2*rem >= d:
		q++
	case rem < 0 && -2*rem >= d:
		q--
	}
	v := money.FromCents(q)
	return &v
}

// nullFloat returns the value of v, or nil when it is NULL or not finite.
func nullFloat(v sql.NullFloat64) *float64 {
	if !v.Valid || math.IsNaN(v.Float64) || math.IsInf(v.Float64, 0) {
		return nil
	}
	return &v.Float64
}

func ptr[T any](v T) *T { return &v }
