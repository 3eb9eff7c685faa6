package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/graph"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// The tests of this file specify the SQL path of graph/sqljson by its one
// promise: a query answered in SQL gives exactly the resolvers' answer. Each
// request goes to f.url (the SQL path on PostgreSQL) and to f.referenceURL
// (resolvers only), and the two answers must be the same JSON: the same keys
// in the same order, the same values (times as instants, numbers as
// numbers), the same cursors byte for byte, the same errors. On PostgreSQL
// the requests meant for the SQL path must also cost it at most one
// statement per root connection besides authenticating the caller, and
// fewer than the resolvers; on SQLite both servers use the resolvers and the
// answers are merely compared.

// TestSQLAnswersMatchResolvers: every column of contacts, accounts, deals,
// stages and pipelines, through every to-one edge and nested connection the
// SQL path builds; filters on the root and on nested connections; aliases,
// fragments, __typename and directives; a MEMBER limited to their own
// records and another organization's token; and the selections the SQL path
// leaves to the resolvers — all answer as the resolvers do.
func TestSQLAnswersMatchResolvers(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		w := newAnswerWorld(t, f)
		for _, tc := range w.cases() {
			t.Run(tc.name, func(t *testing.T) {
				a := w.ask(t, tc.as, tc.query, tc.vars)
				w.check(t, a, tc.answerOpts)
			})
		}
	})
}

