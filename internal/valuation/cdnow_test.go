package valuation_test

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/internal/purchases"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/valuation"
)

// newOrg creates an organization and returns a context scoped to it.
func newOrg(t *testing.T, s *store.Store, slug string) context.Context {
	t.Helper()
	ctx := context.Background()
	org, err := s.Client.Organization.Create().SetName(slug).SetSlug(slug).Save(tenant.WithSystem(ctx))
	if err != nil {
		t.Fatal(err)
	}
	return tenant.WithOrganization(ctx, org.ID.String())
}

func importFile(t *testing.T, ctx context.Context, s *store.Store, path string) *purchases.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := purchases.ParseCDNOW(f)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := purchases.Import(ctx, s.Client, rows)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func sig3(got, want float64) bool {
	return math.Abs(got-want) <= 0.5*math.Pow(10, math.Floor(math.Log10(math.Abs(want)))-2)
}

// TestCDNOWSampleReproducesThePublishedModel imports the CDNOW sample and
// fits the model as of the end of the published calibration period.
func TestCDNOWSampleReproducesThePublishedModel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := newOrg(t, s, "cdnow")
		rep := importFile(t, ctx, s, "../analytics/testdata/CDNOW_sample.txt")
		if rep.Rows != 6919 || rep.ContactsCreated != 2357 || rep.PurchasesCreated != 6919 {
			t.Fatalf("import = %+v; want 6919 rows, 2357 contacts", rep)
		}
		again := importFile(t, ctx, s, "../analytics/testdata/CDNOW_sample.txt")
		if again.ContactsCreated != 0 || again.PurchasesCreated != 0 || again.PurchasesSkipped != 6919 {
			t.Fatalf("re-import = %+v; want everything skipped", again)
		}
		svc := valuation.New(s)
		m, err := svc.Model(ctx, time.Date(1997, 9, 30, 0, 0, 0, 0, time.UTC), clvmodel.UnitWEEKS)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name      string
			got, want float64
		}{
			{"r", m.Bgnbd["r"], 0.243}, {"alpha", m.Bgnbd["alpha"], 4.414},
			{"a", m.Bgnbd["a"], 0.793}, {"b", m.Bgnbd["b"], 2.426},
			{"p", m.GammaGamma["p"], 6.25}, {"q", m.GammaGamma["q"], 3.74}, {"gamma", m.GammaGamma["gamma"], 15.44},
		} {
			if !sig3(p.got, p.want) {
				t.Errorf("%s = %.4f; published %.4g", p.name, p.got, p.want)
			}
		}
		if m.BgnbdLogLikelihood == nil || math.Abs(*m.BgnbdLogLikelihood-(-9582.4)) > 0.1 {
			t.Errorf("BG/NBD log-likelihood = %v; published -9582.4", m.BgnbdLogLikelihood)
		}
		if m.Customers != 2357 || m.RepeatCustomers != 946 {
			t.Errorf("customers = %d (repeat %d); want 2357 (946)", m.Customers, m.RepeatCustomers)
		}
	})
}
