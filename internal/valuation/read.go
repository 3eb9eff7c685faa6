package valuation

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"time"

	"entgo.io/ent/dialect"

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
	// positions finds a customer by ID, while the population is read, when
	// the IDs did not come in ascending byte order; see index.
	positions map[string]int32
	// buyers are the purchase summaries of the customers who bought, in
	// customer order.
	buyers []analytics.CustomerSummary
	// transactions is the number of transactions of all buyers.
	transactions int
}

// add appends a customer with no purchases. index must be called once the
// customers are added.
func (p *population) add(id string, account, campaign int32) {
	p.customers = append(p.customers, customer{id: id, buyer: -1, account: account, campaign: campaign})
}

// index prepares finding customers by ID: by binary search when the IDs
// are in ascending byte order, as ORDER BY id returns them under a
// byte-order collation, or else by a map.
func (p *population) index() {
	for i := 1; i < len(p.customers); i++ {
		if p.customers[i-1].id >= p.customers[i].id {
			p.positions = make(map[string]int32, len(p.customers))
			for j := range p.customers {
				p.positions[p.customers[j].id] = int32(j)
			}
			return
		}
	}
}

// position returns the position of the customer with the ID, read as raw
// bytes, or -1.
func (p *population) position(id []byte) int32 {
	if p.positions != nil {
		if i, ok := p.positions[string(id)]; ok {
			return i
		}
		return -1
	}
	i := sort.Search(len(p.customers), func(m int) bool { return p.customers[m].id >= string(id) })
	if i < len(p.customers) && p.customers[i].id == string(id) {
		return int32(i)
	}
	return -1
}

// positionAfter is position for IDs looked up in ascending order: it looks
// first at the few customers after the one at position after (-1 for
// none), where the next ID read in ID order most likely is.
func (p *population) positionAfter(id []byte, after int32) int32 {
	if p.positions == nil {
		for i := int(after) + 1; i < len(p.customers) && i <= int(after)+8; i++ {
			if c := p.customers[i].id; c == string(id) {
				return int32(i)
			} else if c > string(id) {
				break
			}
		}
	}
	return p.position(id)
}

// positionOf is position for an ID held as a string.
func (p *population) positionOf(id string) int32 {
	if p.positions != nil {
		if i, ok := p.positions[id]; ok {
			return i
		}
		return -1
	}
	i := sort.Search(len(p.customers), func(m int) bool { return p.customers[m].id >= id })
	if i < len(p.customers) && p.customers[i].id == id {
		return int32(i)
	}
	return -1
}

// doneReading drops the index by ID once every query has been read, and
// the spare capacity the customers grew by while read when it is large.
func (p *population) doneReading() {
	p.positions = nil
	if cap(p.customers) > len(p.customers)+len(p.customers)/8 {
		p.customers = slices.Clone(p.customers)
	}
}

// campaigns are the organization's campaigns with the acquisition cost
// each shares among the customers it acquired.
type campaigns struct {
	positions map[string]int32
	cost      []int64
}

