package segment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contactvalue"
	entsegment "github.com/headlesscrm/crm/ent/segment"
	"github.com/headlesscrm/crm/ent/segmentmembership"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

func (f *fixture) saveSegment(t *testing.T, ctx context.Context, name string, r *Rule) *ent.Segment {
	t.Helper()
	m, err := r.Map()
	if err != nil {
		t.Fatal(err)
	}
	return must[*ent.Segment](t)(f.s.Client.Segment.Create().SetName(name).SetRule(m).Save(ctx))
}

// stored returns the names of the segment's stored members and their
// entered_at, read straight from the membership table.
func (f *fixture) stored(t *testing.T, seg *ent.Segment) ([]string, map[string]time.Time) {
	t.Helper()
	ms, err := f.s.Client.SegmentMembership.Query().Where(segmentmembership.SegmentID(seg.ID)).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []pulid.ID
	at := map[string]time.Time{}
	for _, m := range ms {
		if m.OrganizationID != seg.OrganizationID {
			t.Errorf("membership of %s has organization %s, segment %s", m.ContactID, m.OrganizationID, seg.OrganizationID)
		}
		ids = append(ids, m.ContactID)
		at[f.names[m.ContactID]] = m.EnteredAt
	}
	return f.sortedNames(ids), at
}

func TestRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		ctx := f.ctx
		seg := f.saveSegment(t, ctx, "VIPs", Cond(FieldValueTier, OpEQ, "VIP"))

		steps := []struct {
			name            string
			change          func()
			entered, exited []string
			members         []string
		}{
			{"first refresh", func() {}, names("ada bob"), names(""), names("ada bob")},
			{"unchanged", func() {}, names(""), names(""), names("ada bob")},
			{"bob leaves, dee and cy join", func() {
				setTier(t, ctx, s.Client, analytics.TierLow, f.ids["bob"])
				setTier(t, ctx, s.Client, analytics.TierVIP, f.ids["dee"], f.ids["cy"])
			}, names("cy dee"), names("bob"), names("ada cy dee")},
			{"everyone leaves", func() {
				setTier(t, ctx, s.Client, "", f.idsOf("ada bob cy dee")...)
			}, names(""), names("ada cy dee"), names("")},
			{"dee leaves after all joined", func() {
				setTier(t, ctx, s.Client, analytics.TierVIP, f.idsOf("ada bob cy dee")...)
				_, _, err := Refresh(ctx, s.Client, seg, testNow)
				if err != nil {
					t.Fatal(err)
				}
				setTier(t, ctx, s.Client, analytics.TierLow, f.ids["dee"])
			}, names(""), names("dee"), names("ada bob cy")},
		}
		var firstEntered map[string]time.Time
		for i, st := range steps {
			st.change()
			now := testNow.Add(time.Duration(i) * time.Hour)
			entered, exited, err := Refresh(ctx, s.Client, seg, now)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got := f.sortedNames(entered); !slices.Equal(got, st.entered) {
				t.Errorf("%s: entered %v, want %v", st.name, got, st.entered)
			}
			if got := f.sortedNames(exited); !slices.Equal(got, st.exited) {
				t.Errorf("%s: exited %v, want %v", st.name, got, st.exited)
			}
			if !slices.IsSorted(entered) || !slices.IsSorted(exited) {
				t.Errorf("%s: entered and exited are not in ID order", st.name)
			}
			got, at := f.stored(t, seg)
			if !slices.Equal(got, st.members) {
				t.Errorf("%s: members %v, want %v", st.name, got, st.members)
			}
			reloaded := s.Client.Segment.GetX(ctx, seg.ID)
			if reloaded.Size != len(st.members) || seg.Size != len(st.members) {
				t.Errorf("%s: size %d (struct %d), want %d", st.name, reloaded.Size, seg.Size, len(st.members))
			}
			if reloaded.RefreshedAt == nil || !reloaded.RefreshedAt.Equal(now) {
				t.Errorf("%s: refreshed_at %v, want %v", st.name, reloaded.RefreshedAt, now)
			}
			for _, n := range st.entered {
				if !at[n].Equal(now) {
					t.Errorf("%s: %s entered at %v, want %v", st.name, n, at[n], now)
				}
			}
			if i == 0 {
				firstEntered = at
			}
			if i == 2 && !at["ada"].Equal(firstEntered["ada"]) {
				t.Errorf("ada's entered_at moved from %v to %v although she stayed", firstEntered["ada"], at["ada"])
			}
		}

		// The members edge sees the materialized membership.
		n, err := seg.QueryMembers().Count(ctx)
		if err != nil || n != 3 {
			t.Errorf("QueryMembers: %d %v", n, err)
		}

		// Inside a caller's transaction, Refresh joins it.
		tx, err := s.Client.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		setTier(t, ctx, tx.Client(), "", f.ids["ada"])
		_, exited, err := Refresh(ctx, tx.Client(), seg, testNow)
		if err != nil || len(exited) != 1 {
			t.Fatalf("in tx: %v %v", exited, err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.stored(t, seg); !slices.Equal(got, names("ada bob cy")) {
			t.Errorf("after rollback: %v", got)
		}
	})
}

func TestRefreshManyInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := tenant.WithOrganization(context.Background(), string(newOrg(t, s, "big")))
		ids := seedContacts(t, s.Client, ctx, 1234)
		seg := must[*ent.Segment](t)(s.Client.Segment.Create().SetName("even").SetRule(mapOf(t, Cond(FieldValueTier, OpEQ, "VIP"))).Save(ctx))
		entered, exited, err := Refresh(ctx, s.Client, seg, testNow)
		if err != nil {
			t.Fatal(err)
		}
		wantVIP := 0
		for i := range ids {
			if i%4 == 0 {
				wantVIP++
			}
		}
		if len(entered) != wantVIP || len(exited) != 0 || seg.Size != wantVIP {
			t.Fatalf("entered %d exited %d size %d, want %d", len(entered), len(exited), seg.Size, wantVIP)
		}
		// Flip the rule: every VIP exits, every other contact enters.
		seg = s.Client.Segment.UpdateOne(seg).SetRule(mapOf(t, Not(Cond(FieldValueTier, OpEQ, "VIP")))).SaveX(ctx)
		entered, exited, err = Refresh(ctx, s.Client, seg, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if len(entered) != len(ids)-wantVIP || len(exited) != wantVIP || seg.Size != len(ids)-wantVIP {
			t.Fatalf("entered %d exited %d size %d", len(entered), len(exited), seg.Size)
		}
		n := s.Client.SegmentMembership.Query().Where(segmentmembership.SegmentID(seg.ID)).CountX(ctx)
		if n != len(ids)-wantVIP {
			t.Errorf("stored %d members", n)
		}
	})
}

