package valuation

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
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
	one := map[string]*customer{contactID.String(): {id: contactID.String()}}
	if _, err := s.summarizeOne(ctx, org, contactID.String(), asOf, one); err != nil {
		return err
	}
	if err := s.readDetails(ctx, org, "contact_id", asOf, one); err != nil {
		return err
	}
	c := one[contactID.String()]
	pred := analytics.Prediction{Model: "none"}
	if c.bought {
		pred = recompute(model, &ent.CustomerMetrics{
			Transactions: c.summary.Transactions, RepeatTransactions: c.summary.Frequency,
			RecencyWeeks: c.summary.Recency, AgeWeeks: c.summary.T, AverageRepeatSpend: c.summary.MonetaryValue,
			Revenue: money.FromFloat(c.summary.Revenue),
		}, pred, DefaultHorizonMonths, DefaultMonthlyDiscount)
	}
	revenue := money.FromFloat(c.summary.Revenue)
	margin := revenue - money.Amount(c.cost)
	u := s.store.Client.CustomerMetrics.UpdateOne(cm).
		SetComputedAt(now).
		SetRevenue(revenue).
		SetGrossMargin(margin).
		SetCostToServe(money.Amount(c.costToServe)).
		SetNetValue(margin - money.Amount(c.costToServe) - cm.AcquisitionCost).
		SetTransactions(c.summary.Transactions).
		SetRepeatTransactions(c.summary.Frequency).
		SetRecencyWeeks(c.summary.Recency).
		SetAgeWeeks(c.summary.T).
		SetAverageRepeatSpend(c.summary.MonetaryValue).
		SetExpectedTransactions(pred.ExpectedTransactions).
		SetProbabilityAlive(pred.ProbabilityAlive).
		SetExpectedSpend(pred.ExpectedSpend).
		SetPredictedClv(pred.Value).
		SetModel(pred.Model)
	if c.bought {
		days := int(asOf.Sub(c.summary.LastPurchase).Hours() / 24)
		u.SetFirstPurchaseAt(c.summary.FirstPurchase).SetLastPurchaseAt(c.summary.LastPurchase).SetRecencyDays(days)
	}
	if err := u.Exec(ctx); err != nil {
		return fmt.Errorf("valuation: refreshing %s: %w", contactID, err)
	}
	return s.store.Client.Contact.UpdateOneID(contactID).
		SetPredictedClv(pred.Value).SetProbabilityAlive(pred.ProbabilityAlive).Exec(ctx)
}

// summarizeOne summarizes the purchase history of one customer.
func (s *Service) summarizeOne(ctx context.Context, org, contactID string, asOf time.Time, into map[string]*customer) (int, error) {
	var purchases []analytics.Purchase
	err := s.query(ctx, `SELECT closed_at, amount FROM deals
		WHERE organization_id = ? AND contact_id = ? AND status = 'WON' AND closed_at IS NOT NULL AND closed_at <= ?`,
		[]any{org, contactID, asOf}, func(r *sql.Rows) error {
			var at time.Time
			var cents int64
			if err := r.Scan(&at, &cents); err != nil {
				return err
			}
			purchases = append(purchases, analytics.Purchase{CustomerID: contactID, At: at, Amount: float64(cents) / 100})
			return nil
		})
	if err != nil || len(purchases) == 0 {
		return 0, err
	}
	sums := analytics.Summarize(purchases, asOf, analytics.Weeks)
	if len(sums) == 1 {
		into[contactID].summary, into[contactID].bought = sums[0], true
		return sums[0].Transactions, nil
	}
	return 0, nil
}
