package valuation

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/headlesscrm/crm/internal/analytics"
)

// customer is one contact or account being valued.
type customer struct {
	id string
	// buyer is the position of the customer's purchase summary in
	// population.buyers, or -1 when the customer has not bought.
	buyer int32
	// account is the position of a contact's account in the accounts
	// population, or -1.
	account int32
	// campaign is the position of the acquisition campaign in campaigns,
	// or -1.
	campaign int32
	// answered says whether satisfaction is known.
	answered bool

	cost         int64 // product cost of purchases, cents
	costToServe  int64
	acquisition  int64
	engagement   float64
	advocacy     float64
	satisfaction float64
}

// population is the contacts or the accounts of an organization being
// valued, in ID order.
type population struct {
	customers []customer
	// positions finds a customer by ID while the population is read.
	positions map[string]int32
	// buyers are the purchase summaries of the customers who bought, in
	// customer order.
	buyers []analytics.CustomerSummary
	// transactions is the number of transactions of all buyers.
	transactions int
}

// add appends a customer with no purchases.
func (p *population) add(id string, account, campaign int32) {
	p.positions[id] = int32(len(p.customers))
	p.customers = append(p.customers, customer{id: id, buyer: -1, account: account, campaign: campaign})
}

// position returns the position of the customer with the ID, read as raw
// bytes, or -1.
func (p *population) position(id []byte) int32 {
	if i, ok := p.positions[string(id)]; ok {
		return i
	}
	return -1
}

// doneReading drops the index by ID once every query has been read, and
// the spare capacity the customers and buyers grew with while read.
func (p *population) doneReading() {
	p.positions = nil
	p.customers = slices.Clone(p.customers)
	p.buyers = slices.Clone(p.buyers)
}

// campaigns are the organization's campaigns with the acquisition cost
// each shares among the customers it acquired.
type campaigns struct {
	positions map[string]int32
	cost      []int64
}

