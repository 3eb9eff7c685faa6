package server_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/internal/money"
)

// crmData is a small CRM: accounts with contacts, each with deals.
type crmData struct {
	contacts []*ent.Contact
	accounts []*ent.Account
	stages   []*ent.Stage
	deals    []*ent.Deal
}

// seedCRM creates n contacts, one account per five contacts, and three deals
// per contact across the stages of one pipeline.
func seedCRM(t *testing.T, f *fixture, tf *tenantFixture, n int) *crmData {
	t.Helper()
	c := f.store.Client
	ctx := tf.ctx
	p := c.Pipeline.Create().SetName("New business").SaveX(ctx)
	d := &crmData{}
	for i, s := range []struct {
		name string
		prob float64
		won  bool
		lost bool
	}{{"Qualification", 0.1, false, false}, {"Proposal", 0.4, false, false}, {"Won", 1, true, false}, {"Lost", 0, false, true}} {
		d.stages = append(d.stages, c.Stage.Create().SetName(s.name).SetPosition(i).SetProbability(s.prob).SetIsWon(s.won).SetIsLost(s.lost).SetPipeline(p).SaveX(ctx))
	}
	for i := 0; i < n; i++ {
		if i%5 == 0 {
			d.accounts = append(d.accounts, c.Account.Create().SetName(fmt.Sprintf("%s account %d", tf.org.Name, i/5)).SaveX(ctx))
		}
		ct := c.Contact.Create().
			SetFirstName(fmt.Sprintf("First%d", i)).
			SetLastName("Last").
			SetEmail(fmt.Sprintf("person%03d@%s.example", i, tf.org.Slug)).
			SetAccount(d.accounts[len(d.accounts)-1]).
			SaveX(ctx)
		d.contacts = append(d.contacts, ct)
		for j := 0; j < 3; j++ {
			d.deals = append(d.deals, c.Deal.Create().
				SetName(fmt.Sprintf("Deal %d-%d", i, j)).
				SetAmount(money.FromCents(int64(1000*(j+1)+i))).
				SetStage(d.stages[j]).
				SetContact(ct).
				SetAccount(d.accounts[len(d.accounts)-1]).
				SaveX(ctx))
		}
	}
	return d
}

const nestedContacts = `query($first: Int) {
  contacts(first: $first, orderBy: {field: EMAIL, direction: ASC}) {
    totalCount
    edges { node { id email account { name }
      deals(first: 5) { totalCount edges { node { amount status stage { name } } } } } }
  }
}`

type nestedPage struct {
	Contacts struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID      string
				Email   string
				Account struct{ Name string }
				Deals   struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Amount string
							Status string
							Stage  struct{ Name string }
						}
					}
				}
			}
		}
	}
}

func TestNestedPageCostsConstantStatements(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 120)
		f.ok(a.token, `{ contacts(first: 1) { totalCount } }`, nil, nil) // the token, once checked
		counts := map[int]int{}
		for _, first := range []int{20, 100} {
			var page nestedPage
			f.counter.Reset()
			f.ok(a.token, nestedContacts, map[string]any{"first": first}, &page)
			counts[first] = f.counter.Count()
			if got := len(page.Contacts.Edges); got != first {
				t.Fatalf("first: %d returned %d contacts", first, got)
			}
			if page.Contacts.TotalCount != 120 {
				t.Errorf("totalCount = %d, want 120", page.Contacts.TotalCount)
			}
			n := page.Contacts.Edges[0].Node
			if n.Email != "person000@acme.example" || n.Account.Name != "acme account 0" {
				t.Errorf("first contact = %+v", n)
			}
			if n.Deals.TotalCount != 3 || len(n.Deals.Edges) != 3 || n.Deals.Edges[0].Node.Stage.Name == "" {
				t.Errorf("deals of the first contact = %+v", n.Deals)
			}
		}
		t.Logf("SQL statements per nested page (%d to authenticate): first 20 → %d, first 100 → %d", f.authStatements(), counts[20], counts[100])
		if counts[20] != counts[100] {
			t.Errorf("statements grow with page size: first 20 → %d, first 100 → %d", counts[20], counts[100])
		}
		if counts[100] > 8 {
			t.Errorf("a nested page costs %d statements; want at most 8", counts[100])
		}
	})
}

