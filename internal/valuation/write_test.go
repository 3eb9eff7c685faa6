package valuation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/valuation"
)

// metricsByContact returns the contact metrics rows of the context's
// organization by contact.
func metricsByContact(t *testing.T, ctx context.Context, s *store.Store) map[pulid.ID]*ent.CustomerMetrics {
	t.Helper()
	rows := s.Client.CustomerMetrics.Query().Where(customermetrics.ContactIDNotNil()).AllX(ctx)
	out := make(map[pulid.ID]*ent.CustomerMetrics, len(rows))
	for _, m := range rows {
		out[*m.ContactID] = m
	}
	return out
}

// TestRefreshRewritesOnlyWhatChanged refreshes an organization again and
// checks how the metrics rows are kept: a refresh as of the same date
// leaves every row as it was, computed_at included; one as of a later date
// updates the rows in place, keeping their ID and creation time; a new
// contact gets a row; the row of a customer outside the organization's
// contacts is deleted; the values copied onto the contacts follow. It holds
// whether the metrics are written in one transaction or, as PostgreSQL
// writes a large organization's, in parts.
func TestRefreshRewritesOnlyWhatChanged(t *testing.T) {
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("in %d parts", parts), func(t *testing.T) {
			testRefreshRewritesOnlyWhatChanged(t, parts)
		})
	}
}

func testRefreshRewritesOnlyWhatChanged(t *testing.T, parts int) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "rewrites")
		org, _ := tenant.OrganizationID(ctx)
		asOf := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		// Contacts of another organization, one created before the
		// organization's contacts and one after, so that their IDs sort
		// first and last: metrics rows that claim them are not the
		// organization's customers, whichever part's keys they fall in.
		other := newOrg(t, s, "rewrites-other")
		strangers := []*ent.Contact{s.Client.Contact.Create().SetFirstName("Early").SetLastName("Stranger").SaveX(other)}
		if _, err := demo.Seed(ctx, s.Client, pulid.ID(org), demo.Options{Contacts: 120, Seed: 3, Now: asOf}); err != nil {
			t.Fatal(err)
		}
		svc := valuation.WriteInParts(valuation.New(s), parts)
		refresh := func(asOf time.Time) {
			t.Helper()
			if _, err := svc.Refresh(ctx, valuation.Options{AsOf: asOf}); err != nil {
				t.Fatal(err)
			}
		}
		refresh(asOf)
		first := metricsByContact(t, ctx, s)
		if len(first) != 120 {
			t.Fatalf("%d contact metrics rows after the first refresh; want 120", len(first))
		}

		refresh(asOf)
		for id, after := range metricsByContact(t, ctx, s) {
			before := first[id]
			if after.ID != before.ID || !after.ComputedAt.Equal(before.ComputedAt) || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Fatalf("contact %s: a refresh as of the same date rewrote its metrics (ID %s→%s, computed %v→%v)",
					id, before.ID, after.ID, before.ComputedAt, after.ComputedAt)
			}
		}

		strangers = append(strangers, s.Client.Contact.Create().SetFirstName("Late").SetLastName("Stranger").SaveX(other))
		var strays []pulid.ID
		for _, stranger := range strangers {
			stray := s.Client.CustomerMetrics.Create().SetContactID(stranger.ID).SetAsOf(asOf).SetComputedAt(asOf).
				SetOrganizationID(pulid.ID(org)).SaveX(tenant.WithSystem(ctx))
			strays = append(strays, stray.ID)
		}
		newcomer := s.Client.Contact.Create().SetFirstName("New").SetLastName("Comer").SaveX(ctx)

		later := asOf.AddDate(0, 0, 1)
		refresh(later)
		after := metricsByContact(t, ctx, s)
		if len(after) != 121 {
			t.Errorf("%d contact metrics rows after a contact was added; want 121", len(after))
		}
		if _, ok := after[newcomer.ID]; !ok {
			t.Errorf("the new contact has no metrics")
		}
		if n := s.Client.CustomerMetrics.Query().Where(customermetrics.IDIn(strays...)).CountX(tenant.WithSystem(ctx)); n != 0 {
			t.Errorf("%d of the 2 metrics rows of contacts outside the organization survived the refresh", n)
		}
		for id, before := range first {
			m := after[id]
			if m.ID != before.ID || !m.CreatedAt.Equal(before.CreatedAt) {
				t.Fatalf("contact %s: metrics row replaced (ID %s→%s), want it updated in place", id, before.ID, m.ID)
			}
			if !m.AsOf.After(before.AsOf) || !m.ComputedAt.After(before.ComputedAt) {
				t.Fatalf("contact %s: as of %v, computed %v after a later refresh; want both later than %v, %v",
					id, m.AsOf, m.ComputedAt, before.AsOf, before.ComputedAt)
			}
			c := s.Client.Contact.GetX(ctx, id)
			if c.PredictedClv != m.PredictedClv || c.ProbabilityAlive != m.ProbabilityAlive || c.ValueScore != m.ValueScore {
				t.Fatalf("contact %s holds CLV %v, P(alive) %v, score %v; its metrics %v, %v, %v",
					id, c.PredictedClv, c.ProbabilityAlive, c.ValueScore, m.PredictedClv, m.ProbabilityAlive, m.ValueScore)
			}
		}
	})
}
