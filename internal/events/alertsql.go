package events

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// The alerts' SQL is portable but for time values: both databases take
// $1, $2, … placeholders (modernc's SQLite binds "$N" to the N-th
// argument, as often as it appears).
//
// PostgreSQL stores times as timestamptz and compares them exactly.
// SQLite has no time type: package store opens it with _time_format=sqlite
// and package crm stores every time in UTC, so a time column holds text
// such as "2024-03-05 09:00:00.5+00:00" (fixed-width date and time, a
// fraction without trailing zeros, then the constant offset). Such texts
// sort in time order — "+" sorts before "." and the digits, so a shorter
// fraction sorts first — and so do MIN and MAX over them. The queries
// therefore compare the raw columns with each other and with bound values
// formatted the same way (sqlDialect.arg), which keeps the indexes on the
// time columns usable.

// sqliteTimeLayout is the text of a stored time on SQLite.
const sqliteTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// sqlDialect holds the dialect-specific parts of the alerts' SQL.
type sqlDialect struct{ postgres bool }

// dialectOf returns the sqlDialect of an ent dialect name.
func dialectOf(name string) (sqlDialect, error) {
	switch name {
	case dialect.Postgres:
		return sqlDialect{postgres: true}, nil
	case dialect.SQLite, "sqlite":
		return sqlDialect{}, nil
	}
	return sqlDialect{}, fmt.Errorf("events: unsupported dialect %q", name)
}

// arg returns the value to bind for a time compared with a time column.
func (d sqlDialect) arg(t time.Time) any {
	if d.postgres {
		return t.UTC()
	}
	return t.UTC().Format(sqliteTimeLayout)
}

// scanTime converts a time read from a column or an aggregate of one:
// a time.Time from PostgreSQL (and from SQLite for a plain column), the
// stored text from SQLite for an aggregate.
func scanTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseStoredTime(t)
	case []byte:
		return parseStoredTime(string(t))
	}
	return time.Time{}, fmt.Errorf("events: cannot read %T as a time", v)
}

func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{sqliteTimeLayout, "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("events: cannot read %q as a time", s)
}

// lapsedVIP is a VIP contact whose last purchase is older than the
// organization's at-risk period.
type lapsedVIP struct {
	id           pulid.ID
	tier         analytics.Tier
	predictedCLV float64
	lastPurchase time.Time
}

// lapsedVIPsSQL selects the organization's ($1) VIP ($4) contacts whose
// last WON ($3) deal closed before $2, without a CUSTOMER_AT_RISK ($5)
// event created after that purchase: one alert per lapse. It reads the
// VIPs from the (organization_id, value_tier, contact_id) index of
// contact_values — every contact has one row there, of its own
// organization, so contacts need not be read — the deals through the
// (organization_id, contact_id, status, closed_at) index and the events
// through (organization_id, subject_id).
const lapsedVIPsSQL = `
SELECT l.id, l.value_tier, l.predicted_clv, l.last_purchase
FROM (
	SELECT v.contact_id AS id, v.value_tier, v.predicted_clv, MAX(d.closed_at) AS last_purchase
	FROM contact_values v
	JOIN deals d ON d.organization_id = v.organization_id AND d.contact_id = v.contact_id
	WHERE v.organization_id = $1 AND v.value_tier = $4
	  AND d.status = $3 AND d.closed_at IS NOT NULL
	GROUP BY v.contact_id, v.value_tier, v.predicted_clv
) l
WHERE l.last_purchase < $2
  AND NOT EXISTS (
	SELECT 1 FROM events e
	WHERE e.organization_id = $1 AND e.subject_id = l.id AND e.type = $5
	  AND e.created_at > l.last_purchase)
ORDER BY l.id`