func TestDealStatusAndMoneyAreExact(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		d := seedCRM(t, f, a, 1)
		var out struct {
			CreateDeal struct {
				Amount   string
				Status   string
				ClosedAt *time.Time
			}
		}
		f.ok(a.token, `mutation($stage: ID!) { createDeal(input: {name: "Big", amount: "12345678901.23", stageID: $stage}) { amount status closedAt } }`,
			map[string]any{"stage": d.stages[2].ID}, &out)
		if out.CreateDeal.Amount != "12345678901.23" {
			t.Errorf("amount = %s, want 12345678901.23 exactly", out.CreateDeal.Amount)
		}
		if out.CreateDeal.Status != "WON" || out.CreateDeal.ClosedAt == nil {
			t.Errorf("a deal created in the won stage is %s closed at %v; want WON with a close time", out.CreateDeal.Status, out.CreateDeal.ClosedAt)
		}
	})
}

func TestDefaultAndMaximumPageSize(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 25)
		var page struct {
			Contacts struct {
				Edges    []json.RawMessage
				PageInfo struct{ HasNextPage bool }
			}
		}
		f.ok(a.token, `{ contacts { edges { cursor } pageInfo { hasNextPage } } }`, nil, &page)
		if len(page.Contacts.Edges) != 20 || !page.Contacts.PageInfo.HasNextPage {
			t.Errorf("without first: %d contacts, hasNextPage %v; want the default page of 20 and more to come", len(page.Contacts.Edges), page.Contacts.PageInfo.HasNextPage)
		}
		for _, q := range []struct {
			name  string
			query string
			vars  map[string]any
		}{
			{"literal", `{ contacts(first: 101) { totalCount } }`, nil},
			{"variable", `query($n: Int) { contacts(first: $n) { totalCount } }`, map[string]any{"n": 100000}},
			{"nested", `{ contacts(first: 1) { edges { node { deals(last: 500) { totalCount } } } } }`, nil},
			{"in a fragment", `{ ...F } fragment F on Query { deals(first: 1000) { totalCount } }`, nil},
		} {
			r := f.do(a.token, q.query, q.vars)
			if r.code() != "BAD_USER_INPUT" || r.field() == "" {
				t.Errorf("%s: a page over 100 got %+v; want BAD_USER_INPUT naming the argument", q.name, r.Errors)
			}
		}
	})
}

func TestRequestsWithoutValidTokenAreUnauthenticated(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 2)
		for _, tc := range []struct{ name, token string }{
			{"no token", ""},
			{"garbage", "not-a-token"},
			{"mistyped API token", mistype(a.token, 1)},
			{"tampered JWT", mistype(a.jwt, 2)},
		} {
			r := f.do(tc.token, nestedContacts, map[string]any{"first": 20})
			if r.code() != "UNAUTHENTICATED" || string(r.Data) != "null" {
				t.Errorf("%s: got data %s errors %+v; want UNAUTHENTICATED and no data", tc.name, r.Data, r.Errors)
			}
		}
		var me struct {
			Me struct{ Organization struct{ Slug string } }
		}
		f.ok(a.jwt, `{ me { organization { slug } } }`, nil, &me)
		if me.Me.Organization.Slug != a.org.Slug {
			t.Errorf("me.organization = %q", me.Me.Organization.Slug)
		}
	})
}

// mistype returns token with its last n characters changed: each becomes
// x, or y where it already was x, so that the result always differs.
func mistype(token string, n int) string {
	b := []byte(token)
	for i := len(b) - n; i < len(b); i++ {
		if b[i] == 'x' {
			b[i] = 'y'
		} else {
			b[i] = 'x'
		}
	}
	return string(b)
}

