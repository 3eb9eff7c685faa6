package purchases_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/purchases"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestBadFilesAreRefusedLineByLine feeds files with mistakes: every bad
// line is reported with its number and column, and no log is returned.
// Besides the file's format, a line is refused for a value the data model
// would refuse of the contact or the purchase it becomes.
func TestBadFilesAreRefusedLineByLine(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []purchases.LineError
	}{
		{"no header", "", []purchases.LineError{{Line: 1}}},
		{"no customer column", "date,amount\n2024-01-02,10\n", []purchases.LineError{{Line: 1}}},
		{"missing amount column", "email,date\na@x.example,2024-01-02\n", []purchases.LineError{{Line: 1, Column: "amount"}}},
		{"bad rows", "email,date,amount,cost\n" +
			"a@x.example,2024-01-02,10.50,\n" +
			"not-an-email,2024-01-02,10,\n" +
			"b@x.example,02/01/2024,10,\n" +
			"c@x.example,2024-01-03,-1,\n" +
			"d@x.example,2024-01-03,1.234,\n" +
			",2024-01-03,5,\n" +
			"e@x.example,2024-01-03,5,abc\n",
			[]purchases.LineError{{Line: 3, Column: "email"}, {Line: 4, Column: "date"}, {Line: 5, Column: "amount"},
				{Line: 6, Column: "amount"}, {Line: 7, Column: "email"}, {Line: 8, Column: "cost"}}},
		{"days that do not exist", "email,date,amount\n" +
			"a@x.example,2024-02-30,1\n" +
			"a@x.example,2024-13-01,1\n" +
			"a@x.example,0000-01-01,1\n" +
			"a@x.example,2024-1-02,1\n" +
			"a@x.example,2024-02-29,1\n",
			[]purchases.LineError{{Line: 2, Column: "date"}, {Line: 3, Column: "date"}, {Line: 4, Column: "date"}, {Line: 5, Column: "date"}}},
		{"contacts the data model refuses", "email,external_id,date,amount\n" +
			"ada@example,,2024-01-02,1\n" +
			strings.Repeat("x", 250) + "@x.example,,2024-01-02,1\n" +
			strings.Repeat("x", 101) + "@x.example,,2024-01-02,1\n" +
			"," + strings.Repeat("k", 201) + ",2024-01-02,1\n" +
			",nul\x00key,2024-01-02,1\n" +
			",\xff\xfe,2024-01-02,1\n" +
			"ada@x.example,,2024-01-02,1\n",
			[]purchases.LineError{{Line: 2, Column: "email"}, {Line: 3, Column: "email"}, {Line: 4, Column: "email"},
				{Line: 5, Column: "external_id"}, {Line: 6, Column: "external_id"}, {Line: 7, Column: "external_id"}}},
		{"a key too long for the purchases' external IDs", "external_id,date,amount\n" +
			"short,2024-01-02,1\n" +
			strings.Repeat("k", 170) + ",2024-01-02,1\n" +
			strings.Repeat("k", 170) + ",2024-01-02,100000\n",
			[]purchases.LineError{{Line: 3, Column: "external_id"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := purchases.ReadCSV(strings.NewReader(tc.file))
			var got purchases.Errors
			if !errors.As(err, &got) || l != nil {
				t.Fatalf("got log %v, error %v; want line errors and no log", l, err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v; want %v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Line != w.Line || got[i].Column != w.Column || got[i].Message == "" {
					t.Errorf("error %d = %+v; want line %d column %q with a message", i, got[i], w.Line, w.Column)
				}
			}
		})
	}
}

// shop creates an organization and returns a context scoped to it.
func shop(t *testing.T, s *store.Store, slug string) context.Context {
	t.Helper()
	ctx := context.Background()
	org, err := s.Client.Organization.Create().SetName(slug).SetSlug(slug).Save(tenant.WithSystem(ctx))
	if err != nil {
		t.Fatal(err)
	}
	return tenant.WithOrganization(ctx, org.ID.String())
}

// load reads a CSV file and imports it.
func load(ctx context.Context, s *store.Store, file string) (*purchases.Report, error) {
	l, err := purchases.ReadCSV(strings.NewReader(file))
	if err != nil {
		return nil, err
	}
	return purchases.Load(ctx, s, l, "test.csv")
}

// counts returns the numbers of contacts and deals of the organization.
func counts(t *testing.T, ctx context.Context, s *store.Store) (contacts, deals int) {
	t.Helper()
	return s.Client.Contact.Query().CountX(ctx), s.Client.Deal.Query().CountX(ctx)
}

// tally returns the counts of a report: rows, contacts created, purchases
// created and purchases skipped.
func tally(r *purchases.Report) [4]int {
	return [4]int{r.Rows, r.ContactsCreated, r.PurchasesCreated, r.PurchasesSkipped}
}

// TestImportCreatesMatchesAndSkips imports files into organizations that
// have customers and purchases already: customers are matched by email
// (whatever its case) or external ID, purchases by their external ID, and
// only what is new is written.
func TestImportCreatesMatchesAndSkips(t *testing.T) {
	const header = "email,external_id,date,amount,cost\n"
	const ada, ada2, bob, cust = "ada@shop.example,,2024-01-02,10.50,4.00\n", "ada@shop.example,,2024-03-04,7,\n",
		"bob@shop.example,,2024-02-01,99.99,\n", ",cust-1,2024-02-01,5,\n"
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, tc := range []struct {
			name string
			// has sets up what the organization has before the import.
			has             func(ctx context.Context, c *ent.Client) error
			before, file    string // a file imported before, and the file
			want            purchases.Report
			contacts, deals int // the organization's afterwards
		}{
			{name: "new customers are created, named by email or external ID",
				file: header + ada + ada2 + "BOB@Shop.Example,,2024-02-01,99.99,\n" + cust,
				want: purchases.Report{Rows: 4, ContactsCreated: 3, PurchasesCreated: 4}, contacts: 3, deals: 4},
			{name: "a customer is found by email, whatever its case",
				has: func(ctx context.Context, c *ent.Client) error {
					return c.Contact.Create().SetEmail("Ada@Shop.Example").Exec(ctx)
				},
				file: header + "ADA@shop.example,,2024-01-02,10.50,\n" + bob,
				want: purchases.Report{Rows: 2, ContactsCreated: 1, PurchasesCreated: 2}, contacts: 2, deals: 2},
			{name: "a customer is found by external ID",
				has: func(ctx context.Context, c *ent.Client) error {
					return c.Contact.Create().SetExternalID("cust-1").SetEmail("someone@shop.example").Exec(ctx)
				},
				file: header + cust,
				want: purchases.Report{Rows: 1, PurchasesCreated: 1}, contacts: 1, deals: 1},
			{name: "re-importing a file skips every row",
				before: header + ada + ada2 + bob + cust, file: header + ada + ada2 + bob + cust,
				want: purchases.Report{Rows: 4, PurchasesSkipped: 4}, contacts: 3, deals: 4},
			{name: "a file overlapping an earlier one adds only its new rows",
				before: header + ada + bob, file: header + ada + bob + ada2 + cust,
				want: purchases.Report{Rows: 4, ContactsCreated: 1, PurchasesCreated: 2, PurchasesSkipped: 2}, contacts: 3, deals: 4},
			{name: "the same purchase twice in a file is two purchases; a third is added later",
				before: header + bob + bob, file: header + bob + bob + bob,
				want: purchases.Report{Rows: 3, PurchasesCreated: 1, PurchasesSkipped: 2}, contacts: 1, deals: 3},
			{name: "purchases imported by earlier versions are recognised by their external ID",
				has: func(ctx context.Context, c *ent.Client) error {
					con, err := c.Contact.Create().SetEmail("ada@shop.example").Save(ctx)
					if err != nil {
						return err
					}
					return c.Deal.Create().SetName("Purchase of 2024-01-02").SetAmount(1050).SetStatus(deal.StatusWON).
						SetExternalID("purchase:email:ada@shop.example:2024-01-02:1050:1").SetContact(con).Exec(ctx)
				},
				file: header + ada + ada2,
				want: purchases.Report{Rows: 2, PurchasesCreated: 1, PurchasesSkipped: 1}, contacts: 1, deals: 2},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := shop(t, s, "shop"+string(rune('a'+i)))
				if tc.has != nil {
					if err := tc.has(ctx, s.Client); err != nil {
						t.Fatal(err)
					}
				}
				if tc.before != "" {
					if _, err := load(ctx, s, tc.before); err != nil {
						t.Fatal(err)
					}
				}
				got, err := load(ctx, s, tc.file)
				if err != nil {
					t.Fatal(err)
				}
				if tally(got) != tally(&tc.want) {
					t.Errorf("report = %v; want %v", tally(got), tally(&tc.want))
				}
				if c, d := counts(t, ctx, s); c != tc.contacts || d != tc.deals {
					t.Errorf("%d contacts and %d deals afterwards; want %d and %d", c, d, tc.contacts, tc.deals)
				}
				if n := s.Client.Deal.Query().Where(deal.ContactIDIsNil()).CountX(ctx); n != 0 {
					t.Errorf("%d deals without a contact", n)
				}
				imports := 1
				if tc.before != "" {
					imports = 2
				}
				if n := s.Client.AuditEntry.Query().Where(auditentry.RecordType(purchases.AuditRecordType)).CountX(ctx); n != imports {
					t.Errorf("%d audit entries of imports; want one per import, %d", n, imports)
				}
			})
		}
	})
}

