package contactimport_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/internal/contactimport"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// counts are what an import reports.
type counts struct{ created, updated, unchanged int }

// TestImportCreatesUpdatesAndLeavesUnchanged imports files one after the
// other into one organization: rows create contacts, update the contact
// with their email (in any case) or external id with the cells they give,
// and leave alone contacts that have those values already.
func TestImportCreatesUpdatesAndLeavesUnchanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "shop")
		first := "Email,First Name,Last Name,External ID,Company\n" +
			"ada@x.example,Ada,Lovelace,,Engines\n" +
			"bob@x.example,Bob,,k2,\n" +
			",Carol,,k3,Bletchley\n"
		for _, step := range []struct {
			name, file string
			want       counts
			check      func(t *testing.T, byKey map[string]*ent.Contact)
		}{
			{name: "a first import creates every contact", file: first, want: counts{created: 3},
				check: func(t *testing.T, c map[string]*ent.Contact) {
					expect(t, c["ada@x.example"].LastName, "Lovelace")
					expect(t, c["k3"].FirstName, "Carol")
					expect(t, c["k3"].CustomFields["Company"], any("Bletchley"))
					expect(t, c["k2"].LifecycleStage, contact.DefaultLifecycleStage)
				}},
			{name: "the same file again changes nothing", file: first, want: counts{unchanged: 3}},
			{name: "rows update by email in any case and by external id", file: "email,external_id,title,Company,lifecycle stage\n" +
				"ADA@X.example,,Countess,,customer\n" + // by email, in capitals
				"carol@x.example,k3,,Park,\n" + // by external id: gets an email
				"bob@x.example,,,,\n" + // nothing given but the key
				"dan@x.example,,,,\n", // new
				want: counts{created: 1, updated: 2, unchanged: 1},
				check: func(t *testing.T, c map[string]*ent.Contact) {
					expect(t, c["ada@x.example"].Title, "Countess")
					expect(t, c["ada@x.example"].LastName, "Lovelace") // not in the file: kept
					expect(t, c["ada@x.example"].LifecycleStage, contact.LifecycleStageCUSTOMER)
					expect(t, c["ada@x.example"].CustomFields["Company"], any("Engines")) // empty cell: kept
					expect(t, c["carol@x.example"].ExternalID != nil && *c["carol@x.example"].ExternalID == "k3", true)
					expect(t, c["carol@x.example"].CustomFields["Company"], any("Park"))
				}},
			{name: "custom fields merge into the contact's", file: "external id,Region\nk3,North\n", want: counts{updated: 1},
				check: func(t *testing.T, c map[string]*ent.Contact) {
					expect(t, c["k3"].CustomFields["Company"], any("Park"))
					expect(t, c["k3"].CustomFields["Region"], any("North"))
				}},
			{name: "and again, nothing changes", file: "external id,Region\nk3,North\n", want: counts{unchanged: 1}},
		} {
			t.Run(step.name, func(t *testing.T) {
				before := contactsByKey(t, ctx, s)
				rep, err := importCSV(ctx, s, step.file)
				if err != nil {
					t.Fatal(err)
				}
				if got := (counts{rep.Created, rep.Updated, rep.Unchanged}); got != step.want {
					t.Errorf("created, updated, unchanged = %+v; want %+v", got, step.want)
				}
				after := contactsByKey(t, ctx, s)
				moved := map[string]bool{}
				for k, c := range after {
					if b, ok := before[k]; ok && !b.UpdatedAt.Equal(c.UpdatedAt) {
						moved[c.ID.String()] = true
					}
				}
				if len(moved) != step.want.updated {
					t.Errorf("%d contacts have a new updated_at; want the %d updated", len(moved), step.want.updated)
				}
				if step.check != nil {
					step.check(t, after)
				}
			})
		}
	})
}

