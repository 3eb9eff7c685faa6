package demo

import (
	"math"
	"time"

	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/activity"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/campaignmember"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/ticket"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// otherDeals adds lost and open deals: prospects who got as far as a deal,
// buyers whose first order is still open, lapsed customers' lost renewals,
// and renewals and upsells in progress.
func (c *contactGen) otherDeals(bought bool) {
	g, r := c.g, c.r
	switch {
	case !c.b.buyer:
		switch u := r.Float64(); {
		case u < 0.35:
			created := atOfficeHour(r, c.b.created.Add(days(1)+expDays(r, 10)), true)
			closed := atOfficeHour(r, created.Add(days(7+gammaMean(r, 2, 25))), true)
			if closed.Before(g.now) {
				c.lostDeal(&g.newBiz, created, closed, pick(r, lostReasons))
			} else if created.Before(g.now) {
				c.openDeal(&g.newBiz, created, "")
			}
		case u < 0.50:
			c.openDeal(&g.newBiz, c.recent(), "")
		}
	case !bought:
		// Would-be buyers whose first order is not closed yet.
		c.openDeal(&g.newBiz, c.recent(), "")
	case c.b.kind == lapsed:
		if chance(r, 0.6) && len(c.won) > 0 {
			last := c.won[len(c.won)-1].closed
			created := atOfficeHour(r, last.Add(days(uniform(r, 20, 50))), true)
			closed := atOfficeHour(r, created.Add(days(uniform(r, 10, 30))), true)
			if closed.Before(g.now) {
				c.lostDeal(&g.renewals, created, closed, pick(r, churnReasons))
			}
		}
	default:
		if chance(r, 0.08) && len(c.won) > 0 {
			from := c.won[0].closed
			created := atOfficeHour(r, from.Add(time.Duration(r.Float64()*float64(g.now.Sub(from)))), true)
			closed := atOfficeHour(r, created.Add(days(uniform(r, 10, 45))), true)
			if closed.Before(g.now) {
				c.lostDeal(&g.newBiz, created, closed, pick(r, lostReasons))
			}
		}
		last := c.won[len(c.won)-1].closed
		switch {
		case c.b.kind == loyal && chance(r, 0.35),
			c.b.kind == regular && g.now.Sub(last) < 150*24*time.Hour && chance(r, 0.15):
			c.openDeal(&g.renewals, c.recent(), c.base()+" - Renewal "+g.now.AddDate(0, 1, 0).Format("Jan 2006"))
		case c.b.kind == oneTime && chance(r, 0.10):
			c.openDeal(&g.newBiz, c.recent(), "")
		}
	}
}

// recent returns a time in the last three months, after the contact was
// created.
func (c *contactGen) recent() time.Time {
	r := c.r
	t := atOfficeHour(r, c.g.now.Add(-days(uniform(r, 2, 90))), true)
	if !t.After(c.b.created) {
		t = c.b.created.Add(time.Duration(1+r.IntN(7200)) * time.Second)
	}
	return clampBefore(r, t, c.g.now)
}

func (c *contactGen) lostDeal(pl *pipelineInfo, created, closed time.Time, reason string) {
	r := c.r
	if !created.After(c.b.created) {
		created = c.b.created.Add(time.Hour)
	}
	idx := c.newDeal(deal.StatusLOST, pl.lost, created, &closed, created.Add(days(uniform(r, 20, 60))), "")
	c.out.deals[idx].lostReason = reason
	c.lost++
	if pl == &c.g.newBiz {
		c.salesSteps(idx, created, closed, 1+weighted(r, []float64{35, 35, 20, 10}))
	}
}

func (c *contactGen) openDeal(pl *pipelineInfo, created time.Time, name string) {
	g, r := c.g, c.r
	stage := pl.open[weighted(r, pl.openW)]
	idx := c.newDeal(deal.StatusOPEN, stage, created, nil, g.now.Add(days(uniform(r, 5, 120))), name)
	c.open++
	steps := 0
	if pl == &g.newBiz {
		for i, id := range pl.open {
			if id == stage {
				steps = i + 1
			}
		}
	}
	c.salesSteps(idx, created, g.now, min(steps, 3))
	// The next step: mostly planned, sometimes overdue.
	did := ptr(idx)
	if chance(r, 0.85) {
		subject := []string{"Follow up with " + c.row.firstName + " on the proposal", "Check in with " + c.row.firstName, "Prepare renewal quote"}[r.IntN(3)]
		c.activity(activity.TypeTASK, subject, "", did, atOfficeHour(r, g.now.Add(days(uniform(r, 1, 14))), true), false)
	} else {
		c.activity(activity.TypeCALL, "Call "+c.row.firstName+" about next steps", "", did, clampBefore(r, atOfficeHour(r, g.now.Add(-days(uniform(r, 1, 10))), true), g.now), false)
	}
}

// salesSteps adds the first n completed steps of a sale (intro call,
// discovery meeting, proposal, negotiation) evenly spread between from and
// to.
func (c *contactGen) salesSteps(dealIdx int, from, to time.Time, n int) {
	r := c.r
	steps := []struct {
		typ     activity.Type
		subject string
	}{
		{activity.TypeCALL, "Intro call with " + c.row.firstName},
		{activity.TypeMEETING, "Discovery meeting: " + c.base()},
		{activity.TypeEMAIL, "Send proposal to " + c.row.firstName},
		{activity.TypeCALL, "Negotiate terms with " + c.row.firstName},
	}
	span := to.Sub(from)
	for j := 0; j < n && j < len(steps); j++ {
		at := from.Add(span * time.Duration(j+1) / time.Duration(n+1))
		if steps[j].typ == activity.TypeCALL && c.prefHour >= 8 && c.prefHour <= 18 && chance(r, 0.6) {
			at = midnight(at).Add(time.Duration(c.prefHour)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
		} else {
			at = atOfficeHour(r, at, true)
		}
		if !at.After(from) || !at.Before(c.g.now) {
			continue
		}
		body := ""
		if chance(r, 0.3) {
			body = pick(r, activityNotes)
		}
		c.activity(steps[j].typ, steps[j].subject, body, ptr(dealIdx), at, true)
	}
}

// activity appends an activity due at due, about the contact and, when
// dealIdx is set, about that deal.
func (c *contactGen) activity(typ activity.Type, subject, body string, dealIdx *int, due time.Time, done bool) {
	g, r := c.g, c.r
	a := activityRow{typ: typ, subject: subject, body: body, dueAt: ptr(due), assigneeID: c.row.ownerID, contactID: c.row.id}
	if c.acct != nil {
		a.accountID = ptr(c.acct.id)
	}
	if dealIdx != nil {
		d := &c.out.deals[*dealIdx]
		a.dealID = ptr(d.id)
		a.assigneeID = d.ownerID
	}
	if done {
		completed := due.Add(time.Duration(5+r.IntN(55)) * time.Minute)
		if !completed.Before(g.now) {
			return
		}
		a.completedAt = &completed
		a.createdAt = due.Add(-days(uniform(r, 0, 3)))
		a.updatedAt = completed
		if typ != activity.TypeTASK && typ != activity.TypeNOTE && completed.After(c.touched) {
			c.touched = completed
		}
		c.seen(completed)
	} else {
		a.createdAt = g.now.Add(-days(uniform(r, 0.1, 5)))
		if a.createdAt.After(due) {
			a.createdAt = due.Add(-days(uniform(r, 1, 5)))
		}
		a.updatedAt = a.createdAt
	}
	if !a.createdAt.After(c.b.created) {
		a.createdAt = c.b.created.Add(time.Minute)
	}
	if a.updatedAt.Before(a.createdAt) {
		a.updatedAt = a.createdAt
	}
	a.id = c.g.newID("act", a.createdAt)
	c.out.activities = append(c.out.activities, a)
}

// resolutionHours is the median time to resolve a ticket, by priority.
var resolutionHours = map[ticket.Priority]float64{
	ticket.PriorityLOW: 72, ticket.PriorityNORMAL: 30, ticket.PriorityHIGH: 10, ticket.PriorityURGENT: 4,
}

// ticket appends a support ticket opened around at; bad tickets (of
// customers about to lapse) are urgent and slow to resolve. Resolved
// tickets sometimes get a CSAT response.
func (c *contactGen) ticket(at time.Time, bad bool) {
	g, r := c.g, c.r
	opened := at
	if chance(r, 0.8) {
		opened = atOfficeHour(r, at, true)
	} else {
		opened = midnight(at).Add(time.Duration(r.IntN(86400)) * time.Second)
	}
	if !opened.Before(g.now) || !opened.After(c.b.created) {
		return
	}
	prio := []ticket.Priority{ticket.PriorityLOW, ticket.PriorityNORMAL, ticket.PriorityHIGH, ticket.PriorityURGENT}[weighted(r, []float64{25, 50, 20, 5})]
	if bad {
		prio = []ticket.Priority{ticket.PriorityHIGH, ticket.PriorityURGENT}[r.IntN(2)]
	}
	median := resolutionHours[prio]
	hours := median * lognormal(r, 0, 0.8)
	if bad {
		hours *= 6
	}
	resolved := opened.Add(time.Duration(hours*3600) * time.Second)
	work := math.Min(40, 0.25+hours*0.05*lognormal(r, 0, 0.5))
	t := ticketRow{
		subject: pick(r, ticketSubjects), priority: prio, openedAt: opened, contactID: c.row.id,
		assigneeID: c.g.owner(r), updatedAt: opened,
	}
	t.description = t.subject + " (reported by " + c.fullName + ")"
	if c.acct != nil {
		t.accountID = ptr(c.acct.id)
	}
	if resolved.Before(g.now) {
		t.resolvedAt, t.updatedAt = &resolved, resolved
		t.status = ticket.StatusCLOSED
		if chance(r, 0.25) {
			t.status = ticket.StatusRESOLVED
		}
		c.seen(resolved)
	} else {
		work = math.Min(work, 0.25+g.now.Sub(opened).Hours()*0.05)
		t.status = ticket.StatusOPEN
		if g.now.Sub(opened) > 48*time.Hour && chance(r, 0.6) {
			t.status = ticket.StatusPENDING
		}
	}
	t.costToServe = money.FromCents(roundCents(work * 45))
	t.id = c.g.newID("tkt", opened)
	c.out.tickets = append(c.out.tickets, t)
	c.seen(opened)

	if t.resolvedAt != nil && chance(r, 0.35) {
		base := 4.6
		if hours > median {
			base = 3.4
		}
		if bad {
			base = 1.8
		}
		if c.b.kind == loyal {
			base += 0.3
		}
		score := min(5, max(1, int(math.Round(base+0.8*r.NormFloat64()))))
		when := c.prefTime(resolved, 2)
		if when.Before(g.now) {
			comment := ""
			if chance(r, 0.35) {
				comment = pick(r, csatComments[score])
			}
			c.response(c.g.csat, score, comment, when)
		}
	}
}

func (c *contactGen) response(survey pulid.ID, score int, comment string, at time.Time) {
	c.out.responses = append(c.out.responses, responseRow{
		id: c.g.newID("rsp", at), surveyID: survey, contactID: c.row.id, score: score, comment: comment, submittedAt: at,
	})
	c.seen(at)
}

// npsClassWeights are the chances of a promoter, passive or detractor
// score by kind of customer.
var npsClassWeights = map[customerKind][]float64{
	loyal:   {72, 23, 5},
	regular: {42, 38, 20},
	oneTime: {20, 40, 40},
	lapsed:  {8, 27, 65},
}

// npsResponseRate is the share of NPS surveys answered, by kind of
// customer.
var npsResponseRate = map[customerKind]float64{loyal: 0.45, regular: 0.3, oneTime: 0.2, lapsed: 0.35}

// nps answers some of the quarterly NPS surveys sent to customers.
func (c *contactGen) nps(purchases []time.Time) {
	g, r := c.g, c.r
	if len(purchases) == 0 {
		return
	}
	for _, w := range g.npsWaves {
		if w.Before(purchases[0]) {
			continue
		}
		p := npsResponseRate[c.b.kind]
		if last := purchases[len(purchases)-1]; !c.b.alive && w.After(last.Add(60*24*time.Hour)) {
			p = 0.05
		}
		if !chance(r, p) {
			continue
		}
		var score int
		class := []string{"promoter", "passive", "detractor"}[weighted(r, npsClassWeights[c.b.kind])]
		switch class {
		case "promoter":
			score = 9 + weighted(r, []float64{40, 60})
		case "passive":
			score = 7 + r.IntN(2)
		default:
			score = weighted(r, []float64{1, 1, 2, 3, 4, 6, 8})
		}
		when := c.prefTime(w, 6)
		if !when.Before(g.now) {
			continue
		}
		comment := ""
		if chance(r, 0.35) {
			comment = pick(r, npsComments[class])
		}
		c.response(g.nps, score, comment, when)
	}
}

// prefTime returns a time after t, within about maxDays days, when the
// contact is likely to read or answer: mostly at their preferred hour and
// often on their preferred day of the week.
func (c *contactGen) prefTime(t time.Time, maxDays int) time.Time {
	r := c.r
	d := midnight(t)
	if !chance(r, 0.4) {
		d = d.AddDate(0, 0, 1+r.IntN(maxDays))
	}
	if chance(r, 0.6) {
		for d.Weekday() != c.prefDay {
			d = d.AddDate(0, 0, 1)
		}
	}
	h := c.prefHour
	if chance(r, 0.3) {
		h = weighted(r, contactHourWeights)
	}
	at := d.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
	for !at.After(t) {
		at = at.Add(24 * time.Hour)
	}
	return at
}

// convert finds the first purchase closed in (from, from+window] and
// credits it to the campaign: the purchase's deal gets the campaign as its source unless
// it has one. It returns the purchase time.
func (c *contactGen) convert(cp *campaignInfo, from time.Time, window time.Duration) (time.Time, bool) {
	for _, w := range c.won {
		if w.closed.After(from) && !w.closed.After(from.Add(window)) {
			d := &c.out.deals[w.deal]
			if d.sourceCampaignID == nil {
				d.sourceCampaignID = ptr(cp.id)
			}
			return w.closed, true
		}
	}
	return time.Time{}, false
}

// memberships adds the contact to the campaign that acquired it and to the
// campaigns that targeted it later.
func (c *contactGen) memberships() {
	g, r := c.g, c.r
	if c.b.acq != nil {
		c.acquired(c.b.acq)
	}
	customerSince := time.Time{}
	if len(c.won) > 0 {
		customerSince = c.won[0].closed
	}
	for _, cp := range g.campaigns {
		if cp.status == campaign.StatusCANCELLED || cp == c.b.acq {
			continue
		}
		ref := cp.sendAt
		if ref.IsZero() {
			ref = cp.start.Add(time.Duration(r.Float64()*cp.end.Sub(cp.start).Seconds()) * time.Second)
		}
		// Contacts are targeted once they exist, at most a month ahead.
		if ref.Before(c.b.created.Add(24*time.Hour)) || ref.After(g.now.Add(30*24*time.Hour)) {
			continue
		}
		var p float64
		switch cp.kind {
		case kindNewsletter:
			if c.row.newsletterOptIn {
				p = 0.96
			}
		case kindPromo:
			p = 0.3
		case kindSMS:
			if c.row.phone != "" {
				p = 0.15
			}
		case kindWebinar:
			p = 0.2
		case kindSeminar:
			p = 0.1
		case kindExhibition:
			p = 0.05
		case kindEvent:
			p = 0.04
			if !customerSince.IsZero() && customerSince.Before(ref) {
				p = 0.35
			}
		case kindSocial, kindAds:
			p = 0.03
		}
		if p > 0 && chance(r, p) {
			c.member(cp, ref)
		}
	}
}

// messageRates are the open and click rates of message campaigns for an
// average contact.
var messageRates = map[campaignKind][2]float64{
	kindNewsletter: {0.38, 0.18}, kindPromo: {0.30, 0.25}, kindSMS: {0.55, 0.20},
}

// attendRates are the shares of registrants who attend.
var attendRates = map[campaignKind]float64{kindWebinar: 0.5, kindSeminar: 0.7, kindExhibition: 0.6, kindEvent: 0.75}

// member adds the contact to campaign cp, reached at ref, and plays the
// funnel: sent, opened, clicked or replied or registered and attended, and
// converted when a purchase followed.
func (c *contactGen) member(cp *campaignInfo, ref time.Time) {
	g, r := c.g, c.r
	targeted := ref.Add(-time.Duration(1+r.IntN(72)) * time.Hour)
	if !targeted.After(c.b.created) {
		targeted = c.b.created.Add(time.Hour)
	}
	if !targeted.Before(g.now) {
		targeted = clampBefore(r, laterOf(c.b.created.Add(time.Minute), g.now.Add(-days(uniform(r, 0.1, 10)))), g.now)
	}
	m := memberRow{campaignID: cp.id, contactID: c.row.id, status: campaignmember.StatusTARGETED, createdAt: targeted, updatedAt: targeted}
	defer func() {
		m.id = c.g.newID("cmm", m.createdAt)
		c.out.members = append(c.out.members, m)
		c.seen(m.updatedAt)
	}()
	step := func(s campaignmember.Status, at time.Time) { m.status, m.updatedAt = s, at }
	if !ref.Before(g.now) {
		return
	}
	// Messages sent at the contact's favourite time of day do better.
	fit := 0.85
	if d := cp.sendHour - c.prefHour; d >= -2 && d <= 2 {
		fit = 1.3
	}
	eng := 0.4 + 1.2*c.engage
	switch cp.kind {
	case kindSocial, kindAds:
		// Retargeting: seen, sometimes clicked.
		m.sentAt = &ref
		step(campaignmember.StatusSENT, ref)
		if chance(r, 0.06*eng) {
			at := c.prefTime(ref, 5)
			if at.Before(g.now) {
				m.openedAt, m.respondedAt = &at, &at
				step(campaignmember.StatusCLICKED, at)
				c.engaged = true
			}
		}
	case kindNewsletter, kindPromo, kindSMS:
		sent := ref.Add(time.Duration(r.IntN(900)) * time.Second)
		m.sentAt = &sent
		step(campaignmember.StatusSENT, sent)
		rates := messageRates[cp.kind]
		if !chance(r, math.Min(0.95, rates[0]*eng*fit)) {
			return
		}
		opened := c.prefTime(sent, 3)
		if !opened.Before(g.now) {
			return
		}
		m.openedAt = &opened
		step(campaignmember.StatusOPENED, opened)
		if cp.kind != kindSMS && chance(r, 0.006) {
			step(campaignmember.StatusUNSUBSCRIBED, opened.Add(time.Minute))
			return
		}
		switch {
		case chance(r, 0.04*eng):
			at := c.prefTime(opened, 2)
			if !at.Before(g.now) {
				return
			}
			m.respondedAt = &at
			step(campaignmember.StatusRESPONDED, at)
		case chance(r, math.Min(0.9, rates[1]*eng)):
			at := opened.Add(time.Duration(30+r.IntN(1200)) * time.Second)
			if !at.Before(g.now) {
				return
			}
			m.respondedAt = &at
			step(campaignmember.StatusCLICKED, at)
		default:
			return
		}
		c.engaged = true
	default: // webinars, seminars, trade shows and events
		m.sentAt = &ref
		step(campaignmember.StatusSENT, ref)
		if !chance(r, math.Min(0.95, 0.45*eng*fit)) {
			return
		}
		opened := c.prefTime(ref, 3)
		if !opened.Before(g.now) || !opened.Before(cp.eventAt) {
			return
		}
		m.openedAt = &opened
		step(campaignmember.StatusOPENED, opened)
		if !chance(r, math.Min(0.9, 0.3*eng)) {
			return
		}
		registered := c.prefTime(opened, 4)
		if !registered.Before(g.now) || !registered.Before(cp.eventAt) {
			return
		}
		m.respondedAt = &registered
		step(campaignmember.StatusRESPONDED, registered)
		c.engaged = true
		if cp.eventAt.Before(g.now) && chance(r, attendRates[cp.kind]) {
			step(campaignmember.StatusATTENDED, cp.eventAt)
			c.attended = true
		}
	}
	window := 21 * 24 * time.Hour
	if cp.hasEvent() {
		window = 45 * 24 * time.Hour
	}
	if m.respondedAt != nil && chance(r, 0.5) {
		if at, ok := c.convert(cp, *m.respondedAt, window); ok {
			m.convertedAt = &at
			step(campaignmember.StatusCONVERTED, at)
		}
	}
}

// acquired adds the contact to the campaign that brought it in, at the
// moment it was created: it clicked an ad, registered for a webinar, visited
// the booth, or was referred.
func (c *contactGen) acquired(cp *campaignInfo) {
	g, r := c.g, c.r
	at := c.b.created
	m := memberRow{campaignID: cp.id, contactID: c.row.id, respondedAt: &at, createdAt: at, updatedAt: at}
	switch cp.kind {
	case kindAds, kindSocial:
		m.status, m.openedAt = campaignmember.StatusCLICKED, &at
	case kindWebinar, kindSeminar:
		m.status = campaignmember.StatusRESPONDED
		if cp.eventAt.Before(g.now) && chance(r, 0.65) {
			m.status, m.updatedAt = campaignmember.StatusATTENDED, cp.eventAt
			c.attended = true
		}
	case kindExhibition, kindEvent:
		m.status = campaignmember.StatusATTENDED
		c.attended = true
	default:
		m.status = campaignmember.StatusRESPONDED
	}
	if len(c.won) > 0 && c.won[0].closed.Sub(at) < 90*24*time.Hour {
		m.status, m.convertedAt, m.updatedAt = campaignmember.StatusCONVERTED, &c.won[0].closed, c.won[0].closed
	}
	c.engaged = true
	m.id = c.g.newID("cmm", at)
	c.out.members = append(c.out.members, m)
}

// touches adds activities not tied to a deal: a first touch for leads, the
// odd note, and business reviews with loyal customers.
func (c *contactGen) touches(purchases []time.Time) {
	g, r := c.g, c.r
	if len(purchases) == 0 && c.lost == 0 && c.open == 0 && chance(r, 0.5) {
		typ := []activity.Type{activity.TypeEMAIL, activity.TypeCALL}[r.IntN(2)]
		subject := "Welcome email to " + c.row.firstName
		if typ == activity.TypeCALL {
			subject = "Qualification call with " + c.row.firstName
		}
		at := atOfficeHour(r, c.b.created.Add(days(uniform(r, 0.2, 6))), true)
		if at.Before(g.now) {
			c.activity(typ, subject, "", nil, at, true)
		}
	}
	if chance(r, 0.12) {
		at := atOfficeHour(r, c.b.created.Add(time.Duration(r.Float64()*float64(g.now.Sub(c.b.created)))), true)
		if at.Before(g.now) {
			c.activity(activity.TypeNOTE, "Note about "+c.row.firstName, pick(r, activityNotes), nil, at, true)
		}
	}
	if c.b.kind == loyal && len(purchases) > 0 {
		for t := purchases[0].Add(days(uniform(r, 120, 200))); t.Before(g.now); t = t.Add(days(uniform(r, 150, 210))) {
			c.activity(activity.TypeMEETING, "Business review with "+c.base(), "", nil, atOfficeHour(r, t, true), true)
		}
	}
}

// finish sets what sums up the contact: lifecycle stage, tags, last
// contact and last update.
func (c *contactGen) finish() {
	r := c.r
	row := &c.row
	if c.acct != nil {
		switch {
		case len(c.won) > 0:
			c.acct.stage = account.LifecycleStageCUSTOMER
		case c.open > 0 && c.acct.stage != account.LifecycleStageCUSTOMER:
			c.acct.stage = account.LifecycleStageOPPORTUNITY
		}
	}
	switch {
	case len(c.won) > 0 && c.b.advocate:
		row.lifecycleStage = contact.LifecycleStageEVANGELIST
	case len(c.won) > 0:
		row.lifecycleStage = contact.LifecycleStageCUSTOMER
	case c.open > 0:
		row.lifecycleStage = contact.LifecycleStageOPPORTUNITY
	case c.lost > 0:
		row.lifecycleStage = contact.LifecycleStageLEAD
		if chance(r, 0.4) {
			row.lifecycleStage = contact.LifecycleStageSALES_QUALIFIED_LEAD
		}
	case c.engaged:
		row.lifecycleStage = contact.LifecycleStageMARKETING_QUALIFIED_LEAD
	case row.newsletterOptIn && chance(r, 0.5):
		row.lifecycleStage = contact.LifecycleStageSUBSCRIBER
	default:
		row.lifecycleStage = contact.LifecycleStageLEAD
	}
	if c.wonTotal >= 4_000_000 {
		row.tags = append(row.tags, "vip")
	}
	if c.attended {
		row.tags = append(row.tags, "event-attendee")
	}
	if row.tags == nil {
		row.tags = []string{}
	}
	if !c.touched.IsZero() {
		row.lastContactedAt = ptr(c.touched)
	}
	row.updatedAt = c.latest
}