// TestImportedContactsHaveTheirValues imports files one after the other,
// through Load (COPY on PostgreSQL) and through Import (an ent
// transaction): every contact of the organization, created by the import
// or before it, has exactly one row of value figures, of zeros for a new
// contact, and importing purchases of a valued customer leaves its
// figures as they were.
func TestImportedContactsHaveTheirValues(t *testing.T) {
	const header = "email,external_id,date,amount\n"
	first := header + "ada@shop.example,,2024-01-02,10\nbob@shop.example,,2024-01-03,20\n,cust-1,2024-01-04,5\n"
	vip := storetest.Figures{Rows: 1, PredictedCLV: 980.5, ProbabilityAlive: 0.9, ValueScore: 0.8, ValueTier: "VIP", RFMSegment: "CHAMPIONS"}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, run := range []struct {
			name string
			load func(ctx context.Context, file string) (*purchases.Report, error)
		}{
			{"Load", func(ctx context.Context, file string) (*purchases.Report, error) { return load(ctx, s, file) }},
			{"Import", func(ctx context.Context, file string) (*purchases.Report, error) {
				rows, err := purchases.ParseCSV(strings.NewReader(file))
				if err != nil {
					return nil, err
				}
				return purchases.Import(ctx, s.Client, rows)
			}},
		} {
			t.Run(run.name, func(t *testing.T) {
				ctx := shop(t, s, strings.ToLower(run.name))
				org, _ := tenant.OrganizationID(ctx)
				valued := map[string]storetest.Figures{} // by email or external ID
				for _, step := range []struct {
					name, file string
					before     func(t *testing.T)
					created    int
					contacts   int
				}{
					{name: "new customers get a row of zeros", file: first, created: 3, contacts: 3},
					{name: "importing the same file again adds no row", file: first, contacts: 3},
					{name: "known customers keep their one row, new ones get theirs",
						file:    header + "ada@shop.example,,2024-02-02,10\ncarol@shop.example,,2024-02-02,30\n,cust-1,2024-02-04,5\n",
						created: 1, contacts: 4},
					{name: "a contact created through ent is matched, and keeps its row",
						before: func(t *testing.T) {
							if err := s.Client.Contact.Create().SetEmail("dan@shop.example").Exec(ctx); err != nil {
								t.Fatal(err)
							}
						},
						file: header + "dan@shop.example,,2024-03-01,40\n", contacts: 5},
					{name: "a valued customer keeps its figures",
						before: func(t *testing.T) {
							storetest.SetFigures(t, s.DB, s.Dialect, s.Client.Contact.Query().Where(contact.Email("ada@shop.example")).OnlyIDX(ctx).String(), vip)
							valued["ada@shop.example"] = vip
						},
						file: header + "ada@shop.example,,2024-04-01,10\neve@shop.example,,2024-04-01,10\n", created: 1, contacts: 6},
				} {
					t.Run(step.name, func(t *testing.T) {
						if step.before != nil {
							step.before(t)
						}
						rep, err := run.load(ctx, step.file)
						if err != nil {
							t.Fatal(err)
						}
						if rep.ContactsCreated != step.created {
							t.Errorf("%d contacts created; want %d", rep.ContactsCreated, step.created)
						}
						figures := storetest.ContactFigures(t, s.DB, s.Dialect, org)
						if len(figures) != step.contacts {
							t.Errorf("%d contacts; want %d", len(figures), step.contacts)
						}
						for _, c := range s.Client.Contact.Query().AllX(ctx) {
							key := ""
							if c.Email != nil {
								key = *c.Email
							} else if c.ExternalID != nil {
								key = *c.ExternalID
							}
							want, ok := valued[key]
							if !ok {
								want = storetest.Unvalued
							}
							if got := figures[c.ID.String()]; got != want {
								t.Errorf("contact %s has value figures %+v; want %+v", key, got, want)
							}
						}
					})
				}
			})
		}
	})
}

