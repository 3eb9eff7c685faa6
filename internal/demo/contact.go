package demo

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/headlesscrm/crm/ent/activity"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// customerKind labels a contact's buying behaviour, read off its latent
// purchase process once simulated. It drives what else happens to the
// contact: satisfaction, support tickets, renewals in progress.
type customerKind uint8

const (
	// prospect has not bought (yet).
	prospect customerKind = iota
	// oneTime bought once.
	oneTime
	// regular buys now and then, or dropped out recently.
	regular
	// loyal is still active and buys every two months or more often.
	loyal
	// lapsed bought more than once, dropped out, and has not bought for
	// at least 180 days.
	lapsed
)

// The latent purchase process of buyers is BG/NBD (Fader, Hardie & Lee
// 2005): while active, a customer buys at a rate λ ~ Gamma(purchaseShape,
// mean purchaseRate per day); after each purchase they drop out for good
// with a probability p ~ Beta(dropoutA, dropoutB).
const (
	buyerShare    = 0.62
	purchaseShape = 1.3
	purchaseRate  = 1.0 / 40
	dropoutA      = 0.7
	dropoutB      = 4.0
	// spendShape is the Gamma-Gamma shape of order values around a
	// customer's mean; the means vary as spendShape/ν with
	// ν ~ Gamma(spendQ, ·), scaled to average spendMean dollars.
	spendShape = 5.0
	spendQ     = 4.0
	spendMean  = 2200.0
)

// basics is the part of a contact that other contacts may need (a
// referrer's creation time and purchases). It depends only on the seed and
// the contact's index, so it can be recomputed for any contact at any time.
type basics struct {
	created   time.Time
	referral  bool          // acquired through a referral
	acq       *campaignInfo // acquiring campaign, other than the referral programme
	source    string        // lead source
	buyer     bool          // has a purchase process (may not have bought yet)
	purchases []time.Time   // purchase times, in order
	alive     bool          // still active at now
	kind      customerKind
	advocate  bool // recommends the business: an evangelist, who refers others
}

// acquisition channels of campaign-acquired contacts.
var (
	acqKinds      = []campaignKind{kindAds, kindSocial, kindWebinar, kindSeminar, kindExhibition, kindEvent}
	acqWeights    = []float64{35, 20, 20, 8, 10, 7}
	leadSourceFor = map[campaignKind]string{
		kindAds: "Paid ads", kindSocial: "Social media", kindWebinar: "Webinar", kindSeminar: "Seminar",
		kindExhibition: "Trade show", kindEvent: "Event", kindReferral: "Referral",
	}
)

// basics returns the basics of contact i. Contacts are created in index
// order over the history, with the business growing.
func (g *generator) basics(i int) basics {
	r := newRand(g.seed, streamBasics, uint64(i))
	c := (float64(i) + r.Float64()) / float64(g.contacts)
	b := basics{created: clampBefore(r, atOfficeHour(r, g.createdAt(c), chance(r, 0.8)), g.now)}
	switch u := r.Float64(); {
	case u < 0.09:
		b.referral, b.source = true, leadSourceFor[kindReferral]
	case u < 0.09+0.45:
		k := acqKinds[weighted(r, acqWeights)]
		if cp, at := g.acquire(r, k, b.created); cp != nil {
			b.acq, b.created, b.source = cp, at, leadSourceFor[k]
		}
	}
	if b.source == "" {
		b.source = leadSources.organic[weighted(r, leadSources.weights)]
	}
	if !chance(r, buyerShare) {
		return b
	}
	b.buyer = true
	b.simulate(r, g.now, g.rate)
	if len(b.purchases) > 0 {
		b.advocate = chance(r, advocateShare[b.kind])
	}
	return b
}

// advocateShare is the share of customers who recommend the business, by
// kind.
var advocateShare = map[customerKind]float64{loyal: 0.45, regular: 0.12, oneTime: 0.04, lapsed: 0.02}

