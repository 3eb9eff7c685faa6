package demo

import (
	"time"

	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/activity"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/campaignmember"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/ent/ticket"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// The generator produces plain rows, one struct per table row with every
// foreign key already resolved (IDs are assigned by the generator), so a
// batch can be written by any sink: ent bulk inserts today, PostgreSQL COPY
// later. Optional columns are pointers; nil is NULL.

type pipelineRow struct {
	id        pulid.ID
	name      string
	isDefault bool
	createdAt time.Time
}

type stageRow struct {
	id          pulid.ID
	pipelineID  pulid.ID
	name        string
	position    int
	probability float64
	isWon       bool
	isLost      bool
	createdAt   time.Time
}

type productRow struct {
	id          pulid.ID
	name        string
	sku         string
	description string
	price       money.Amount
	unitCost    money.Amount
	active      bool
	createdAt   time.Time
}

type campaignRow struct {
	id          pulid.ID
	name        string
	channel     campaign.Channel
	status      campaign.Status
	budget      money.Amount
	actualCost  money.Amount
	startsAt    time.Time
	endsAt      time.Time
	description string
	createdAt   time.Time
	updatedAt   time.Time
}

type surveyRow struct {
	id        pulid.ID
	name      string
	kind      survey.Kind
	questions []string
	createdAt time.Time
}

type accountRow struct {
	id             pulid.ID
	name           string
	domain         string
	industry       string
	employees      int
	annualRevenue  money.Amount
	lifecycleStage account.LifecycleStage
	ownerID        *pulid.ID
	tags           []string
	customFields   map[string]any
	createdAt      time.Time
}

type contactRow struct {
	id                    pulid.ID
	firstName, lastName   string
	email                 string
	phone                 string
	title                 string
	accountID             *pulid.ID
	ownerID               *pulid.ID
	lifecycleStage        contact.LifecycleStage
	leadSource            string
	acquisitionCampaignID *pulid.ID
	newsletterOptIn       bool
	birthDate             *time.Time
	gender                *contact.Gender
	referredByID          *pulid.ID
	tags                  []string
	lastContactedAt       *time.Time
	createdAt, updatedAt  time.Time
}

type dealRow struct {
	id                pulid.ID
	name              string
	amount            money.Amount
	cost              money.Amount
	currency          string
	status            deal.Status
	expectedCloseDate *time.Time
	closedAt          *time.Time
	lostReason        string
	externalID        *string
	stageID           pulid.ID
	accountID         *pulid.ID
	contactID         pulid.ID
	ownerID           *pulid.ID
	sourceCampaignID  *pulid.ID
	createdAt         time.Time
	updatedAt         time.Time
}

type lineItemRow struct {
	id              pulid.ID
	dealID          pulid.ID
	productID       pulid.ID
	name            string
	quantity        int
	unitPrice       money.Amount
	unitCost        money.Amount
	discountPercent float64
	createdAt       time.Time
}

type memberRow struct {
	id          pulid.ID
	campaignID  pulid.ID
	contactID   pulid.ID
	status      campaignmember.Status
	sentAt      *time.Time
	openedAt    *time.Time
	respondedAt *time.Time
	convertedAt *time.Time
	createdAt   time.Time
	updatedAt   time.Time
}

type responseRow struct {
	id          pulid.ID
	surveyID    pulid.ID
	contactID   pulid.ID
	score       int
	answers     map[string]any
	comment     string
	submittedAt time.Time
}

type ticketRow struct {
	id          pulid.ID
	subject     string
	description string
	status      ticket.Status
	priority    ticket.Priority
	openedAt    time.Time
	resolvedAt  *time.Time
	costToServe money.Amount
	contactID   pulid.ID
	accountID   *pulid.ID
	assigneeID  *pulid.ID
	updatedAt   time.Time
}

type activityRow struct {
	id          pulid.ID
	typ         activity.Type
	subject     string
	body        string
	dueAt       *time.Time
	completedAt *time.Time
	assigneeID  *pulid.ID
	contactID   pulid.ID
	accountID   *pulid.ID
	dealID      *pulid.ID
	createdAt   time.Time
	updatedAt   time.Time
}

// batch is a set of rows written together, in one transaction, parents
// before children.
type batch struct {
	pipelines  []pipelineRow
	stages     []stageRow
	products   []productRow
	campaigns  []campaignRow
	surveys    []surveyRow
	accounts   []accountRow
	contacts   []contactRow
	deals      []dealRow
	lineItems  []lineItemRow
	members    []memberRow
	responses  []responseRow
	tickets    []ticketRow
	activities []activityRow
}

// reset empties the batch, keeping its capacity.
func (b *batch) reset() {
	b.pipelines = b.pipelines[:0]
	b.stages = b.stages[:0]
	b.products = b.products[:0]
	b.campaigns = b.campaigns[:0]
	b.surveys = b.surveys[:0]
	b.accounts = b.accounts[:0]
	b.contacts = b.contacts[:0]
	b.deals = b.deals[:0]
	b.lineItems = b.lineItems[:0]
	b.members = b.members[:0]
	b.responses = b.responses[:0]
	b.tickets = b.tickets[:0]
	b.activities = b.activities[:0]
}

// split returns the batch's parents, the rows other batches may refer to
// (catalog, accounts and contacts), and its children, the rest; both share
// b's rows.
func (b *batch) split() (parents, children batch) {
	parents = batch{pipelines: b.pipelines, stages: b.stages, products: b.products, campaigns: b.campaigns,
		surveys: b.surveys, accounts: b.accounts, contacts: b.contacts}
	children = batch{deals: b.deals, lineItems: b.lineItems, members: b.members, responses: b.responses,
		tickets: b.tickets, activities: b.activities}
	return parents, children
}

// empty reports whether the batch has no rows.
func (b *batch) empty() bool {
	return len(b.pipelines)+len(b.stages)+len(b.products)+len(b.campaigns)+len(b.surveys)+len(b.accounts)+
		len(b.contacts)+len(b.deals)+len(b.lineItems)+len(b.members)+len(b.responses)+len(b.tickets)+
		len(b.activities) == 0
}

// lean drops the rows that Options.Lean leaves out: line items, campaign
// members, survey responses, tickets and activities.
func (b *batch) lean() {
	b.lineItems = b.lineItems[:0]
	b.members = b.members[:0]
	b.responses = b.responses[:0]
	b.tickets = b.tickets[:0]
	b.activities = b.activities[:0]
}

// count adds the batch's rows to s.
func (b *batch) count(s *Stats) {
	s.Pipelines += len(b.pipelines)
	s.Stages += len(b.stages)
	s.Products += len(b.products)
	s.Campaigns += len(b.campaigns)
	s.Surveys += len(b.surveys)
	s.Accounts += len(b.accounts)
	s.Contacts += len(b.contacts)
	s.Deals += len(b.deals)
	for i := range b.deals {
		switch b.deals[i].status {
		case deal.StatusWON:
			s.WonDeals++
		case deal.StatusLOST:
			s.LostDeals++
		default:
			s.OpenDeals++
		}
	}
	s.LineItems += len(b.lineItems)
	s.CampaignMembers += len(b.members)
	s.SurveyResponses += len(b.responses)
	s.Tickets += len(b.tickets)
	s.Activities += len(b.activities)
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