// TestImportedContactsHaveTheirValues imports files one after the other
// into one organization: every contact, created or updated, has exactly
// one row of value figures, of zeros for a new contact, and an update
// leaves the figures of a valued contact as they were.
func TestImportedContactsHaveTheirValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "shop")
		org, _ := tenant.OrganizationID(ctx)
		vip := storetest.Figures{Rows: 1, PredictedCLV: 980.5, ProbabilityAlive: 0.9, ValueScore: 0.8, ValueTier: "VIP", RFMSegment: "CHAMPIONS"}
		valued := map[string]storetest.Figures{} // by email or external ID
		first := "email,external id,first name\nada@x.example,,Ada\nbob@x.example,k2,Bob\n,k3,Carol\n"
		for _, step := range []struct {
			name, file string
			before     func(t *testing.T)
			want       counts
			contacts   int
		}{
			{name: "new contacts get a row of zeros", file: first, want: counts{created: 3}, contacts: 3},
			{name: "importing the same file again adds no row", file: first, want: counts{unchanged: 3}, contacts: 3},
			{name: "updated contacts keep their one row, new ones get theirs",
				file: "email,external id,title\nada@x.example,,Countess\n,k3,Codebreaker\ndan@x.example,,\n",
				want: counts{created: 1, updated: 2}, contacts: 4},
			{name: "a valued contact keeps its figures when updated", file: "email,title\nada@x.example,Queen\neve@x.example,\n",
				before: func(t *testing.T) {
					storetest.SetFigures(t, s.DB, s.Dialect, contactsByKey(t, ctx, s)["ada@x.example"].ID.String(), vip)
					valued["ada@x.example"] = vip
				},
				want: counts{created: 1, updated: 1}, contacts: 5},
		} {
			t.Run(step.name, func(t *testing.T) {
				if step.before != nil {
					step.before(t)
				}
				rep, err := importCSV(ctx, s, step.file)
				if err != nil {
					t.Fatal(err)
				}
				if got := (counts{rep.Created, rep.Updated, rep.Unchanged}); got != step.want {
					t.Errorf("created, updated, unchanged = %+v; want %+v", got, step.want)
				}
				figures := storetest.ContactFigures(t, s.DB, s.Dialect, org)
				if len(figures) != step.contacts {
					t.Errorf("%d contacts; want %d", len(figures), step.contacts)
				}
				for key, c := range contactsByKey(t, ctx, s) {
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

// TestRefusedImportsWriteNothing imports files with a bad row beside good
// ones, or that name existing contacts ambiguously: each is refused naming
// the line (and the column), and nothing is written, neither contacts nor
// an audit entry.
func TestRefusedImportsWriteNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "shop")
		if _, err := importCSV(ctx, s, "email,external id,title\nada@x.example,kA,Countess\nbob@x.example,,\n"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, file string
			want       contactimport.LineError
			mention    string
		}{
			{name: "a bad email", file: "email,title\nnew@x.example,\nada@x,Queen\n",
				want: contactimport.LineError{Line: 3, Column: "email"}},
			{name: "a last name too long", file: "email,Last Name\nada@x.example,Byron\nnew@x.example," + strings.Repeat("x", 101) + "\n",
				want: contactimport.LineError{Line: 3, Column: "Last Name"}},
			{name: "an unknown lifecycle stage", file: "email,Lifecycle Stage\nada@x.example,customer\nnew@x.example,prospect\n",
				want: contactimport.LineError{Line: 3, Column: "Lifecycle Stage"}},
			{name: "an email twice", file: "email,title\nada@x.example,Queen\nnew@x.example,\nNEW@x.example,\n",
				want: contactimport.LineError{Line: 4, Column: "email"}, mention: "line 3"},
			{name: "email and external id name two contacts", file: "email,external id,title\nnew@x.example,,\nbob@x.example,kA,Boss\n",
				want: contactimport.LineError{Line: 3}},
			{name: "two rows name one contact", file: "email,external id,title\nada@x.example,,Queen\nnew@x.example,,\n,kA,Duchess\n",
				want: contactimport.LineError{Line: 4, Column: "external id"}, mention: "line 2"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := snapshot(t, ctx, s)
				audits := s.Client.AuditEntry.Query().CountX(ctx)
				_, err := importCSV(ctx, s, tc.file)
				var got contactimport.Errors
				if !errors.As(err, &got) || len(got) != 1 {
					t.Fatalf("error %v; want one line error", err)
				}
				if got[0].Line != tc.want.Line || got[0].Column != tc.want.Column || !strings.Contains(got[0].Message, tc.mention) {
					t.Errorf("got %+v; want line %d, column %q, mentioning %q", got[0], tc.want.Line, tc.want.Column, tc.mention)
				}
				if after := snapshot(t, ctx, s); after != before {
					t.Errorf("contacts changed by a refused import:\n%s\nwant\n%s", after, before)
				}
				if n := s.Client.AuditEntry.Query().CountX(ctx); n != audits {
					t.Errorf("%d audit entries after a refused import; want %d", n, audits)
				}
			})
		}
	})
}

