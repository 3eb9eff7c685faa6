package demo

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/tenant"
)

func TestZZExplore(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("EXPLORE_N"))
	if n == 0 {
		t.Skip()
	}
	client := openClient(t, dialect.SQLite)
	org, st := seed(t, client, "x", Options{Contacts: n, Seed: 1, Now: testNow})
	ctx := tenant.WithOrganization(context.Background(), string(org))
	ds, _ := client.Deal.Query().Where(deal.StatusEQ(deal.StatusWON)).All(ctx)
	per := map[string]int{}
	var ps []analytics.Purchase
	for _, d := range ds {
		per[string(*d.ContactID)]++
		ps = append(ps, analytics.Purchase{CustomerID: string(*d.ContactID), At: *d.ClosedAt, Amount: d.Amount.Float()})
	}
	hist := map[int]int{}
	tot := 0
	for _, v := range per {
		hist[min(v, 20)]++
		tot += v
	}
	keys := []int{}
	for k := range hist {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		t.Logf("purchases %d: %d", k, hist[k])
	}
	t.Logf("buyers %d/%d = %.2f, mean purchases per buyer %.2f, deals/contact %.2f", len(per), st.Contacts, float64(len(per))/float64(st.Contacts), float64(tot)/float64(len(per)), float64(st.Deals)/float64(st.Contacts))
	sum := analytics.Summarize(ps, testNow, analytics.Weeks)
	fit, err := analytics.FitBGNBD(sum)
	t.Logf("bgnbd %+v err %v", fit, err)
	gg, err := analytics.FitGammaGamma(sum)
	t.Logf("gg %+v err %v", gg, err)
	_ = time.Now
}

func TestZZDeals(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("EXPLORE_N"))
	if n == 0 {
		t.Skip()
	}
	client := openClient(t, dialect.SQLite)
	for i, k := range []int{2, 5} {
		_, st := seed(t, client, "d"+strconv.Itoa(i), Options{Contacts: n, Deals: k * n, Seed: 1, Now: testNow})
		t.Logf("deals wanted %d got %d", k*n, st.Deals)
	}
}