func mapOf(t testing.TB, r *Rule) map[string]any {
	t.Helper()
	m, err := r.Map()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// seedContacts creates n contacts: the i-th with predicted CLV i and value
// score i % 100, every fourth VIP and the others LOW, and every third with
// a won deal in the last year.
func seedContacts(t testing.TB, c *ent.Client, ctx context.Context, n int) []pulid.ID {
	t.Helper()
	var ids []pulid.ID
	for start := 0; start < n; start += 500 {
		var bs []*ent.ContactCreate
		for i := start; i < min(n, start+500); i++ {
			bs = append(bs, c.Contact.Create().
				SetFirstName(fmt.Sprintf("First%05d", i)).SetLastName("Last").
				SetEmail(fmt.Sprintf("c%05d@example.com", i)).
				SetNewsletterOptIn(i%2 == 0).
				SetTags([]string{fmt.Sprintf("t%d", i%5)}))
		}
		cs := must[[]*ent.Contact](t)(c.Contact.CreateBulk(bs...).Save(ctx))
		seedValues(t, c, ctx, cs, start)
		var ds []*ent.DealCreate
		for j, ct := range cs {
			ids = append(ids, ct.ID)
			if (start+j)%3 == 0 {
				ds = append(ds, c.Deal.Create().SetName("d").SetAmount(100).SetStatus("WON").
					SetClosedAt(daysAgo((start+j)%400)).SetContactID(ct.ID))
			}
		}
		must[[]*ent.Deal](t)(c.Deal.CreateBulk(ds...).Save(ctx))
	}
	return ids
}

// seedTier is the value tier of the i-th contact of seedContacts.
func seedTier(i int) analytics.Tier {
	if i%4 == 0 {
		return analytics.TierVIP
	}
	return analytics.TierLow
}

// seedValues writes the value figures of the contacts cs, the start-th
// contact of seedContacts and those after it, to their rows of
// contact_values in one statement.
func seedValues(t testing.TB, c *ent.Client, ctx context.Context, cs []*ent.Contact, start int) {
	t.Helper()
	vs := make([]*ent.ContactValueCreate, len(cs))
	for j, ct := range cs {
		i := start + j
		vs[j] = c.ContactValue.Create().SetContactID(ct.ID).SetOrganizationID(ct.OrganizationID).
			SetPredictedClv(float64(i)).SetValueScore(float64(i % 100)).SetValueTier(seedTier(i))
	}
	err := c.ContactValue.CreateBulk(vs...).OnConflictColumns(contactvalue.FieldContactID).UpdateNewValues().Exec(ctx)
	if err != nil {
		t.Fatal(err)
	}
}

func TestTenantIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		// Every contact of A but dee is in some clause; eve of B matches
		// each clause.
		r := Or(
			Cond(FieldNewsletterOptIn, OpEQ, "true"),
			Cond(FieldLastName, OpEQ, "Lovelace"),
			rel(RelationWonDeal, within(7)),
			rel(RelationReferredContact, minCount(3)),
			rel(RelationLatestNPS, atMost(0)),
		)
		segA := f.saveSegment(t, f.ctx, "broad", r)
		if _, _, err := Refresh(f.ctx, s.Client, segA, testNow); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.stored(t, segA); !slices.Equal(got, names("ada bob dee")) {
			t.Errorf("org A members %v", got)
		}

		// The same rule in B sees only eve.
		segB := f.saveSegment(t, f.ctxB, "broad", r)
		entered, _, err := Refresh(f.ctxB, s.Client, segB, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.sortedNames(entered); !slices.Equal(got, names("eve")) {
			t.Errorf("org B entered %v", got)
		}

		// Refreshing under a system context still only considers the
		// segment's own organization.
		sys := tenant.WithSystem(context.Background())
		if _, _, err := Refresh(sys, s.Client, segA, testNow); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.stored(t, segA); !slices.Equal(got, names("ada bob dee")) {
			t.Errorf("org A members under system context %v", got)
		}
		if err := RefreshAll(sys, s.Client, testNow); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.stored(t, segB); !slices.Equal(got, names("eve")) {
			t.Errorf("org B members after system RefreshAll %v", got)
		}

		// B cannot refresh or export A's segment, and nothing of A changes.
		if _, _, err := Refresh(f.ctxB, s.Client, segA, testNow); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("B refreshing A's segment: %v", err)
		}
		if err := ExportCSV(f.ctxB, s.Client, segA, &bytes.Buffer{}); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("B exporting A's segment: %v", err)
		}
		// A forged segment struct with B's organization but A's ID is
		// refused by the update confined to B: nothing is written.
		forged := *segA
		forged.OrganizationID = f.orgB
		if _, _, err := Refresh(f.ctxB, s.Client, &forged, testNow); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("forged segment: %v", err)
		}
		if got, _ := f.stored(t, segA); !slices.Equal(got, names("ada bob dee")) {
			t.Errorf("org A members after B's attempts %v", got)
		}

		// Preview is confined to the context's organization too.
		n, sample, err := Preview(f.ctx, s.Client, r, testNow, 10)
		if err != nil || n != 3 || len(sample) != 3 {
			t.Fatalf("preview: %d %d %v", n, len(sample), err)
		}
		if f.names[sample[0].ID] != "ada" { // highest value score first
			t.Errorf("preview sample starts with %s", f.names[sample[0].ID])
		}
		for _, c := range sample {
			if c.OrganizationID != f.orgA {
				t.Errorf("preview sample has %s of another organization", c.ID)
			}
		}
		if n, sample, err := Preview(f.ctx, s.Client, r, testNow, 0); err != nil || n != 3 || sample != nil {
			t.Errorf("preview without sample: %d %v %v", n, sample, err)
		}
		if _, _, err := Preview(f.ctx, s.Client, &Rule{}, testNow, 10); errs.CodeOf(err) != errs.BadUserInput {
			t.Errorf("preview of an invalid rule: %v", err)
		}
		// Without any organization, nothing is readable.
		if _, _, err := Preview(context.Background(), s.Client, r, testNow, 10); !errors.Is(err, tenant.ErrNoTenant) {
			t.Errorf("preview without tenant: %v", err)
		}
	})
}