// lapsedVIPs returns the contacts of the organization to alert as at risk
// as of cutoff (now less the at-risk period).
func (d sqlDialect) lapsedVIPs(ctx context.Context, client *ent.Client, org pulid.ID, cutoff time.Time) ([]lapsedVIP, error) {
	rows, err := client.QueryContext(ctx, lapsedVIPsSQL,
		org.String(), d.arg(cutoff), deal.StatusWON.String(), string(analytics.TierVIP), string(eventtype.CustomerAtRisk))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []lapsedVIP
	for rows.Next() {
		var (
			l    lapsedVIP
			tier sql.NullString
			last any
		)
		if err := rows.Scan(&l.id, &tier, &l.predictedCLV, &last); err != nil {
			return nil, err
		}
		l.tier = analytics.Tier(tier.String)
		if l.lastPurchase, err = scanTime(last); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// bigSpender is a contact whose spend reached the threshold.
type bigSpender struct {
	id    pulid.ID
	total money.Amount
}

// bigSpendersSQL selects the organization's ($1) contacts whose WON ($3)
// deals total at least $2 and that have no SPEND_THRESHOLD_CROSSED ($4)
// event yet. Only contacts of the organization count, whatever a corrupt
// deal row names.
const bigSpendersSQL = `
SELECT t.contact_id, t.total
FROM (
	SELECT d.contact_id, CAST(SUM(d.amount) AS BIGINT) AS total
	FROM deals d
	WHERE d.organization_id = $1 AND d.status = $3 AND d.contact_id IS NOT NULL
	GROUP BY d.contact_id
) t
JOIN contacts c ON c.organization_id = $1 AND c.id = t.contact_id
WHERE t.total >= $2
  AND NOT EXISTS (
	SELECT 1 FROM events e
	WHERE e.organization_id = $1 AND e.subject_id = t.contact_id AND e.type = $4)
ORDER BY t.contact_id`

// bigSpenders returns the contacts of the organization to alert as having
// crossed the spend threshold.
func bigSpenders(ctx context.Context, client *ent.Client, org pulid.ID, threshold money.Amount) ([]bigSpender, error) {
	rows, err := client.QueryContext(ctx, bigSpendersSQL,
		org.String(), threshold.Cents(), deal.StatusWON.String(), string(eventtype.SpendThresholdCrossed))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bigSpender
	for rows.Next() {
		var (
			b     bigSpender
			total int64
		)
		if err := rows.Scan(&b.id, &total); err != nil {
			return nil, err
		}
		b.total = money.Amount(total)
		out = append(out, b)
	}
	return out, rows.Err()
}

// expiredBatch is how many rows one retention statement deletes.
const expiredBatch = 1000

// expiredDeliveriesSQL deletes the next batch of the organization's ($1)
// webhook deliveries to the endpoint $3 created before $2, through the
// (organization_id, endpoint_id, created_at) index.
var expiredDeliveriesSQL = `
DELETE FROM webhook_deliveries WHERE id IN (
	SELECT id FROM webhook_deliveries
	WHERE organization_id = $1 AND endpoint_id = $3 AND created_at < $2
	LIMIT ` + strconv.Itoa(expiredBatch) + `)`

// expiredEventsSQL deletes the next batch of the organization's ($1)
// events created before $2, oldest first, through the
// (organization_id, created_at) index — except each contact's latest
// CUSTOMER_AT_RISK ($3) and SPEND_THRESHOLD_CROSSED ($4) event: those are
// the memory of the alerts ("already alerted for this lapse", "already
// crossed"), without which every retention period would raise them again.
// Such an event goes when a newer one of its kind and contact exists.
var expiredEventsSQL = `
DELETE FROM events WHERE id IN (
	SELECT e.id FROM events e
	WHERE e.organization_id = $1 AND e.created_at < $2
	  AND NOT (e.type IN ($3, $4) AND NOT EXISTS (
		SELECT 1 FROM events n
		WHERE n.organization_id = $1 AND n.subject_id = e.subject_id AND n.type = e.type
		  AND (n.created_at > e.created_at OR (n.created_at = e.created_at AND n.id > e.id))))
	ORDER BY e.created_at, e.id
	LIMIT ` + strconv.Itoa(expiredBatch) + `)`

// deleteExpired deletes, through client, one batch of a retention
// statement for the organization's rows created before before, with the
// statement's extra arguments ($3, …), and returns how many rows it
// deleted.
func (d sqlDialect) deleteExpired(ctx context.Context, client *ent.Client, statement string, org pulid.ID, before time.Time, extra ...any) (int, error) {
	args := append([]any{org.String(), d.arg(before)}, extra...)
	res, err := client.ExecContext(ctx, statement, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
