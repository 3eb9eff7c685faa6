package demo

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// history is how far back the data goes.
const history = 730 * 24 * time.Hour

// contactsPerChunk is the number of contacts generated and written per
// transaction through ent, and bulkContactsPerChunk in bulk.
const (
	contactsPerChunk     = 1000
	bulkContactsPerChunk = 2000
)

// bulkWriters is the number of chunks written at once in bulk on
// PostgreSQL, each on its own connection. The server checks the foreign
// keys and updates the indexes of each chunk in that connection's process,
// which takes most of a load's time: writing chunks side by side spreads
// it over the server's cores, and one more than two keeps two cores busy
// while a chunk waits for a commit or for the contacts it refers to.
// SQLite has a single writer.
const bulkWriters = 3

// stageInfo and pipelineInfo keep the IDs of the pipelines' stages.
type pipelineInfo struct {
	won, lost pulid.ID
	open      []pulid.ID  // open stages, in order
	openW     []float64   // how many open deals sit in each open stage
	name      string      // for deal names
	stages    []stageInfo // all stages, in order
}

type stageInfo struct {
	name        string
	probability float64
	won, lost   bool
}

// productInfo is a catalog product with its ID.
type productInfo struct {
	product
	id       pulid.ID
	short    string // name without the packaging ("Analytics Suite")
	price    int64  // cents
	unitCost int64  // cents
}

// campaignKind refines a campaign's channel.
type campaignKind uint8

const (
	kindNewsletter campaignKind = iota
	kindPromo
	kindSMS
	kindWebinar
	kindSeminar
	kindExhibition
	kindEvent
	kindSocial
	kindAds
	kindReferral
)

// campaignInfo is what contacts need to know about a campaign.
type campaignInfo struct {
	id       pulid.ID
	kind     campaignKind
	channel  campaign.Channel
	status   campaign.Status
	start    time.Time // starts_at
	end      time.Time // ends_at
	sendAt   time.Time // when messages or invitations went out; zero if none
	eventAt  time.Time // when the webinar, seminar, show or event took place
	sendHour int
}

// hasEvent reports whether people attend the campaign.
func (c *campaignInfo) hasEvent() bool {
	return c.kind == kindWebinar || c.kind == kindSeminar || c.kind == kindExhibition || c.kind == kindEvent
}

// accountInfo is what contacts need to know about an account.
type accountInfo struct {
	id      pulid.ID
	name    string
	domain  string
	created time.Time
	owner   *pulid.ID
	size    float64 // spend multiplier of the account's customers
	stage   account.LifecycleStage
}

// generator produces the demo data of one Seed call.
type generator struct {
	seed      uint64
	nonce     uint64         // random per run: makes contact IDs unique across runs
	ids       *mrand.ChaCha8 // entropy of the other IDs, seeded per run
	now       time.Time
	start     time.Time
	contacts  int
	nAccounts int
	rate      float64 // purchase-rate multiplier, calibrated to Options.Deals
	deals     int     // Options.Deals
	batchSize int
	chunk     int  // contacts per chunk
	writers   int  // chunks written at once
	lean      bool // Options.Lean
	currency  string
	owners    []pulid.ID
	progress  func(done, total int)

	newBiz, renewals pipelineInfo
	products         []productInfo
	productW         []float64
	campaigns        []*campaignInfo
	referral         *campaignInfo
	nps, csat        pulid.ID
	npsWaves         []time.Time
	accounts         []accountInfo
	emails           map[uint64]struct{} // hashes of the emails used
}