// TestPagesCountOnlyWhenAskedTo: paging through a list with pageInfo costs
// one query besides the token lookup; only totalCount counts the list, in
// a query of its own through the resolvers, within the page's statement
// when PostgreSQL answers in SQL. pageInfo is right either way.
func TestPagesCountOnlyWhenAskedTo(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 30)
		// Besides answering, a request authenticates its API token
		// (f.authStatements).
		f.ok(a.token, `{ contacts(first: 1) { totalCount } }`, nil, nil)
		auth := f.authStatements()
		tests := []struct {
			name, selection string
			after           bool
			wantStatements  int
			wantInSQL       int // on PostgreSQL, answered by graph/sqljson
			wantNext        bool
		}{
			{"first page with pageInfo", `pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } }`, false, auth + 1, auth + 1, true},
			{"last page with pageInfo", `pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { id } }`, true, auth + 1, auth + 1, false},
			{"first page with totalCount", `totalCount pageInfo { hasNextPage endCursor } edges { node { id } }`, false, auth + 2, auth + 1, true},
		}
		for _, tt := range tests {
			vars := map[string]any{"after": nil}
			if tt.after {
				var first struct {
					Contacts struct{ PageInfo struct{ EndCursor string } }
				}
				f.ok(a.token, `{ contacts(first: 20, orderBy: {field: ID, direction: ASC}) { pageInfo { endCursor } edges { cursor } } }`, nil, &first)
				vars["after"] = first.Contacts.PageInfo.EndCursor
			}
			var page struct {
				Contacts struct {
					TotalCount int
					PageInfo   struct{ HasNextPage, HasPreviousPage bool }
					Edges      []json.RawMessage
				}
			}
			f.counter.Reset()
			f.ok(a.token, `query($after: Cursor) { contacts(first: 20, after: $after, orderBy: {field: ID, direction: ASC}) { `+tt.selection+` } }`, vars, &page)
			want := tt.wantStatements
			if f.store.Dialect == dialect.Postgres {
				want = tt.wantInSQL
			}
			if got := f.counter.Count(); got != want {
				t.Errorf("%s: %d SQL statements; want %d", tt.name, got, want)
			}
			if page.Contacts.PageInfo.HasNextPage != tt.wantNext || page.Contacts.PageInfo.HasPreviousPage != tt.after {
				t.Errorf("%s: pageInfo %+v; want hasNextPage %v, hasPreviousPage %v", tt.name, page.Contacts.PageInfo, tt.wantNext, tt.after)
			}
			if want := map[bool]int{false: 20, true: 10}[tt.after]; len(page.Contacts.Edges) != want {
				t.Errorf("%s: %d contacts; want %d", tt.name, len(page.Contacts.Edges), want)
			}
		}
	})
}

// TestPagingByValueReachesEveryContactOnce: paging through contacts by
// predicted CLV, most valuable first, two at a time, reaches every contact
// exactly once and ends, though most contacts have no value yet (a CLV of
// 0, which cursors used to leave out, restarting the list) — through the
// SQL path and through the resolvers alike.
func TestPagingByValueReachesEveryContactOnce(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		values := []float64{0, 120.5, 0, 0, 42, 0, 120.5, 0, 7}
		for i, v := range values {
			c := f.store.Client.Contact.Create().SetFirstName(fmt.Sprintf("c%d", i)).SaveX(a.ctx)
			f.store.Client.ContactValue.Update().Where(contactvalue.ContactID(c.ID)).SetPredictedClv(v).ExecX(a.ctx)
		}
		const q = `query($after: Cursor, $dir: OrderDirection!) { contacts(first: 2, after: $after, orderBy: {field: PREDICTED_CLV, direction: $dir}) {
  pageInfo { hasNextPage endCursor } edges { node { id predictedClv: id } } } }`
		for _, api := range []struct{ name, url string }{{"answered in SQL where it can", f.url}, {"resolvers only", f.referenceURL}} {
			for _, dir := range []string{"DESC", "ASC"} {
				seen := map[string]int{}
				var after any
				for page := 0; page < len(values); page++ {
					var out struct {
						Contacts struct {
							PageInfo struct {
								HasNextPage bool
								EndCursor   string
							}
							Edges []struct{ Node struct{ ID string } }
						}
					}
					r := f.doAt(api.url, a.token, q, map[string]any{"after": after, "dir": dir})
					if len(r.Errors) > 0 {
						t.Fatalf("%s %s: %+v", api.name, dir, r.Errors)
					}
					if err := json.Unmarshal(r.Data, &out); err != nil {
						t.Fatal(err)
					}
					for _, e := range out.Contacts.Edges {
						seen[e.Node.ID]++
					}
					if !out.Contacts.PageInfo.HasNextPage {
						break
					}
					after = out.Contacts.PageInfo.EndCursor
				}
				if len(seen) != len(values) {
					t.Errorf("%s, %s: paging reached %d of %d contacts", api.name, dir, len(seen), len(values))
				}
				for id, n := range seen {
					if n != 1 {
						t.Errorf("%s, %s: contact %s shown %d times", api.name, dir, id, n)
					}
				}
			}
		}
	})
}
