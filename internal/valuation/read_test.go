package valuation

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestPopulationFindsCustomersByID looks customers up by binary search when
// their IDs come in byte order and through a map otherwise.
func TestPopulationFindsCustomersByID(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
	}{
		{"none", nil},
		{"in byte order", []string{"con_A", "con_B", "con_a", "con_b"}},
		{"in another order", []string{"con_a", "con_B", "con_b", "con_A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p population
			for _, id := range tt.ids {
				p.add(id, -1, -1)
			}
			p.index()
			for i, id := range tt.ids {
				if got := p.position([]byte(id)); got != int32(i) {
					t.Errorf("position(%s) = %d; want %d", id, got, i)
				}
				if got := p.positionOf(id); got != int32(i) {
					t.Errorf("positionOf(%s) = %d; want %d", id, got, i)
				}
				for _, after := range []int32{-1, int32(i) - 1, int32(i), int32(len(tt.ids) - 1)} {
					if got := p.positionAfter([]byte(id), after); got != int32(i) {
						t.Errorf("positionAfter(%s, %d) = %d; want %d", id, after, got, i)
					}
				}
			}
			for _, id := range []string{"", "con_", "con_C", "con_c", "zzz"} {
				if got := p.positionOf(id); got != -1 {
					t.Errorf("positionOf(%q) = %d; want -1", id, got)
				}
				if got := p.positionAfter([]byte(id), -1); got != -1 {
					t.Errorf("positionAfter(%q, -1) = %d; want -1", id, got)
				}
			}
		})
	}
}

