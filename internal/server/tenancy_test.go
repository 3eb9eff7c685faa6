package server_test

import (
	"testing"
)

// TestTenantsSeeNothingOfEachOther replays reads and writes of tenant A's
// records with tenant B's credentials: every read comes back empty or
// NOT_FOUND, every write NOT_FOUND, and A's records are unchanged.
func TestTenantsSeeNothingOfEachOther(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		b := f.tenant("globex")
		da := seedCRM(t, f, a, 3)
		seedCRM(t, f, b, 2)
		contact, acct, deal, stage := da.contacts[0].ID, da.accounts[0].ID, da.deals[0].ID, da.stages[0].ID
		vars := map[string]any{"contact": contact, "account": acct, "deal": deal, "stage": stage}

		lists := []struct{ name, query string }{
			{"contacts by list", `{ contacts(where: {emailContains: "acme"}) { totalCount edges { node { id } } } }`},
			{"deals by related filter", `{ deals(where: {hasContactWith: {emailContains: "acme"}}) { totalCount } }`},
			{"accounts by nested edge", `{ accounts(first: 100) { edges { node { name contacts { totalCount edges { node { email } } } } } } }`},
		}
		for _, tc := range lists {
			for _, who := range []struct {
				name  string
				token string
			}{{"API token", b.token}, {"user session", b.jwt}} {
				r := f.do(who.token, tc.query, nil)
				if len(r.Errors) > 0 {
					t.Fatalf("%s (%s): %+v", tc.name, who.name, r.Errors)
				}
				if s := string(r.Data); contains(s, "acme") || contains(s, `"totalCount":3`) {
					t.Errorf("%s (%s): tenant B sees tenant A's rows: %s", tc.name, who.name, s)
				}
			}
		}

		notFound := []struct{ name, query string }{
			{"node", `query($contact: ID!) { node(id: $contact) { id } }`},
			{"update", `mutation($contact: ID!) { updateContact(id: $contact, input: {firstName: "Pwned"}) { id } }`},
			{"delete", `mutation($contact: ID!) { deleteContact(id: $contact) { deletedID } }`},
			{"delete account", `mutation($account: ID!) { deleteAccount(id: $account) { deletedID } }`},
			{"update deal", `mutation($deal: ID!) { updateDeal(id: $deal, input: {amount: "0"}) { id } }`},
			{"attach A's account to a new contact", `mutation($account: ID!) { createContact(input: {email: "x@globex.example", accountID: $account}) { id } }`},
			{"attach A's stage to a new deal", `mutation($stage: ID!) { createDeal(input: {name: "x", stageID: $stage}) { id } }`},
			{"attach A's contact to a ticket", `mutation($contact: ID!) { createTicket(input: {subject: "x", contactID: $contact}) { id } }`},
		}
		for _, tc := range notFound {
			r := f.do(b.token, tc.query, vars)
			if r.code() != "NOT_FOUND" {
				t.Errorf("%s: tenant B got %s %+v; want NOT_FOUND", tc.name, r.Data, r.Errors)
			}
		}

		var still struct {
			Node struct {
				FirstName string
				Account   struct{ ID string }
			}
		}
		f.ok(a.token, `query($contact: ID!) { node(id: $contact) { ... on Contact { firstName account { id } } } }`, vars, &still)
		if still.Node.FirstName != "First0" || still.Node.Account.ID != string(acct) {
			t.Errorf("tenant A's contact changed: %+v", still.Node)
		}
		var count struct{ Contacts struct{ TotalCount int } }
		f.ok(b.token, `{ contacts { totalCount } }`, nil, &count)
		if count.Contacts.TotalCount != 2 {
			t.Errorf("tenant B has %d contacts after the refused writes; want its own 2", count.Contacts.TotalCount)
		}
	})
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
