package valuation

import (
	"context"
	"database/sql"
	"time"

	"github.com/headlesscrm/crm/internal/analytics"
)

// customer is one contact or account being valued.
type customer struct {
	id         string
	accountID  string
	campaignID string
	summary    analytics.CustomerSummary
	bought     bool

	cost         int64 // product cost of purchases, cents
	costToServe  int64
	acquisition  int64
	engagement   float64
	satisfaction *float64
	advocacy     float64
}

// query runs a query with ? placeholders and calls scan for each row.
func (s *Service) query(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.store.DB.QueryContext(ctx, s.store.Rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// summarize streams the won deals of the organization, grouped by the key
// column (contact_id or account_id), and summarizes each customer's history.
func (s *Service) summarize(ctx context.Context, org, key string, asOf time.Time, unit analytics.TimeUnit, into map[string]*customer) (int, error) {
	var (
		cur       string
		purchases []analytics.Purchase
		n         int
	)
	flush := func() {
		if cur == "" || len(purchases) == 0 {
			return
		}
		sums := analytics.Summarize(purchases, asOf, unit)
		if len(sums) == 1 {
			if c := into[cur]; c != nil {
				c.summary, c.bought = sums[0], true
				n += sums[0].Transactions
			}
		}
		purchases = purchases[:0]
	}
	q := `SELECT ` + key + `, closed_at, amount FROM deals
		WHERE organization_id = ? AND status = 'WON' AND ` + key + ` IS NOT NULL AND closed_at IS NOT NULL AND closed_at <= ?
		ORDER BY ` + key
	err := s.query(ctx, q, []any{org, asOf}, func(r *sql.Rows) error {
		var id string
		var at time.Time
		var cents int64
		if err := r.Scan(&id, &at, &cents); err != nil {
			return err
		}
		if id != cur {
			flush()
			cur = id
		}
		purchases = append(purchases, analytics.Purchase{CustomerID: id, At: at, Amount: float64(cents) / 100})
		return nil
	})
	flush()
	return n, err
}

// sumBy runs a "key, integer sum" query and adds each sum to the customer.
func (s *Service) sumBy(ctx context.Context, q string, args []any, into map[string]*customer, add func(*customer, int64)) error {
	return s.query(ctx, q, args, func(r *sql.Rows) error {
		var id string
		var v sql.NullInt64
		if err := r.Scan(&id, &v); err != nil {
			return err
		}
		if c := into[id]; c != nil && v.Valid {
			add(c, v.Int64)
		}
		return nil
	})
}

// readContacts lists the organization's contacts with their account and
// acquisition campaign.
func (s *Service) readContacts(ctx context.Context, org string) (map[string]*customer, []string, error) {
	byID := map[string]*customer{}
	var order []string
	err := s.query(ctx, `SELECT id, account_id, acquisition_campaign_id FROM contacts WHERE organization_id = ? ORDER BY id`, []any{org},
		func(r *sql.Rows) error {
			var id string
			var acc, cmp sql.NullString
			if err := r.Scan(&id, &acc, &cmp); err != nil {
				return err
			}
			byID[id] = &customer{id: id, accountID: acc.String, campaignID: cmp.String}
			order = append(order, id)
			return nil
		})
	return byID, order, err
}

// readAccounts lists the organization's accounts with their acquisition
// campaign.
func (s *Service) readAccounts(ctx context.Context, org string) (map[string]*customer, []string, error) {
	byID := map[string]*customer{}
	var order []string
	err := s.query(ctx, `SELECT id, acquisition_campaign_id FROM accounts WHERE organization_id = ? ORDER BY id`, []any{org},
		func(r *sql.Rows) error {
			var id string
			var cmp sql.NullString
			if err := r.Scan(&id, &cmp); err != nil {
				return err
			}
			byID[id] = &customer{id: id, campaignID: cmp.String}
			order = append(order, id)
			return nil
		})
	return byID, order, err
}

// readDetails adds product cost, cost to serve, acquisition cost,
// engagement, satisfaction and advocacy to each customer, keyed by the
// column of deals and tickets that names the customer.
func (s *Service) readDetails(ctx context.Context, org, key string, asOf time.Time, cs map[string]*customer) error {
	err := s.sumBy(ctx, `SELECT d.`+key+`, SUM(COALESCE(d.cost,
			(SELECT SUM(li.unit_cost * li.quantity) FROM line_items li WHERE li.deal_id = d.id AND li.organization_id = d.organization_id), 0))
		FROM deals d WHERE d.organization_id = ? AND d.status = 'WON' AND d.`+key+` IS NOT NULL AND d.closed_at <= ?
		GROUP BY d.`+key, []any{org, asOf}, cs, func(c *customer, v int64) { c.cost += v })
	if err != nil {
		return err
	}
	err = s.sumBy(ctx, `SELECT `+key+`, SUM(cost_to_serve) FROM tickets
		WHERE organization_id = ? AND `+key+` IS NOT NULL AND opened_at <= ? GROUP BY `+key,
		[]any{org, asOf}, cs, func(c *customer, v int64) { c.costToServe += v })
	if err != nil {
		return err
	}
	return s.acquisitionCosts(ctx, org, key, cs)
}

// acquisitionCosts shares each campaign's actual cost among the customers
// (buyers) it acquired.
func (s *Service) acquisitionCosts(ctx context.Context, org, key string, cs map[string]*customer) error {
	table := "contacts"
	if key == "account_id" {
		table = "accounts"
	}
	type campaign struct{ cost, customers int64 }
	camps := map[string]*campaign{}
	err := s.query(ctx, `SELECT id, actual_cost FROM campaigns WHERE organization_id = ?`, []any{org}, func(r *sql.Rows) error {
		var id string
		var cost int64
		if err := r.Scan(&id, &cost); err != nil {
			return err
		}
		camps[id] = &campaign{cost: cost}
		return nil
	})
	if err != nil {
		return err
	}
	err = s.query(ctx, `SELECT t.acquisition_campaign_id, COUNT(*) FROM `+table+` t
		WHERE t.organization_id = ? AND t.acquisition_campaign_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM deals d WHERE d.organization_id = t.organization_id AND d.`+key+` = t.id AND d.status = 'WON')
		GROUP BY t.acquisition_campaign_id`, []any{org}, func(r *sql.Rows) error {
		var id string
		var n int64
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		if c := camps[id]; c != nil {
			c.customers = n
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if camp := camps[c.campaignID]; camp != nil && c.bought && camp.customers > 0 {
			c.acquisition = camp.cost / camp.customers
		}
	}
	return nil
}

// readContactSignals adds engagement (campaign responses in the last year),
// satisfaction (the latest NPS or CSAT answer, scaled to 0..1) and advocacy
// (contacts referred) to each contact.
func (s *Service) readContactSignals(ctx context.Context, org string, asOf time.Time, cs map[string]*customer) error {
	err := s.sumBy(ctx, `SELECT contact_id, COUNT(*) FROM campaign_members
		WHERE organization_id = ? AND responded_at IS NOT NULL AND responded_at > ? AND responded_at <= ?
		GROUP BY contact_id`, []any{org, asOf.Add(-EngagementWindow), asOf}, cs,
		func(c *customer, v int64) { c.engagement = float64(v) })
	if err != nil {
		return err
	}
	err = s.sumBy(ctx, `SELECT referred_by_id, COUNT(*) FROM contacts
		WHERE organization_id = ? AND referred_by_id IS NOT NULL AND created_at <= ? GROUP BY referred_by_id`,
		[]any{org, asOf}, cs, func(c *customer, v int64) { c.advocacy = float64(v) })
	if err != nil {
		return err
	}
	return s.query(ctx, `SELECT contact_id, score, kind FROM (
			SELECT r.contact_id, r.score, s.kind,
				ROW_NUMBER() OVER (PARTITION BY r.contact_id ORDER BY r.submitted_at DESC, r.id DESC) AS n
			FROM survey_responses r JOIN surveys s ON s.id = r.survey_id
			WHERE r.organization_id = ? AND r.contact_id IS NOT NULL AND s.kind IN ('NPS', 'CSAT') AND r.submitted_at <= ?
		) latest WHERE n = 1`, []any{org, asOf}, func(r *sql.Rows) error {
		var id, kind string
		var score int
		if err := r.Scan(&id, &score, &kind); err != nil {
			return err
		}
		if c := cs[id]; c != nil {
			v := float64(score) / 10
			if kind == "CSAT" {
				v = float64(score-1) / 4
			}
			c.satisfaction = &v
		}
		return nil
	})
}