// TestPreviewOrdersByValueScore checks that the sample of Preview follows
// the value scores of the contacts' rows of contact_values, highest first,
// ties in ID order.
func TestPreviewOrdersByValueScore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		everyone := Cond(FieldFirstName, OpIsSet)
		score := func(name string, v float64) {
			setValues(t, f.ctx, s.Client, f.ids[name], values{score: v})
		}
		steps := []struct {
			name   string
			change func()
			rule   *Rule
			limit  int
			count  int
			want   []string
		}{
			{"as in the fixture", func() {}, everyone, 10, 4, names("ada bob cy dee")},
			{"a limit keeps the best", func() {}, everyone, 2, 4, names("ada bob")},
			{"with the rule", func() {}, Cond(FieldValueScore, OpLT, "90"), 10, 3, names("bob cy dee")},
			{"rescored", func() { score("dee", 99); score("ada", 1) }, everyone, 10, 4, names("dee bob cy ada")},
			{"ties in ID order", func() { score("bob", 50); score("cy", 50); score("dee", 50) }, everyone, 10, 4,
				append(f.inIDOrder("bob cy dee"), "ada")},
		}
		for _, st := range steps {
			st.change()
			n, sample, err := Preview(f.ctx, s.Client, st.rule, testNow, st.limit)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			var got []string
			for _, c := range sample {
				got = append(got, f.names[c.ID])
			}
			if n != st.count || !slices.Equal(got, st.want) {
				t.Errorf("%s: count %d, sample %v, want %d, %v", st.name, n, got, st.count, st.want)
			}
		}
	})
}

// TestPreviewCountsValueRules previews rules on the value figures, which
// are counted on contact_values alone when the context sees its whole
// organization, under each kind of context.
func TestPreviewCountsValueRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		user := must[*ent.User](t)(s.Client.User.Create().SetEmail("owner@example.com").SetPasswordHash("x").Save(f.ctx))
		s.Client.Contact.UpdateOneID(f.ids["bob"]).SetOwnerID(user.ID).ExecX(f.ctx)
		vip := Cond(FieldValueTier, OpEQ, "VIP")
		for _, tc := range []struct {
			name string
			ctx  context.Context
			rule *Rule
			want []string
		}{
			{"the organization", f.ctx, vip, names("ada bob")},
			{"organization B", f.ctxB, vip, names("eve")},
			{"a user's own records", tenant.WithOwnRecordsOnly(f.ctx, string(user.ID)), vip, names("bob")},
			{"value figures and a contact field", f.ctx, And(vip, Cond(FieldFirstName, OpEQ, "bob")), names("bob")},
			{"no match", f.ctx, Cond(FieldPredictedCLV, OpGT, "1500"), names("")},
		} {
			n, sample, err := Preview(tc.ctx, s.Client, tc.rule, testNow, 10)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			ids := make([]pulid.ID, len(sample))
			for i, c := range sample {
				ids[i] = c.ID
			}
			if got := f.sortedNames(ids); n != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Errorf("%s: count %d, sample %v, want %v", tc.name, n, got, tc.want)
			}
		}
	})
}