// TestKeysMatchWithinTheOrganization imports the same file into two
// organizations: the second creates its own contacts rather than updating
// the first's.
func TestKeysMatchWithinTheOrganization(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		file := "email,external id\nada@x.example,k1\n"
		for _, slug := range []string{"one", "two"} {
			rep, err := importCSV(newOrg(t, s, slug), s, file)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Created != 1 {
				t.Errorf("%s: %+v; want the contact created", slug, rep)
			}
		}
	})
}

// TestImportedContactsAreThoseTheAPIWouldCreate imports rows, with headers
// in several spellings, and creates the same contacts through ent in
// another organization: they are stored alike, defaults and all, but for
// IDs and times.
func TestImportedContactsAreThoseTheAPIWouldCreate(t *testing.T) {
	born := time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)
	contacted := time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)
	everyField := "Ada@X.example,k1,Ada,Lovelace,+44 1,Countess,Marketing qualified lead,Web,yes,1815-12-10,female,\"vip; math, vip\",2024-05-01T10:00:00+02:00,Engines"
	everyFieldCreate := func(c *ent.ContactCreate) {
		c.SetEmail("ada@x.example").SetExternalID("k1").SetFirstName("Ada").SetLastName("Lovelace").SetPhone("+44 1").
			SetTitle("Countess").SetLifecycleStage(contact.LifecycleStageMARKETING_QUALIFIED_LEAD).SetLeadSource("Web").
			SetNewsletterOptIn(true).SetBirthDate(born).SetGender(contact.GenderFEMALE).SetTags([]string{"vip", "math"}).
			SetLastContactedAt(contacted).SetCustomFields(map[string]any{"Company": "Engines"})
	}
	for _, tc := range []struct {
		name, header, row string
		create            func(*ent.ContactCreate)
	}{
		{name: "only an email", header: "email", row: "Ada@X.example",
			create: func(c *ent.ContactCreate) { c.SetEmail("ada@x.example") }},
		{name: "only an external id", header: "external id", row: "k1",
			create: func(c *ent.ContactCreate) { c.SetExternalID("k1") }},
		{name: "every field", header: "email,external id,first name,last name,phone,title,lifecycle stage,lead source,newsletter,birth date,gender,tags,last contacted,Company",
			row: everyField, create: everyFieldCreate},
		{name: "every field, snake case", header: "email,external_id,first_name,last_name,phone,job_title,lifecycle_stage,lead_source,newsletter_opt_in,birth_date,gender,tags,last_contacted_at,Company",
			row: everyField, create: everyFieldCreate},
		{name: "every field, camel case", header: "emailAddress,externalId,firstName,lastName,phoneNumber,jobTitle,lifecycleStage,leadSource,newsletterOptIn,dateOfBirth,gender,tags,lastContactedAt,Company",
			row: everyField, create: everyFieldCreate},
		{name: "every field, as spreadsheets title them", header: "E-mail Address,External ID,First Name,Last Name,Phone Number,Job Title,Lifecycle Stage,Lead Source,Newsletter Opt-In,Date of Birth,Gender,Tags,Last Contacted,Company",
			row: everyField, create: everyFieldCreate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				viaAPI := newOrg(t, s, "api")
				c := s.Client.Contact.Create()
				tc.create(c)
				want := s.Client.Contact.GetX(viaAPI, c.SaveX(viaAPI).ID)

				imported := newOrg(t, s, "import")
				if _, err := importCSV(imported, s, tc.header+"\n"+tc.row+"\n"); err != nil {
					t.Fatal(err)
				}
				got := s.Client.Contact.Query().OnlyX(imported)
				if g, w := storedRow(t, s, got.ID.String()), storedRow(t, s, want.ID.String()); !reflect.DeepEqual(g, w) {
					t.Errorf("imported contact stored as\n%v\nwant as created through ent\n%v", g, w)
				}
				gotOrg, _ := tenant.OrganizationID(imported)
				wantOrg, _ := tenant.OrganizationID(viaAPI)
				g := storetest.ContactFigures(t, s.DB, s.Dialect, gotOrg)[got.ID.String()]
				if w := storetest.ContactFigures(t, s.DB, s.Dialect, wantOrg)[want.ID.String()]; g != w {
					t.Errorf("imported contact has value figures %+v; want as created through ent %+v", g, w)
				}
			})
		})
	}
}