// simulate draws the buyer's purchases: the first within weeks of being
// created, then a BG/NBD process until the customer drops out or now.
// Purchases happen during office hours on weekdays.
func (b *basics) simulate(r *rand.Rand, now time.Time, rate float64) {
	lambda := gammaMean(r, purchaseShape, purchaseRate) * rate
	p := beta(r, dropoutA, dropoutB)
	t := b.created.Add(days(1) + expDays(r, 12))
	first := atOfficeHour(r, t, true)
	if !first.Before(now) {
		return
	}
	b.purchases = append(b.purchases, first)
	b.alive = true
	for len(b.purchases) < 500 {
		if chance(r, p) {
			b.alive = false
			break
		}
		t = t.Add(days(r.ExpFloat64() / lambda))
		at := atOfficeHour(r, t, true)
		if !at.Before(now) {
			break
		}
		b.purchases = append(b.purchases, at)
	}
	// Moving weekend purchases to the next week can reorder them.
	sort.Slice(b.purchases, func(i, j int) bool { return b.purchases[i].Before(b.purchases[j]) })
	n := len(b.purchases)
	last := b.purchases[n-1]
	switch {
	case n == 1:
		b.kind = oneTime
	case !b.alive && now.Sub(last) >= 180*24*time.Hour:
		b.kind = lapsed
	case b.alive && n >= 4 && lambda >= 1.0/60:
		b.kind = loyal
	default:
		b.kind = regular
	}
}

// acquire returns a campaign of kind k that could have brought in a contact
// created at t, and the contact's creation time: during an ad or social
// campaign, on registering for a webinar or seminar, or at a trade show or
// event held up to 30 days before t (the contact is then created there).
func (g *generator) acquire(r *rand.Rand, k campaignKind, t time.Time) (*campaignInfo, time.Time) {
	var found []*campaignInfo
	for _, c := range g.campaigns {
		if c.kind != k || c.status == campaign.StatusCANCELLED || !c.start.Before(g.now) {
			continue
		}
		switch k {
		case kindAds, kindSocial:
			if !t.Before(c.start) && t.Before(c.end) {
				found = append(found, c)
			}
		case kindWebinar, kindSeminar:
			if !t.Before(c.sendAt) && t.Before(c.eventAt) {
				found = append(found, c)
			}
		default:
			if c.eventAt.Before(g.now) && !c.eventAt.Before(t.Add(-30*24*time.Hour)) && c.eventAt.Before(t.Add(3*24*time.Hour)) {
				found = append(found, c)
			}
		}
	}
	if len(found) == 0 {
		return nil, t
	}
	c := pick(r, found)
	if c.kind == kindExhibition || c.kind == kindEvent {
		at := c.eventAt.Add(time.Duration(r.IntN(3)) * 24 * time.Hour).Add(time.Duration(r.IntN(6*3600)) * time.Second)
		if c.kind == kindEvent {
			at = c.eventAt.Add(time.Duration(r.IntN(6*3600)) * time.Second)
		}
		return c, clampBefore(r, at, g.now)
	}
	return c, t
}

// contactID returns contact i's ID: a ULID of its creation time whose
// entropy is a bijective hash of i and the run's nonce, so any contact's ID
// can be recomputed and no two contacts of a run share one.
func (g *generator) contactID(i int, created time.Time) pulid.ID {
	a := mix(g.nonce ^ mix(uint64(i)+1))
	return idOf("con", created, a, uint16(mix(g.nonce+a)))
}

// newID returns a new ID with the given prefix and time, like pulid.NewAt
// but with entropy drawn from the run's own stream, seeded from
// crypto/rand, rather than from the system under a global lock.
func (g *generator) newID(prefix string, t time.Time) pulid.ID {
	return idOf(prefix, t, g.ids.Uint64(), uint16(g.ids.Uint64()))
}

// idOf returns the ID of a prefix of at most 5 bytes whose ULID has t's
// time and the 80 bits of entropy hi and lo.
func idOf(prefix string, t time.Time, hi uint64, lo uint16) pulid.ID {
	var u ulid.ULID
	_ = u.SetTime(ulid.Timestamp(t))
	binary.BigEndian.PutUint64(u[6:14], hi)
	binary.BigEndian.PutUint16(u[14:], lo)
	var b [6 + ulid.EncodedSize]byte
	n := copy(b[:], prefix) + 1
	b[n-1] = '_'
	_ = u.MarshalTextTo(b[n : n+ulid.EncodedSize])
	return pulid.ID(b[:n+ulid.EncodedSize])
}

// contactHourWeights is when contacts like to read and answer, by hour of
// day: early morning, after lunch and in the evening.
var contactHourWeights = []float64{
	0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 3, 6, 9, 10, 7, 5, 6, 8, 6, 5, 4, 4, 5, 6, 4, 2, 1,
}

