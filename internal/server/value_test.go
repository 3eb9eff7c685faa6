package server_test

import (
	"math"
	"os"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/purchases"
)

// TestCLVModelReproducesCDNOWThroughTheAPI is the customer-value issue's
// acceptance check: import CDNOW_sample.txt and ask for the model.
func TestCLVModelReproducesCDNOWThroughTheAPI(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("cdnow", "analytics:read")
		file, err := os.Open("../analytics/testdata/CDNOW_sample.txt")
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		rows, err := purchases.ParseCDNOW(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := purchases.Import(a.ctx, f.store.Client, rows); err != nil {
			t.Fatal(err)
		}
		var out struct {
			ClvModel struct {
				AsOf       time.Time
				Unit       string
				Customers  int
				Bgnbd      struct{ R, Alpha, A, B, LogLikelihood float64 }
				GammaGamma struct{ P, Q, Gamma float64 }
				Parameters []struct {
					Name  string
					Value float64
				}
			}
		}
		f.ok(a.token, `{ clvModel(asOf: "1997-09-30", unit: WEEKS) { asOf unit customers
			bgnbd { r alpha a b logLikelihood } gammaGamma { p q gamma } parameters { name value } } }`, nil, &out)
		m := out.ClvModel
		for _, p := range []struct {
			name      string
			got, want float64
		}{
			{"r", m.Bgnbd.R, 0.243}, {"alpha", m.Bgnbd.Alpha, 4.414}, {"a", m.Bgnbd.A, 0.793}, {"b", m.Bgnbd.B, 2.426},
			{"p", m.GammaGamma.P, 6.25}, {"q", m.GammaGamma.Q, 3.74}, {"gamma", m.GammaGamma.Gamma, 15.44},
		} {
			if math.Abs(p.got-p.want) > 0.5*math.Pow(10, math.Floor(math.Log10(p.want))-2) {
				t.Errorf("%s = %.4f; published %g", p.name, p.got, p.want)
			}
		}
		if math.Abs(m.Bgnbd.LogLikelihood+9582.4) > 0.1 {
			t.Errorf("log-likelihood = %.2f; published -9582.4", m.Bgnbd.LogLikelihood)
		}
		if m.Customers != 2357 || m.Unit != "WEEKS" || len(m.Parameters) != 7 {
			t.Errorf("customers %d unit %s parameters %d; want 2357 WEEKS 7", m.Customers, m.Unit, len(m.Parameters))
		}
		if r := f.do(a.token, `mutation { refreshAnalytics { contacts } }`, nil); r.code() != "FORBIDDEN" {
			t.Errorf("a read-only analytics token refreshing got %+v; want FORBIDDEN", r.Errors)
		}
	})
}

const valuableContacts = `query($first: Int) {
  contacts(first: $first, where: {valueTier: VIP}, orderBy: {field: PREDICTED_CLV, direction: DESC}) {
    totalCount
    edges { node { email
      clv { historic { revenue net transactions } predicted { probabilityAlive expectedTransactions value model
        longer: value(horizonMonths: 24) } }
      rfm { r f m segment label }
      valueScore { score tier components { name value weight raw } } } }
  }
}`

type valuablePage struct {
	Contacts struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				Email string
				Clv   struct {
					Historic  struct{ Revenue, Net string }
					Predicted struct {
						ProbabilityAlive, ExpectedTransactions, Value, Longer float64
						Model                                                 string
					}
				}
				Rfm        *struct{ Segment, Label string }
				ValueScore struct {
					Score      float64
					Tier       string
					Components []struct{ Name string }
				}
			}
		}
	}
}

// TestValuableCustomersAreOneQueryAway refreshes a demo organization through
// the API and lists its VIPs by predicted CLV with their computed fields.
func TestValuableCustomersAreOneQueryAway(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("shop")
		if _, err := demo.Seed(a.ctx, f.store.Client, a.org.ID, demo.Options{Contacts: 300, Seed: 3, Now: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		var refresh struct {
			RefreshAnalytics struct{ Contacts, Accounts int }
		}
		f.ok(a.token, `mutation { refreshAnalytics(asOf: "2026-06-30") { contacts accounts } }`, nil, &refresh)
		if refresh.RefreshAnalytics.Contacts != 300 {
			t.Fatalf("refresh valued %d contacts; want 300", refresh.RefreshAnalytics.Contacts)
		}
		counts := map[int]int{}
		var page valuablePage
		f.ok(a.token, valuableContacts, map[string]any{"first": 1}, &page) // warms the model cache
		for _, first := range []int{5, 15} {
			f.counter.Reset()
			f.ok(a.token, valuableContacts, map[string]any{"first": first}, &page)
			counts[first] = f.counter.Count()
		}
		if counts[5] != counts[15] {
			t.Errorf("statements grow with the page: %v", counts)
		}
		edges := page.Contacts.Edges
		if page.Contacts.TotalCount == 0 || len(edges) == 0 {
			t.Fatal("no VIP contacts after the refresh")
		}
		for i, e := range edges {
			n := e.Node
			if n.ValueScore.Tier != "VIP" || len(n.ValueScore.Components) != 6 {
				t.Errorf("%s: tier %s with %d components; want VIP with 6", n.Email, n.ValueScore.Tier, len(n.ValueScore.Components))
			}
			if i > 0 && n.Clv.Predicted.Value > edges[i-1].Node.Clv.Predicted.Value {
				t.Errorf("not sorted by predicted CLV: %.2f after %.2f", n.Clv.Predicted.Value, edges[i-1].Node.Clv.Predicted.Value)
			}
			if n.Clv.Predicted.Longer < n.Clv.Predicted.Value {
				t.Errorf("%s: CLV over 24 months %.2f is below CLV over 12 months %.2f", n.Email, n.Clv.Predicted.Longer, n.Clv.Predicted.Value)
			}
			if p := n.Clv.Predicted.ProbabilityAlive; p < 0 || p > 1 {
				t.Errorf("%s: P(alive) = %v", n.Email, p)
			}
		}
		t.Logf("%d VIPs; statements per page: %v; top VIP: %+v", page.Contacts.TotalCount, counts, edges[0].Node.Clv)
	})
}
