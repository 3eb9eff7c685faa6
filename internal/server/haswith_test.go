package server_test

import (
	"testing"

	"github.com/headlesscrm/crm/internal/money"
)

// TestHasWithFiltersKeepToTheTenant: has…With filters run as subqueries that
// the data layer's interceptors do not see (ent issue 4509). Even if a row of
// another organization pointed at one of ours — which the API never allows,
// so the test forges it in SQL — a filter must not match through it.
func TestHasWithFiltersKeepToTheTenant(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a, b := f.tenant("acme"), f.tenant("globex")
		con := f.store.Client.Contact.Create().SetFirstName("Ada").SaveX(a.ctx)
		secret := f.store.Client.Deal.Create().SetName("globex secret deal").SetAmount(money.FromCents(100)).SaveX(b.ctx)
		if _, err := f.store.DB.Exec(f.store.Rebind("UPDATE deals SET contact_id = ? WHERE id = ?"), con.ID, secret.ID); err != nil {
			t.Fatal(err)
		}
		const q = `{ contacts(where: {hasDealsWith: {nameContains: "globex secret"}}) { totalCount } }`
		var page struct{ Contacts struct{ TotalCount int } }
		f.ok(a.token, q, nil, &page)
		if page.Contacts.TotalCount != 0 {
			t.Errorf("acme's filter matched through globex's deal: %d contacts", page.Contacts.TotalCount)
		}
		f.store.Client.Deal.Create().SetName("globex secret deal, acme's copy").SetContact(con).SaveX(a.ctx)
		f.ok(a.token, q, nil, &page)
		if page.Contacts.TotalCount != 1 {
			t.Errorf("acme's filter over its own deal matched %d contacts; want 1", page.Contacts.TotalCount)
		}
	})
}