// TestSQLAnswersPageLikeResolvers: paging through contacts, accounts and
// deals seven at a time (and accounts one at a time), in both directions of
// every order field, each path following its own endCursor until
// hasNextPage is false, shows the same records, cursors, pageInfo and
// totalCount on every page, and the resolvers' cursor leads to the same
// page on both paths; so do the first page, a page after a cursor with and
// without totalCount, a page after the last record, the default page, and
// pages of 1 and of 100.
func TestSQLAnswersPageLikeResolvers(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		w := newAnswerWorld(t, f)
		for _, root := range []struct{ field, typ, node string }{
			{"contacts", "Contact", "id firstName lastName email lifecycleStage lastContactedAt createdAt updatedAt"},
			{"accounts", "Account", "id name domain employees lifecycleStage createdAt updatedAt"},
			{"deals", "Deal", "id name amount status expectedCloseDate closedAt createdAt updatedAt"},
		} {
			for _, field := range w.schema.Types[root.typ+"OrderField"].EnumValues {
				for _, dir := range []string{"ASC", "DESC"} {
					t.Run(fmt.Sprintf("%s by %s %s", root.field, field.Name, dir), func(t *testing.T) {
						w.pageThrough(t, root.field, root.typ, root.node, map[string]any{"field": field.Name, "direction": dir}, 7)
					})
				}
			}
		}
		// One at a time, every record's cursor leads to the next page.
		for _, field := range w.schema.Types["AccountOrderField"].EnumValues {
			for _, dir := range []string{"ASC", "DESC"} {
				t.Run(fmt.Sprintf("accounts by %s %s, one at a time", field.Name, dir), func(t *testing.T) {
					w.pageThrough(t, "accounts", "Account", "id name employees domain", map[string]any{"field": field.Name, "direction": dir}, 1)
				})
			}
		}

		const page = `query($first: Int, $after: Cursor) {
  contacts(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id firstName email } }
  }
}`
		const pageWithoutCount = `query($first: Int, $after: Cursor) {
  contacts(first: $first, after: $after) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id firstName account { name } } }
  }
}`
		endOf := func(a answer) (sqlEnd, refEnd any) {
			s, _ := pageEnd(t, a.got, "contacts")
			r, _ := pageEnd(t, a.want, "contacts")
			return s, r
		}
		first10 := w.ask(t, "owner", page, map[string]any{"first": 10})
		afterSQL, afterRef := endOf(first10)
		all := w.ask(t, "owner", page, map[string]any{"first": 100})
		lastSQL, lastRef := endOf(all)
		for _, tc := range []struct {
			name             string
			query            string
			sqlVars, refVars map[string]any
			opts             answerOpts
		}{
			{"the first page of 10 counts the whole list", page, map[string]any{"first": 10}, nil, answerOpts{sql: 1}},
			{"a page after a cursor still counts the whole list and has a previous page", page,
				map[string]any{"first": 10, "after": afterSQL}, map[string]any{"first": 10, "after": afterRef}, answerOpts{sql: 1}},
			{"a page after a cursor without totalCount", pageWithoutCount,
				map[string]any{"first": 10, "after": afterSQL}, map[string]any{"first": 10, "after": afterRef}, answerOpts{sql: 1}},
			{"a page after the last record is empty, with null cursors", page,
				map[string]any{"first": 10, "after": lastSQL}, map[string]any{"first": 10, "after": lastRef}, answerOpts{sql: 1, empty: true}},
			{"a page after the last record without totalCount is empty", pageWithoutCount,
				map[string]any{"first": 10, "after": lastSQL}, map[string]any{"first": 10, "after": lastRef}, answerOpts{sql: 1, empty: true, light: true}},
			{"a page of 1", page, map[string]any{"first": 1}, nil, answerOpts{sql: 1}},
			{"a page of 100 holds every contact and no next page", page, map[string]any{"first": 100}, nil, answerOpts{sql: 1}},
			{"the default page of 20", `{ contacts { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, nil, nil, answerOpts{sql: 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if tc.refVars == nil {
					tc.refVars = tc.sqlVars
				}
				w.check(t, w.askEach(t, "owner", tc.query, tc.sqlVars, tc.refVars), tc.opts)
			})
		}
	})
}

// TestSQLAnswersRenderValuesLikeResolvers: values at the edges of what the
// columns hold — a birth date at Go's zero time, custom fields with numbers
// beyond float64 and keys out of alphabetical order, the largest amount of
// money, times before 1900 and at the end of year 9999, text with quotes,
// backslashes, control characters and characters beyond ASCII — read the
// same through both paths.
func TestSQLAnswersRenderValuesLikeResolvers(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		o := f.tenant("oddities")
		c := f.store.Client
		ctx := o.ctx
		c.Contact.Create().SetFirstName("Zero").SetBirthDate(time.Time{}).SaveX(ctx)
		c.Contact.Create().SetFirstName("Old").SetBirthDate(time.Date(1899, 12, 31, 23, 59, 59, 500000000, time.UTC)).
			SetLastContactedAt(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)).SaveX(ctx)
		ac := c.Account.Create().SetName("Biggest").SetAnnualRevenue(money.Max).SetEmployees(2147483647).SaveX(ctx)
		c.Deal.Create().SetName("Biggest deal").SetAmount(money.Max).SetCost(money.FromCents(1)).SetAccount(ac).
			SetClosedAt(time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC)).SaveX(ctx)
		c.Contact.Create().SetFirstName("Text").SetLastName("\"quoted\" \\back\\slash\\ 'single' line\nbreak\ttab \x01 <b>&amp; é ü 漢字 🙂 \u2028").
			SetTitle(`{"looks": "like JSON"}`).SaveX(ctx)
		// Custom fields as a client sends them: JSON numbers reach the
		// database with all their digits.
		f.ok(o.jwt, `mutation($cf: Map) { createContact(input: {firstName: "Numbers", customFields: $cf}) { id } }`,
			map[string]any{"cf": json.RawMessage(`{"b": 1, "aa": 2, "big": 12345678901234567890, "precise": 0.12345678901234567890123, "nested": {"zz": [1, 2.50, "x"], "a": null}}`)}, nil)
		f.ok(o.jwt, `mutation($cf: Map) { createContact(input: {firstName: "Keys", customFields: $cf}) { id } }`,
			map[string]any{"cf": map[string]any{"b": "short key first in jsonb", "aa": "alphabetical first in Go", "ccc": true}}, nil)

		w := &answerWorld{t: t, f: f, callers: map[string]caller{"oddities": {token: o.token}}}
		for _, tc := range []struct {
			name  string
			query string
			opts  answerOpts
		}{
			{"a birth date at Go's zero time, 0001-01-01T00:00:00Z",
				`{ contacts(where: {firstName: "Zero"}) { totalCount edges { node { id firstName birthDate } } } }`, answerOpts{sql: 1}},
			{"a time before 1900 and one at the end of year 9999",
				`{ contacts(where: {firstName: "Old"}) { totalCount edges { node { id birthDate lastContactedAt } } } }`, answerOpts{sql: 1}},
			{"text with quotes, backslashes, control characters, HTML and characters beyond ASCII",
				`{ contacts(where: {firstName: "Text"}) { totalCount edges { node { id firstName lastName title } } } }`, answerOpts{sql: 1}},
			{"the largest amount of money and a one-microsecond time",
				`{ deals(first: 5) { totalCount edges { node { id amount cost closedAt account { annualRevenue employees } } } } }`, answerOpts{sql: 1}},
			// Map values are left to the resolvers, which read them through
			// float64 and sort their keys.
			{"custom fields with a number beyond float64 and 23 significant digits",
				`{ contacts(where: {firstName: "Numbers"}) { totalCount edges { node { id customFields } } } }`, answerOpts{}},
			{"custom fields keep the resolvers' key order",
				`{ contacts(where: {firstName: "Keys"}) { totalCount edges { node { id customFields } } } }`, answerOpts{strictMaps: true}},
		} {
			t.Run(tc.name, func(t *testing.T) { w.check(t, w.ask(t, "oddities", tc.query, nil), tc.opts) })
		}
	})
}

// answerCase is one request of TestSQLAnswersMatchResolvers.
type answerCase struct {
	name  string
	as    string // the caller: a key of answerWorld.callers
	query string
	vars  map[string]any
	answerOpts
}

// answerOpts is what is asserted of a pair of answers besides their
// equality.
type answerOpts struct {
	// sql is the number of root connections answered in SQL on PostgreSQL:
	// the request may cost the SQL path at most that many statements besides
	// authentication, and fewer than the resolvers. 0 for selections the SQL
	// path leaves to the resolvers: only the answers are compared.
	sql int
	// light: the resolvers need no more statements than the SQL path (the
	// selection has neither totalCount nor edges), so the statement counts
	// cannot tell the paths apart.
	light bool
	// empty: the answer may hold no record.
	empty bool
	// errors: both answers hold (the same) errors.
	errors bool
	// strictMaps: the keys of Map values (customFields) must come in the same
	// order too; otherwise a Map compares as a set of keys.
	strictMaps bool
	// brief: report differences in one line (a later page of a sequence
	// already reported in full).
	brief bool
}

// caller is who sends a request.
type caller struct {
	token string
	// foreign are the IDs of the records of other organizations, which must
	// never appear in the caller's answers.
	foreign map[string]bool
}

// answerWorld is the data set the answers are compared on: acme, with
// varied contacts, accounts, deals, two pipelines, an owner and a MEMBER
// limited to their own records; and globex, a second organization with
// records of its own.
type answerWorld struct {
	t       *testing.T
	f       *fixture
	schema  *ast.Schema
	callers map[string]caller
	// sample IDs of acme.
	contacts, deals []pulid.ID
}

// newAnswerWorld seeds acme and globex, creates acme's MEMBER with a
// session and an API token, and limits acme's members to their own records.
func newAnswerWorld(t *testing.T, f *fixture) *answerWorld {
	t.Helper()
	acme, globex := f.tenant("acme"), f.tenant("globex")
	f.ok(acme.jwt, `mutation { createUser(input: {email: "mia@acme.example", role: MEMBER, password: "correct horse battery"}) { id } }`, nil, nil)
	owner := f.store.Client.User.Query().Where(user.Email("owner@acme.example")).OnlyX(acme.ctx)
	member := f.store.Client.User.Query().Where(user.Email("mia@acme.example")).OnlyX(acme.ctx)
	memberJWT := login(t, f, "mia@acme.example")
	scopes, err := auth.ParseScopeList([]string{"*:read"})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	memberToken, _, err := f.ids.CreateAPIToken(acme.ctx, "member's", scopes, &exp, member.ID.String())
	if err != nil {
		t.Fatal(err)
	}

	w := &answerWorld{t: t, f: f, schema: graph.NewSchema(nil, nil).Schema()}
	acmeIDs := w.seed(acme, seedSize{contacts: 30, accounts: 8, deals: 45}, []pulid.ID{"", member.ID, owner.ID, member.ID, ""})
	globexIDs := w.seed(globex, seedSize{contacts: 8, accounts: 3, deals: 10}, []pulid.ID{""})
	f.ok(acme.jwt, `mutation { updateOrganization(input: {membersSeeOnlyOwnRecords: true}) { membersSeeOnlyOwnRecords } }`, nil, nil)
	// The member's cases prove something only if the member sees some of
	// acme's records and not all.
	for _, token := range []string{memberJWT, memberToken} {
		var page struct{ Contacts struct{ TotalCount int } }
		if r := f.doAt(f.referenceURL, token, `{ contacts { totalCount } }`, nil); len(r.Errors) > 0 || json.Unmarshal(r.Data, &page) != nil ||
			page.Contacts.TotalCount == 0 || page.Contacts.TotalCount >= 30 {
			t.Fatalf("the limited member sees %d of acme's 30 contacts (%+v); want some and not all", page.Contacts.TotalCount, r.Errors)
		}
	}
	w.callers = map[string]caller{
		"owner":          {token: acme.token, foreign: globexIDs},
		"owner session":  {token: acme.jwt, foreign: globexIDs},
		"member session": {token: memberJWT, foreign: globexIDs},
		"member token":   {token: memberToken, foreign: globexIDs},
		"globex":         {token: globex.token, foreign: acmeIDs},
	}
	return w
}

// seedSize is how many records seed creates.
type seedSize struct{ contacts, accounts, deals int }

// seed creates the records of one organization, owned in turn by owners
// ("" for none), and returns their IDs. Values vary: set, unset and
// explicitly empty; ties in every order field; times with fractions of
// .12, .000001, .999999 and none; amounts of 0, odd cents and the largest.
func (w *answerWorld) seed(tf *tenantFixture, n seedSize, owners []pulid.ID) map[string]bool {
	w.t.Helper()
	c, ctx, slug := w.f.store.Client, tf.ctx, tf.org.Slug
	ids := map[string]bool{}
	owner := func(i int) *pulid.ID {
		if o := owners[i%len(owners)]; o != "" {
			return &o
		}
		return nil
	}
	base := time.Date(2024, 3, 10, 9, 30, 0, 0, time.UTC)
	fracs := []time.Duration{120 * time.Millisecond, time.Microsecond, 0, 999999 * time.Microsecond, 500 * time.Millisecond, 10 * time.Microsecond, 123456 * time.Microsecond}
	at := func(days, i int) time.Time {
		return base.AddDate(0, 0, days).Add(time.Duration(i%5) * time.Hour).Add(fracs[i%len(fracs)])
	}

	pipes := []*ent.Pipeline{
		c.Pipeline.Create().SetName("New business").SetIsDefault(true).SetCreatedAt(at(-400, 0)).SetUpdatedAt(at(-300, 1)).SaveX(ctx),
		c.Pipeline.Create().SetName("Renewals").SetCreatedAt(at(-400, 0)).SetUpdatedAt(at(-400, 0)).SaveX(ctx),
	}
	for _, p := range pipes {
		ids[string(p.ID)] = true
	}
	var stages []*ent.Stage
	for i, s := range []struct {
		pipe      int
		name      string
		pos       int
		prob      float64
		won, lost bool
	}{
		{0, "Qualification", 0, 0.1, false, false},
		{0, "Proposal", 1, 0.1 + 0.2, false, false},
		{0, "Negotiation", 2, 0.4, false, false},
		{0, "Commit", 3, 0.4, false, false},
		{0, "Won", 4, 1, true, false},
		{0, "Lost", 5, 0, false, true},
		{1, "Renewal due", 0, 0.5, false, false},
		{1, "Renewed", 1, 1, true, false},
	} {
		st := c.Stage.Create().SetName(s.name).SetPosition(s.pos).SetProbability(s.prob).SetIsWon(s.won).SetIsLost(s.lost).
			SetPipeline(pipes[s.pipe]).SetCreatedAt(at(-399, i/3)).SetUpdatedAt(at(-399+i, i)).SaveX(ctx)
		stages = append(stages, st)
		ids[string(st.ID)] = true
	}

	accountNames := []string{"Acme Corp", "Initech", "Umbrella", "Hooli", "Acme Corp", "Vandelay Industries", "Stark", "Wayne"}
	// The account with no employees comes after ones with some, so that a
	// page after it must look back to earlier IDs.
	employees := []*int{nil, ptr(50), ptr(1), ptr(0), ptr(50), ptr(12000), nil, ptr(2147483647)}
	revenues := []*int64{nil, ptr[int64](0), ptr[int64](1), ptr[int64](1234567), ptr[int64](99999999999), ptr(int64(money.Max)), ptr[int64](5), nil}
	accountStages := []string{"LEAD", "CUSTOMER", "CUSTOMER", "OPPORTUNITY", "SUBSCRIBER", "EVANGELIST", "LEAD", "OTHER"}
	clvs := []float64{0, 10.5, 10.5, 2500.25, 0, 99.9, 1e6, 10.5}
	var accounts []*ent.Account
	for i := 0; i < n.accounts; i++ {
		created := at(-200+(i/2)*3, (i/2)*2)
		b := c.Account.Create().SetName(accountNames[i%len(accountNames)]).
			SetNillableEmployees(employees[i%len(employees)]).
			SetLifecycleStage(account.LifecycleStage(accountStages[i%len(accountStages)])).
			SetPredictedClv(clvs[i%len(clvs)]).SetProbabilityAlive(float64(i%3) / 3).SetValueScore(float64((i * 5) % 4)).
			SetNillableOwnerID(owner(i)).
			SetCreatedAt(created).SetUpdatedAt(created.Add(time.Duration(i%3) * time.Minute))
		if r := revenues[i%len(revenues)]; r != nil {
			b.SetAnnualRevenue(money.FromCents(*r))
		}
		if i%3 != 2 {
			b.SetDomain(fmt.Sprintf("%s-%d.example", slug, i))
		}
		switch i % 3 {
		case 0:
			b.SetIndustry("Software")
		case 1:
			b.SetIndustry("")
		}
		switch i % 4 {
		case 1:
			b.SetTags([]string{"vip"})
		case 2:
			b.SetTags([]string{"b2b", "emea"})
		case 3:
			b.SetTags(nil)
		}
		switch i % 4 {
		case 1:
			b.SetCustomFields(map[string]any{})
		case 2:
			b.SetCustomFields(map[string]any{"tier": "gold", "seats": 12})
		case 3:
			b.SetCustomFields(map[string]any{"nested": map[string]any{"k": []any{1, "two", true, nil}}, "note": `<b>&amp;</b> "q"`})
		}
		a := b.SaveX(ctx)
		accounts = append(accounts, a)
		ids[string(a.ID)] = true
	}

	firstNames := []string{"Ada", "Grace", "Alan", "ada", "Zoë", "Émile", "Ada", "O'Brien", "Linus", "Barbara",
		`Quote "Q"`, "Ken", "Dennis", "Margaret", "Edsger", "", "Tim", "Bjarne", "Guido", "Anders",
		"Brian", "Rob", "Niklaus", "John", "Frances", "Radia", "Hedy", "Katherine", "Line\nbreak", "Annie"}
	lastNames := []string{"Lovelace", "Hopper", "Turing", "Lovelace", "Åström", "Zed", "smith", "Smith"}
	contactStages := []string{"LEAD", "CUSTOMER", "SUBSCRIBER", "LEAD", "OPPORTUNITY", "CUSTOMER", "MARKETING_QUALIFIED_LEAD", "EVANGELIST"}
	genders := []string{"", "FEMALE", "MALE", "NON_BINARY", "OTHER", "UNDISCLOSED"}
	contactCLVs := []float64{0, 100, 100, 250.5, 1e-3, 0, 99999.99}
	valueTiers := []analytics.Tier{analytics.TierLow, analytics.TierVIP, analytics.TierHigh, analytics.TierLow, analytics.TierMedium}
	rfmSegments := []analytics.RFMSegment{analytics.SegmentChampions, analytics.SegmentAtRisk, analytics.SegmentHibernating}
	var contacts []*ent.Contact
	for i := 0; i < n.contacts; i++ {
		created := at(-100+(i/3)*2, i/3)
		b := c.Contact.Create().
			SetFirstName(firstNames[i%len(firstNames)]).SetLastName(lastNames[i%len(lastNames)]).
			SetLifecycleStage(contact.LifecycleStage(contactStages[i%len(contactStages)])).
			SetNewsletterOptIn(i%2 == 0).
			SetNillableOwnerID(owner(i)).
			SetCreatedAt(created).SetUpdatedAt(created.Add(time.Duration(i%4) * time.Hour).Add(fracs[(i+3)%len(fracs)]))
		if i%6 != 5 && len(accounts) > 0 {
			b.SetAccount(accounts[i%len(accounts)])
		}
		switch {
		case i%4 == 3:
		case i%5 == 1:
			b.SetEmail(fmt.Sprintf("P%02d@%s.example", (i*7)%30, strings.ToUpper(slug)))
		default:
			b.SetEmail(fmt.Sprintf("p%02d@%s.example", (i*7)%30, slug))
		}
		switch i % 3 {
		case 0:
			b.SetPhone(fmt.Sprintf("+1 555 01%02d", i))
		case 1:
			b.SetPhone("")
		}
		switch i % 4 {
		case 0:
			b.SetTitle("CTO")
		case 2:
			b.SetTitle("")
		}
		if i%5 == 0 {
			b.SetExternalID(fmt.Sprintf("ext-%d", i))
		}
		if i%3 == 2 {
			b.SetLeadSource("webinar")
		}
		switch {
		case i%3 == 0:
		case i == 4:
			b.SetBirthDate(time.Date(1899, 12, 31, 23, 59, 59, 500000000, time.UTC))
		default:
			b.SetBirthDate(time.Date(1950+i, time.Month(i%12+1), i%28+1, 0, 0, 0, (i%2)*1000, time.UTC))
		}
		if g := genders[i%len(genders)]; g != "" {
			b.SetGender(contact.Gender(g))
		}
		if i >= 3 && i%4 == 0 {
			b.SetReferredBy(contacts[i/3])
		}
		switch i % 5 {
		case 1:
			b.SetTags([]string{"vip"})
		case 2:
			b.SetTags([]string{"vip", "churn-risk"})
		case 3:
			b.SetTags(nil)
		case 4:
			b.SetTags([]string{"ünïcode tag"})
		}
		switch i % 4 {
		case 1:
			b.SetCustomFields(map[string]any{})
		case 2:
			b.SetCustomFields(map[string]any{"score": 7, "tier": "gold"})
		case 3:
			b.SetCustomFields(map[string]any{"nested": map[string]any{"list": []any{1, 2.5, "x", false, nil}}, "empty": ""})
		}
		if i%5 != 0 {
			b.SetLastContactedAt(base.AddDate(0, 0, -(i % 7)).Add(fracs[i%7]))
		}
		ct := b.SaveX(ctx)
		values := c.ContactValue.Update().Where(contactvalue.ContactID(ct.ID)).
			SetPredictedClv(contactCLVs[i%len(contactCLVs)]).SetProbabilityAlive(float64(i%4) / 4).SetValueScore(float64((i * 13) % 17))
		if i%5 != 4 {
			values.SetValueTier(valueTiers[i%len(valueTiers)]).SetRfmSegment(rfmSegments[i%len(rfmSegments)])
		}
		values.ExecX(ctx)
		contacts = append(contacts, ct)
		ids[string(ct.ID)] = true
		if tf.org.Slug == "acme" {
			w.contacts = append(w.contacts, ct.ID)
		}
	}

	amounts := []int64{0, 1, 99, 100, 12345, int64(money.Max), 999999999999, 5000, 5000, 150050, 7, 250000}
	for i := 0; i < n.deals; i++ {
		created := at(-50+i/4, i/4)
		b := c.Deal.Create().SetName(fmt.Sprintf("Deal %02d", i%40)).
			SetAmount(money.FromCents(amounts[i%len(amounts)])).
			SetNillableOwnerID(owner(i + 1)).
			SetCreatedAt(created).SetUpdatedAt(created.Add(time.Duration(i%5) * time.Second))
		switch i % 4 {
		case 1:
			b.SetCost(0)
		case 2:
			b.SetCost(money.FromCents(amounts[i%len(amounts)]/3 + 1))
		case 3:
			b.SetCost(1)
		}
		if i%5 == 0 {
			b.SetCurrency("EUR")
		}
		status := deal.StatusOPEN
		if i%9 != 8 {
			st := stages[i%len(stages)]
			b.SetStage(st)
			switch {
			case st.IsWon:
				status = deal.StatusWON
			case st.IsLost:
				status = deal.StatusLOST
				b.SetLostReason("Budget")
			}
		}
		b.SetStatus(status)
		if status != deal.StatusOPEN && i%5 != 0 {
			b.SetClosedAt(base.AddDate(0, 0, i%6).Add(fracs[i%len(fracs)]))
		}
		if status != deal.StatusLOST && i%7 == 0 {
			b.SetLostReason("")
		}
		if i%3 != 0 {
			b.SetExpectedCloseDate(base.AddDate(0, 0, 30+(i%6)*7).Add(fracs[i%len(fracs)]))
		}
		if i%6 == 0 {
			b.SetExternalID(fmt.Sprintf("order-%d", i))
		}
		var ct *ent.Contact
		if i%10 != 9 && len(contacts) > 0 {
			ct = contacts[(i*7)%len(contacts)]
			b.SetContact(ct)
		}
		if i%4 != 3 && len(accounts) > 0 {
			if ct != nil && ct.AccountID != nil {
				b.SetAccountID(*ct.AccountID)
			} else {
				b.SetAccount(accounts[i%len(accounts)])
			}
		}
		d := b.SaveX(ctx)
		ids[string(d.ID)] = true
		if tf.org.Slug == "acme" {
			w.deals = append(w.deals, d.ID)
		}
	}
	return ids
}

func ptr[T any](v T) *T { return &v }

// Selections of every scalar field of a type, from the schema.
func (w *answerWorld) scalars(typ string) string {
	var names []string
	for _, fd := range w.schema.Types[typ].Fields {
		if len(fd.Arguments) > 0 || strings.HasPrefix(fd.Name, "__") {
			continue
		}
		// Map fields (customFields) are left to the resolvers: they have
		// cases of their own.
		if def := w.schema.Types[fd.Type.Name()]; def != nil && (def.Kind == ast.Scalar || def.Kind == ast.Enum) && def.Name != "Map" {
			names = append(names, fd.Name)
		}
	}
	return strings.Join(names, " ")
}

// cursorOf is the cursor of a record in the default order (by ID).
func cursorOf(id pulid.ID) string {
	var b bytes.Buffer
	ent.Cursor{ID: id}.MarshalGQL(&b)
	return strings.Trim(b.String(), `"`)
}

// cases are the requests of TestSQLAnswersMatchResolvers. {C}, {A}, {D},
// {S} and {P} in a query stand for every scalar field of Contact, Account,
// Deal, Stage and Pipeline.
func (w *answerWorld) cases() []answerCase {
	sql1 := answerOpts{sql: 1}
	fill := strings.NewReplacer("{C}", w.scalars("Contact"), "{A}", w.scalars("Account"), "{D}", w.scalars("Deal"),
		"{S}", w.scalars("Stage"), "{P}", w.scalars("Pipeline"))
	cases := []answerCase{
		// Columns, through to-one edges and nested connections.
		{name: "every Contact column, with the contact's account and referrer", query: `{ contacts(first: 40) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { {C} account { {A} } referredBy { {C} } } } } }`, answerOpts: sql1},
		{name: "every Account column, with the account's contacts and deals", query: `{ accounts(first: 20, orderBy: {field: NAME}) {
  totalCount edges { node { {A}
    contacts(first: 10, orderBy: {field: EMAIL}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { {C} } } }
    deals(first: 10, orderBy: {field: AMOUNT, direction: DESC}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { {D} } } } } } } }`, answerOpts: sql1},
		{name: "every Deal column, with the deal's stage, pipeline, contact and account", query: `{ deals(first: 50, orderBy: {field: CREATED_AT}) {
  totalCount edges { cursor node { {D} stage { {S} pipeline { {P} } } contact { {C} account { {A} } } account { {A} } } } } }`, answerOpts: sql1},
		{name: "a deal's stage with the stage's deals, and the pipeline with its stages", query: `{ deals(first: 8, orderBy: {field: NAME, direction: DESC}) {
  totalCount edges { node { id name stage { id name
    deals(first: 3, orderBy: {field: AMOUNT}) { totalCount pageInfo { hasNextPage } edges { node { id name amount } } }
    pipeline { {P} stages(first: 10, orderBy: {field: POSITION, direction: DESC}) { totalCount edges { node { {S} } } } } } } } } }`, answerOpts: sql1},
		{name: "stages ordered by probability, with ties, and by name", query: `{ deals(first: 3, where: {hasStage: true}) {
  totalCount edges { node { id stage { pipeline {
    byProbability: stages(first: 10, orderBy: {field: PROBABILITY, direction: DESC}) { edges { node { name probability } } }
    open: stages(first: 3, where: {isWon: false, isLost: false}, orderBy: {field: PROBABILITY}) { totalCount pageInfo { hasNextPage } edges { node { name probability } } }
    byName: stages(first: 4, orderBy: {field: NAME}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { name } } } } } } } } }`, answerOpts: sql1},
		{name: "a contact's referrals with their deals, and the contact's own deals", query: `{ contacts(first: 30, orderBy: {field: FIRST_NAME}) {
  totalCount edges { node { id firstName
    referrals(first: 5, where: {or: [{hasDeals: true}, {emailNotNil: true}]}, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id firstName
      deals(first: 2, orderBy: {field: CLOSED_AT, direction: DESC}) { totalCount edges { node { id amount closedAt } } } } } }
    deals(first: 2, orderBy: {field: EXPECTED_CLOSE_DATE}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id name expectedCloseDate } } } } } } }`, answerOpts: sql1},
		{name: "optional text never set reads as the resolvers' empty string", query: `{ contacts(first: 40) {
  totalCount edges { node { id phone title leadSource account { industry } deals(first: 5) { totalCount edges { node { lostReason } } } } } } }`, answerOpts: sql1},
		{name: "a nested connection asked only for its totalCount", query: `{ contacts(first: 40) {
  totalCount edges { node { id deals { totalCount } referrals { totalCount } } } } }`, answerOpts: sql1},
		{name: "a nested connection asked only for its __typename", query: `{ accounts(first: 10) {
  totalCount edges { node { id contacts(first: 5) { __typename } } } } }`, answerOpts: sql1},

		// Filters.
		{name: "firstNameContains on the root", query: `{ contacts(first: 40, where: {firstNameContains: "a"}) { totalCount edges { node { id firstName } } } }`, answerOpts: sql1},
		{name: "lifecycleStage on the root", query: `{ contacts(first: 40, where: {lifecycleStage: CUSTOMER}) { totalCount edges { node { id lifecycleStage } } } }`, answerOpts: sql1},
		{name: "amountGT and statusIn on deals by amount", query: `{ deals(first: 50, where: {amountGT: "1.00", statusIn: [OPEN, WON]}, orderBy: {field: AMOUNT, direction: DESC}) {
  totalCount edges { node { id amount status } } } }`, answerOpts: sql1},
		{name: "hasAccountWith on contacts", query: `{ contacts(first: 40, where: {hasAccountWith: [{nameContainsFold: "acme"}]}) { totalCount edges { node { id account { name } } } } }`, answerOpts: sql1},
		{name: "hasDealsWith on contacts and hasContactsWith on accounts", query: `{
  contacts(first: 40, where: {hasDealsWith: [{statusIn: [WON]}, {amountGTE: "50.00"}]}) { totalCount edges { node { id } } }
  accounts(first: 20, where: {hasContactsWith: [{emailIsNil: true}]}) { totalCount edges { node { id } } } }`, answerOpts: answerOpts{sql: 2}},
		{name: "or, and and not combined", query: `{ contacts(first: 40, where: {or: [{emailIsNil: true}, {and: [{lifecycleStageIn: [LEAD, CUSTOMER]}, {not: {hasAccount: true}}]}]}) {
  totalCount edges { node { id email lifecycleStage } } } }`, answerOpts: sql1},
		{name: "accounts by employees or missing domain, except a prefix", query: `{ accounts(first: 20, where: {or: [{employeesGTE: 50}, {domainIsNil: true}], not: {nameHasPrefix: "Hoo"}}, orderBy: {field: EMPLOYEES, direction: DESC}) {
  totalCount edges { node { id name employees domain } } } }`, answerOpts: sql1},
		{name: "a time filter with a zone offset and fractions", query: `{ contacts(first: 40, where: {lastContactedAtGT: "2024-03-05T10:30:00.120001+01:00"}, orderBy: {field: LAST_CONTACTED_AT}) {
  totalCount edges { node { id lastContactedAt } } } }`, answerOpts: sql1},
		{name: "filter and order in variables", query: `query($w: DealWhereInput, $o: DealOrder) { deals(first: 50, where: $w, orderBy: $o) {
  totalCount edges { node { id name closedAt costs: cost } } } }`,
			vars: map[string]any{"w": map[string]any{"costNotNil": true, "closedAtNotNil": true}, "o": map[string]any{"field": "CLOSED_AT", "direction": "DESC"}}, answerOpts: sql1},
		{name: "filtered, ordered and limited nested connections", query: `{ accounts(first: 20) {
  totalCount edges { node { id name
    deals(where: {statusIn: [OPEN, WON]}, orderBy: {field: AMOUNT, direction: DESC}, first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id amount status } } }
    contacts(where: {or: [{emailIsNil: true}, {firstNameContainsFold: "ADA"}]}, first: 2, orderBy: {field: LAST_CONTACTED_AT, direction: DESC}) {
      totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id firstName lastContactedAt } } } } } } }`, answerOpts: sql1},
		{name: "a has-with filter on a nested connection", query: `{ contacts(first: 40) {
  totalCount edges { node { id deals(first: 5, where: {hasStageWith: [{isWon: true}]}) { totalCount edges { node { id stage { name } } } } } } } }`, answerOpts: sql1},
		{name: "filters at every level, with an after cursor, each read with its own parameters", query: `query($after: Cursor) {
  deals(first: 20, after: $after, where: {amountGTE: "0.01", nameNEQ: "Deal 03"}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id
    contact { id deals(first: 3, where: {statusIn: [WON, LOST]}) { totalCount edges { node { id status } } }
      referredBy { id deals(first: 2, where: {amountLT: "100.00"}) { totalCount edges { node { amount } } } }
      account { id contacts(first: 2, where: {emailNotNil: true}, orderBy: {field: EMAIL}) { totalCount edges { node { email } } } } }
    stage { id deals(first: 2, where: {currency: "EUR"}, orderBy: {field: UPDATED_AT, direction: DESC}) { totalCount edges { node { id currency } } } } } } } }`,
			vars: map[string]any{"after": cursorOf(w.deals[2])}, answerOpts: sql1},
		{name: "a filter matching nothing, on the root", query: `{ contacts(first: 10, where: {firstName: "Nobody"}) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`, answerOpts: answerOpts{sql: 1, empty: true}},
		{name: "a filter matching nothing, nested", query: `{ accounts(first: 5) {
  totalCount edges { node { id deals(first: 3, where: {name: "Nobody"}) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } } } } }`, answerOpts: sql1},

		// Aliases, fragments, __typename, directives.
		{name: "aliases at every level but the connections' own fields", query: `{ people: contacts(first: 5, orderBy: {field: EMAIL, direction: DESC}) {
  totalCount pageInfo { more: hasNextPage less: hasPreviousPage from: startCursor to: endCursor }
  edges { at: cursor person: node { key: id given: firstName company: account { label: name size: employees }
    orders: deals(first: 2) { totalCount edges { node { worth: amount } } } } } } }`, answerOpts: sql1},
		{name: "aliased edges, pageInfo and totalCount", query: `{ contacts(first: 5) {
  total: totalCount info: pageInfo { hasNextPage endCursor } list: edges { cursor node { id } } } }`, answerOpts: sql1},
		{name: "aliased edges, node, pageInfo and totalCount of a nested connection", query: `{ accounts(first: 4) {
  edges { node { id people: contacts(first: 2) { n: totalCount info: pageInfo { more: hasNextPage } list: edges { person: node { id } } } } } } }`, answerOpts: sql1},
		{name: "the same connection twice with different arguments", query: `{
  byEmail: contacts(first: 3, orderBy: {field: EMAIL}) { totalCount edges { node { id email } } }
  byName: contacts(first: 4, orderBy: {field: FIRST_NAME, direction: DESC}, where: {hasAccount: true}) { totalCount edges { node { id firstName
    cheapest: deals(first: 1, orderBy: {field: AMOUNT}) { edges { node { amount } } }
    dearest: deals(first: 2, orderBy: {field: AMOUNT, direction: DESC}) { totalCount edges { node { amount } } } } } } }`, answerOpts: answerOpts{sql: 2}},
		{name: "fields repeated without alias merge", query: `{ contacts(first: 10) {
  totalCount edges { node { id } } edges { node { firstName account { id } } node { account { name } } } } }`, answerOpts: sql1},
		// A field repeated under another name is left to the resolvers.
		{name: "edges twice, once under an alias", query: `{ contacts(first: 5) {
  totalCount edges { node { id } } cursors: edges { cursor } } }`, answerOpts: answerOpts{}},
		{name: "node twice, once under an alias", query: `{ contacts(first: 5) {
  totalCount edges { node { id } long: node { id firstName email } } } }`, answerOpts: answerOpts{}},
		{name: "a nested connection's edges twice, once under an alias", query: `{ contacts(first: 10) {
  totalCount edges { node { id deals(first: 3) { edges { node { id } } amounts: edges { node { amount } } } } } } }`, answerOpts: answerOpts{}},
		{name: "a nested connection's pageInfo twice, once under an alias", query: `{ contacts(first: 10) {
  totalCount edges { node { id deals(first: 1) { pageInfo { hasNextPage } previous: pageInfo { hasPreviousPage } edges { node { id } } } } } } }`, answerOpts: answerOpts{}},
		{name: "named fragments, spread twice and nested", query: `{ contacts(first: 10, orderBy: {field: LAST_NAME}) { ...Page } }
fragment Page on ContactConnection { totalCount edges { ...Edge } pageInfo { ...Info } }
fragment Info on PageInfo { hasNextPage endCursor }
fragment Edge on ContactEdge { cursor node { ...Person ...Person account { ...Company } } }
fragment Person on Contact { id firstName lastName deals(first: 2) { totalCount edges { node { ...Money } } } }
fragment Company on Account { id name }
fragment Money on Deal { amount cost }`, answerOpts: sql1},
		{name: "inline fragments on the type and on Node", query: `{ deals(first: 10) {
  totalCount edges { node { ... on Node { id } ... on Deal { name stage { ... on Stage { name } ... on Node { id } } }
    ... { status } contact { ... on Node { id ... on Contact { email } } } } } } }`, answerOpts: sql1},
		{name: "__typename at every level", query: `{ __typename accounts(first: 5) { __typename totalCount
  pageInfo { __typename hasNextPage } edges { __typename node { __typename id
    contacts(first: 2) { __typename totalCount pageInfo { __typename hasNextPage } edges { __typename node { __typename id referredBy { __typename id } } } } } } } }`, answerOpts: sql1},
		{name: "@skip and @include with variables true", query: skipInclude, vars: map[string]any{"yes": true, "no": true}, answerOpts: answerOpts{sql: 2}},
		{name: "@skip and @include with variables false", query: skipInclude, vars: map[string]any{"yes": false, "no": false}, answerOpts: answerOpts{sql: 2}},
		{name: "the root connection in a fragment on Query", query: `query { ...Q } fragment Q on Query { deals(first: 5, orderBy: {field: STATUS}) { totalCount edges { node { id status } } } }`, answerOpts: sql1},

		// Who asks.
		{name: "a limited MEMBER's session sees only their own contacts and accounts", as: "member session", query: memberContacts, answerOpts: sql1},
		{name: "a limited MEMBER's session sees only their own deals", as: "member session", query: memberDeals, answerOpts: sql1},
		{name: "a limited MEMBER's session sees only their own accounts' own records", as: "member session", query: memberAccounts, answerOpts: sql1},
		{name: "a limited MEMBER's API token sees only their own contacts and accounts", as: "member token", query: memberContacts, answerOpts: sql1},
		{name: "a limited MEMBER's API token sees only their own deals", as: "member token", query: memberDeals, answerOpts: sql1},
		{name: "a limited MEMBER's API token sees only their own accounts' own records", as: "member token", query: memberAccounts, answerOpts: sql1},
		{name: "a limited MEMBER's filters on related records", as: "member session", query: `{ contacts(first: 50, where: {or: [{hasDealsWith: [{amountGT: "10.00"}]}, {hasAccountWith: [{nameContains: "a"}]}]}) {
  totalCount edges { node { id account { id } deals(first: 5, where: {hasAccount: true}) { totalCount edges { node { id } } } } } } }`, answerOpts: sql1},
		{name: "the owner's session sees every record", as: "owner session", query: memberDeals, answerOpts: sql1},
		{name: "another organization's token sees only its contacts", as: "globex", query: `{ contacts(first: 50) {
  totalCount edges { cursor node { {C} account { {A} } referredBy { id } deals(first: 10) { totalCount edges { node { {D} } } } } } } }`, answerOpts: sql1},
		{name: "another organization's token sees only its deals and stages", as: "globex", query: `{ deals(first: 50) {
  totalCount edges { node { id stage { id deals(first: 10) { totalCount edges { node { id } } } pipeline { id stages(first: 10) { totalCount edges { node { id } } } } } contact { id } account { id } } } } }`, answerOpts: sql1},
		{name: "another organization's token sees only its accounts", as: "globex", query: `{ accounts(first: 50) {
  totalCount edges { node { {A} contacts(first: 10) { totalCount edges { node { id } } } deals(first: 10) { totalCount edges { node { id } } } } } } }`, answerOpts: sql1},

		// The contact's value figures, which live in contact_values.
		{name: "contacts by predicted CLV, with ties and zeros, and their cursors", query: `{ contacts(first: 25, orderBy: {field: PREDICTED_CLV, direction: DESC}) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id firstName } } } }`, answerOpts: sql1},
		{name: "contacts by value score and by probability alive, ascending", query: `{ byScore: contacts(first: 30, orderBy: {field: VALUE_SCORE}) { totalCount edges { cursor node { id } } }
  byAlive: contacts(first: 30, orderBy: {field: PROBABILITY_ALIVE}) { totalCount edges { cursor node { id } } } }`, answerOpts: answerOpts{sql: 2}},
		{name: "the page after a contact with no value yet, by predicted CLV", query: `query($c: Cursor) { contacts(first: 10, after: $c, orderBy: {field: PREDICTED_CLV, direction: DESC}) {
  totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }`, vars: map[string]any{"c": cursorOf(w.contacts[5])}, answerOpts: sql1},
		{name: "filters on the value figures", query: `{ contacts(first: 40, where: {valueTierIn: [VIP, HIGH], predictedClvGT: 50, not: {rfmSegment: AT_RISK}}, orderBy: {field: PREDICTED_CLV, direction: DESC}) {
  totalCount edges { node { id } } }
  unvalued: contacts(first: 40, where: {valueTierIsNil: true, or: [{valueScoreGTE: 8}, {probabilityAliveLT: 0.3}]}) { totalCount edges { node { id } } } }`, answerOpts: answerOpts{sql: 2}},
		{name: "an account's contacts by value score, filtered by tier", query: `{ accounts(first: 10, orderBy: {field: NAME}) { totalCount edges { node { id
  contacts(first: 3, where: {valueTierNEQ: LOW}, orderBy: {field: VALUE_SCORE, direction: DESC}) { totalCount pageInfo { hasNextPage } edges { node { id } } } } } } }`, answerOpts: sql1},

		// Left to the resolvers.
		{name: "the last contacts by predicted CLV fall back", query: `{ contacts(last: 7, orderBy: {field: PREDICTED_CLV, direction: DESC}) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }`},
		{name: "last: n falls back", query: `{ contacts(last: 5, orderBy: {field: EMAIL}) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id email } } } }`},
		{name: "before a cursor falls back", query: `query($c: Cursor) { contacts(first: 5, before: $c) { totalCount edges { cursor node { id } } } }`,
			vars: map[string]any{"c": cursorOf(w.contacts[20])}},
		{name: "after a cursor on a nested connection falls back", query: `query($c: Cursor) { contacts(first: 40) { totalCount edges { node { id deals(first: 2, after: $c) { totalCount edges { node { id } } } } } } }`,
			vars: map[string]any{"c": cursorOf(w.deals[3])}},
		{name: "cursors of a nested connection fall back", query: `{ accounts(first: 5) { totalCount edges { node { id contacts(first: 3) { edges { cursor node { id } } } } } } }`},
		{name: "startCursor of a nested connection falls back", query: `{ accounts(first: 5) { totalCount edges { node { id contacts(first: 3) { pageInfo { startCursor } edges { node { id } } } } } } }`},
		{name: "a contact's clv, rfm, valueScore, metrics and segments fall back", query: `{ contacts(first: 10) { totalCount edges { node { id
  clv { asOf } rfm { __typename } valueScore { __typename } metrics { id } segments { id } } } } }`},
		{name: "an account's clv and valueScore fall back", query: `{ accounts(first: 10) { totalCount edges { node { id clv { asOf } valueScore { __typename } } } } }`},
		{name: "owner and campaign edges fall back", query: `{ deals(first: 10) { totalCount edges { node { id owner { email } sourceCampaign { id } contact { owner { email } } } } } }`},
		{name: "activities and tickets fall back", query: `{ contacts(first: 5) { totalCount edges { node { id activities(first: 2) { totalCount } tickets(first: 2) { edges { node { id } } } } } } }`},
		{name: "pageInfo alone falls back", query: `{ contacts(first: 5) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, answerOpts: answerOpts{empty: true}},
		{name: "totalCount alone falls back", query: `{ deals(first: 5, where: {statusIn: [WON]}) { totalCount } }`, answerOpts: answerOpts{empty: true}},
		{name: "first: 0 falls back", query: `{ contacts(first: 0) { totalCount edges { node { id } } } }`, answerOpts: answerOpts{empty: true}},
		{name: "an empty where falls back", query: `{ contacts(first: 5, where: {}) { totalCount edges { node { id } } } }`},
		{name: "a malformed cursor is refused alike", query: `{ contacts(first: 5, after: "not a cursor") { totalCount edges { node { id } } } }`, answerOpts: answerOpts{errors: true, empty: true}},
		{name: "a page over the maximum is refused alike", query: `{ contacts(first: 10) { edges { node { deals(first: 101) { totalCount } } } } }`, answerOpts: answerOpts{errors: true, empty: true}},
	}
	for i := range cases {
		cases[i].query = fill.Replace(cases[i].query)
		if cases[i].as == "" {
			cases[i].as = "owner"
		}
	}
	return cases
}

const skipInclude = `query($yes: Boolean!, $no: Boolean!) {
  contacts(first: 10) @include(if: $yes) { totalCount edges { node { id email @skip(if: $no) account @include(if: $yes) { name } deals(first: 2) { totalCount @skip(if: $yes) edges { node { id } } } } } }
  deals(first: 3) @skip(if: $yes) { totalCount edges { node { id } } }
  accounts(first: 3) { totalCount @include(if: $no) edges { node { id name @include(if: $no) } } }
}`

const memberContacts = `{ contacts(first: 50) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id firstName ownerID account { id name ownerID } referredBy { id ownerID }
    deals(first: 10) { totalCount edges { node { id ownerID } } } referrals(first: 5) { totalCount edges { node { id } } } } } } }`

const memberDeals = `{ deals(first: 50, orderBy: {field: AMOUNT}) {
  totalCount edges { cursor node { id amount ownerID contact { id ownerID } account { id ownerID }
    stage { id name deals(first: 5) { totalCount pageInfo { hasNextPage } edges { node { id ownerID } } } } } } } }`

const memberAccounts = `{ accounts(first: 50) {
  totalCount edges { node { id name ownerID contacts(first: 10) { totalCount edges { node { id ownerID } } }
    deals(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount edges { node { id ownerID } } } } } } }`

// pageThrough follows a root connection size records at a time in one
// order, each path with its own cursors, comparing every page.
func (w *answerWorld) pageThrough(t *testing.T, field, typ, node string, order map[string]any, size int) {
	q := fmt.Sprintf(`query($after: Cursor, $order: %sOrder) {
  %s(first: %d, after: $after, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { %s } }
  }
}`, typ, field, size, node)
	var sqlAfter, refAfter any
	differed, crossed := false, false
	for page := 1; ; page++ {
		a := w.askEach(t, "owner", q, map[string]any{"after": sqlAfter, "order": order}, map[string]any{"after": refAfter, "order": order})
		a.label = fmt.Sprintf("page %d", page)
		if !w.check(t, a, answerOpts{sql: 1, empty: page > 1, brief: differed}) {
			differed = true
		}
		var sqlNext, refNext bool
		sqlAfter, sqlNext = pageEnd(t, a.got, field)
		refAfter, refNext = pageEnd(t, a.want, field)
		if !sqlNext && !refNext {
			return
		}
		if sqlNext != refNext {
			return // reported by check
		}
		if sqlAfter != refAfter && !crossed {
			// A client may hold a cursor from either path (the SQL path is
			// only on PostgreSQL, and falls back for some selections): the
			// resolvers' cursor must lead to the same page on both.
			crossed = true
			x := w.ask(t, "owner", q, map[string]any{"after": refAfter, "order": order})
			x.label = fmt.Sprintf("page %d after the resolvers' cursor", page+1)
			w.check(t, x, answerOpts{sql: 1, empty: true, brief: differed})
		}
		if page == 20 {
			t.Errorf("still a next page after 20 pages of %d: paging does not end", size)
			return
		}
	}
}

// pageEnd returns a root connection's endCursor and hasNextPage.
func pageEnd(t *testing.T, r response, field string) (any, bool) {
	t.Helper()
	var data map[string]struct {
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
	p := data[field].PageInfo
	if p.EndCursor == nil {
		return nil, p.HasNextPage
	}
	return *p.EndCursor, p.HasNextPage
}

// answer is a request's answers from both paths.
type answer struct {
	label            string
	query            string
	sqlVars, refVars map[string]any
	got, want        response // the SQL path's, the resolvers'
	// statements of each beyond authenticating the caller
	sqlStatements, refStatements int
	foreign                      map[string]bool
}

// ask sends the same request to both paths.
func (w *answerWorld) ask(t *testing.T, who, query string, vars map[string]any) answer {
	t.Helper()
	return w.askEach(t, who, query, vars, vars)
}

// askEach sends a request to both paths, with variables of each (cursors
// each path gave), and counts the statements each costs beyond
// authentication: a request of the trivial `{ __typename }` measures
// those.
func (w *answerWorld) askEach(t *testing.T, who, query string, sqlVars, refVars map[string]any) answer {
	t.Helper()
	c, ok := w.callers[who]
	if !ok {
		t.Fatalf("no caller %q", who)
	}
	f := w.f
	measure := func(url string, vars map[string]any) (response, int) {
		f.counter.Reset()
		f.doAt(url, c.token, `{ __typename }`, nil)
		auth := f.counter.Count()
		f.counter.Reset()
		r := f.doAt(url, c.token, query, vars)
		return r, f.counter.Count() - auth
	}
	a := answer{query: query, sqlVars: sqlVars, refVars: refVars, foreign: c.foreign}
	a.got, a.sqlStatements = measure(f.url, sqlVars)
	a.want, a.refStatements = measure(f.referenceURL, refVars)
	return a
}

// check asserts that both answers are the same, that neither shows another
// organization's record, and, on PostgreSQL, that the SQL path answered. It
// reports whether the answers were the same.
func (w *answerWorld) check(t *testing.T, a answer, o answerOpts) bool {
	t.Helper()
	prefix := ""
	if a.label != "" {
		prefix = a.label + ": "
	}
	got, err := decodeOrdered(a.got.Data)
	if err != nil {
		t.Fatalf("%sdecoding the SQL path's answer %s: %v", prefix, a.got.Data, err)
	}
	want, err := decodeOrdered(a.want.Data)
	if err != nil {
		t.Fatalf("%sdecoding the resolvers' answer %s: %v", prefix, a.want.Data, err)
	}
	var diffs []answerDiff
	diffJSON("data", got, want, o.strictMaps, false, &diffs)
	gotErrs, wantErrs := errorList(a.got.Errors), errorList(a.want.Errors)
	if gotErrs != wantErrs {
		diffs = append(diffs, answerDiff{path: "errors", got: gotErrs, want: wantErrs})
	}
	if len(diffs) > 0 && o.brief {
		t.Errorf("%sthe SQL path's answer differs from the resolvers' in %d places, at %s", prefix, len(diffs), diffPaths(diffs))
	} else if len(diffs) > 0 {
		t.Errorf("%sthe SQL path's answer differs from the resolvers' in %d places:\n%s\nquery: %s\nvariables: %s\nSQL path:  %s\nresolvers: %s",
			prefix, len(diffs), summarize(diffs), oneLine(a.query), shorten(string(mustJSON(a.sqlVars)), 300),
			shorten(answerText(a.got), 1200), shorten(answerText(a.want), 1200))
	}
	if o.errors != (wantErrs != "") {
		t.Errorf("%sthe resolvers answered errors %q; want errors: %v", prefix, wantErrs, o.errors)
	}
	if !o.empty && !hasRecords(want) {
		t.Errorf("%sthe resolvers' answer holds no record, the comparison proves little: %s", prefix, shorten(string(a.want.Data), 300))
	}
	for _, r := range []struct {
		path string
		v    any
	}{{"SQL path", got}, {"resolvers", want}} {
		if leaked := foreignIDs(r.v, a.foreign); len(leaked) > 0 {
			t.Errorf("%sthe %s answer shows another organization's records %v", prefix, r.path, leaked)
		}
	}
	if o.sql > 0 && w.f.store.Dialect == dialect.Postgres {
		if a.sqlStatements > o.sql {
			t.Errorf("%sthe SQL path ran %d statements besides authentication; want at most %d (one per root connection): not answered in SQL (the resolvers ran %d)",
				prefix, a.sqlStatements, o.sql, a.refStatements)
		} else if !o.light && a.refStatements <= a.sqlStatements {
			t.Errorf("%sthe SQL path ran %d statements, the resolvers %d: the SQL path did not answer", prefix, a.sqlStatements, a.refStatements)
		}
	}
	return len(diffs) == 0
}

// jsonObject is a JSON object with its keys in order.
type jsonObject struct {
	keys []string
	vals map[string]any
}

// decodeOrdered decodes JSON into *jsonObject, []any, json.Number, string,
// bool and nil, keeping the order of object keys.
func decodeOrdered(raw []byte) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return readJSON(dec)
}

func readJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		o := &jsonObject{vals: map[string]any{}}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			key := k.(string)
			if _, dup := o.vals[key]; dup {
				key += " (again)"
			}
			o.keys = append(o.keys, key)
			o.vals[key] = v
		}
		_, err := dec.Token()
		return o, err
	default:
		list := []any{}
		for dec.More() {
			v, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token()
		return list, err
	}
}

// answerDiff is one difference between the answers.
type answerDiff struct{ path, got, want string }

// mapFields hold Map values, whose keys are not a selection.
var mapFields = map[string]bool{"customFields": true}

// diffJSON compares the SQL path's value got with the resolvers' want:
// objects key by key and in the same key order (Map values in any order
// unless strictMaps), times as instants, numbers by exact value.
func diffJSON(path string, got, want any, strictMaps, inMap bool, out *[]answerDiff) {
	report := func(why string) {
		*out = append(*out, answerDiff{path: path, got: showJSON(got), want: showJSON(want) + why})
	}
	switch w := want.(type) {
	case *jsonObject:
		g, ok := got.(*jsonObject)
		if !ok {
			report("")
			return
		}
		if (!inMap || strictMaps) && strings.Join(g.keys, ",") != strings.Join(w.keys, ",") {
			*out = append(*out, answerDiff{path: path + " (key order)", got: strings.Join(g.keys, " "), want: strings.Join(w.keys, " ")})
		}
		keys := append([]string(nil), w.keys...)
		for _, k := range g.keys {
			if _, ok := w.vals[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			gv, gok := g.vals[k]
			wv, wok := w.vals[k]
			switch {
			case !gok:
				*out = append(*out, answerDiff{path: path + "." + k, got: "(missing)", want: showJSON(wv)})
			case !wok:
				*out = append(*out, answerDiff{path: path + "." + k, got: showJSON(gv), want: "(missing)"})
			default:
				diffJSON(path+"."+k, gv, wv, strictMaps, inMap || mapFields[k], out)
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			report("")
			return
		}
		if len(g) != len(w) {
			report(fmt.Sprintf(" (%d elements, not %d)", len(w), len(g)))
			return
		}
		for i := range w {
			diffJSON(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], strictMaps, inMap, out)
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(g, w) {
			report("")
		}
	case string:
		g, ok := got.(string)
		if !ok || (g != w && !sameInstant(g, w)) {
			report("")
		}
	default: // bool, nil
		if got != want {
			report("")
		}
	}
}

func sameNumber(a, b json.Number) bool {
	x, okx := new(big.Rat).SetString(string(a))
	y, oky := new(big.Rat).SetString(string(b))
	if !okx || !oky {
		return a == b
	}
	return x.Cmp(y) == 0
}

func sameInstant(a, b string) bool {
	x, errx := time.Parse(time.RFC3339Nano, a)
	y, erry := time.Parse(time.RFC3339Nano, b)
	return errx == nil && erry == nil && x.Equal(y)
}

// showJSON writes a decoded value back as JSON, keys in order.
func showJSON(v any) string {
	var b strings.Builder
	var write func(any)
	write = func(v any) {
		switch v := v.(type) {
		case *jsonObject:
			b.WriteByte('{')
			for i, k := range v.keys {
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(mustJSON(k))
				b.WriteByte(':')
				write(v.vals[k])
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range v {
				if i > 0 {
					b.WriteByte(',')
				}
				write(e)
			}
			b.WriteByte(']')
		case json.Number:
			b.WriteString(string(v))
		default:
			b.Write(mustJSON(v))
		}
	}
	write(v)
	return shorten(b.String(), 160)
}

var indexes = regexp.MustCompile(`\[\d+\]`)

// summarize groups differences by path, array indexes aside, with a count
// and the first example of each.
func summarize(diffs []answerDiff) string {
	type group struct {
		n     int
		first answerDiff
	}
	groups := map[string]*group{}
	var order []string
	for _, d := range diffs {
		k := indexes.ReplaceAllString(d.path, "[]")
		g := groups[k]
		if g == nil {
			g = &group{first: d}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
	}
	var b strings.Builder
	for i, k := range order {
		if i == 15 {
			fmt.Fprintf(&b, "  … and %d more paths\n", len(order)-i)
			break
		}
		g := groups[k]
		fmt.Fprintf(&b, "  %s ×%d, first at %s:\n    SQL path:  %s\n    resolvers: %s\n", k, g.n, g.first.path, g.first.got, g.first.want)
	}
	return strings.TrimRight(b.String(), "\n")
}

// diffPaths lists the paths of differences, array indexes aside, each with
// its first pair of values.
func diffPaths(diffs []answerDiff) string {
	seen := map[string]bool{}
	var paths []string
	for _, d := range diffs {
		if k := indexes.ReplaceAllString(d.path, "[]"); !seen[k] {
			seen[k] = true
			paths = append(paths, fmt.Sprintf("%s (SQL path %s, resolvers %s)", k, shorten(d.got, 60), shorten(d.want, 60)))
		}
	}
	return strings.Join(paths, ", ")
}

// errorList is a comparable rendering of a response's errors.
func errorList(errs []gqlError) string {
	var list []string
	for _, e := range errs {
		list = append(list, fmt.Sprintf("%s %s at %s", e.Extensions["code"], e.Message, mustJSON(e.Path)))
	}
	sort.Strings(list)
	return strings.Join(list, "; ")
}

// hasRecords reports whether an answer holds a non-empty list.
func hasRecords(v any) bool {
	switch v := v.(type) {
	case *jsonObject:
		for _, k := range v.keys {
			if hasRecords(v.vals[k]) {
				return true
			}
		}
	case []any:
		return len(v) > 0
	}
	return false
}

// foreignIDs returns the strings of an answer that are IDs of foreign.
func foreignIDs(v any, foreign map[string]bool) []string {
	var found []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case *jsonObject:
			for _, k := range v.keys {
				walk(v.vals[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case string:
			if foreign[v] {
				found = append(found, v)
			}
		}
	}
	walk(v)
	return found
}

func answerText(r response) string {
	s := string(r.Data)
	if len(r.Errors) > 0 {
		s += " errors: " + errorList(r.Errors)
	}
	return s
}

func oneLine(s string) string { return shorten(strings.Join(strings.Fields(s), " "), 600) }

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
}
