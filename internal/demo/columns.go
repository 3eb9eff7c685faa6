package demo

import (
	"encoding/json"
	"time"

	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/internal/pulid"
)

// The columns each row type fills when written in bulk, and the values of a
// row in that order. They mirror what entSink sets through ent: strings
// the ent path always sets are written even when empty, optional ones
// (pointers) are NULL when nil, and every time is in UTC.

var (
	pipelineColumns = []string{"id", "organization_id", "name", "is_default", "created_at", "updated_at"}
	stageColumns    = []string{"id", "organization_id", "pipeline_id", "name", "position", "probability", "is_won", "is_lost", "created_at", "updated_at"}
	productColumns  = []string{"id", "organization_id", "name", "sku", "description", "price", "unit_cost", "active", "created_at", "updated_at"}
	campaignColumns = []string{"id", "organization_id", "name", "channel", "status", "budget", "actual_cost", "starts_at", "ends_at", "description", "created_at", "updated_at"}
	surveyColumns   = []string{"id", "organization_id", "name", "kind", "questions", "active", "created_at", "updated_at"}
	accountColumns  = []string{"id", "organization_id", "name", "domain", "industry", "employees", "annual_revenue", "lifecycle_stage", "owner_id", "tags", "custom_fields", "created_at", "updated_at"}
	contactColumns  = []string{"id", "organization_id", "first_name", "last_name", "email", "phone", "title", "account_id", "owner_id", "lifecycle_stage",
		"lead_source", "acquisition_campaign_id", "newsletter_opt_in", "birth_date", "gender", "referred_by_id", "tags", "last_contacted_at", "created_at", "updated_at"}
	dealColumns = []string{"id", "organization_id", "name", "amount", "cost", "currency", "status", "expected_close_date", "closed_at", "lost_reason",
		"external_id", "stage_id", "account_id", "contact_id", "owner_id", "source_campaign_id", "created_at", "updated_at"}
	lineItemColumns = []string{"id", "organization_id", "deal_id", "product_id", "name", "quantity", "unit_price", "unit_cost", "discount_percent", "created_at", "updated_at"}
	memberColumns   = []string{"id", "organization_id", "campaign_id", "contact_id", "status", "sent_at", "opened_at", "responded_at", "converted_at", "created_at", "updated_at"}
	responseColumns = []string{"id", "organization_id", "survey_id", "contact_id", "score", "answers", "comment", "submitted_at", "created_at", "updated_at"}
	ticketColumns   = []string{"id", "organization_id", "subject", "description", "status", "priority", "opened_at", "resolved_at", "cost_to_serve",
		"contact_id", "account_id", "assignee_id", "created_at", "updated_at"}
	activityColumns = []string{"id", "organization_id", "type", "subject", "body", "due_at", "completed_at", "assignee_id", "contact_id", "account_id", "deal_id", "created_at", "updated_at"}
	// contactValueColumns are those of a contact's row of value figures,
	// which ent's hook creates with each contact.
	contactValueColumns = []string{"contact_id", "organization_id", "predicted_clv", "probability_alive", "value_score"}
)

// utc returns t in UTC.
func utc(t time.Time) time.Time { return t.UTC() }

// utcp returns *t in UTC, or nil.
func utcp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// idp returns *id as a string, or nil.
func idp(id *pulid.ID) any {
	if id == nil {
		return nil
	}
	return string(*id)
}

// strp returns *s, or nil.
func strp(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// nonEmpty returns s, or nil when it is empty (fields the ent path leaves
// unset when empty).
func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonOf returns v as JSON, as ent stores it; nil stays NULL.
func jsonOf(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		// Rows hold only strings, numbers and maps of them.
		panic("demo: " + err.Error())
	}
	return json.RawMessage(b)
}

func (r *pipelineRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5] = string(r.id), string(org), r.name, r.isDefault, utc(r.createdAt), utc(r.createdAt)
}

func (r *stageRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4] = string(r.id), string(org), string(r.pipelineID), r.name, int64(r.position)
	d[5], d[6], d[7], d[8], d[9] = r.probability, r.isWon, r.isLost, utc(r.createdAt), utc(r.createdAt)
}

func (r *productRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4] = string(r.id), string(org), r.name, r.sku, r.description
	d[5], d[6], d[7], d[8], d[9] = r.price.Cents(), r.unitCost.Cents(), r.active, utc(r.createdAt), utc(r.createdAt)
}