// TestImportedRecordsAreThoseEntWouldCreate compares a contact and a
// purchase written by an import, which bypasses ent, with the same records
// created through ent's builders as the import used to: every column the
// same but the ID and the times of creation.
func TestImportedRecordsAreThoseEntWouldCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := shop(t, s, "shop")
		rep, err := load(ctx, s, "email,external_id,date,amount,cost\nAda@Shop.example,,2024-01-02,10.50,4.00\n,cust-1,2024-01-03,5,\n")
		if err != nil || rep.PurchasesCreated != 2 {
			t.Fatalf("import = %+v, %v", rep, err)
		}
		// The import's one record: an audit entry with its counts, and no
		// events.
		entry := s.Client.AuditEntry.Query().OnlyX(ctx)
		if entry.RecordID != rep.ID.String() || entry.ActorKind != auditentry.ActorKindSYSTEM || entry.Action != auditentry.ActionCREATE ||
			fmt.Sprint(entry.Changes) != "map[contactsCreated:map[new:2 old:<nil>] file:map[new:test.csv old:<nil>] "+
				"purchasesCreated:map[new:2 old:<nil>] purchasesSkipped:map[new:0 old:<nil>] rows:map[new:2 old:<nil>]]" {
			t.Errorf("audit entry %+v; want the import %s by the system with its counts", entry, rep.ID)
		}
		if n := s.Client.Event.Query().CountX(ctx); n != 0 {
			t.Errorf("%d events raised; want none", n)
		}
		// The same records through ent, in another organization.
		ectx := shop(t, s, "ent")
		day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
		cost := money.Amount(400)
		wantAda := s.Client.Contact.Create().SetLifecycleStage(contact.LifecycleStageCUSTOMER).SetLeadSource("import").
			SetEmail("ada@shop.example").SetFirstName("ada").SaveX(ectx)
		wantCust := s.Client.Contact.Create().SetLifecycleStage(contact.LifecycleStageCUSTOMER).SetLeadSource("import").
			SetExternalID("cust-1").SaveX(ectx)
		wantDeal := s.Client.Deal.Create().SetName("Purchase of 2024-01-02").SetAmount(1050).SetNillableCost(&cost).
			SetStatus(deal.StatusWON).SetClosedAt(day).SetExternalID("purchase:email:ada@shop.example:2024-01-02:1050:1").
			SetContact(wantAda).SaveX(ectx)

		ada := s.Client.Contact.Query().Where(contact.Email("ada@shop.example")).OnlyX(ctx)
		cust := s.Client.Contact.Query().Where(contact.ExternalID("cust-1")).OnlyX(ctx)
		for _, c := range []struct{ got, want *ent.Contact }{{ada, wantAda}, {cust, wantCust}} {
			if c.got.ID.Prefix() != "con" || !c.got.ID.Valid() || c.got.CreatedAt.IsZero() || c.got.UpdatedAt != c.got.CreatedAt {
				t.Errorf("contact %s created at %v, updated at %v: want a contact ID and one time", c.got.ID, c.got.CreatedAt, c.got.UpdatedAt)
			}
			if (c.got.Tags == nil) != (c.want.Tags == nil) {
				t.Errorf("imported contact's tags %#v; want %#v", c.got.Tags, c.want.Tags)
			}
			if got, want := plainContact(c.got), plainContact(c.want); got != want {
				t.Errorf("imported contact\n%s\nwant\n%s", got, want)
			}
			got := storetest.ContactFigures(t, s.DB, s.Dialect, c.got.OrganizationID.String())[c.got.ID.String()]
			if want := storetest.ContactFigures(t, s.DB, s.Dialect, c.want.OrganizationID.String())[c.want.ID.String()]; got != want {
				t.Errorf("imported contact has value figures %+v; want as created through ent %+v", got, want)
			}
		}
		got := s.Client.Deal.Query().Where(deal.ExternalID(*wantDeal.ExternalID)).OnlyX(ctx)
		if got.ID.Prefix() != "deal" || !got.ID.Valid() || *got.ContactID != ada.ID {
			t.Errorf("purchase %s of contact %v; want a deal ID and contact %s", got.ID, got.ContactID, ada.ID)
		}
		if g, w := plainDeal(got), plainDeal(wantDeal); g != w {
			t.Errorf("imported purchase\n%s\nwant\n%s", g, w)
		}
		other := s.Client.Deal.Query().Where(deal.ContactID(cust.ID)).OnlyX(ctx)
		if other.Cost != nil || *other.ExternalID != "purchase:ext:cust-1:2024-01-03:500:1" || other.Name != "Purchase of 2024-01-03" {
			t.Errorf("purchase of cust-1 = %+v; want no cost, its external ID and name", other)
		}
	})
}

