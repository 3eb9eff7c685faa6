package events_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
)

// testNow is the fixtures' present.
var testNow = time.Date(2025, time.June, 2, 12, 0, 0, 0, time.UTC)

func day(n int) time.Time { return testNow.AddDate(0, 0, n) }

// org is one organization of a test, with its contacts by name.
type org struct {
	s     *store.Store
	id    pulid.ID
	ctx   context.Context // scoped to the organization, no viewer
	ids   map[string]pulid.ID
	names map[string]string // contact ID → name
}

func newOrg(t *testing.T, s *store.Store, slug string, configure func(*ent.OrganizationCreate)) *org {
	t.Helper()
	b := s.Client.Organization.Create().SetName(slug).SetSlug(slug)
	if configure != nil {
		configure(b)
	}
	o, err := b.Save(tenant.WithSystem(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return &org{s: s, id: o.ID, ctx: tenant.WithOrganization(context.Background(), o.ID.String()),
		ids: map[string]pulid.ID{}, names: map[string]string{}}
}

// contact creates a contact with the value tier (none when empty) and
// predicted CLV.
func (o *org) contact(t *testing.T, name string, tier analytics.Tier, clv float64) pulid.ID {
	t.Helper()
	c, err := o.s.Client.Contact.Create().SetFirstName(name).Save(o.ctx)
	if err != nil {
		t.Fatal(err)
	}
	o.ids[name], o.names[c.ID.String()] = c.ID, name
	o.value(t, name, tier, clv)
	return c.ID
}

// value sets the value tier (clears it when empty) and predicted CLV of
// the contact in its row of contact_values, as an analytics refresh does.
func (o *org) value(t *testing.T, name string, tier analytics.Tier, clv float64) {
	t.Helper()
	u := o.s.Client.ContactValue.Update().Where(contactvalue.ContactID(o.ids[name])).SetPredictedClv(clv)
	if tier != "" {
		u.SetValueTier(tier)
	} else {
		u.ClearValueTier()
	}
	n, err := u.Save(o.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%s has %d rows of value figures, want 1", name, n)
	}
}

// purchase records a won deal of the contact, closed at the time, without
// a viewer (as an import does).
func (o *org) purchase(t *testing.T, name string, cents int64, closed time.Time) {
	t.Helper()
	err := o.s.Client.Deal.Create().SetName("order").SetAmount(money.FromCents(cents)).
		SetStatus(deal.StatusWON).SetClosedAt(closed).SetContactID(o.ids[name]).Exec(o.ctx)
	if err != nil {
		t.Fatal(err)
	}
}

// endpoint subscribes a webhook endpoint to the types.
func (o *org) endpoint(t *testing.T, types ...eventtype.Type) pulid.ID {
	t.Helper()
	ep, err := o.s.Client.WebhookEndpoint.Create().SetURL("https://example.com/hook").
		SetEventTypes(types).SetSecret("whsec_dGVzdA==").Save(o.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ep.ID
}

// events returns the organization's events of the type.
func (o *org) events(t *testing.T, typ eventtype.Type) []*ent.Event {
	t.Helper()
	evs, err := o.s.Client.Event.Query().Where(event.TypeEQ(typ)).Order(event.ByCreatedAt(), event.ByID()).All(o.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// subjects returns the names of the subjects of events, sorted.
func (o *org) subjects(evs []*ent.Event) []string {
	out := []string{}
	for _, e := range evs {
		n, ok := o.names[e.SubjectID]
		if !ok {
			n = e.SubjectID
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

func (o *org) alerts(now *time.Time) *events.Alerts {
	return &events.Alerts{Client: o.s.Client, Now: func() time.Time { return *now }}
}

func amount(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
