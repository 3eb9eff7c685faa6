package valuation

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// RefreshContact recomputes one contact's historic value and predictions
// after its purchases, tickets or responses changed, against the
// organization's latest fitted model, without refitting. Ranks within the
// organization (RFM quintiles, value score and tier) keep their last values
// until the next full refresh. It does nothing before the first full
// refresh.
func (s *Service) RefreshContact(ctx context.Context, contactID pulid.ID) error {
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return errNoOrg
	}
	model, err := s.Latest(ctx, clvmodel.UnitWEEKS)
	if err != nil || model == nil {
		return err
	}
	cm, err := s.store.Client.CustomerMetrics.Query().Where(customermetrics.ContactID(contactID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.now()
	asOf := EndOfDay(now)
	one := &population{}
	one.add(contactID.String(), -1, -1)
	one.index()
	if err := s.summarizeOne(ctx, org, asOf, one); err != nil {
		return err
	}
	c := &one.customers[0]
	if err := s.costsToServe(ctx, org, "contact_id", asOf, one); err != nil {
		return err
	}
	var sum analytics.CustomerSummary
	pred := noPrediction
	if c.buyer >= 0 {
		sum = one.buyers[c.buyer]
		pred = recompute(model, &ent.CustomerMetrics{
			Transactions: sum.Transactions, RepeatTransactions: sum.Frequency,
			RecencyWeeks: sum.Recency, AgeWeeks: sum.T, AverageRepeatSpend: sum.MonetaryValue,
			Revenue: money.FromFloat(sum.Revenue),
		}, pred, DefaultHorizonMonths, DefaultMonthlyDiscount)
	}
	revenue := money.FromFloat(sum.Revenue)
	margin := revenue - money.Amount(c.cost)
	u := s.store.Client.CustomerMetrics.UpdateOne(cm).
		SetComputedAt(now).
		SetRevenue(revenue).
		SetGrossMargin(margin).
		SetCostToServe(money.Amount(c.costToServe)).
		SetNetValue(margin - money.Amount(c.costToServe) - cm.AcquisitionCost).
		SetTransactions(sum.Transactions).
		SetRepeatTransactions(sum.Frequency).
		SetRecencyWeeks(sum.Recency).
		SetAgeWeeks(sum.T).
		SetAverageRepeatSpend(sum.MonetaryValue).
		SetExpectedTransactions(pred.ExpectedTransactions).
		SetProbabilityAlive(pred.ProbabilityAlive).
		SetExpectedSpend(pred.ExpectedSpend).
		SetPredictedClv(pred.Value).
		SetModel(pred.Model)
	if c.buyer >= 0 {
		days := int(asOf.Sub(sum.LastPurchase).Hours() / 24)
		u.SetFirstPurchaseAt(sum.FirstPurchase).SetLastPurchaseAt(sum.LastPurchase).SetRecencyDays(days)
	}
	if err := u.Exec(ctx); err != nil {
		return fmt.Errorf("valuation: refreshing %s: %w", contactID, err)
	}
	// The figures lists sort and filter by live in the contact's
	// contact_values row, which every contact has.
	n, err := s.store.Client.ContactValue.Update().
		Where(contactvalue.ContactID(contactID), contactvalue.OrganizationID(pulid.ID(org))).
		SetPredictedClv(pred.Value).SetProbabilityAlive(pred.ProbabilityAlive).Save(ctx)
	if err != nil {
		return fmt.Errorf("valuation: refreshing the value figures of %s: %w", contactID, err)
	}
	if n == 0 {
		return fmt.Errorf("valuation: refreshing the value figures of %s: the contact has no contact_values row", contactID)
	}
	return nil
}

// summarizeOne summarizes the purchase history of the one customer of
// into and adds up the product cost of its purchases.
func (s *Service) summarizeOne(ctx context.Context, org string, asOf time.Time, into *population) error {
	c := &into.customers[0]
	var purchases []analytics.Purchase
	err := s.query(ctx, `SELECT d.closed_at, d.amount, `+dealCost+` FROM deals d
		WHERE d.organization_id = ? AND d.contact_id = ? AND d.status = 'WON' AND d.closed_at IS NOT NULL AND d.closed_at <= ?`,
		[]any{org, c.id, asOf}, func(r *sql.Rows) error {
			var at time.Time
			var cents, cost int64
			if err := r.Scan(&at, &cents, &cost); err != nil {
				return err
			}
			c.cost += cost
			purchases = append(purchases, analytics.Purchase{CustomerID: c.id, At: at, Amount: float64(cents) / 100})
			return nil
		})
	if err != nil || len(purchases) == 0 {
		return err
	}
	if sums := analytics.Summarize(purchases, asOf, analytics.Weeks); len(sums) == 1 {
		c.buyer = 0
		into.buyers = sums
		into.transactions = sums[0].Transactions
	}
	return nil
}
