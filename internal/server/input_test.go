package server_test

import (
	"testing"
)

// TestBadInputIsRefusedWithTheFieldAndWritesNothing sends invalid records:
// each is refused with BAD_USER_INPUT (or CONFLICT) naming the field at
// fault, and no row is written.
func TestBadInputIsRefusedWithTheFieldAndWritesNothing(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		d := seedCRM(t, f, a, 1)
		var s struct{ CreateSurvey struct{ ID string } }
		f.ok(a.token, `mutation { createSurvey(input: {name: "NPS Q1", kind: NPS}) { id } }`, nil, &s)
		vars := map[string]any{"survey": s.CreateSurvey.ID, "pipeline": d.stages[0].PipelineID, "deal": d.deals[0].ID}
		cases := []struct {
			name, query, code, field string
		}{
			{"malformed email", `mutation { createContact(input: {email: "not-an-email"}) { id } }`, "BAD_USER_INPUT", "email"},
			{"duplicate email, other case", `mutation { createContact(input: {email: "PERSON000@acme.example"}) { id } }`, "CONFLICT", "email"},
			{"negative amount", `mutation { createDeal(input: {name: "x", amount: "-5.00"}) { id } }`, "BAD_USER_INPUT", "amount"},
			{"amount with three decimals", `mutation { createDeal(input: {name: "x", amount: "1.234"}) { id } }`, "BAD_USER_INPUT", "amount"},
			{"amount as a float", `mutation { createDeal(input: {name: "x", amount: 1.5}) { id } }`, "BAD_USER_INPUT", "amount"},
			{"empty deal name", `mutation { createDeal(input: {name: ""}) { id } }`, "BAD_USER_INPUT", "name"},
			{"NPS score above 10", `mutation($survey: ID!) { createSurveyResponse(input: {surveyID: $survey, score: 11}) { id } }`, "BAD_USER_INPUT", "score"},
			{"NPS score below 0", `mutation($survey: ID!) { createSurveyResponse(input: {surveyID: $survey, score: -1}) { id } }`, "BAD_USER_INPUT", "score"},
			{"probability above 1", `mutation($pipeline: ID!) { createStage(input: {name: "S", position: 9, probability: 1.5, pipelineID: $pipeline}) { id } }`, "BAD_USER_INPUT", "probability"},
			{"unknown enum value", `mutation { createActivity(input: {type: PIGEON, subject: "x"}) { id } }`, "GRAPHQL_VALIDATION_FAILED", ""},
			{"bad enum in a variable", `mutation($t: ActivityType!) { createActivity(input: {type: $t, subject: "x"}) { id } }`, "GRAPHQL_VALIDATION_FAILED", ""},
			{"discount over 100%", `mutation($deal: ID!) { createLineItem(input: {dealID: $deal, unitPrice: "10", discountPercent: 150}) { id } }`, "BAD_USER_INPUT", "discountPercent"},
			{"nonexistent stage", `mutation { createDeal(input: {name: "x", stageID: "stg_01JD0000000000000000000000"}) { id } }`, "NOT_FOUND", "stageID"},
			{"bad cursor", `{ contacts(after: "garbage") { totalCount } }`, "BAD_USER_INPUT", "after"},
		}
		for _, tc := range cases {
			before := countRows(t, f, a)
			v := vars
			if tc.name == "bad enum in a variable" {
				v = map[string]any{"t": "PIGEON"}
			}
			r := f.do(a.token, tc.query, v)
			if r.code() != tc.code || r.field() != tc.field {
				t.Errorf("%s: got code %q field %q (%+v); want %q %q", tc.name, r.code(), r.field(), r.Errors, tc.code, tc.field)
			}
			if tc.code != "" && countRows(t, f, a) != before {
				t.Errorf("%s: a refused mutation wrote rows", tc.name)
			}
			for _, e := range r.Errors {
				if contains(e.Message, "ent:") || contains(e.Message, "sql") || contains(e.Message, "constraint") {
					t.Errorf("%s: the error leaks internals: %q", tc.name, e.Message)
				}
			}
		}
	})
}

// countRows returns the number of contacts, deals and survey responses.
func countRows(t *testing.T, f *fixture, tf *tenantFixture) int {
	t.Helper()
	c := f.store.Client
	n := c.Contact.Query().CountX(tf.ctx) + c.Deal.Query().CountX(tf.ctx) + c.SurveyResponse.Query().CountX(tf.ctx) +
		c.Activity.Query().CountX(tf.ctx) + c.Stage.Query().CountX(tf.ctx) + c.LineItem.Query().CountX(tf.ctx)
	return n
}

func TestUpsertContactsReportsEachRecord(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		seedCRM(t, f, a, 1)
		var out struct {
			UpsertContacts []struct {
				Index   int
				Status  string
				Contact *struct{ Email, FirstName string }
				Error   *struct{ Code, Field string }
			}
		}
		f.ok(a.token, `mutation { upsertContacts(inputs: [
			{email: "new@acme.example", firstName: "New"},
			{email: "Person000@ACME.example", firstName: "Renamed"},
			{email: "broken", firstName: "Bad"},
			{firstName: "No key"}
		]) { index status contact { email firstName } error { code field } } }`, nil, &out)
		want := []struct{ status, code, field, first string }{
			{"CREATED", "", "", "New"},
			{"UPDATED", "", "", "Renamed"},
			{"FAILED", "BAD_USER_INPUT", "email", ""},
			{"FAILED", "BAD_USER_INPUT", "email", ""},
		}
		if len(out.UpsertContacts) != len(want) {
			t.Fatalf("got %d results; want %d", len(out.UpsertContacts), len(want))
		}
		for i, w := range want {
			g := out.UpsertContacts[i]
			if g.Index != i || g.Status != w.status {
				t.Errorf("record %d: %s; want %s", i, g.Status, w.status)
			}
			if w.code != "" && (g.Error == nil || g.Error.Code != w.code || g.Error.Field != w.field) {
				t.Errorf("record %d: error %+v; want %s on %s", i, g.Error, w.code, w.field)
			}
			if w.first != "" && (g.Contact == nil || g.Contact.FirstName != w.first) {
				t.Errorf("record %d: contact %+v; want first name %s", i, g.Contact, w.first)
			}
		}
		if n := f.store.Client.Contact.Query().CountX(a.ctx); n != 2 {
			t.Errorf("%d contacts after the upsert; want 2 (one existing, one created)", n)
		}
	})
}

func TestReadOnlyTokenCannotWrite(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme", "contacts:read")
		seedCRM(t, f, a, 1)
		for _, q := range []string{
			`mutation { createContact(input: {email: "x@acme.example"}) { id } }`,
			`mutation { upsertContacts(inputs: [{email: "x@acme.example"}]) { status } }`,
			`mutation { createDeal(input: {name: "x"}) { id } }`,
			`{ deals { totalCount } }`,
		} {
			if r := f.do(a.token, q, nil); r.code() != "FORBIDDEN" {
				t.Errorf("%s: got %+v; want FORBIDDEN", q, r.Errors)
			}
		}
		var ok struct{ Contacts struct{ TotalCount int } }
		f.ok(a.token, `{ contacts { totalCount } }`, nil, &ok)
		if ok.Contacts.TotalCount != 1 {
			t.Errorf("the read-only token reads %d contacts; want 1", ok.Contacts.TotalCount)
		}
	})
}