// TestAnImportIsAudited checks the one audit entry of an import: the
// system created a ContactImport, with the file's name and the counts.
func TestAnImportIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "shop")
		rep, err := importCSV(ctx, s, "email\na@x.example\nb@x.example\n")
		if err != nil {
			t.Fatal(err)
		}
		e := s.Client.AuditEntry.Query().OnlyX(ctx)
		if e.RecordType != contactimport.AuditRecordType || e.RecordID != rep.ID.String() ||
			e.Action != auditentry.ActionCREATE || e.ActorKind != auditentry.ActorKindSYSTEM {
			t.Errorf("audit entry %+v; want the system's CREATE of %s %s", e, contactimport.AuditRecordType, rep.ID)
		}
		for field, want := range map[string]any{"file": "test.csv", "rows": 2.0, "created": 2.0, "updated": 0.0, "unchanged": 0.0} {
			if got := e.Changes[field].(map[string]any)["new"]; got != want {
				t.Errorf("changes.%s.new = %v; want %v", field, got, want)
			}
		}
		if n := s.Client.Event.Query().CountX(ctx); n != 0 {
			t.Errorf("%d events; an import raises none", n)
		}
	})
}

// importCSV reads a CSV file and loads it into the organization of ctx.
func importCSV(ctx context.Context, s *store.Store, file string) (*contactimport.Report, error) {
	f, err := contactimport.Read(strings.NewReader(file))
	if err != nil {
		return nil, err
	}
	return contactimport.Load(ctx, s, f, "test.csv")
}

// newOrg creates an organization and returns a context scoped to it.
func newOrg(t *testing.T, s *store.Store, slug string) context.Context {
	t.Helper()
	ctx := context.Background()
	org := s.Client.Organization.Create().SetName(slug).SetSlug(slug).SaveX(tenant.WithSystem(ctx))
	return tenant.WithOrganization(ctx, org.ID.String())
}

// contactsByKey returns the organization's contacts by email and by
// external id.
func contactsByKey(t *testing.T, ctx context.Context, s *store.Store) map[string]*ent.Contact {
	t.Helper()
	out := map[string]*ent.Contact{}
	for _, c := range s.Client.Contact.Query().AllX(ctx) {
		if c.Email != nil {
			out[*c.Email] = c
		}
		if c.ExternalID != nil {
			out[*c.ExternalID] = c
		}
	}
	return out
}

// snapshot returns the organization's contacts, every field of every
// one, as JSON.
func snapshot(t *testing.T, ctx context.Context, s *store.Store) string {
	t.Helper()
	cs := s.Client.Contact.Query().Order(ent.Asc(contact.FieldID)).AllX(ctx)
	b, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// storedRow returns the columns of a contact as the database holds them,
// but for those that differ between records created at different times in
// different organizations.
func storedRow(t *testing.T, s *store.Store, id string) map[string]any {
	t.Helper()
	var cols []string
	for _, c := range contact.Columns {
		switch c {
		case contact.FieldID, contact.FieldOrganizationID, contact.FieldCreatedAt, contact.FieldUpdatedAt:
		default:
			cols = append(cols, c)
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := s.DB.QueryRow(s.Rebind("SELECT "+strings.Join(cols, ", ")+" FROM contacts WHERE id = ?"), id).Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for i, c := range cols {
		if b, ok := vals[i].([]byte); ok {
			vals[i] = string(b)
		}
		out[c] = vals[i]
	}
	return out
}

func expect[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v; want %v", got, want)
	}
}