// contactDayWeights is the same by day of week, Sunday first.
var contactDayWeights = []float64{6, 14, 19, 20, 17, 13, 6}

// wonRef is a purchase of the contact being generated.
type wonRef struct {
	deal   int // index in the batch's deals
	closed time.Time
}

// contactGen holds the state of the contact being generated.
type contactGen struct {
	g     *generator
	r     *rand.Rand
	out   *batch
	index int
	b     basics
	row   contactRow

	referrer  int // index of the contact who referred this one, or -1
	acct      *accountInfo
	fullName  string
	prefHour  int
	prefDay   time.Weekday
	engage    float64 // 0..1, how readily the contact responds
	spend     float64 // mean order value in dollars
	favorites []int   // the products the customer usually buys
	won       []wonRef
	wonTotal  int64
	lost      int
	open      int
	touched   time.Time // last completed call, email or meeting
	latest    time.Time // last thing that happened to the contact
	engaged   bool      // clicked, replied or registered for something
	attended  bool
}

// contact generates contact i and everything about it into out, and
// returns the index of the contact who referred it, or -1.
func (g *generator) contact(i int, out *batch) int {
	b := g.basics(i)
	r := newRand(g.seed, streamContact, uint64(i))
	c := &contactGen{g: g, r: r, out: out, index: i, b: b, latest: b.created, referrer: -1}
	c.person(i)
	purchases := b.purchases
	for k, t := range purchases {
		c.purchase(k, t)
	}
	c.otherDeals(len(purchases) > 0)
	if len(purchases) > 1 && !b.alive {
		// Customers who drop out often had a bad support experience.
		if last := purchases[len(purchases)-1]; chance(r, 0.6) {
			for n := 1 + r.IntN(2); n > 0; n-- {
				c.ticket(last.Add(days(uniform(r, -60, 45))), true)
			}
		}
	}
	c.memberships()
	c.nps(purchases)
	c.touches(purchases)
	c.finish()
	out.contacts = append(out.contacts, c.row)
	return c.referrer
}

// person fills in who the contact is.
func (c *contactGen) person(i int) {
	g, r := c.g, c.r
	row := &c.row
	row.id = g.contactID(i, c.b.created)
	row.createdAt = c.b.created
	row.leadSource = c.b.source
	if c.b.acq != nil {
		row.acquisitionCampaignID = ptr(c.b.acq.id)
	}
	if c.b.referral {
		if j, ok := c.pickReferrer(i); ok {
			c.referrer = j
			row.referredByID = ptr(g.contactID(j, g.basics(j).created))
			row.acquisitionCampaignID = ptr(g.referral.id)
			c.b.acq = g.referral
		} else {
			c.b.referral = false
			row.leadSource = leadSources.organic[weighted(r, leadSources.weights)]
		}
	}

	// Most contacts work for one of the accounts that existed by then.
	if n := sort.Search(len(g.accounts), func(a int) bool { return !g.accounts[a].created.Before(c.b.created) }); n > 0 && chance(r, 0.8) {
		a := r.IntN(n)
		if chance(r, 0.3) {
			a = n - 1 - r.IntN(min(n, 5)) // a newly created account
		}
		c.acct = &g.accounts[a]
		row.accountID = ptr(c.acct.id)
	}

	var gender contact.Gender
	switch u := r.Float64(); {
	case u < 0.49:
		gender, row.firstName = contact.GenderFEMALE, pick(r, femaleNames)
	case u < 0.98:
		gender, row.firstName = contact.GenderMALE, pick(r, maleNames)
	default:
		gender = []contact.Gender{contact.GenderNON_BINARY, contact.GenderUNDISCLOSED, contact.GenderOTHER}[r.IntN(3)]
		row.firstName = pick(r, append(femaleNames[:10:10], maleNames[:10]...))
	}
	if !chance(r, 0.05) {
		row.gender = ptr(gender)
	}
	row.lastName = pick(r, lastNames)
	c.fullName = row.firstName + " " + row.lastName
	row.email = c.email()
	if chance(r, 0.85) {
		row.phone = fmt.Sprintf("+1 555 %03d %04d", r.IntN(1000), r.IntN(10000))
	}
	senior := false
	if c.acct != nil {
		t := titles[weighted(r, titleWeights)]
		row.title, senior = t.title, t.senior
	} else {
		row.title = pick(r, soloTitles)
		senior = row.title == "Owner"
	}
	if senior {
		row.tags = append(row.tags, "decision-maker")
	}
	row.ownerID = g.owner(r)
	if c.acct != nil && c.acct.owner != nil && chance(r, 0.85) {
		row.ownerID = c.acct.owner
	}
	if chance(r, 0.75) {
		age := 23 + r.IntN(44)
		bd := midnight(c.b.created.AddDate(-age, 0, -r.IntN(365)))
		row.birthDate = &bd
	}
	row.newsletterOptIn = chance(r, 0.4)
	if chance(r, 0.02) {
		row.tags = append(row.tags, "partner")
	}

	c.prefHour = weighted(r, contactHourWeights)
	c.prefDay = time.Weekday(weighted(r, contactDayWeights))
	c.engage = beta(r, 2, 3)
	switch c.b.kind {
	case loyal:
		c.engage = math.Min(1, c.engage+0.25)
	case prospect:
		c.engage *= 0.8
	}
	size := 0.7
	if c.acct != nil {
		size = c.acct.size
	}
	// Gamma-Gamma: the customer's mean order value is spendShape/ν.
	nu := gamma(r, spendQ, 1/(spendMean*(spendQ-1)/spendShape))
	c.spend = size * spendShape / nu
}

