package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/internal/pulid"
)

// sink stores batches of rows.
type sink interface {
	write(ctx context.Context, b *batch) error
	// setAccountStages sets the lifecycle stage of accounts, which is
	// known only once all their contacts are generated.
	setAccountStages(ctx context.Context, stage account.LifecycleStage, ids []pulid.ID, at time.Time) error
}

// entSink writes each batch in one transaction with multi-row INSERTs
// through ent, so the schema's hooks and validators apply to demo data as
// to any other.
type entSink struct {
	client *ent.Client
	// rows is the number of rows per INSERT statement. SQLite allows 32766
	// bound variables per statement and PostgreSQL 65535; the widest table
	// written here has fewer than 25 columns.
	rows int
}

// insert runs the bulk insert of rows in statements of at most n rows.
func insert[R any, B any](ctx context.Context, n int, rows []R, build func(*R) B, exec func(context.Context, []B) error) error {
	builders := make([]B, 0, min(n, len(rows)))
	for i := range rows {
		builders = append(builders, build(&rows[i]))
		if len(builders) == n || i == len(rows)-1 {
			if err := exec(ctx, builders); err != nil {
				return err
			}
			builders = builders[:0]
		}
	}
	return nil
}

func (s entSink) write(ctx context.Context, b *batch) (err error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("demo: starting a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	n := s.rows
	steps := []struct {
		what string
		run  func() error
	}{
		{"pipelines", func() error {
			return insert(ctx, n, b.pipelines, func(r *pipelineRow) *ent.PipelineCreate {
				return tx.Pipeline.Create().SetID(r.id).SetName(r.name).SetIsDefault(r.isDefault).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.createdAt)
			}, func(ctx context.Context, bs []*ent.PipelineCreate) error {
				return tx.Pipeline.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"stages", func() error {
			return insert(ctx, n, b.stages, func(r *stageRow) *ent.StageCreate {
				return tx.Stage.Create().SetID(r.id).SetPipelineID(r.pipelineID).SetName(r.name).SetPosition(r.position).
					SetProbability(r.probability).SetIsWon(r.isWon).SetIsLost(r.isLost).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.createdAt)
			}, func(ctx context.Context, bs []*ent.StageCreate) error { return tx.Stage.CreateBulk(bs...).Exec(ctx) })
		}},
		{"products", func() error {
			return insert(ctx, n, b.products, func(r *productRow) *ent.ProductCreate {
				return tx.Product.Create().SetID(r.id).SetName(r.name).SetSku(r.sku).SetDescription(r.description).
					SetPrice(r.price).SetUnitCost(r.unitCost).SetActive(r.active).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.createdAt)
			}, func(ctx context.Context, bs []*ent.ProductCreate) error {
				return tx.Product.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"campaigns", func() error {
			return insert(ctx, n, b.campaigns, func(r *campaignRow) *ent.CampaignCreate {
				return tx.Campaign.Create().SetID(r.id).SetName(r.name).SetChannel(r.channel).SetStatus(r.status).
					SetBudget(r.budget).SetActualCost(r.actualCost).SetStartsAt(r.startsAt).SetEndsAt(r.endsAt).
					SetDescription(r.description).SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt)
			}, func(ctx context.Context, bs []*ent.CampaignCreate) error {
				return tx.Campaign.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"surveys", func() error {
			return insert(ctx, n, b.surveys, func(r *surveyRow) *ent.SurveyCreate {
				return tx.Survey.Create().SetID(r.id).SetName(r.name).SetKind(r.kind).SetQuestions(r.questions).
					SetActive(true).SetCreatedAt(r.createdAt).SetUpdatedAt(r.createdAt)
			}, func(ctx context.Context, bs []*ent.SurveyCreate) error { return tx.Survey.CreateBulk(bs...).Exec(ctx) })
		}},
		{"accounts", func() error {
			return insert(ctx, n, b.accounts, func(r *accountRow) *ent.AccountCreate {
				return tx.Account.Create().SetID(r.id).SetName(r.name).SetDomain(r.domain).SetIndustry(r.industry).
					SetEmployees(r.employees).SetAnnualRevenue(r.annualRevenue).SetLifecycleStage(r.lifecycleStage).
					SetNillableOwnerID(r.ownerID).SetTags(r.tags).SetCustomFields(r.customFields).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.createdAt)
			}, func(ctx context.Context, bs []*ent.AccountCreate) error {
				return tx.Account.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"contacts", func() error {
			return insert(ctx, n, b.contacts, func(r *contactRow) *ent.ContactCreate {
				return tx.Contact.Create().SetID(r.id).SetFirstName(r.firstName).SetLastName(r.lastName).
					SetEmail(r.email).SetPhone(r.phone).SetTitle(r.title).SetNillableAccountID(r.accountID).
					SetNillableOwnerID(r.ownerID).SetLifecycleStage(r.lifecycleStage).SetLeadSource(r.leadSource).
					SetNillableAcquisitionCampaignID(r.acquisitionCampaignID).SetNewsletterOptIn(r.newsletterOptIn).
					SetNillableBirthDate(r.birthDate).SetNillableGender(r.gender).SetNillableReferredByID(r.referredByID).
					SetTags(r.tags).SetNillableLastContactedAt(r.lastContactedAt).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt)
			}, func(ctx context.Context, bs []*ent.ContactCreate) error {
				return tx.Contact.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"deals", func() error {
			return insert(ctx, n, b.deals, func(r *dealRow) *ent.DealCreate {
				return tx.Deal.Create().SetID(r.id).SetName(r.name).SetAmount(r.amount).SetCost(r.cost).
					SetCurrency(r.currency).SetStatus(r.status).SetNillableExpectedCloseDate(r.expectedCloseDate).
					SetNillableClosedAt(r.closedAt).SetLostReason(r.lostReason).SetNillableExternalID(r.externalID).
					SetStageID(r.stageID).SetNillableAccountID(r.accountID).SetContactID(r.contactID).
					SetNillableOwnerID(r.ownerID).SetNillableSourceCampaignID(r.sourceCampaignID).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt)
			}, func(ctx context.Context, bs []*ent.DealCreate) error { return tx.Deal.CreateBulk(bs...).Exec(ctx) })
		}},
		{"line items", func() error {
			return insert(ctx, n, b.lineItems, func(r *lineItemRow) *ent.LineItemCreate {
				return tx.LineItem.Create().SetID(r.id).SetDealID(r.dealID).SetProductID(r.productID).SetName(r.name).
					SetQuantity(r.quantity).SetUnitPrice(r.unitPrice).SetUnitCost(r.unitCost).
					SetDiscountPercent(r.discountPercent).SetCreatedAt(r.createdAt).SetUpdatedAt(r.createdAt)
			}, func(ctx context.Context, bs []*ent.LineItemCreate) error {
				return tx.LineItem.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"campaign members", func() error {
			return insert(ctx, n, b.members, func(r *memberRow) *ent.CampaignMemberCreate {
				return tx.CampaignMember.Create().SetID(r.id).SetCampaignID(r.campaignID).SetContactID(r.contactID).
					SetStatus(r.status).SetNillableSentAt(r.sentAt).SetNillableOpenedAt(r.openedAt).
					SetNillableRespondedAt(r.respondedAt).SetNillableConvertedAt(r.convertedAt).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt)
			}, func(ctx context.Context, bs []*ent.CampaignMemberCreate) error {
				return tx.CampaignMember.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"survey responses", func() error {
			return insert(ctx, n, b.responses, func(r *responseRow) *ent.SurveyResponseCreate {
				c := tx.SurveyResponse.Create().SetID(r.id).SetSurveyID(r.surveyID).SetContactID(r.contactID).
					SetScore(r.score).SetComment(r.comment).SetSubmittedAt(r.submittedAt).
					SetCreatedAt(r.submittedAt).SetUpdatedAt(r.submittedAt)
				if r.answers != nil {
					c.SetAnswers(r.answers)
				}
				return c
			}, func(ctx context.Context, bs []*ent.SurveyResponseCreate) error {
				return tx.SurveyResponse.CreateBulk(bs...).Exec(ctx)
			})
		}},
		{"tickets", func() error {
			return insert(ctx, n, b.tickets, func(r *ticketRow) *ent.TicketCreate {
				return tx.Ticket.Create().SetID(r.id).SetSubject(r.subject).SetDescription(r.description).
					SetStatus(r.status).SetPriority(r.priority).SetOpenedAt(r.openedAt).SetNillableResolvedAt(r.resolvedAt).
					SetCostToServe(r.costToServe).SetContactID(r.contactID).SetNillableAccountID(r.accountID).
					SetNillableAssigneeID(r.assigneeID).SetCreatedAt(r.openedAt).SetUpdatedAt(r.updatedAt)
			}, func(ctx context.Context, bs []*ent.TicketCreate) error { return tx.Ticket.CreateBulk(bs...).Exec(ctx) })
		}},
		{"activities", func() error {
			return insert(ctx, n, b.activities, func(r *activityRow) *ent.ActivityCreate {
				c := tx.Activity.Create().SetID(r.id).SetType(r.typ).SetSubject(r.subject).
					SetNillableDueAt(r.dueAt).SetNillableCompletedAt(r.completedAt).SetNillableAssigneeID(r.assigneeID).
					SetContactID(r.contactID).SetNillableAccountID(r.accountID).SetNillableDealID(r.dealID).
					SetCreatedAt(r.createdAt).SetUpdatedAt(r.updatedAt)
				if r.body != "" {
					c.SetBody(r.body)
				}
				return c
			}, func(ctx context.Context, bs []*ent.ActivityCreate) error {
				return tx.Activity.CreateBulk(bs...).Exec(ctx)
			})
		}},
	}
	for _, st := range steps {
		if err := st.run(); err != nil {
			return fmt.Errorf("demo: inserting %s: %w", st.what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: committing: %w", err)
	}
	return nil
}

func (s entSink) setAccountStages(ctx context.Context, stage account.LifecycleStage, ids []pulid.ID, at time.Time) (err error) {
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("demo: starting a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for len(ids) > 0 {
		n := min(len(ids), s.rows)
		if err := tx.Account.Update().Where(account.IDIn(ids[:n]...)).
			SetLifecycleStage(stage).SetUpdatedAt(at).Exec(ctx); err != nil {
			return fmt.Errorf("demo: updating accounts: %w", err)
		}
		ids = ids[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("demo: committing: %w", err)
	}
	return nil
}
