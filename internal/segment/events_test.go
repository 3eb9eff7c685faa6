package segment

import (
	"slices"
	"testing"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

func TestRefreshRaisesMembershipEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		must[*ent.WebhookEndpoint](t)(s.Client.WebhookEndpoint.Create().SetURL("https://example.com/hook").
			SetEventTypes([]eventtype.Type{eventtype.SegmentEntered, eventtype.SegmentExited}).SetSecret("whsec_dGVzdA==").Save(ctx))
		viewer := auth.NewContext(ctx, &auth.Viewer{OrganizationID: f.orgA.String(), UserID: "usr_owner", Role: auth.RoleOwner})

		var seg *ent.Segment
		seen := map[string]bool{}
		// raised returns the membership events raised since the last call,
		// as "ENTERED ada" and so on, sorted.
		raised := func() ([]string, []*ent.Event) {
			evs := must[[]*ent.Event](t)(s.Client.Event.Query().
				Where(event.TypeIn(eventtype.SegmentEntered, eventtype.SegmentExited)).All(ctx))
			out := []string{}
			var fresh []*ent.Event
			for _, e := range evs {
				if seen[e.ID.String()] {
					continue
				}
				seen[e.ID.String()] = true
				fresh = append(fresh, e)
				kind := map[eventtype.Type]string{eventtype.SegmentEntered: "ENTERED", eventtype.SegmentExited: "EXITED"}[e.Type]
				out = append(out, kind+" "+f.names[pulid.ID(e.SubjectID)])
			}
			slices.Sort(out)
			return out, fresh
		}
		steps := []struct {
			name  string
			do    func()
			want  []string
			actor event.ActorKind
		}{
			{"creating a segment materializes it silently", func() {
				seg = must[*ent.Segment](t)(Create(ctx, s.Client, "VIPs", nil, Cond(FieldValueTier, OpEQ, "VIP"), testNow))
			}, []string{}, ""},
			{"an unchanged refresh raises nothing", func() {
				if _, _, err := Refresh(ctx, s.Client, seg, testNow); err != nil {
					t.Fatal(err)
				}
			}, []string{}, ""},
			{"members entering and leaving", func() {
				setTier(t, ctx, s.Client, analytics.TierLow, f.ids["bob"])
				setTier(t, ctx, s.Client, analytics.TierVIP, f.ids["cy"], f.ids["dee"])
				if _, _, err := Refresh(tenant.WithSystem(ctx), s.Client, seg, testNow); err != nil {
					t.Fatal(err)
				}
			}, []string{"ENTERED cy", "ENTERED dee", "EXITED bob"}, event.ActorKindSYSTEM},
			{"a rolled-back refresh raises nothing", func() {
				tx := must[*ent.Tx](t)(s.Client.Tx(ctx))
				setTier(t, ctx, tx.Client(), "", f.ids["ada"])
				if _, _, err := Refresh(ctx, tx.Client(), seg, testNow); err != nil {
					t.Fatal(err)
				}
				if err := tx.Rollback(); err != nil {
					t.Fatal(err)
				}
			}, []string{}, ""},
			{"a rule change by a user", func() {
				seg = must[*ent.Segment](t)(Update(viewer, s.Client, seg.ID, nil, nil, Cond(FieldValueTier, OpIn, "VIP", "LOW"), testNow))
			}, []string{"ENTERED bob"}, event.ActorKindUSER},
			{"built-in segments materialize silently", func() {
				if err := EnsureBuiltins(ctx, s.Client); err != nil {
					t.Fatal(err)
				}
				if err := RefreshAll(ctx, s.Client, testNow); err != nil {
					t.Fatal(err)
				}
			}, []string{}, ""},
		}
		for _, st := range steps {
			st.do()
			got, evs := raised()
			if !slices.Equal(got, st.want) {
				t.Errorf("%s: raised %v, want %v", st.name, got, st.want)
			}
			for _, e := range evs {
				if e.ActorKind != st.actor || e.SubjectType != "Contact" || e.OrganizationID != f.orgA ||
					e.Data["segmentId"] != seg.ID.String() || e.Data["segmentName"] != "VIPs" {
					t.Errorf("%s: event %+v", st.name, e)
				}
				n := s.Client.WebhookDelivery.Query().Where(webhookdelivery.EventID(e.ID)).CountX(ctx)
				if n != 1 {
					t.Errorf("%s: %d deliveries, want 1", st.name, n)
				}
			}
		}
	})
}