func (r *campaignRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5] = string(r.id), string(org), r.name, string(r.channel), string(r.status), r.budget.Cents()
	d[6], d[7], d[8], d[9], d[10], d[11] = r.actualCost.Cents(), utc(r.startsAt), utc(r.endsAt), r.description, utc(r.createdAt), utc(r.updatedAt)
}

func (r *surveyRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4] = string(r.id), string(org), r.name, string(r.kind), jsonOf(r.questions)
	d[5], d[6], d[7] = true, utc(r.createdAt), utc(r.createdAt)
}

func (r *accountRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5] = string(r.id), string(org), r.name, r.domain, r.industry, int64(r.employees)
	d[6], d[7], d[8], d[9], d[10] = r.annualRevenue.Cents(), string(r.lifecycleStage), idp(r.ownerID), jsonOf(r.tags), jsonOf(r.customFields)
	d[11], d[12] = utc(r.createdAt), utc(r.createdAt)
}

func (r *contactRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5], d[6] = string(r.id), string(org), r.firstName, r.lastName, r.email, r.phone, r.title
	d[7], d[8], d[9], d[10], d[11] = idp(r.accountID), idp(r.ownerID), string(r.lifecycleStage), r.leadSource, idp(r.acquisitionCampaignID)
	d[12], d[13] = r.newsletterOptIn, utcp(r.birthDate)
	if r.gender != nil {
		d[14] = string(*r.gender)
	}
	d[15], d[16], d[17], d[18], d[19] = idp(r.referredByID), jsonOf(r.tags), utcp(r.lastContactedAt), utc(r.createdAt), utc(r.updatedAt)
}

// valueFigures fills d with the contact's row of value figures as ent's
// hook creates it: the schema's defaults (zeros), no tier and no segment
// until the contact's first valuation.
func (r *contactRow) valueFigures(org pulid.ID, d []any) {
	d[0], d[1] = string(r.id), string(org)
	d[2], d[3], d[4] = contactvalue.DefaultPredictedClv, contactvalue.DefaultProbabilityAlive, contactvalue.DefaultValueScore
}

func (r *dealRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5] = string(r.id), string(org), r.name, r.amount.Cents(), r.cost.Cents(), r.currency
	d[6], d[7], d[8], d[9], d[10] = string(r.status), utcp(r.expectedCloseDate), utcp(r.closedAt), r.lostReason, strp(r.externalID)
	d[11], d[12], d[13], d[14], d[15] = string(r.stageID), idp(r.accountID), string(r.contactID), idp(r.ownerID), idp(r.sourceCampaignID)
	d[16], d[17] = utc(r.createdAt), utc(r.updatedAt)
}

func (r *lineItemRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5] = string(r.id), string(org), string(r.dealID), string(r.productID), r.name, int64(r.quantity)
	d[6], d[7], d[8], d[9], d[10] = r.unitPrice.Cents(), r.unitCost.Cents(), r.discountPercent, utc(r.createdAt), utc(r.createdAt)
}

func (r *memberRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4] = string(r.id), string(org), string(r.campaignID), string(r.contactID), string(r.status)
	d[5], d[6], d[7], d[8] = utcp(r.sentAt), utcp(r.openedAt), utcp(r.respondedAt), utcp(r.convertedAt)
	d[9], d[10] = utc(r.createdAt), utc(r.updatedAt)
}

func (r *responseRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4] = string(r.id), string(org), string(r.surveyID), string(r.contactID), int64(r.score)
	if r.answers != nil {
		d[5] = jsonOf(r.answers)
	}
	d[6], d[7], d[8], d[9] = r.comment, utc(r.submittedAt), utc(r.submittedAt), utc(r.submittedAt)
}

func (r *ticketRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4], d[5] = string(r.id), string(org), r.subject, r.description, string(r.status), string(r.priority)
	d[6], d[7], d[8], d[9], d[10], d[11] = utc(r.openedAt), utcp(r.resolvedAt), r.costToServe.Cents(), string(r.contactID), idp(r.accountID), idp(r.assigneeID)
	d[12], d[13] = utc(r.openedAt), utc(r.updatedAt)
}

func (r *activityRow) values(org pulid.ID, d []any) {
	d[0], d[1], d[2], d[3], d[4] = string(r.id), string(org), string(r.typ), r.subject, nonEmpty(r.body)
	d[5], d[6], d[7], d[8], d[9], d[10] = utcp(r.dueAt), utcp(r.completedAt), idp(r.assigneeID), string(r.contactID), idp(r.accountID), idp(r.dealID)
	d[11], d[12] = utc(r.createdAt), utc(r.updatedAt)
}