// position returns the position of the campaign with the ID, or -1.
func (c campaigns) position(id sql.NullString) int32 {
	if i, ok := c.positions[id.String]; ok && id.Valid {
		return i
	}
	return -1
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

// dealCost is the product cost of a deal d: its own cost, or else the cost
// of its line items.
const dealCost = `COALESCE(d.cost,
	(SELECT SUM(li.unit_cost * li.quantity) FROM line_items li WHERE li.deal_id = d.id AND li.organization_id = d.organization_id), 0)`

// summarize streams the won deals of the organization up to asOf, grouped
// by the key column (contact_id or account_id), summarizes each customer's
// purchase history and adds up the product cost of the purchases.
func (s *Service) summarize(ctx context.Context, org, key string, asOf time.Time, unit analytics.TimeUnit, into *population) error {
	var (
		cur       int32 = -1
		purchases []analytics.Purchase
	)
	flush := func() {
		if cur < 0 || len(purchases) == 0 {
			return
		}
		sums := analytics.Summarize(purchases, asOf, unit)
		if len(sums) == 1 {
			c := &into.customers[cur]
			c.buyer = int32(len(into.buyers))
			into.buyers = append(into.buyers, sums[0])
			into.transactions += sums[0].Transactions
		}
		purchases = purchases[:0]
	}
	q := `SELECT d.` + key + `, d.closed_at, d.amount, ` + dealCost + ` FROM deals d
		WHERE d.organization_id = ? AND d.status = 'WON' AND d.` + key + ` IS NOT NULL AND d.closed_at IS NOT NULL AND d.closed_at <= ?
		ORDER BY d.` + key
	var (
		id    sql.RawBytes
		at    time.Time
		cents int64
		cost  int64
	)
	err := s.query(ctx, q, []any{org, asOf}, func(r *sql.Rows) error {
		if err := r.Scan(&id, &at, &cents, &cost); err != nil {
			return err
		}
		if cur < 0 || string(id) != into.customers[cur].id {
			flush()
			cur = into.position(id)
		}
		if cur < 0 {
			return nil
		}
		into.customers[cur].cost += cost
		purchases = append(purchases, analytics.Purchase{CustomerID: into.customers[cur].id, At: at, Amount: float64(cents) / 100})
		return nil
	})
	flush()
	if err != nil {
		return err
	}
	into.sortBuyers()
	return nil
}

// sortBuyers puts the buyers in customer order, should the deals have come
// in another order than the customers.
func (p *population) sortBuyers() {
	inOrder := true
	last := int32(-1)
	for i := range p.customers {
		if b := p.customers[i].buyer; b >= 0 {
			inOrder = inOrder && b == last+1
			last = b
		}
	}
	if inOrder {
		return
	}
	sorted := make([]analytics.CustomerSummary, 0, len(p.buyers))
	for i := range p.customers {
		if c := &p.customers[i]; c.buyer >= 0 {
			sorted = append(sorted, p.buyers[c.buyer])
			c.buyer = int32(len(sorted) - 1)
		}
	}
	p.buyers = slices.Clip(sorted)
}

// sumBy runs a "key, integer sum" query and adds each sum to the customer.
func (s *Service) sumBy(ctx context.Context, q string, args []any, into *population, add func(*customer, int64)) error {
	var id sql.RawBytes
	var v sql.NullInt64
	return s.query(ctx, q, args, func(r *sql.Rows) error {
		if err := r.Scan(&id, &v); err != nil {
			return err
		}
		if i := into.position(id); i >= 0 && v.Valid {
			add(&into.customers[i], v.Int64)
		}
		return nil
	})
}

// readCampaigns lists the organization's campaigns with their actual cost.
func (s *Service) readCampaigns(ctx context.Context, org string) (campaigns, error) {
	camps := campaigns{positions: map[string]int32{}}
	err := s.query(ctx, `SELECT id, actual_cost FROM campaigns WHERE organization_id = ?`, []any{org}, func(r *sql.Rows) error {
		var id string
		var cost int64
		if err := r.Scan(&id, &cost); err != nil {
			return err
		}
		camps.positions[id] = int32(len(camps.cost))
		camps.cost = append(camps.cost, cost)
		return nil
	})
	return camps, err
}

// readContacts lists the organization's contacts with their account (a
// position in accounts, which may be nil) and acquisition campaign.
func (s *Service) readContacts(ctx context.Context, org string, camps campaigns, accounts *population) (*population, error) {
	p := &population{positions: map[string]int32{}}
	var id string
	var acc, cmp sql.NullString
	err := s.query(ctx, `SELECT id, account_id, acquisition_campaign_id FROM contacts WHERE organization_id = ? ORDER BY id`, []any{org},
		func(r *sql.Rows) error {
			if err := r.Scan(&id, &acc, &cmp); err != nil {
				return err
			}
			account := int32(-1)
			if accounts != nil && acc.Valid {
				if i, ok := accounts.positions[acc.String]; ok {
					account = i
				}
			}
			p.add(id, account, camps.position(cmp))
			return nil
		})
	return p, err
}

// readAccounts lists the organization's accounts with their acquisition
// campaign.
func (s *Service) readAccounts(ctx context.Context, org string, camps campaigns) (*population, error) {
	p := &population{positions: map[string]int32{}}
	var id string
	var cmp sql.NullString
	err := s.query(ctx, `SELECT id, acquisition_campaign_id FROM accounts WHERE organization_id = ? ORDER BY id`, []any{org},
		func(r *sql.Rows) error {
			if err := r.Scan(&id, &cmp); err != nil {
				return err
			}
			p.add(id, -1, camps.position(cmp))
			return nil
		})
	return p, err
}

// readDetails adds cost to serve and acquisition cost to each customer,
// keyed by the column of tickets and deals that names the customer. The
// purchases must have been summarized.
func (s *Service) readDetails(ctx context.Context, org, key string, asOf time.Time, camps campaigns, cs *population) error {
	if err := s.costsToServe(ctx, org, key, asOf, cs); err != nil {
		return err
	}
	acquired, err := s.acquiredCustomers(ctx, org, key, camps)
	if err != nil {
		return err
	}
	cs.shareAcquisitionCosts(camps, acquired)
	return nil
}

// costsToServe adds the cost to serve of the tickets opened up to asOf to
// each customer.
func (s *Service) costsToServe(ctx context.Context, org, key string, asOf time.Time, cs *population) error {
	return s.sumBy(ctx, `SELECT `+key+`, SUM(cost_to_serve) FROM tickets
		WHERE organization_id = ? AND `+key+` IS NOT NULL AND opened_at <= ? GROUP BY `+key,
		[]any{org, asOf}, cs, func(c *customer, v int64) { c.costToServe += v })
}

// acquiredCustomers counts the customers (buyers) each campaign acquired,
// by campaign position, key naming the customers in deals.
func (s *Service) acquiredCustomers(ctx context.Context, org, key string, camps campaigns) ([]int64, error) {
	table := "contacts"
	if key == "account_id" {
		table = "accounts"
	}
	acquired := make([]int64, len(camps.cost))
	err := s.query(ctx, `SELECT t.acquisition_campaign_id, COUNT(*) FROM `+table+` t
		WHERE t.organization_id = ? AND t.acquisition_campaign_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM deals d WHERE d.organization_id = t.organization_id AND d.`+key+` = t.id AND d.status = 'WON')
		GROUP BY t.acquisition_campaign_id`, []any{org}, func(r *sql.Rows) error {
		var id sql.NullString
		var n int64
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		if i := camps.position(id); i >= 0 {
			acquired[i] = n
		}
		return nil
	})
	return acquired, err
}

// shareAcquisitionCosts shares each campaign's actual cost among the
// customers (buyers) it acquired, acquired counting them by campaign.
func (p *population) shareAcquisitionCosts(camps campaigns, acquired []int64) {
	for i := range p.customers {
		c := &p.customers[i]
		if c.campaign >= 0 && c.buyer >= 0 && acquired[c.campaign] > 0 {
			c.acquisition = camps.cost[c.campaign] / acquired[c.campaign]
		}
	}
}

// readContactSignals adds engagement (campaign responses in the last year),
// satisfaction (the latest NPS or CSAT answer, scaled to 0..1) and advocacy
// (contacts referred) to each contact.
func (s *Service) readContactSignals(ctx context.Context, org string, asOf time.Time, cs *population) error {
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
	var id sql.RawBytes
	var kind string
	var score int
	return s.query(ctx, `SELECT contact_id, score, kind FROM (
			SELECT r.contact_id, r.score, s.kind,
				ROW_NUMBER() OVER (PARTITION BY r.contact_id ORDER BY r.submitted_at DESC, r.id DESC) AS n
			FROM survey_responses r JOIN surveys s ON s.id = r.survey_id
			WHERE r.organization_id = ? AND r.contact_id IS NOT NULL AND s.kind IN ('NPS', 'CSAT') AND r.submitted_at <= ?
		) latest WHERE n = 1`, []any{org, asOf}, func(r *sql.Rows) error {
		if err := r.Scan(&id, &score, &kind); err != nil {
			return err
		}
		if i := cs.position(id); i >= 0 {
			c := &cs.customers[i]
			c.satisfaction = float64(score) / 10
			if kind == "CSAT" {
				c.satisfaction = float64(score-1) / 4
			}
			c.answered = true
		}
		return nil
	})
}
