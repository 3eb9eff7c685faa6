package valuation_test

import (
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/valuation"
)

// TestAPurchaseRevaluesItsCustomer records a new purchase of a customer
// after a full refresh and revalues that customer alone.
func TestAPurchaseRevaluesItsCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "incremental")
		org, _ := tenant.OrganizationID(ctx)
		now := time.Now().UTC()
		if _, err := demo.Seed(ctx, s.Client, pulid.ID(org), demo.Options{Contacts: 150, Seed: 5, Now: now}); err != nil {
			t.Fatal(err)
		}
		svc := valuation.New(s)
		if _, err := svc.Refresh(ctx, valuation.Options{}); err != nil {
			t.Fatal(err)
		}
		// A lapsed-looking buyer: the one with the lowest P(alive).
		before := s.Client.CustomerMetrics.Query().
			Where(customermetrics.TransactionsGTE(2)).
			Order(customermetrics.ByProbabilityAlive()).FirstX(ctx)
		s.Client.Deal.Create().SetName("Comeback order").SetAmount(money.FromCents(12345)).
			SetStatus(deal.StatusWON).SetClosedAt(now).SetContactID(*before.ContactID).ExecX(ctx)
		if err := svc.RefreshContact(ctx, *before.ContactID); err != nil {
			t.Fatal(err)
		}
		after := s.Client.CustomerMetrics.GetX(ctx, before.ID)
		if after.Transactions != before.Transactions+1 || after.Revenue != before.Revenue+12345 {
			t.Errorf("after a purchase: %d transactions, revenue %s; want %d and %s",
				after.Transactions, after.Revenue, before.Transactions+1, before.Revenue+12345)
		}
		if after.ProbabilityAlive <= before.ProbabilityAlive || after.ProbabilityAlive < 0.9 {
			t.Errorf("P(alive) went from %.3f to %.3f after buying today; want above 0.9 (BG/NBD lets a customer drop out right after a purchase)", before.ProbabilityAlive, after.ProbabilityAlive)
		}
		v := s.Client.ContactValue.Query().Where(contactvalue.ContactID(*before.ContactID)).OnlyX(ctx)
		if v.PredictedClv != after.PredictedClv || v.ProbabilityAlive != after.ProbabilityAlive {
			t.Errorf("the contact's sortable CLV %.2f and P(alive) %.3f differ from its metrics %.2f and %.3f",
				v.PredictedClv, v.ProbabilityAlive, after.PredictedClv, after.ProbabilityAlive)
		}
	})
}
