package demo

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/oklog/ulid/v2"

	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestBulkLoadMatchesEnt seeds the same options through ent and in bulk
// (COPY on PostgreSQL, multi-row INSERTs on SQLite) and compares what was
// written.
func TestBulkLoadMatchesEnt(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client, db := openDB(t, d)
			opt := Options{Contacts: 400, Seed: 11, Now: testNow}
			viaEnt, entStats := seed(t, client, "via-ent", opt)
			bulk := opt
			bulk.DB, bulk.Dialect = db, d
			var progress [][2]int
			bulk.Progress = func(done, total int) { progress = append(progress, [2]int{done, total}) }
			viaBulk, bulkStats := seed(t, client, "via-bulk", bulk)
			if *entStats != *bulkStats {
				t.Fatalf("different counts:\nent  %v\nbulk %v", entStats, bulkStats)
			}
			if len(progress) == 0 || progress[len(progress)-1] != [2]int{400, 400} {
				t.Errorf("progress reports %v", progress)
			}
			a, b := customerLines(t, client, viaEnt), customerLines(t, client, viaBulk)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("contact %d differs: %+v vs %+v", i, a[i], b[i])
				}
			}
			// Every entity reads back through ent, with the same values.
			ea, eb := load(t, client, viaEnt, entStats), load(t, client, viaBulk, bulkStats)
			for _, c := range []struct {
				name string
				a, b string
			}{
				{"accounts", fmt.Sprint(accountLines(ea)), fmt.Sprint(accountLines(eb))},
				{"deals", fmt.Sprint(dealLines(ea)), fmt.Sprint(dealLines(eb))},
				{"activities", fmt.Sprint(len(ea.activities), activityTypes(ea)), fmt.Sprint(len(eb.activities), activityTypes(eb))},
			} {
				if c.a != c.b {
					t.Errorf("%s differ:\nent  %.300s\nbulk %.300s", c.name, c.a, c.b)
				}
			}
		})
	}
}

// TestLeanSeed checks that Options.Lean writes the same contacts and deals
// and nothing of what it leaves out.
func TestLeanSeed(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client, db := openDB(t, d)
			tests := []struct {
				name string
				bulk bool
			}{{"through ent", false}, {"in bulk", true}}
			full, fullStats := seed(t, client, "full", Options{Contacts: 200, Seed: 3, Now: testNow})
			for i, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					opt := Options{Contacts: 200, Seed: 3, Now: testNow, Lean: true}
					if tc.bulk {
						opt.DB, opt.Dialect = db, d
					}
					org, st := seed(t, client, fmt.Sprintf("lean-%d", i), opt)
					if st.LineItems+st.CampaignMembers+st.SurveyResponses+st.Tickets+st.Activities != 0 {
						t.Errorf("lean seed wrote %v", st)
					}
					if st.Contacts != fullStats.Contacts || st.Deals != fullStats.Deals || st.WonDeals != fullStats.WonDeals || st.Accounts != fullStats.Accounts {
						t.Errorf("lean %v\nfull %v", st, fullStats)
					}
					a, b := customerLines(t, client, full), customerLines(t, client, org)
					for i := range a {
						if a[i] != b[i] {
							t.Fatalf("contact %d differs: %+v vs %+v", i, a[i], b[i])
						}
					}
					ctx := tenant.WithOrganization(context.Background(), string(org))
					n, err := client.Deal.Query().Where(deal.StatusEQ(deal.StatusWON)).Count(ctx)
					if err != nil || n != st.WonDeals {
						t.Errorf("%d won deals stored (%v), want %d", n, err, st.WonDeals)
					}
				})
			}
		})
	}
}

// TestBulkLoadRefusesUnknownDialect checks the error of a bad Options.Dialect.
func TestBulkLoadRefusesUnknownDialect(t *testing.T) {
	client, db := openDB(t, dialects()[0])
	org := newOrg(t, client, "bad-dialect")
	if _, err := Seed(context.Background(), client, org, Options{Contacts: 1, DB: db, Dialect: "mysql"}); err == nil {
		t.Fatal("no error")
	}
}

// accountLines are the accounts' names, stages, tags and custom fields,
// sorted by name.
func accountLines(ds *dataset) []string {
	out := make([]string, len(ds.accounts))
	for i, a := range ds.accounts {
		out[i] = fmt.Sprint(a.Name, "|", show(a.Domain), "|", a.LifecycleStage, "|", a.Tags, "|", a.CustomFields, "|",
			show(a.CreatedAt), "|", show(a.UpdatedAt), "|", show(a.AnnualRevenue))
	}
	sort.Strings(out)
	return out
}

// dealLines are the deals' values other than IDs, with their line items,
// sorted (rows written side by side come back in no particular order).
func dealLines(ds *dataset) []string {
	out := make([]string, len(ds.deals))
	for i, d := range ds.deals {
		items := make([]string, len(d.Edges.LineItems))
		for j, li := range d.Edges.LineItems {
			items[j] = fmt.Sprintf("|%s x%d %s %v", li.Name, li.Quantity, li.UnitPrice, li.DiscountPercent)
		}
		sort.Strings(items)
		out[i] = fmt.Sprint(d.Name, "|", d.Amount, "|", show(d.Cost), "|", d.Currency, "|", d.Status, "|", show(d.ExpectedCloseDate), "|",
			show(d.ClosedAt), "|", show(d.LostReason), "|", show(d.ExternalID), "|", show(d.CreatedAt), "|", show(d.UpdatedAt)) +
			strings.Join(items, "")
	}
	sort.Strings(out)
	return out
}

