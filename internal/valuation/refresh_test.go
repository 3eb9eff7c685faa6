package valuation_test

import (
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/valuation"
)

// TestRefreshValuesTheDemoCustomersSensibly refreshes a demo organization
// and checks what a user would: every contact has metrics, VIPs are worth
// more than the rest, lapsed buyers are less likely alive than recent ones,
// and nothing is NaN.
func TestRefreshValuesTheDemoCustomersSensibly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "demo-values")
		org, _ := tenant.OrganizationID(ctx)
		now := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		if _, err := demo.Seed(ctx, s.Client, pulid.ID(org), demo.Options{Contacts: 400, Seed: 7, Now: now}); err != nil {
			t.Fatal(err)
		}
		res, err := valuation.New(s).Refresh(ctx, valuation.Options{AsOf: now})
		if err != nil {
			t.Fatal(err)
		}
		if res.Contacts != 400 || res.Model.Fallback {
			t.Fatalf("refresh = %d contacts, model %s (fallback %v); want 400 and a fitted model", res.Contacts, res.Model.Model, res.Model.Fallback)
		}
		c := s.Client
		if n := c.CustomerMetrics.Query().Where(customermetrics.ContactIDNotNil()).CountX(ctx); n != 400 {
			t.Errorf("%d contact metrics rows; want 400", n)
		}
		avg := func(ms []float64) float64 {
			sum := 0.0
			for _, m := range ms {
				sum += m
			}
			return sum / float64(max(1, len(ms)))
		}
		clvOf := func(tier analytics.Tier) []float64 {
			return c.ContactValue.Query().Where(contactvalue.OrganizationID(pulid.ID(org)), contactvalue.ValueTierEQ(tier)).
				Select(contactvalue.FieldPredictedClv).Float64sX(ctx)
		}
		vip, low := clvOf(analytics.TierVIP), clvOf(analytics.TierLow)
		if len(vip) == 0 || avg(vip) <= 2*avg(low) {
			t.Errorf("VIPs (%d) average a predicted CLV of %.0f, LOW contacts %.0f; want VIPs far above", len(vip), avg(vip), avg(low))
		}
		// Buyers whose last purchase is over 180 days old versus recent buyers.
		cut := now.AddDate(0, 0, -180)
		lapsed := c.CustomerMetrics.Query().Where(customermetrics.LastPurchaseAtLT(cut), customermetrics.TransactionsGTE(3)).
			Select(customermetrics.FieldProbabilityAlive).Float64sX(ctx)
		recent := c.CustomerMetrics.Query().Where(customermetrics.LastPurchaseAtGTE(now.AddDate(0, 0, -30)), customermetrics.TransactionsGTE(3)).
			Select(customermetrics.FieldProbabilityAlive).Float64sX(ctx)
		if len(lapsed) == 0 || len(recent) == 0 || avg(lapsed) >= avg(recent) {
			t.Errorf("P(alive): lapsed buyers (%d) %.2f, recent buyers (%d) %.2f; want lapsed lower", len(lapsed), avg(lapsed), len(recent), avg(recent))
		}
		t.Logf("VIP CLV %.0f vs LOW %.0f; P(alive) lapsed %.2f vs recent %.2f", avg(vip), avg(low), avg(lapsed), avg(recent))
	})
}