// position returns the position of the campaign with the ID, read as raw
// bytes (nil for NULL), or -1.
func (c campaigns) position(id sql.RawBytes) int32 {
	if i, ok := c.positions[string(id)]; ok && id != nil {
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

// dealColumns selects, for each deal d, its contact and account, the
// analytics.DayNumber of its closing, its amount and its product cost. On
// PostgreSQL the day is computed, which spares the driver parsing a
// timestamp.
func (s *Service) dealColumns() string {
	if s.store.Dialect == dialect.Postgres {
		return `d.contact_id, d.account_id, (d.closed_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01', d.amount, ` + dealCost
	}
	return `d.contact_id, d.account_id, d.closed_at, d.amount, ` + dealCost
}

// summarizeDeals streams the won deals of the organization up to asOf by
// contact, summarizes each contact's purchase history and adds up the
// product cost of its purchases. It keeps the purchases of the accounts, a
// population which may be nil, for accountPurchases.summarize, so that the
// deals are read once for both. A large population is read in key ranges,
// one query and goroutine each, merged in contact order; the deals of an
// account and no contact are read beside them.
func (s *Service) summarizeDeals(ctx context.Context, org string, asOf time.Time, unit analytics.TimeUnit, contacts, accounts *population) (*accountPurchases, error) {
	if accounts == nil {
		accounts = &population{}
	}
	parts := max(1, min(s.readParts(len(contacts.customers)), len(contacts.customers)))
	// Range i holds the keys from splits[i-1] (inclusive) to splits[i].
	splits := make([]string, parts-1)
	for i := range splits {
		splits[i] = contacts.customers[(i+1)*len(contacts.customers)/parts].id
	}
	// ranges[parts] are the deals of an account and no contact.
	ranges := make([]dealRange, parts+1)
	reads := parts
	if len(accounts.customers) > 0 {
		reads++
	}
	err := concurrently(sliceOf(reads, func(i int) func() error {
		return func() error {
			var from, to *string
			if i > 0 && i < parts {
				from = &splits[i-1]
			}
			if i < parts-1 {
				to = &splits[i]
			}
			var err error
			ranges[i], err = s.summarizeRange(ctx, org, asOf, unit, contacts, accounts, i == parts, from, to)
			return err
		}
	})...)
	if err != nil {
		return nil, err
	}
	n := len(contacts.buyers)
	for _, r := range ranges {
		n += len(r.bought)
	}
	contacts.buyers = slices.Grow(contacts.buyers, n-len(contacts.buyers))
	bought := &accountPurchases{cost: make([]int64, len(accounts.customers))}
	for i := range ranges {
		r := &ranges[i]
		for _, b := range r.bought {
			contacts.customers[b.position].buyer = int32(len(contacts.buyers))
			contacts.buyers = append(contacts.buyers, b.summary)
			contacts.transactions += b.summary.Transactions
		}
		for a, cost := range r.accountCost {
			bought.cost[a] += cost
		}
		bought.lists = append(bought.lists, r.accountPurchases)
		*r = dealRange{}
	}
	contacts.sortBuyers()
	return bought, nil
}

// readParts is how many key ranges summarizeDeals reads the deals of n
// contacts in: one per processor from 50,000 contacts.
func readParts(n int) int {
	if n < 50_000 {
		return 1
	}
	return runtime.GOMAXPROCS(0)
}

// buyer is the purchase summary of the customer at a position.
type buyer struct {
	position int32
	summary  analytics.CustomerSummary
}

// dealRange is what reading the deals of a range of contacts found.
type dealRange struct {
	// bought are the summaries of the contacts who bought, in contact
	// order.
	bought []buyer
	// accountPurchases are the purchases of accounts, in the order read,
	// and accountCost their product cost by account position.
	accountPurchases []accountPurchase
	accountCost      []int64
}

// accountPurchase is one purchase of an account, kept while the deals are
// read by contact.
type accountPurchase struct {
	account int32 // position in the accounts population
	day     int32 // analytics.DayNumber of the purchase
	cents   int64
}

// accountPurchases are the purchases of the accounts of an organization,
// read with those of the contacts, to summarize.
type accountPurchases struct {
	// lists are the purchases, one list per range of contacts read.
	lists [][]accountPurchase
	// cost is the product cost of the purchases, by account position.
	cost []int64
}

// summarizeRange summarizes the contacts whose ID is at least from and
// below to (no bound when nil), in ID order, adding the product cost of
// their purchases to them, and collects the purchases of accounts among
// their deals. With noContact it reads the deals of an account and no
// contact instead.
func (s *Service) summarizeRange(ctx context.Context, org string, asOf time.Time, unit analytics.TimeUnit, contacts, accounts *population, noContact bool, from, to *string) (dealRange, error) {
	r := dealRange{accountCost: make([]int64, len(accounts.customers))}
	var (
		contact   int32 = -1
		account   int32 = -1
		purchases []analytics.DatedAmount
	)
	flush := func() {
		if contact < 0 || len(purchases) == 0 {
			return
		}
		if sum, ok := analytics.SummarizeDays(contacts.customers[contact].id, purchases, asOf, unit); ok {
			r.bought = append(r.bought, buyer{contact, sum})
		}
		purchases = purchases[:0]
	}
	q := `SELECT ` + s.dealColumns() + ` FROM deals d
		WHERE d.organization_id = ? AND d.status = 'WON' AND d.closed_at IS NOT NULL AND d.closed_at <= ?`
	args := []any{org, asOf}
	if noContact {
		q += ` AND d.contact_id IS NULL AND d.account_id IS NOT NULL`
	} else {
		q += ` AND d.contact_id IS NOT NULL`
		if from != nil {
			q += ` AND d.contact_id >= ?`
			args = append(args, *from)
		}
		if to != nil {
			q += ` AND d.contact_id < ?`
			args = append(args, *to)
		}
		q += ` ORDER BY d.contact_id`
	}
	var (
		contactID, accountID sql.RawBytes
		day                  scannedDay
		cents, cost          scannedInt
	)
	err := s.query(ctx, q, args, func(rows *sql.Rows) error {
		if err := rows.Scan(&contactID, &accountID, &day, &cents, &cost); err != nil {
			return err
		}
		if contactID != nil && (contact < 0 || string(contactID) != contacts.customers[contact].id) {
			flush()
			contact = contacts.positionAfter(contactID, contact)
		}
		if contactID != nil && contact >= 0 {
			contacts.customers[contact].cost += int64(cost)
			purchases = append(purchases, analytics.DatedAmount{Day: int64(day), Amount: float64(cents) / 100})
		}
		if accountID == nil {
			return nil
		}
		if account < 0 || string(accountID) != accounts.customers[account].id {
			// Most deals are of their contact's account.
			if contact >= 0 && contactID != nil {
				account = contacts.customers[contact].account
			}
			if account < 0 || string(accountID) != accounts.customers[account].id {
				account = accounts.position(accountID)
			}
		}
		if account >= 0 {
			r.accountCost[account] += int64(cost)
			r.accountPurchases = append(r.accountPurchases, accountPurchase{account, int32(day), int64(cents)})
		}
		return nil
	})
	flush()
	return r, err
}

// summarize adds the purchase summaries and the product cost of their
// purchases to the accounts, in account order, and lets the purchases go.
// Amounts of one day add up from the smallest, whatever order the deals
// were read in.
func (b *accountPurchases) summarize(asOf time.Time, unit analytics.TimeUnit, into *population) {
	for a, cost := range b.cost {
		into.customers[a].cost += cost
	}
	byAccountDayAmount := func(x, y accountPurchase) int {
		return cmp.Or(cmp.Compare(x.account, y.account), cmp.Compare(x.day, y.day), cmp.Compare(x.cents, y.cents))
	}
	for _, l := range b.lists {
		slices.SortFunc(l, byAccountDayAmount)
	}
	next := make([]int, len(b.lists))
	var purchases []accountPurchase
	var dated []analytics.DatedAmount
	for a := range into.customers {
		purchases = purchases[:0]
		for i, l := range b.lists {
			for ; next[i] < len(l) && l[next[i]].account == int32(a); next[i]++ {
				purchases = append(purchases, l[next[i]])
			}
		}
		if len(purchases) == 0 {
			continue
		}
		if len(b.lists) > 1 {
			slices.SortFunc(purchases, byAccountDayAmount)
		}
		dated = dated[:0]
		for _, p := range purchases {
			dated = append(dated, analytics.DatedAmount{Day: int64(p.day), Amount: float64(p.cents) / 100})
		}
		if sum, ok := analytics.SummarizeDays(into.customers[a].id, dated, asOf, unit); ok {
			into.customers[a].buyer = int32(len(into.buyers))
			into.buyers = append(into.buyers, sum)
			into.transactions += sum.Transactions
		}
	}
	*b = accountPurchases{}
}

// scannedInt is an integer column, sent as an integer or as its text.
type scannedInt int64

// Scan implements sql.Scanner.
func (n *scannedInt) Scan(v any) error {
	switch v := v.(type) {
	case int64:
		*n = scannedInt(v)
		return nil
	case []byte:
		i, err := strconv.ParseInt(string(v), 10, 64)
		*n = scannedInt(i)
		return err
	case string:
		i, err := strconv.ParseInt(v, 10, 64)
		*n = scannedInt(i)
		return err
	}
	return fmt.Errorf("valuation: reading an integer from %T", v)
}

// scannedDay is the analytics.DayNumber of a time column, sent as the
// number (see dealColumns) or as the time.
type scannedDay int64

// Scan implements sql.Scanner.
func (d *scannedDay) Scan(v any) error {
	if t, ok := v.(time.Time); ok {
		*d = scannedDay(analytics.DayNumber(t))
		return nil
	}
	return (*scannedInt)(d).Scan(v)
}

// sliceOf returns the n values f(0), …, f(n-1).
func sliceOf[T any](n int, f func(int) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
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
	p := &population{}
	var id string
	var account, campaign sql.RawBytes
	err := s.query(ctx, `SELECT id, account_id, acquisition_campaign_id FROM contacts WHERE organization_id = ? ORDER BY id`, []any{org},
		func(r *sql.Rows) error {
			if err := r.Scan(&id, &account, &campaign); err != nil {
				return err
			}
			at := int32(-1)
			if accounts != nil && account != nil {
				at = accounts.position(account)
			}
			p.add(id, at, camps.position(campaign))
			return nil
		})
	p.index()
	return p, err
}

// readAccounts lists the organization's accounts with their acquisition
// campaign.
func (s *Service) readAccounts(ctx context.Context, org string, camps campaigns) (*population, error) {
	p := &population{}
	var id string
	var campaign sql.RawBytes
	err := s.query(ctx, `SELECT id, acquisition_campaign_id FROM accounts WHERE organization_id = ? ORDER BY id`, []any{org},
		func(r *sql.Rows) error {
			if err := r.Scan(&id, &campaign); err != nil {
				return err
			}
			p.add(id, -1, camps.position(campaign))
			return nil
		})
	p.index()
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
		var id sql.RawBytes
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

// readContactHistories reads the contacts of the organization with their
// purchase histories, costs and engagement as of asOf, and the purchases
// of the accounts, which are among the same deals, for
// readAccountHistories. The queries that fill different attributes run
// concurrently, and the count of the customers each campaign acquired
// while the contacts are listed.
func (s *Service) readContactHistories(ctx context.Context, org string, asOf time.Time, unit analytics.TimeUnit, camps campaigns, accounts *population) (*population, *accountPurchases, error) {
	var (
		contacts *population
		acquired []int64
		bought   *accountPurchases
	)
	err := concurrently(
		func() (err error) {
			if acquired, err = s.acquiredCustomers(ctx, org, "contact_id", camps); err != nil {
				return fmt.Errorf("valuation: reading acquisitions: %w", err)
			}
			return nil
		},
		func() (err error) {
			if contacts, err = s.readContacts(ctx, org, camps, accounts); err != nil {
				return fmt.Errorf("valuation: reading contacts: %w", err)
			}
			return concurrently(
				func() (err error) {
					if bought, err = s.summarizeDeals(ctx, org, asOf, unit, contacts, accounts); err != nil {
						return fmt.Errorf("valuation: reading purchases: %w", err)
					}
					return nil
				},
				func() error {
					if err := s.costsToServe(ctx, org, "contact_id", asOf, contacts); err != nil {
						return fmt.Errorf("valuation: reading costs: %w", err)
					}
					if err := s.readContactSignals(ctx, org, asOf, contacts); err != nil {
						return fmt.Errorf("valuation: reading engagement: %w", err)
					}
					return nil
				},
			)
		},
	)
	if err != nil {
		return nil, nil, err
	}
	contacts.shareAcquisitionCosts(camps, acquired)
	contacts.doneReading()
	return contacts, bought, nil
}

// readAccountHistories adds to the accounts of the organization their
// purchase histories and product costs, from the purchases
// readContactHistories kept, and their costs to serve and acquisition
// costs as of asOf.
func (s *Service) readAccountHistories(ctx context.Context, org string, asOf time.Time, unit analytics.TimeUnit, camps campaigns, accounts *population, bought *accountPurchases) error {
	bought.summarize(asOf, unit, accounts)
	if err := s.readDetails(ctx, org, "account_id", asOf, camps, accounts); err != nil {
		return fmt.Errorf("valuation: reading account costs: %w", err)
	}
	return nil
}
