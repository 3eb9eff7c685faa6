package purchases_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/headlesscrm/crm/internal/purchases"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestBadFilesAreRefusedLineByLine feeds files with mistakes: every bad
// line is reported with its number and column, and no row is returned.
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := purchases.ParseCSV(strings.NewReader(tc.file))
			var got purchases.Errors
			if !errors.As(err, &got) || rows != nil {
				t.Fatalf("got rows %v, error %v; want line errors and no rows", rows, err)
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

// TestImportIsAllOrNothingAndIdempotent imports a CSV twice and checks the
// second import adds nothing; a failing import writes nothing.
func TestImportIsAllOrNothingAndIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org := s.Client.Organization.Create().SetName("Shop").SetSlug("shop").SaveX(tenant.WithSystem(ctx))
		ctx = tenant.WithOrganization(ctx, org.ID.String())
		file := "email,date,amount,cost\nAda@Shop.example,2024-01-02,10.50,4.00\nada@shop.example,2024-01-02,10.50,\nbob@shop.example,2024-02-01,99.99,\n"
		rows, err := purchases.ParseCSV(strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := purchases.Import(ctx, s.Client, rows)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ContactsCreated != 2 || rep.PurchasesCreated != 3 {
			t.Errorf("first import = %+v; want 2 contacts (emails fold case) and 3 purchases", rep)
		}
		rep, err = purchases.Import(ctx, s.Client, rows)
		if err != nil {
			t.Fatal(err)
		}
		if rep.ContactsCreated != 0 || rep.PurchasesCreated != 0 || rep.PurchasesSkipped != 3 {
			t.Errorf("re-import = %+v; want everything skipped", rep)
		}
		// A row whose contact cannot be created (an email too long for the
		// column rules) fails the import after other rows were prepared.
		bad := []purchases.Row{rows[2], {Line: 9, Email: strings.Repeat("x", 300) + "@shop.example", Date: rows[0].Date, Amount: 1}}
		bad[0].Amount += 1
		if _, err := purchases.Import(ctx, s.Client, bad); err == nil {
			t.Fatal("an import with an invalid contact succeeded")
		}
		if n := s.Client.Deal.Query().CountX(ctx); n != 3 {
			t.Errorf("%d purchases after a failed import; want the 3 from before", n)
		}
	})
}