// plainContact prints a contact without its ID, organization, times and
// edges.
func plainContact(c *ent.Contact) string {
	v := *c
	v.ID, v.OrganizationID, v.CreatedAt, v.UpdatedAt, v.Edges = "", "", time.Time{}, time.Time{}, ent.ContactEdges{}
	return v.String()
}

// plainDeal prints a deal without its ID, organization, contact, times and
// edges, and its close time in UTC.
func plainDeal(d *ent.Deal) string {
	v := *d
	v.ID, v.OrganizationID, v.ContactID, v.CreatedAt, v.UpdatedAt, v.Edges = "", "", nil, time.Time{}, time.Time{}, ent.DealEdges{}
	if v.ClosedAt != nil {
		at := v.ClosedAt.UTC()
		v.ClosedAt = &at
	}
	return v.String()
}

// TestFailedImportWritesNothing checks that an import is all or nothing:
// a file with a bad line is refused with the line's number before the
// database is touched, and a database error while writing purchases takes
// back the contacts already written.
func TestFailedImportWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := shop(t, s, "shop")
		file := "email,date,amount\nada@shop.example,2024-01-02,10\nbob@shop.example,2024-01-02,666\n"

		t.Run("a bad line", func(t *testing.T) {
			_, err := load(ctx, s, file+"carol@shop,2024-01-02,1\n")
			var es purchases.Errors
			if !errors.As(err, &es) || len(es) != 1 || es[0].Line != 4 || !strings.Contains(err.Error(), "line 4") {
				t.Fatalf("error %v; want line 4 refused", err)
			}
			if c, d := counts(t, ctx, s); c+d != 0 {
				t.Errorf("%d contacts and %d deals written", c, d)
			}
		})

		t.Run("a database error", func(t *testing.T) {
			refuse := map[string][]string{
				dialect.SQLite: {`CREATE TRIGGER refuse BEFORE INSERT ON deals WHEN NEW.amount = 66600
					BEGIN SELECT RAISE(ABORT, 'refused'); END`},
				dialect.Postgres: {`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
					BEGIN IF NEW.amount = 66600 THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
					`CREATE TRIGGER refuse BEFORE INSERT ON deals FOR EACH ROW EXECUTE FUNCTION refuse()`},
			}
			for _, q := range refuse[s.Dialect] {
				if _, err := s.DB.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := load(ctx, s, file); err == nil || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("error %v; want the database's refusal", err)
			}
			if c, d := counts(t, ctx, s); c+d != 0 {
				t.Errorf("%d contacts and %d deals written", c, d)
			}
		})
	})
}

// TestImportThroughAnEntClient checks that Import, which writes through an
// ent client's transaction, reports and writes as Load does.
func TestImportThroughAnEntClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		// More rows than one INSERT statement takes.
		var b strings.Builder
		b.WriteString("email,external_id,date,amount,cost\nada@shop.example,,2024-01-02,10.50,4.00\nada@shop.example,,2024-01-02,10.50,\n,cust-1,2024-02-01,5,\n")
		for i := range 1200 {
			fmt.Fprintf(&b, "c%d@shop.example,,2024-03-%02d,%d.99,\n", i%700, 1+i%28, i)
		}
		file := b.String()
		rows, err := purchases.ParseCSV(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		viaEnt, viaStore := shop(t, s, "ent"), shop(t, s, "store")
		for _, run := range []struct {
			ctx  context.Context
			load func(context.Context) (*purchases.Report, error)
		}{
			{viaEnt, func(ctx context.Context) (*purchases.Report, error) { return purchases.Import(ctx, s.Client, rows) }},
			{viaStore, func(ctx context.Context) (*purchases.Report, error) { return load(ctx, s, file) }},
		} {
			for i, want := range []purchases.Report{{Rows: 1203, ContactsCreated: 702, PurchasesCreated: 1203}, {Rows: 1203, PurchasesSkipped: 1203}} {
				rep, err := run.load(run.ctx)
				if err != nil {
					t.Fatal(err)
				}
				if tally(rep) != tally(&want) {
					t.Errorf("import %d = %v; want %v", i+1, tally(rep), tally(&want))
				}
			}
		}
		plain := func(ctx context.Context) string {
			var b strings.Builder
			for _, d := range s.Client.Deal.Query().Order(deal.ByExternalID()).AllX(ctx) {
				b.WriteString(plainDeal(d) + "\n")
			}
			for _, c := range s.Client.Contact.Query().Order(contact.ByEmail(), contact.ByExternalID()).AllX(ctx) {
				b.WriteString(plainContact(c) + "\n")
			}
			return b.String()
		}
		if got, want := plain(viaEnt), plain(viaStore); got != want {
			t.Errorf("through ent:\n%s\nthrough the store:\n%s", got, want)
		}
	})
}

// TestCDNOWFiles reads CDNOW logs, with and without the master file's
// header and sample column: customers are named by external ID.
func TestCDNOWFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i, tc := range []struct {
			name, file string
			want       purchases.Report
		}{
			{"the sample", "00001 19970101 1 11.77\n00001 19970118 2 20.76\n00002 19970112 2 26.48\n",
				purchases.Report{Rows: 3, ContactsCreated: 2, PurchasesCreated: 3}},
			{"the master file", "customer_id sample_id date cds dollar_value\n00001 1 19970101 1 11.77\n\n00003 2 19970102 1 12.00\n",
				purchases.Report{Rows: 2, ContactsCreated: 2, PurchasesCreated: 2}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := shop(t, s, "cdnow"+string(rune('a'+i)))
				l, err := purchases.ReadCDNOW(strings.NewReader(tc.file))
				if err != nil {
					t.Fatal(err)
				}
				rep, err := purchases.Load(ctx, s, l, "cdnow.txt")
				if err != nil {
					t.Fatal(err)
				}
				if tally(rep) != tally(&tc.want) {
					t.Errorf("report = %v; want %v", tally(rep), tally(&tc.want))
				}
				if n := s.Client.Contact.Query().Where(contact.ExternalIDHasPrefix("cdnow-0000")).CountX(ctx); n != tc.want.ContactsCreated {
					t.Errorf("%d contacts named cdnow-…; want %d", n, tc.want.ContactsCreated)
				}
			})
		}
	})
}