func TestPresets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		want := map[string][]string{
			PresetLapsedVIPs:             names("bob cy"), // bob is VIP, cy HIGH; neither bought in 182 days
			PresetSubscribersNeverBought: names("dee"),
			PresetNoRecentSeminar:        names("bob dee"),
			PresetMostProfitable:         names("ada"),
		}
		for _, p := range Presets() {
			if err := p.Rule.Validate(); err != nil {
				t.Errorf("%s: %v", p.Key, err)
				continue
			}
			if got := f.members(t, p.Rule); !slices.Equal(got, want[p.Key]) {
				t.Errorf("%s: %v, want %v", p.Key, got, want[p.Key])
			}
		}
		for range 2 {
			if err := EnsurePresets(f.ctx, s.Client); err != nil {
				t.Fatal(err)
			}
		}
		segs := s.Client.Segment.Query().Order(entsegment.ByName()).AllX(f.ctx)
		if len(segs) != len(Presets()) {
			t.Fatalf("%d segments after EnsurePresets twice", len(segs))
		}
		if err := RefreshAll(f.ctx, s.Client, testNow); err != nil {
			t.Fatal(err)
		}
		for _, p := range Presets() {
			seg := s.Client.Segment.Query().Where(entsegment.Name(p.Name)).OnlyX(f.ctx)
			if seg.Kind != entsegment.KindRULE || seg.Description == "" {
				t.Errorf("%s: kind %s description %q", p.Key, seg.Kind, seg.Description)
			}
			if got, _ := f.stored(t, seg); !slices.Equal(got, want[p.Key]) {
				t.Errorf("%s stored: %v, want %v", p.Key, got, want[p.Key])
			}
		}
		// B has none.
		if n := s.Client.Segment.Query().CountX(f.ctxB); n != 0 {
			t.Errorf("org B has %d segments", n)
		}
	})
}

func TestBuiltins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		for range 2 {
			if err := EnsureBuiltins(f.ctx, s.Client); err != nil {
				t.Fatal(err)
			}
		}
		segs := s.Client.Segment.Query().AllX(f.ctx)
		if len(segs) != 10 {
			t.Fatalf("%d built-in segments", len(segs))
		}
		for _, seg := range segs {
			if seg.Kind != entsegment.KindRFM || !strings.HasPrefix(seg.Name, "RFM: ") || seg.Description == "" {
				t.Errorf("built-in %q kind %s description %q", seg.Name, seg.Kind, seg.Description)
			}
		}
		// A renamed built-in still counts as existing.
		champ := s.Client.Segment.Query().Where(entsegment.Name("RFM: Champions")).OnlyX(f.ctx)
		s.Client.Segment.UpdateOne(champ).SetName("Our best").ExecX(f.ctx)
		if err := EnsureBuiltins(f.ctx, s.Client); err != nil {
			t.Fatal(err)
		}
		if n := s.Client.Segment.Query().CountX(f.ctx); n != 10 {
			t.Errorf("%d segments after renaming one", n)
		}
		if err := RefreshAll(f.ctx, s.Client, testNow); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string][]string{"Our best": names("ada"), "RFM: At Risk": names("bob"), "RFM: Loyal": names("")} {
			seg := s.Client.Segment.Query().Where(entsegment.Name(name)).OnlyX(f.ctx)
			if got, _ := f.stored(t, seg); !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		}
		// Organization B gets its own.
		if err := EnsureBuiltins(f.ctxB, s.Client); err != nil {
			t.Fatal(err)
		}
		if n := s.Client.Segment.Query().CountX(f.ctxB); n != 10 {
			t.Errorf("org B has %d built-ins", n)
		}
		// An RFM segment with a foreign rule is refused on refresh.
		bad := must[*ent.Segment](t)(s.Client.Segment.Create().SetName("odd").SetKind(entsegment.KindRFM).
			SetRule(mapOf(t, Cond(FieldValueTier, OpEQ, "VIP"))).Save(f.ctx))
		if _, _, err := Refresh(f.ctx, s.Client, bad, testNow); err == nil {
			t.Error("RFM segment with a non-RFM rule refreshed")
		}
	})
}

