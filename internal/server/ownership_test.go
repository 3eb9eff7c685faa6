package server_test

import (
	"testing"
)

// TestMembersLimitedToTheirOwnRecords: an organization that limits MEMBERs
// to their own records shows each member only the contacts, accounts and
// deals they own, everywhere; managers and the owner still see everything.
func TestMembersLimitedToTheirOwnRecords(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		for _, u := range []struct{ email, role string }{{"mia@acme.example", "MEMBER"}, {"max@acme.example", "MANAGER"}} {
			f.ok(a.jwt, `mutation($e: String!, $r: UserRole!) { createUser(input: {email: $e, role: $r, password: "correct horse battery"}) { id } }`,
				map[string]any{"e": u.email, "r": u.role}, nil)
		}
		member, manager := login(t, f, "mia@acme.example"), login(t, f, "max@acme.example")
		var ownersContact struct{ CreateContact struct{ ID string } }
		f.ok(a.jwt, `mutation { createContact(input: {firstName: "Owned by the owner"}) { id } }`, nil, &ownersContact)
		theirs := ownersContact.CreateContact.ID

		f.ok(a.jwt, `mutation { updateOrganization(input: {membersSeeOnlyOwnRecords: true}) { membersSeeOnlyOwnRecords } }`, nil, nil)
		var mine struct {
			CreateContact struct {
				ID    string
				Owner struct{ Email string }
			}
		}
		f.ok(member, `mutation { createContact(input: {firstName: "Mine"}) { id owner { email } } }`, nil, &mine)
		if mine.CreateContact.Owner.Email != "mia@acme.example" {
			t.Errorf("a limited member's new contact is owned by %q; want the member", mine.CreateContact.Owner.Email)
		}
		count := func(token string) int {
			var page struct{ Contacts struct{ TotalCount int } }
			f.ok(token, `{ contacts { totalCount } }`, nil, &page)
			return page.Contacts.TotalCount
		}
		if n := count(member); n != 1 {
			t.Errorf("the member sees %d contacts; want 1, their own", n)
		}
		if n := count(manager); n != 2 {
			t.Errorf("a manager sees %d contacts; want 2", n)
		}
		refused := []struct{ name, query, code string }{
			{"read another's contact by node", `query($id: ID!) { node(id: $id) { id } }`, "NOT_FOUND"},
			{"update another's contact", `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "x"}) { id } }`, "NOT_FOUND"},
			{"delete another's contact", `mutation($id: ID!) { deleteContact(id: $id) { deletedID } }`, "NOT_FOUND"},
		}
		for _, tt := range refused {
			r := f.do(member, tt.query, map[string]any{"id": theirs})
			if r.code() != tt.code {
				t.Errorf("%s: got %s %+v; want %q and nothing", tt.name, r.Data, r.Errors, tt.code)
			}
		}
		owner := f.store.Client.User.Query().FirstX(a.ctx)
		r := f.do(member, `mutation($id: ID!, $o: ID!) { updateContact(id: $id, input: {ownerID: $o}) { id } }`,
			map[string]any{"id": mine.CreateContact.ID, "o": owner.ID})
		if r.code() != "FORBIDDEN" || r.field() != "ownerId" {
			t.Errorf("handing a record to someone else got %+v; want FORBIDDEN on ownerId", r.Errors)
		}

		f.ok(a.jwt, `mutation { updateOrganization(input: {membersSeeOnlyOwnRecords: false}) { id } }`, nil, nil)
		if n := count(member); n != 2 {
			t.Errorf("with the limit lifted the member sees %d contacts; want 2", n)
		}
	})
}