func newGenerator(opt Options, currency string, owners []pulid.ID) *generator {
	g := &generator{
		seed:      uint64(opt.Seed),
		now:       opt.Now.UTC(),
		contacts:  opt.Contacts,
		nAccounts: opt.Accounts,
		batchSize: opt.BatchSize,
		currency:  currency,
		owners:    owners,
		progress:  opt.Progress,
		rate:      1,
		chunk:     contactsPerChunk,
		writers:   1,
		lean:      opt.Lean,
	}
	if g.now.IsZero() {
		g.now = midnight(time.Now())
	}
	g.start = g.now.Add(-history)
	if g.contacts == 0 {
		g.contacts = 1000
	}
	if g.nAccounts == 0 {
		g.nAccounts = max(1, g.contacts/10)
	}
	g.deals = opt.Deals
	if g.batchSize == 0 {
		g.batchSize = 500
	}
	// SQLite binds at most 32766 variables per statement; the widest table
	// written has fewer than 25 columns.
	g.batchSize = min(g.batchSize, 1300)
	var b [40]byte
	_, _ = rand.Read(b[:])
	g.nonce = binary.LittleEndian.Uint64(b[:8])
	g.ids = mrand.NewChaCha8([32]byte(b[8:]))
	g.emails = make(map[uint64]struct{}, g.contacts)
	return g
}