// TestRefreshRFMSegments refreshes the built-in RFM segments, whose
// members are read from contact_values alone, under each kind of context:
// they hold the contacts of the segment's organization in the RFM segment,
// and only the user's own contacts when the context is so limited.
func TestRefreshRFMSegments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		setValues(t, f.ctx, s.Client, f.ids["cy"], values{rfm: analytics.SegmentLoyal})
		setValues(t, f.ctx, s.Client, f.ids["dee"], values{rfm: analytics.SegmentLoyal})
		user := must[*ent.User](t)(s.Client.User.Create().SetEmail("owner@example.com").SetPasswordHash("x").Save(f.ctx))
		s.Client.Contact.UpdateOneID(f.ids["dee"]).SetOwnerID(user.ID).ExecX(f.ctx)
		if err := EnsureBuiltins(f.ctx, s.Client); err != nil {
			t.Fatal(err)
		}
		everyone := map[analytics.RFMSegment][]string{
			analytics.SegmentChampions: names("ada"), analytics.SegmentAtRisk: names("bob"),
			analytics.SegmentLoyal: names("cy dee"), analytics.SegmentHibernating: names(""),
		}
		for _, tc := range []struct {
			name string
			ctx  context.Context
			want map[analytics.RFMSegment][]string
		}{
			{"the organization", f.ctx, everyone},
			{"a system context", tenant.WithSystem(context.Background()), everyone},
			{"a user's own records", tenant.WithOwnRecordsOnly(f.ctx, string(user.ID)), map[analytics.RFMSegment][]string{
				analytics.SegmentChampions: names(""), analytics.SegmentAtRisk: names(""),
				analytics.SegmentLoyal: names("dee"), analytics.SegmentHibernating: names(""),
			}},
		} {
			for rs, want := range tc.want {
				seg := s.Client.Segment.Query().Where(entsegment.Name(BuiltinName(rs))).OnlyX(f.ctx)
				entered, _, err := Refresh(tc.ctx, s.Client, seg, testNow)
				if err != nil {
					t.Fatalf("%s, %s: %v", tc.name, rs, err)
				}
				if !slices.IsSorted(entered) {
					t.Errorf("%s, %s: entered %v not in ID order", tc.name, rs, entered)
				}
				if got, _ := f.stored(t, seg); !slices.Equal(got, want) || seg.Size != len(want) {
					t.Errorf("%s, %s: members %v (size %d), want %v", tc.name, rs, got, seg.Size, want)
				}
			}
		}
	})
}

func TestExportCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		s.Client.Contact.UpdateOneID(f.ids["bob"]).SetFirstName("=HYPERLINK(\"x\")").ExecX(f.ctx)
		seg := f.saveSegment(t, f.ctx, "VIP or HIGH", Cond(FieldValueTier, OpGTE, "HIGH"))
		var buf bytes.Buffer
		if err := ExportCSV(f.ctx, s.Client, seg, &buf); err != nil {
			t.Fatal(err)
		}
		if buf.String() != "id,email,first_name,last_name,predicted_clv,value_tier,rfm_segment\n" {
			t.Errorf("before refresh: %q", buf.String())
		}
		if _, _, err := Refresh(f.ctx, s.Client, seg, testNow); err != nil {
			t.Fatal(err)
		}
		buf.Reset()
		if err := ExportCSV(f.ctx, s.Client, seg, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{
			CSVHeader,
			{string(f.ids["ada"]), "ada@example.com", "Ada", "Lovelace", "1500.00", "VIP", "CHAMPIONS"},
			{string(f.ids["bob"]), "bob@example.com", "'=HYPERLINK(\"x\")", "Builder", "800.00", "VIP", "AT_RISK"},
			{string(f.ids["cy"]), "", "Cy", "Young", "100.00", "HIGH", ""},
		}
		slices.SortFunc(want[1:], func(a, b []string) int { return strings.Compare(a[0], b[0]) })
		if fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("rows\n got %q\nwant %q", rows, want)
		}
	})
}

func TestExportCSVPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := tenant.WithOrganization(context.Background(), string(newOrg(t, s, "pages")))
		ids := seedContacts(t, s.Client, ctx, 2345)
		seg := must[*ent.Segment](t)(s.Client.Segment.Create().SetName("all").
			SetRule(mapOf(t, Cond(FieldEmail, OpIsSet))).Save(ctx))
		if _, _, err := Refresh(ctx, s.Client, seg, testNow); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := ExportCSV(ctx, s.Client, seg, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(ids)+1 {
			t.Fatalf("%d rows for %d members", len(rows), len(ids))
		}
		// Every row, on every page, carries its contact's value figures:
		// the i-th seeded contact has predicted CLV i.
		want := make(map[pulid.ID][]string, len(ids))
		for i, id := range ids {
			want[id] = []string{string(id), fmt.Sprintf("%d.00", i), string(seedTier(i)), ""}
		}
		slices.Sort(ids)
		for i, id := range ids {
			r := rows[i+1]
			if got := []string{r[0], r[4], r[5], r[6]}; !slices.Equal(got, want[id]) {
				t.Fatalf("row %d is %q, want %q", i+1, got, want[id])
			}
		}
	})
}
