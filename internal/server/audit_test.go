package server_test

import (
	"testing"

	"github.com/headlesscrm/crm/ent/user"
)

const auditQuery = `query($id: String!) {
  auditLog(where: {recordID: $id}, orderBy: {field: ID, direction: ASC}) {
    totalCount
    edges { node { actorKind actorID action recordType recordID changes } }
  }
}`

type auditPage struct {
	AuditLog struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ActorKind, ActorID, Action, RecordType, RecordID string
				Changes                                          map[string]map[string]any
			}
		}
	}
}

// TestAuditLogRecordsWhoChangedWhat follows one contact through its life
// and reads its history back as an administrator would.
func TestAuditLogRecordsWhoChangedWhat(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		var created struct{ CreateContact struct{ ID string } }
		f.ok(a.jwt, `mutation { createContact(input: {firstName: "Ada", email: "ada@example.com"}) { id } }`, nil, &created)
		id := created.CreateContact.ID
		f.ok(a.token, `mutation($id: ID!) { updateContact(id: $id, input: {phone: "+44 20 7946 0000", firstName: "Ada"}) { id } }`, map[string]any{"id": id}, nil)
		// Bad input changes nothing and leaves nothing in the log.
		if r := f.do(a.token, `mutation($id: ID!) { updateContact(id: $id, input: {email: "not an email"}) { id } }`, map[string]any{"id": id}); r.code() != "BAD_USER_INPUT" {
			t.Fatalf("bad email got %+v", r.Errors)
		}
		f.ok(a.jwt, `mutation($id: ID!) { deleteContact(id: $id) { deletedID } }`, map[string]any{"id": id}, nil)

		var page auditPage
		f.ok(a.jwt, auditQuery, map[string]any{"id": id}, &page)
		if page.AuditLog.TotalCount != 3 {
			t.Fatalf("the contact has %d audit entries; want 3 (create, update, delete): %+v", page.AuditLog.TotalCount, page.AuditLog.Edges)
		}
		owner := f.store.Client.User.Query().Where(user.RoleEQ(user.RoleOWNER)).OnlyX(a.ctx)
		wants := []struct{ kind, action string }{{"USER", "CREATE"}, {"TOKEN", "UPDATE"}, {"USER", "DELETE"}}
		for i, w := range wants {
			n := page.AuditLog.Edges[i].Node
			if n.ActorKind != w.kind || n.Action != w.action || n.RecordType != "Contact" || n.RecordID != id {
				t.Errorf("entry %d = %+v; want %s by a %s", i, n, w.action, w.kind)
			}
		}
		if got := page.AuditLog.Edges[0].Node.ActorID; got != owner.ID.String() {
			t.Errorf("the create was made by %q; want the owner %q", got, owner.ID)
		}
		upd := page.AuditLog.Edges[1].Node.Changes
		if ph := upd["phone"]; ph == nil || ph["old"] != "" || ph["new"] != "+44 20 7946 0000" {
			t.Errorf("the update recorded phone as %v; want old empty, new the number", ph)
		}
		if _, ok := upd["firstName"]; ok {
			t.Errorf("the update recorded firstName, which it set to the value it had: %v", upd)
		}
	})
}

// TestAuditLogIsForAdministrators: who may read the log, and that secrets
// never reach it.
func TestAuditLogIsForAdministrators(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		readOnly := f.tenant("globex", "contacts:read", "audit:read")
		var created struct{ CreateUser struct{ ID string } }
		f.ok(a.jwt, `mutation { createUser(input: {email: "mia@acme.example", name: "Mia", role: MEMBER, password: "correct horse battery"}) { id } }`, nil, &created)
		member := login(t, f, "mia@acme.example")
		tests := []struct {
			name, token, wantCode string
		}{
			{"owner", a.jwt, ""},
			{"token with every scope", a.token, ""},
			{"member", member, "FORBIDDEN"},
			{"token of another organization", readOnly.token, ""},
		}
		for _, tt := range tests {
			r := f.do(tt.token, auditQuery, map[string]any{"id": created.CreateUser.ID})
			if r.code() != tt.wantCode {
				t.Errorf("%s reading the audit log got %q %+v; want %q", tt.name, r.code(), r.Errors, tt.wantCode)
			}
		}
		var page auditPage
		f.ok(readOnly.token, auditQuery, map[string]any{"id": created.CreateUser.ID}, &page)
		if page.AuditLog.TotalCount != 0 {
			t.Errorf("another organization sees %d entries of acme's", page.AuditLog.TotalCount)
		}
		f.ok(a.jwt, auditQuery, map[string]any{"id": created.CreateUser.ID}, &page)
		if page.AuditLog.TotalCount != 1 {
			t.Fatalf("creating a user left %d entries; want 1", page.AuditLog.TotalCount)
		}
		for field := range page.AuditLog.Edges[0].Node.Changes {
			if field == "password" || field == "passwordHash" {
				t.Errorf("the audit log recorded the %s", field)
			}
		}
		if page.AuditLog.Edges[0].Node.Changes["role"]["new"] != "MEMBER" {
			t.Errorf("the entry does not show the role given: %v", page.AuditLog.Edges[0].Node.Changes)
		}
	})
}

// login signs a user in with the fixtures' password and returns the access
// token.
func login(t *testing.T, f *fixture, email string) string {
	t.Helper()
	var out struct{ Login tokens }
	f.ok("", loginMutation, map[string]any{"email": email, "password": "correct horse battery"}, &out)
	return out.Login.AccessToken
}