// seedRanges creates an organization with demo data and, so that every
// kind of deal is read, won deals of an account and no contact, one of them
// on the day of another purchase of the account, and returns a context
// scoped to it with its ID.
func seedRanges(t *testing.T, s *store.Store, asOf time.Time) (context.Context, string) {
	t.Helper()
	ctx := context.Background()
	o, err := s.Client.Organization.Create().SetName("ranges").SetSlug("ranges").Save(tenant.WithSystem(ctx))
	if err != nil {
		t.Fatal(err)
	}
	ctx = tenant.WithOrganization(ctx, o.ID.String())
	if _, err := demo.Seed(ctx, s.Client, pulid.ID(o.ID), demo.Options{Contacts: 300, Seed: 9, Now: asOf}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Client.Deal.Query().Where(deal.StatusEQ(deal.StatusWON), deal.AccountIDNotNil(), deal.ClosedAtNotNil(),
		deal.ClosedAtLTE(asOf)).Order(ent.Asc(deal.FieldID)).First(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, cents := range []int64{1_07, 9_99, 3_33} {
		closed := d.ClosedAt.Add(time.Duration(i) * time.Minute)
		if i == 2 {
			closed = asOf.AddDate(0, 0, -3)
		}
		if err := s.Client.Deal.Create().SetName(fmt.Sprint("no contact ", i)).SetAmount(money.Amount(cents)).SetCost(money.Amount(cents / 2)).
			SetStatus(deal.StatusWON).SetClosedAt(closed).SetAccountID(*d.AccountID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return ctx, o.ID.String()
}

// readPopulations reads the contacts and the accounts of the organization
// as Refresh does, the purchases in the given number of key ranges.
func readPopulations(t *testing.T, ctx context.Context, s *store.Store, org string, asOf time.Time, parts int) (contacts, accounts *population) {
	t.Helper()
	svc := New(s)
	svc.readParts = func(int) int { return parts }
	camps, err := svc.readCampaigns(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err = svc.readAccounts(ctx, org, camps)
	if err != nil {
		t.Fatal(err)
	}
	contacts, bought, err := svc.readContactHistories(ctx, org, asOf, analytics.Weeks, camps, accounts)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.readAccountHistories(ctx, org, asOf, analytics.Weeks, camps, accounts, bought); err != nil {
		t.Fatal(err)
	}
	accounts.doneReading()
	return contacts, accounts
}

// TestSummarizeInRangesAsInOne reads the purchases of an organization in
// one query and in several key ranges at once: the customers, their costs
// and purchase summaries must be the same.
func TestSummarizeInRangesAsInOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		asOf := EndOfDay(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC))
		ctx, org := seedRanges(t, s, asOf)
		wantContacts, wantAccounts := readPopulations(t, ctx, s, org, asOf, 1)
		if len(wantContacts.buyers) == 0 || len(wantAccounts.buyers) == 0 {
			t.Fatalf("%d contacts and %d accounts bought; want some of each", len(wantContacts.buyers), len(wantAccounts.buyers))
		}
		for _, parts := range []int{2, 3, 7, 1000} {
			t.Run(fmt.Sprint(parts, " ranges"), func(t *testing.T) {
				contacts, accounts := readPopulations(t, ctx, s, org, asOf, parts)
				for _, c := range []struct {
					name      string
					got, want *population
				}{{"contacts", contacts, wantContacts}, {"accounts", accounts, wantAccounts}} {
					if !reflect.DeepEqual(c.got.customers, c.want.customers) || !reflect.DeepEqual(c.got.buyers, c.want.buyers) ||
						c.got.transactions != c.want.transactions {
						t.Errorf("%s read in %d ranges differ from those read in one", c.name, parts)
					}
				}
			})
		}
	})
}

// TestReadSummarizesEachCustomersDeals checks the purchase summaries and
// product costs read for the contacts and for the accounts, whose purchases
// are read among the contacts' deals, against analytics.Summarize of each
// customer's won deals, bit for bit, with the amounts of one day in the
// order the deals closed for a contact and from the smallest for an
// account.
func TestReadSummarizesEachCustomersDeals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		asOf := EndOfDay(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC))
		ctx, org := seedRanges(t, s, asOf)
		deals, err := s.Client.Deal.Query().Where(deal.StatusEQ(deal.StatusWON), deal.ClosedAtNotNil(), deal.ClosedAtLTE(asOf)).
			Order(ent.Asc(deal.FieldClosedAt), ent.Asc(deal.FieldAmount)).All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, parts := range []int{1, 3} {
			contacts, accounts := readPopulations(t, ctx, s, org, asOf, parts)
			for _, tt := range []struct {
				name   string
				p      *population
				bought func(*ent.Deal) *pulid.ID
				order  func(a, b analytics.Purchase) int
			}{
				{"contact", contacts, func(d *ent.Deal) *pulid.ID { return d.ContactID }, nil},
				{"account", accounts, func(d *ent.Deal) *pulid.ID { return d.AccountID }, func(a, b analytics.Purchase) int {
					return cmp.Or(cmp.Compare(analytics.DayNumber(a.At), analytics.DayNumber(b.At)), cmp.Compare(a.Amount, b.Amount))
				}},
			} {
				purchases := map[string][]analytics.Purchase{}
				costs := map[string]int64{}
				for _, d := range deals {
					if id := tt.bought(d); id != nil {
						purchases[id.String()] = append(purchases[id.String()], analytics.Purchase{CustomerID: id.String(), At: *d.ClosedAt, Amount: float64(d.Amount) / 100})
						costs[id.String()] += int64(*d.Cost)
					}
				}
				buyers := 0
				for i := range tt.p.customers {
					c := &tt.p.customers[i]
					ps := purchases[c.id]
					if tt.order != nil {
						slices.SortStableFunc(ps, tt.order)
					}
					want := analytics.Summarize(ps, asOf, analytics.Weeks)
					var got []analytics.CustomerSummary
					if c.buyer >= 0 {
						got = []analytics.CustomerSummary{tt.p.buyers[c.buyer]}
					}
					if len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
						t.Errorf("%d ranges: %s %s: read %+v; want %+v", parts, tt.name, c.id, got, want)
					}
					if c.cost != costs[c.id] {
						t.Errorf("%d ranges: %s %s: product cost %d; want %d", parts, tt.name, c.id, c.cost, costs[c.id])
					}
					if len(want) > 0 {
						buyers++
					}
				}
				if buyers == 0 {
					t.Errorf("no %s bought", tt.name)
				}
			}
		}
	})
}