// show formats v, following pointers ("nil" for nil) and showing times in
// UTC.
func show(v any) string {
	r := reflect.ValueOf(v)
	if r.Kind() == reflect.Pointer {
		if r.IsNil() {
			return "nil"
		}
		v = r.Elem().Interface()
	}
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// activityTypes counts the activities by type, body presence and completion.
func activityTypes(ds *dataset) map[string]int {
	m := map[string]int{}
	for _, a := range ds.activities {
		m[fmt.Sprintf("%s/%v/%v", a.Type, a.Body != "", a.CompletedAt != nil)]++
	}
	return m
}

// TestBulkLoadInChunks writes many small chunks in bulk, several at once
// on PostgreSQL, so that contacts refer to contacts of chunks written
// alongside, and checks that the data is what ent writes.
func TestBulkLoadInChunks(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client, db := openDB(t, d)
			opt := Options{Contacts: 500, Seed: 5, Now: testNow}
			viaEnt, entStats := seed(t, client, "via-ent", opt)
			org := newOrg(t, client, "in-chunks")
			ctx := tenant.WithOrganization(context.Background(), string(org))
			ids, err := owners(ctx, client)
			if err != nil {
				t.Fatal(err)
			}
			g := newGenerator(opt, "USD", ids)
			g.chunk = 20
			if d == dialect.Postgres {
				g.writers = bulkWriters
			}
			st := &Stats{}
			if err := g.run(ctx, bulkSink{db: db, dialect: d, org: org}, st); err != nil {
				t.Fatal(err)
			}
			if *st != *entStats {
				t.Fatalf("different counts:\nent  %v\nbulk %v", entStats, st)
			}
			a, b := customerLines(t, client, viaEnt), customerLines(t, client, org)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("contact %d differs: %+v vs %+v", i, a[i], b[i])
				}
			}
			ea, eb := load(t, client, viaEnt, entStats), load(t, client, org, st)
			if x, y := fmt.Sprint(dealLines(ea)), fmt.Sprint(dealLines(eb)); x != y {
				t.Errorf("deals differ:\nent  %.300s\nbulk %.300s", x, y)
			}
			if x, y := fmt.Sprint(accountLines(ea)), fmt.Sprint(accountLines(eb)); x != y {
				t.Errorf("accounts differ:\nent  %.300s\nbulk %.300s", x, y)
			}
			checkIDs(t, eb)
		})
	}
}

// TestSeededContactsHaveTheirValues seeds through ent, in bulk, and in
// bulk in small chunks written at once: every contact has exactly one row
// of value figures, of zeros, as a contact created through the API has.
func TestSeededContactsHaveTheirValues(t *testing.T) {
	for _, d := range dialects() {
		t.Run(d, func(t *testing.T) {
			client, db := openDB(t, d)
			const contacts = 300
			for i, tc := range []struct {
				name string
				seed func(t *testing.T, org pulid.ID) error
			}{
				{"through ent", func(t *testing.T, org pulid.ID) error {
					_, err := Seed(context.Background(), client, org, Options{Contacts: contacts, Seed: 7, Now: testNow})
					return err
				}},
				{"in bulk", func(t *testing.T, org pulid.ID) error {
					_, err := Seed(context.Background(), client, org, Options{Contacts: contacts, Seed: 7, Now: testNow, DB: db, Dialect: d})
					return err
				}},
				{"in bulk, in small chunks written at once", func(t *testing.T, org pulid.ID) error {
					ctx := tenant.WithOrganization(context.Background(), string(org))
					ids, err := owners(ctx, client)
					if err != nil {
						return err
					}
					g := newGenerator(Options{Contacts: contacts, Seed: 7, Now: testNow}, "USD", ids)
					g.chunk, g.writers = 20, bulkWriters
					return g.run(ctx, bulkSink{db: db, dialect: d, org: org}, &Stats{})
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					org := newOrg(t, client, fmt.Sprintf("seed-%d", i))
					if err := tc.seed(t, org); err != nil {
						t.Fatal(err)
					}
					if n := storetest.CheckUnvalued(t, db, d, string(org)); n != contacts {
						t.Errorf("%d contacts; want %d", n, contacts)
					}
				})
			}
		})
	}
}

// checkIDs checks that the IDs of deals, line items and activities are
// well-formed, with the prefix of their type and the time of their
// creation.
func checkIDs(t *testing.T, ds *dataset) {
	t.Helper()
	check := func(id pulid.ID, prefix string, created time.Time) {
		t.Helper()
		u, err := ulid.ParseStrict(strings.TrimPrefix(string(id), prefix+"_"))
		if err != nil || id.Prefix() != prefix || !id.Valid() {
			t.Fatalf("bad %s ID %q: %v", prefix, id, err)
		}
		if got := ulid.Time(u.Time()); !got.Equal(created.Truncate(time.Millisecond)) {
			t.Fatalf("%s ID %q has time %v, want %v", prefix, id, got, created)
		}
	}
	for _, d := range ds.deals {
		check(d.ID, "deal", d.CreatedAt)
		for _, li := range d.Edges.LineItems {
			check(li.ID, "li", li.CreatedAt)
		}
	}
	for _, a := range ds.activities {
		check(a.ID, "act", a.CreatedAt)
	}
	for _, c := range ds.contacts {
		check(c.ID, "con", c.CreatedAt)
	}
}
