package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/segment"
)

// TestTheFourListsFromTheFieldAreSavedSegments loads a demo organization
// with its saved segments, refreshes analytics, and reads each list.
func TestTheFourListsFromTheFieldAreSavedSegments(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("shop")
		if _, err := demo.Seed(a.ctx, f.store.Client, a.org.ID, demo.Options{Contacts: 400, Seed: 11, Now: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		if err := segment.EnsurePresets(a.ctx, f.store.Client); err != nil {
			t.Fatal(err)
		}
		f.ok(a.token, `mutation { refreshAnalytics { contacts } }`, nil, nil)
		var out struct {
			Segments struct {
				Edges []struct {
					Node struct {
						Name    string
						Kind    string
						Size    int
						Members struct {
							TotalCount int
							Edges      []struct {
								Node struct {
									ID       string
									Segments []struct{ Name string }
								}
							}
						}
					}
				}
			}
		}
		f.ok(a.token, `{ segments(first: 50) { edges { node { name kind size
			members(first: 2) { totalCount edges { node { id segments { name } } } } } } } }`, nil, &out)
		sizes := map[string]int{}
		for _, e := range out.Segments.Edges {
			n := e.Node
			sizes[n.Name] = n.Size
			if n.Size != n.Members.TotalCount {
				t.Errorf("%s: size %d but %d members", n.Name, n.Size, n.Members.TotalCount)
			}
			for _, m := range n.Members.Edges {
				found := false
				for _, s := range m.Node.Segments {
					found = found || s.Name == n.Name
				}
				if !found {
					t.Errorf("%s: member %s does not list the segment in contact.segments", n.Name, m.Node.ID)
				}
			}
		}
		for _, p := range segment.Presets() {
			if sizes[p.Name] == 0 {
				t.Errorf("the saved list %q is empty on the demo data", p.Name)
			}
		}
		rfm := 0
		for name := range sizes {
			if strings.HasPrefix(name, "RFM: ") {
				rfm++
			}
		}
		if rfm != 10 {
			t.Errorf("%d built-in RFM segments; want 10", rfm)
		}
		t.Logf("segment sizes: %v", sizes)
	})
}

func TestSegmentRulesAreValidatedAndPreviewed(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("shop")
		seedCRM(t, f, a, 10)
		for _, tc := range []struct{ name, rule, field string }{
			{"two kinds in one node", `{field: {field: VALUE_TIER, op: EQ, value: "VIP"}, related: {relation: OPEN_DEAL}}`, "input.rule"},
			{"a tier that does not exist", `{and: [{field: {field: NEWSLETTER_OPT_IN, op: EQ, value: "true"}}, {field: {field: VALUE_TIER, op: EQ, value: "GOLD"}}]}`, "input.rule.and[1].field.value"},
			{"IN without values", `{field: {field: LIFECYCLE_STAGE, op: IN}}`, "input.rule.field.values"},
		} {
			r := f.do(a.token, `mutation { createSegment(input: {name: "x", rule: `+tc.rule+`}) { id } }`, nil)
			if r.code() != "BAD_USER_INPUT" || !strings.HasPrefix(r.field(), tc.field) {
				t.Errorf("%s: got %q on %q (%v); want BAD_USER_INPUT on %s", tc.name, r.code(), r.field(), r.Errors, tc.field)
			}
		}
		var preview struct{ PreviewSegment struct{ Count int } }
		f.ok(a.token, `{ previewSegment(rule: {related: {relation: OPEN_DEAL}}) { count sample { email } } }`, nil, &preview)
		if preview.PreviewSegment.Count != 10 {
			t.Errorf("preview of contacts with an open deal counts %d; want 10", preview.PreviewSegment.Count)
		}
		var created struct{ CreateSegment struct{ Size int } }
		f.ok(a.token, `mutation { createSegment(input: {name: "Open pipeline", rule: {related: {relation: OPEN_DEAL}}}) { size } }`, nil, &created)
		if created.CreateSegment.Size != 10 {
			t.Errorf("a saved segment has %d members; want 10 at once", created.CreateSegment.Size)
		}
		if n := f.store.Client.Segment.Query().CountX(a.ctx); n != 11 {
			t.Errorf("%d segments after refused rules; want the 10 built-ins and the one saved", n)
		}
	})
}