var titleWeights = func() []float64 {
	w := make([]float64, len(titles))
	for i, t := range titles {
		w[i] = t.weight
	}
	return w
}()

// pickReferrer picks an earlier contact, an advocate who had bought before
// contact i was created.
func (c *contactGen) pickReferrer(i int) (int, bool) {
	for try := 0; try < 30 && i > 0; try++ {
		j := c.r.IntN(i)
		if o := c.g.basics(j); o.advocate && o.purchases[0].Before(c.b.created.Add(-14*24*time.Hour)) {
			return j, true
		}
	}
	return 0, false
}

// email returns a unique, lower-case address: at the account's domain for
// most account contacts, else at a personal mail domain.
func (c *contactGen) email() string {
	r := c.r
	f, l := slug(c.row.firstName, ""), slug(c.row.lastName, "")
	var local, domain string
	if c.acct != nil && chance(r, 0.9) {
		domain = c.acct.domain
		local = []string{f + "." + l, f[:1] + l, f, f + "_" + l}[weighted(r, []float64{65, 15, 8, 12})]
	} else {
		domain = pick(r, personalDomains)
		local = []string{f + "." + l, f + l, fmt.Sprintf("%s.%s%02d", f, l, r.IntN(100)), f + "_" + l, fmt.Sprintf("%s%s%d", f[:1], l, 1950+r.IntN(56))}[weighted(r, []float64{35, 20, 20, 10, 15})]
	}
	for try := 0; ; try++ {
		e := local + "@" + domain
		if try > 0 {
			e = fmt.Sprintf("%s%d@%s", local, 1+r.IntN(10+10*try*try), domain)
		}
		if c.g.claim(e) {
			return e
		}
	}
}

// base names the customer in deal names.
func (c *contactGen) base() string {
	if c.acct != nil {
		return c.acct.name
	}
	return c.fullName
}

// newDeal appends a deal with line items worth about the contact's usual
// order and returns its index.
func (c *contactGen) newDeal(status deal.Status, stage pulid.ID, created time.Time, closed *time.Time, expected time.Time, name string) int {
	r := c.r
	id := c.g.newID("deal", created)
	value := gammaMean(r, spendShape, c.spend)
	amount, cost, main := c.lines(id, value, created)
	if name == "" {
		name = c.base() + " - " + c.g.products[main].short
	}
	updated := created
	if closed != nil {
		updated = *closed
	}
	d := dealRow{
		id: id, name: name, amount: money.FromCents(amount), cost: money.FromCents(cost), currency: c.g.currency,
		status: status, expectedCloseDate: ptr(midnight(expected)), closedAt: closed, stageID: stage,
		contactID: c.row.id, ownerID: c.row.ownerID, createdAt: created, updatedAt: updated,
	}
	if c.acct != nil {
		d.accountID = ptr(c.acct.id)
	}
	c.out.deals = append(c.out.deals, d)
	c.seen(updated)
	return len(c.out.deals) - 1
}