// run generates every row and writes it to s, counting into st. Rows are
// generated on the calling goroutine and written on g.writers others, so
// that the database works while the next chunk is generated.
func (g *generator) run(ctx context.Context, s sink, st *Stats) error {
	w := startWriter(ctx, s, g.writers, st, g.contacts, g.progress)
	b := w.batch()
	g.catalog(b)
	g.schedule(b)
	if g.deals > 0 {
		g.calibrate(g.deals)
	}
	if !w.send(b, 0, 0) {
		return w.wait()
	}
	b = w.batch()
	r := newRand(g.seed, streamAccounts, 0)
	for a := 0; a < g.nAccounts; a++ {
		b.accounts = append(b.accounts, g.account(r, a))
		if len(b.accounts) == 5000 || a == g.nAccounts-1 {
			// Accounts come after the catalog.
			if !w.send(b, 1, 0) {
				return w.wait()
			}
			b = w.batch()
		}
	}
	// Contacts come after every account, and after the contacts who
	// referred them. first is the position of the first chunk among the
	// batches; start is the index of the chunk's first contact.
	first := w.sent
	start, referred := 0, -1
	for i := 0; i < g.contacts; i++ {
		if j := g.contact(i, b); j < start {
			referred = max(referred, j)
		}
		if (i+1)%g.chunk == 0 || i == g.contacts-1 {
			if g.lean {
				b.lean()
			}
			after := first
			if referred >= 0 {
				after = first + referred/g.chunk + 1
			}
			if !w.send(b, after, i+1-start) {
				return w.wait()
			}
			b = w.batch()
			start, referred = i+1, -1
		}
	}
	if err := w.wait(); err != nil {
		return err
	}
	// Accounts with a customer are customers; with an open deal,
	// opportunities.
	for _, stage := range []account.LifecycleStage{account.LifecycleStageCUSTOMER, account.LifecycleStageOPPORTUNITY} {
		var ids []pulid.ID
		for a := range g.accounts {
			if g.accounts[a].stage == stage {
				ids = append(ids, g.accounts[a].id)
			}
		}
		if err := s.setAccountStages(ctx, stage, ids, g.now.Add(-time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// otherDealsPerContact is the average number of lost and open deals per
// contact, which do not depend on the purchase rate.
const otherDealsPerContact = 0.36

// calibrate sets the purchase-rate multiplier so that there are about
// deals deals: it bisects on the average number of purchases of a sample
// of contacts, whose purchases grow with the rate.
func (g *generator) calibrate(deals int) {
	target := math.Max(0.05, float64(deals)/float64(g.contacts)-otherDealsPerContact)
	sample := min(g.contacts, 2000)
	purchases := func(rate float64) float64 {
		g.rate = rate
		n := 0
		for k := 0; k < sample; k++ {
			n += len(g.basics(k * g.contacts / sample).purchases)
		}
		return float64(n) / float64(sample)
	}
	lo, hi := math.Log(0.02), math.Log(50)
	for range 25 {
		mid := (lo + hi) / 2
		if purchases(math.Exp(mid)) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	g.rate = math.Exp((lo + hi) / 2)
}

// owner returns one of the users, or nil when there are none.
func (g *generator) owner(r *mrand.Rand) *pulid.ID {
	if len(g.owners) == 0 {
		return nil
	}
	return ptr(g.owners[r.IntN(len(g.owners))])
}

// catalog adds the pipelines, products and surveys.
func (g *generator) catalog(b *batch) {
	r := newRand(g.seed, streamCatalog, 0)
	setupAt := g.start.Add(-7 * 24 * time.Hour)
	pipeline := func(name string, isDefault bool, stages []stageInfo, openW []float64) pipelineInfo {
		p := pipelineRow{id: g.newID("pip", setupAt), name: name, isDefault: isDefault, createdAt: setupAt}
		b.pipelines = append(b.pipelines, p)
		info := pipelineInfo{name: name, stages: stages, openW: openW}
		for i, s := range stages {
			id := g.newID("stg", setupAt)
			b.stages = append(b.stages, stageRow{id: id, pipelineID: p.id, name: s.name, position: i,
				probability: s.probability, isWon: s.won, isLost: s.lost, createdAt: setupAt})
			switch {
			case s.won:
				info.won = id
			case s.lost:
				info.lost = id
			default:
				info.open = append(info.open, id)
			}
		}
		return info
	}
	g.newBiz = pipeline("New business", true, []stageInfo{
		{"Qualification", 0.1, false, false}, {"Discovery", 0.2, false, false}, {"Proposal", 0.4, false, false},
		{"Negotiation", 0.7, false, false}, {"Closed Won", 1, true, false}, {"Closed Lost", 0, false, true},
	}, []float64{35, 25, 25, 15})
	g.renewals = pipeline("Renewals", false, []stageInfo{
		{"Renewal due", 0.6, false, false}, {"Quote sent", 0.8, false, false},
		{"Closed Won", 1, true, false}, {"Closed Lost", 0, false, true},
	}, []float64{55, 45})

	for _, p := range catalog {
		margin := uniform(r, 0.30, 0.70)
		info := productInfo{
			product:  p,
			id:       g.newID("prd", setupAt),
			short:    shortName(p.name),
			price:    p.price * 100,
			unitCost: roundCents(float64(p.price) * (1 - margin)),
		}
		g.products = append(g.products, info)
		g.productW = append(g.productW, p.weight)
		b.products = append(b.products, productRow{id: info.id, name: p.name, sku: p.sku, description: p.description,
			price: money.FromCents(info.price), unitCost: money.FromCents(info.unitCost), active: true, createdAt: setupAt})
	}

	g.nps = g.newID("srv", setupAt)
	g.csat = g.newID("srv", setupAt)
	b.surveys = append(b.surveys,
		surveyRow{id: g.nps, name: "Customer NPS", kind: survey.KindNPS, createdAt: setupAt, questions: []string{
			"How likely are you to recommend us to a friend or colleague?", "What is the main reason for your score?"}},
		surveyRow{id: g.csat, name: "Support satisfaction", kind: survey.KindCSAT, createdAt: setupAt, questions: []string{
			"How satisfied are you with the support you received?", "Anything we could have done better?"}},
	)
	for w := g.start.Add(91 * 24 * time.Hour); w.Before(g.now); w = w.Add(91 * 24 * time.Hour) {
		g.npsWaves = append(g.npsWaves, w)
	}
}

// shortName drops the packaging from a product name: "Analytics Suite -
// Annual License" becomes "Analytics Suite".
func shortName(s string) string {
	if i := strings.Index(s, " - "); i > 0 {
		return s[:i]
	}
	if i := strings.Index(s, " ("); i > 0 {
		return s[:i]
	}
	return s
}

// schedule adds two years of campaigns and a few planned ones: a monthly
// newsletter, quarterly promotions, SMS blasts, webinars, seminars, trade
// shows, customer events, social and search-ads campaigns, and a referral
// programme running throughout.
func (g *generator) schedule(b *batch) {
	r := newRand(g.seed, streamCampaigns, 0)
	// Budgets grow with the size of the customer base, sublinearly.
	budgetScale := math.Pow(math.Max(0.25, float64(g.contacts)/1000), 0.8)
	seasons := []string{"Winter", "Winter", "Spring", "Spring", "Spring", "Summer", "Summer", "Summer", "Autumn", "Autumn", "Autumn", "Winter"}
	add := func(c *campaignInfo, name, description string, budget float64) {
		c.channel = channelOf[c.kind]
		switch {
		case c.start.After(g.now):
			c.status = campaign.StatusPLANNED
		case c.end.After(g.now):
			c.status = campaign.StatusACTIVE
		default:
			c.status = campaign.StatusCOMPLETED
		}
		budgetCents := roundCents(math.Round(budget*budgetScale/10) * 10)
		var cost int64
		switch c.status {
		case campaign.StatusCOMPLETED:
			cost = roundCents(math.Round(float64(budgetCents) / 100 * uniform(r, 0.8, 1.15)))
		case campaign.StatusACTIVE:
			elapsed := float64(g.now.Sub(c.start)) / float64(c.end.Sub(c.start))
			cost = roundCents(math.Round(float64(budgetCents) / 100 * elapsed * uniform(r, 0.9, 1.1)))
		}
		created := c.start.Add(-time.Duration(14+r.IntN(30)) * 24 * time.Hour)
		if !created.Before(g.now) {
			created = g.now.Add(-time.Duration(1+r.IntN(72)) * time.Hour)
		}
		updated := created
		if c.status != campaign.StatusPLANNED {
			updated = clampBefore(r, laterOf(c.start, c.end), g.now)
		}
		c.id = g.newID("cmp", created)
		b.campaigns = append(b.campaigns, campaignRow{id: c.id, name: name, channel: c.channel, status: c.status,
			budget: money.FromCents(budgetCents), actualCost: money.FromCents(cost), startsAt: c.start, endsAt: c.end,
			description: description, createdAt: created, updatedAt: updated})
		if c.kind == kindReferral {
			g.referral = c
		} else {
			g.campaigns = append(g.campaigns, c)
		}
	}
	at := func(day time.Time, hour int) time.Time { return day.Add(time.Duration(hour) * time.Hour) }
	sendHours := []int{7, 8, 9, 10, 11, 13, 14, 16, 18, 19, 20}

	add(&campaignInfo{kind: kindReferral, start: g.start.Add(-30 * 24 * time.Hour), end: g.now.AddDate(1, 0, 0)},
		"Customer referral programme", "Customers who refer a new customer get a month free.", 24000)

	first := time.Date(g.start.Year(), g.start.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := g.now.AddDate(0, 3, 0)
	seminars, topic := 0, r.IntN(len(campaignTopics))
	for m, month := 0, first; month.Before(last); m, month = m+1, month.AddDate(0, 1, 0) {
		label := month.Format("January 2006")
		// Newsletter: second Tuesday of the month.
		d := nthWeekday(month, time.Tuesday, 2)
		h := pick(r, sendHours)
		if !d.Before(g.start) {
			add(&campaignInfo{kind: kindNewsletter, start: at(d, h), end: at(d, h).AddDate(0, 0, 14), sendAt: at(d, h), sendHour: h},
				"Newsletter - "+label, "Monthly product news, tips and customer stories.", uniform(r, 500, 1500))
		}
		if m%3 == 1 {
			d := nthWeekday(month, time.Thursday, 1)
			h := pick(r, sendHours)
			if !d.Before(g.start) {
				add(&campaignInfo{kind: kindPromo, start: at(d, h), end: at(d, h).AddDate(0, 0, 21), sendAt: at(d, h), sendHour: h},
					fmt.Sprintf("%s offer %d", seasons[month.Month()-1], month.Year()), "Seasonal discount on annual licenses for existing and new customers.", uniform(r, 1000, 3000))
			}
		}
		if m%4 == 2 {
			d := nthWeekday(month, time.Wednesday, 3)
			h := pick(r, sendHours)
			if !d.Before(g.start) {
				add(&campaignInfo{kind: kindSMS, start: at(d, h), end: at(d, h).AddDate(0, 0, 3), sendAt: at(d, h), sendHour: h},
					"SMS flash sale - "+label, "48-hour flash sale announced by text message.", uniform(r, 800, 2500))
			}
		}
		if m%2 == 0 {
			ev := at(nthWeekday(month, time.Thursday, 3), 15)
			send := at(midnight(ev.AddDate(0, 0, -21)), 10)
			if !send.Before(g.start) {
				t := campaignTopics[topic%len(campaignTopics)]
				topic++
				add(&campaignInfo{kind: kindWebinar, start: send, end: ev.Add(time.Hour), sendAt: send, eventAt: ev, sendHour: 10},
					"Webinar: "+t, "A one-hour live webinar with Q&A: "+t+".", uniform(r, 2000, 6000))
			}
		}
		if m%4 == 3 {
			ev := at(nthWeekday(month, time.Tuesday, 2), 9)
			send := at(midnight(ev.AddDate(0, 0, -30)), 9)
			if !send.Before(g.start) {
				seminars++
				t, city := campaignTopics[topic%len(campaignTopics)], pick(r, eventCities)
				topic++
				c := &campaignInfo{kind: kindSeminar, start: send, end: ev.Add(6 * time.Hour), sendAt: send, eventAt: ev, sendHour: 9}
				add(c, fmt.Sprintf("Seminar: %s (%s)", t, city), "A half-day seminar with workshops and lunch.", uniform(r, 8000, 20000))
				if seminars == 2 && c.status == campaign.StatusCOMPLETED {
					// One seminar was called off before the invitations went out.
					row := &b.campaigns[len(b.campaigns)-1]
					row.status, row.actualCost = campaign.StatusCANCELLED, money.FromCents(roundCents(math.Round(float64(row.budget)/100*uniform(r, 0, 0.15))))
					c.status = campaign.StatusCANCELLED
				}
			}
		}
		if m%6 == 4 {
			ev := at(nthWeekday(month, time.Tuesday, 2), 9)
			if !ev.Before(g.start) {
				city := pick(r, eventCities)
				add(&campaignInfo{kind: kindExhibition, start: ev, end: ev.AddDate(0, 0, 3), sendAt: at(midnight(ev.AddDate(0, 0, -14)), 11), eventAt: ev, sendHour: 11},
					fmt.Sprintf("Trade show: Business Tech Expo %s %d", city, ev.Year()), "Our booth at the regional business technology expo.", uniform(r, 25000, 60000))
			}
		}
		if m%6 == 1 {
			ev := at(nthWeekday(month, time.Wednesday, 4), 13)
			send := at(midnight(ev.AddDate(0, 0, -45)), 14)
			if !send.Before(g.start) {
				city := pick(r, eventCities)
				add(&campaignInfo{kind: kindEvent, start: send, end: ev.Add(8 * time.Hour), sendAt: send, eventAt: ev, sendHour: 14},
					fmt.Sprintf("Customer Summit %s %d", city, ev.Year()), "Our yearly customer conference: roadmap, talks and networking.", uniform(r, 30000, 80000))
			}
		}
		if (month.Month()-1)%3 == 0 || m == 0 {
			qStart := time.Date(month.Year(), (month.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
			q := (int(month.Month())-1)/3 + 1
			s := laterOf(qStart, g.start)
			add(&campaignInfo{kind: kindAds, start: s, end: qStart.AddDate(0, 3, 0)},
				fmt.Sprintf("Search ads Q%d %d", q, month.Year()), "Search and display ads driving sign-ups to the free trial.", uniform(r, 15000, 40000))
			if ss, se := s.AddDate(0, 0, 7), qStart.AddDate(0, 2, 7); ss.Before(se) {
				add(&campaignInfo{kind: kindSocial, start: ss, end: se},
					fmt.Sprintf("Social: LinkedIn awareness Q%d %d", q, month.Year()), "Sponsored posts and lead forms on social networks.", uniform(r, 5000, 15000))
			}
		}
	}
	sort.SliceStable(g.campaigns, func(i, j int) bool { return g.campaigns[i].start.Before(g.campaigns[j].start) })
}

var channelOf = map[campaignKind]campaign.Channel{
	kindNewsletter: campaign.ChannelEMAIL, kindPromo: campaign.ChannelEMAIL, kindSMS: campaign.ChannelSMS,
	kindWebinar: campaign.ChannelWEBINAR, kindSeminar: campaign.ChannelSEMINAR, kindExhibition: campaign.ChannelEXHIBITION,
	kindEvent: campaign.ChannelEVENT, kindSocial: campaign.ChannelSOCIAL, kindAds: campaign.ChannelADS,
	kindReferral: campaign.ChannelREFERRAL,
}

// nthWeekday returns the n-th given weekday of month's month.
func nthWeekday(month time.Time, wd time.Weekday, n int) time.Time {
	d := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}

// growth is the quantile function of the time at which records are
// created: the business grows, so the creation rate rises linearly to 2.5
// times its initial value over the two years. It maps [0,1) to [0,1).
func growth(c float64) float64 {
	const k = 1.5
	return (-1 + math.Sqrt(1+2*k*c*(1+k/2))) / k
}

// createdAt returns the creation day of the record at fraction c of the
// history.
func (g *generator) createdAt(c float64) time.Time {
	return midnight(g.start.Add(time.Duration(growth(c) * float64(history))))
}

// account returns the a-th account. Accounts are created in order over
// the history.
func (g *generator) account(r *mrand.Rand, a int) accountRow {
	created := g.createdAt((float64(a) + 0.5) / float64(g.nAccounts)).Add(8*time.Hour + time.Duration(r.IntN(3600))*time.Second)
	ind := industries[weighted(r, industryWeights)]
	var name, domain string
	for try := 0; ; try++ {
		f, s := pick(r, companyFirst), pick(r, companySecond)
		if f == s {
			continue
		}
		name = f + " " + s + " " + pick(r, ind.words)
		domain = slug(name, "-") + ".example"
		if try >= 5 {
			domain = fmt.Sprintf("%s-%d.example", slug(name, "-"), a+1)
		}
		if g.claim("account:" + domain) {
			break
		}
	}
	employees := int(math.Min(200000, math.Max(1, math.Round(lognormal(r, math.Log(60), 1.5)))))
	revenue := float64(employees) * ind.revPerEmp * lognormal(r, 0, 0.3)
	band := "smb"
	switch {
	case employees >= 1000:
		band = "enterprise"
	case employees >= 100:
		band = "mid-market"
	}
	tags := []string{band}
	if chance(r, 0.08) {
		tags = append(tags, "partner")
	}
	if employees >= 1000 && chance(r, 0.3) {
		tags = append(tags, "strategic")
	}
	reg := regions[weighted(r, regionWeights)]
	owner := g.owner(r)
	info := accountInfo{
		id: g.newID("acc", created), name: name, domain: domain, created: created, owner: owner,
		size:  math.Min(4, math.Max(0.5, math.Pow(float64(employees)/60, 0.25))),
		stage: account.LifecycleStageLEAD,
	}
	g.accounts = append(g.accounts, info)
	return accountRow{
		id: info.id, name: name, domain: domain, industry: ind.name, employees: employees,
		annualRevenue:  money.FromCents(roundCents(math.Round(revenue/1000) * 1000)),
		lifecycleStage: account.LifecycleStageLEAD, ownerID: owner, tags: tags,
		customFields: map[string]any{"region": reg.name, "country": pick(r, reg.countries)},
		createdAt:    created,
	}
}

var regionWeights = func() []float64 {
	w := make([]float64, len(regions))
	for i, r := range regions {
		w[i] = r.weight
	}
	return w
}()

// claim reserves a unique string (an email or a domain) and reports
// whether it was free. Only a 64-bit hash is kept, so a million contacts
// cost a few megabytes; a hash collision merely makes a free string look
// taken.
func (g *generator) claim(s string) bool {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h = mix(h)
	if _, ok := g.emails[h]; ok {
		return false
	}
	g.emails[h] = struct{}{}
	return true
}

// slug lower-cases s and keeps its letters and digits, joining words with
// sep.
func slug(s, sep string) string {
	var sb strings.Builder
	pending := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if pending && sb.Len() > 0 {
				sb.WriteString(sep)
			}
			pending = false
			sb.WriteRune(c)
		case c == '\'':
		default:
			pending = true
		}
	}
	return sb.String()
}
