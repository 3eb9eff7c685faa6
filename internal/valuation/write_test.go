package valuation_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contactvalue"
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

// valuesByContact returns the contact_values rows of the organization by
// contact.
func valuesByContact(t *testing.T, ctx context.Context, s *store.Store, org string) map[pulid.ID]*ent.ContactValue {
	t.Helper()
	rows := s.Client.ContactValue.Query().Where(contactvalue.OrganizationID(pulid.ID(org))).AllX(ctx)
	out := make(map[pulid.ID]*ent.ContactValue, len(rows))
	for _, v := range rows {
		out[v.ContactID] = v
	}
	return out
}

// checkValuesCopied fails unless every contact with metrics has a
// contact_values row holding the five figures of its metrics row.
func checkValuesCopied(t *testing.T, metrics map[pulid.ID]*ent.CustomerMetrics, values map[pulid.ID]*ent.ContactValue) {
	t.Helper()
	for id, m := range metrics {
		v, ok := values[id]
		if !ok {
			t.Fatalf("contact %s has metrics but no contact_values row", id)
		}
		if !sameFigures(v, m) {
			t.Fatalf("contact %s: contact_values holds CLV %v, P(alive) %v, score %v, tier %v, segment %v; its metrics %v, %v, %v, %v, %v",
				id, v.PredictedClv, v.ProbabilityAlive, v.ValueScore, deref(v.ValueTier), deref(v.RfmSegment),
				m.PredictedClv, m.ProbabilityAlive, m.ValueScore, m.ValueTier, deref(m.RfmSegment))
		}
	}
}

// sameFigures reports whether a contact_values row holds the figures of a
// metrics row.
func sameFigures(v *ent.ContactValue, m *ent.CustomerMetrics) bool {
	return v.PredictedClv == m.PredictedClv && v.ProbabilityAlive == m.ProbabilityAlive && v.ValueScore == m.ValueScore &&
		v.ValueTier != nil && *v.ValueTier == m.ValueTier && deref(v.RfmSegment) == deref(m.RfmSegment)
}

// sameValues reports whether two contact_values rows hold the same figures.
func sameValues(a, b *ent.ContactValue) bool {
	return a.PredictedClv == b.PredictedClv && a.ProbabilityAlive == b.ProbabilityAlive && a.ValueScore == b.ValueScore &&
		deref(a.ValueTier) == deref(b.ValueTier) && deref(a.RfmSegment) == deref(b.RfmSegment)
}

// deref returns what p points to, or the zero value when p is nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// logValueRewrites makes the database record in value_rewrites the
// contact of every contact_values row an UPDATE writes, whether or not it
// changes its figures, and returns a function that lists and forgets the
// contacts recorded so far.
func logValueRewrites(t *testing.T, ctx context.Context, s *store.Store) func() map[pulid.ID]bool {
	t.Helper()
	ddl := []string{`CREATE TABLE value_rewrites (contact_id TEXT NOT NULL)`}
	if s.Dialect == dialect.Postgres {
		ddl = append(ddl,
			`CREATE FUNCTION log_value_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN INSERT INTO value_rewrites VALUES (NEW.contact_id); RETURN NULL; END $$`,
			`CREATE TRIGGER log_value_rewrite AFTER UPDATE ON contact_values FOR EACH ROW EXECUTE FUNCTION log_value_rewrite()`)
	} else {
		ddl = append(ddl, `CREATE TRIGGER log_value_rewrite AFTER UPDATE ON contact_values FOR EACH ROW
			BEGIN INSERT INTO value_rewrites VALUES (NEW.contact_id); END`)
	}
	for _, q := range ddl {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func() map[pulid.ID]bool {
		t.Helper()
		rows, err := s.DB.QueryContext(ctx, `SELECT contact_id FROM value_rewrites`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[pulid.ID]bool{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out[pulid.ID(id)] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.ExecContext(ctx, `DELETE FROM value_rewrites`); err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// TestRefreshRewritesOnlyWhatChanged refreshes an organization again and
// checks how the metrics rows are kept: a refresh as of the same date
// leaves every row as it was, computed_at included; one as of a later date
// updates the rows in place, keeping their ID and creation time; a new
// contact gets a row; the row of a customer outside the organization's
// contacts is deleted. The figures copied into contact_values follow the
// metrics after every refresh, and a contact_values row is rewritten only
// when its figures change. It holds whether the metrics are written in one
// transaction or, as PostgreSQL writes a large organization's, in parts.
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
		rewrites := logValueRewrites(t, ctx, s)
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
		firstValues := valuesByContact(t, ctx, s, org)
		checkValuesCopied(t, first, firstValues)
		if len(rewrites()) == 0 {
			t.Fatalf("the first refresh wrote no contact_values row")
		}

		refresh(asOf)
		for id, after := range metricsByContact(t, ctx, s) {
			before := first[id]
			if after.ID != before.ID || !after.ComputedAt.Equal(before.ComputedAt) || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Fatalf("contact %s: a refresh as of the same date rewrote its metrics (ID %s→%s, computed %v→%v)",
					id, before.ID, after.ID, before.ComputedAt, after.ComputedAt)
			}
		}
		if n := len(rewrites()); n != 0 {
			t.Fatalf("a refresh as of the same date rewrote %d contact_values rows; want none", n)
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
		}
		values := valuesByContact(t, ctx, s, org)
		checkValuesCopied(t, after, values)
		rewritten := rewrites()
		changed := 0
		for id, v := range values {
			before, ok := firstValues[id]
			if !ok {
				continue
			}
			if same := sameValues(before, v); same && rewritten[id] {
				t.Fatalf("contact %s: its contact_values row was rewritten though its figures did not change", id)
			} else if !same {
				changed++
			}
		}
		if changed == 0 {
			t.Errorf("no contact's figures changed a day later; want the test to see some change")
		}
	})
}