var (
	lineCountWeights = []float64{40, 30, 20, 10}
	bigDiscounts     = []int{0, 5, 10, 15, 20}
	bigDiscountW     = []float64{30, 25, 25, 12, 8}
	smallDiscounts   = []int{0, 5, 10}
	smallDiscountW   = []float64{75, 15, 10}
)

// lines appends one to four line items to deal id, worth about value
// dollars in total, and returns their exact total and cost in cents and the
// index of the main product. Prices are whole dollars, so a line's total,
// quantity × unit price × (100 − discount)/100, is exact in cents.
func (c *contactGen) lines(id pulid.ID, value float64, created time.Time) (amount, cost int64, main int) {
	g, r := c.g, c.r
	k := 1 + weighted(r, lineCountWeights)
	shares := make([]float64, k)
	var sum float64
	for j := range shares {
		shares[j] = r.ExpFloat64()
		sum += shares[j]
	}
	used := make([]int, 0, k)
	best := int64(-1)
	for j := 0; j < k; j++ {
		p := -1
		for try := 0; try < 4; try++ {
			q := weighted(r, g.productW)
			if len(c.favorites) > 0 && chance(r, 0.7) {
				q = pick(r, c.favorites)
			}
			if !contains(used, q) {
				p = q
				break
			}
		}
		if p < 0 {
			continue
		}
		used = append(used, p)
		prod := &g.products[p]
		qty := int(math.Round(value * shares[j] / sum / float64(prod.product.price)))
		qty = min(max(qty, 1), 250)
		gross := int64(qty) * prod.price
		disc := smallDiscounts[weighted(r, smallDiscountW)]
		if gross >= 1_000_000 {
			disc = bigDiscounts[weighted(r, bigDiscountW)]
		}
		total := gross * int64(100-disc) / 100
		amount += total
		cost += int64(qty) * prod.unitCost
		if total > best {
			best, main = total, p
		}
		c.out.lineItems = append(c.out.lineItems, lineItemRow{
			id: c.g.newID("li", created), dealID: id, productID: prod.id, name: prod.name, quantity: qty,
			unitPrice: money.FromCents(prod.price), unitCost: money.FromCents(prod.unitCost),
			discountPercent: float64(disc), createdAt: created,
		})
	}
	if len(c.favorites) == 0 {
		c.favorites = used
	}
	return amount, cost, main
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// seen records that something happened to the contact at t.
func (c *contactGen) seen(t time.Time) {
	if t.After(c.latest) && t.Before(c.g.now) {
		c.latest = t
	}
}

// purchase adds the k-th purchase, closed at t: a won deal in the New
// business pipeline for the first, in Renewals for the next, with the
// activities that led to it and sometimes a support ticket after it.
func (c *contactGen) purchase(k int, t time.Time) {
	g, r := c.g, c.r
	pl := &g.newBiz
	cycle := days(3 + gammaMean(r, 2, 18))
	name := ""
	if k > 0 {
		pl = &g.renewals
		cycle = days(1 + r.ExpFloat64()*6)
		name = fmt.Sprintf("%s - Order %s", c.base(), t.Format("Jan 2006"))
	}
	created := t.Add(-cycle)
	if !created.After(c.b.created) {
		created = c.b.created.Add(time.Duration(1+r.IntN(3600)) * time.Second)
	}
	closed := t
	idx := c.newDeal(deal.StatusWON, pl.won, created, &closed, t.Add(days(uniform(r, -10, 5))), name)
	d := &c.out.deals[idx]
	d.externalID = ptr(fmt.Sprintf("SO-%07d-%03d", c.index+1, k+1))
	c.won = append(c.won, wonRef{deal: idx, closed: t})
	c.wonTotal += int64(d.amount)
	if k == 0 && c.b.acq != nil && t.Sub(c.b.created) < 90*24*time.Hour {
		d.sourceCampaignID = ptr(c.b.acq.id)
	}
	if k == 0 {
		c.salesSteps(idx, created, t, 1+weighted(r, []float64{15, 30, 35, 20}))
	} else if chance(r, 0.35) {
		c.activity(activity.TypeEMAIL, "Send quote for the next order", "", ptr(idx), atOfficeHour(r, t.Add(-days(uniform(r, 1, 5))), true), true)
	}
	if chance(r, 0.12) {
		c.ticket(t.Add(days(uniform(r, 1, 60))), false)
	}
}
