package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/internal/analytics"
)

const valueScoreOfContacts = `{ contacts(first: 1) { edges { node { valueScore { score tier components { name value weight raw } } } } } }`

// TestValueScoreComponentsAnswerAlikeInEveryStoredForm stores a contact's
// value-score components in each form a metrics row may hold them, the
// compact one and those written before it, and checks that the API answers
// byte for byte the same.
func TestValueScoreComponentsAnswerAlikeInEveryStoredForm(t *testing.T) {
	cs := make(analytics.Components, len(analytics.ValueComponents))
	// No -0: jsonb has none, so the upgrade from it leaves 0, and a refresh
	// writes none (see internal/valuation).
	numbers := []float64{0.731031231031231, 0.35, 1630.3647, 1e-7, 0.2, -12.5, 2.5e-300, 0.15, 1e21,
		0.30000000000000004, 0.1, 123456789.1234, 1, 0.1, 5e-324, 0, 0.1, -9.99e20}
	for i, name := range analytics.ValueComponents {
		cs[i] = analytics.Component{Name: name, Value: numbers[3*i], Weight: numbers[3*i+1], Raw: numbers[3*i+2]}
	}
	compact, err := json.Marshal(cs)
	if err != nil {
		t.Fatal(err)
	}
	objects, err := json.Marshal([]analytics.Component(cs))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"contacts":{"edges":[{"node":{"valueScore":{"score":87.5,"tier":"VIP","components":[` +
		`{"name":"CLV","value":0.731031231031231,"weight":0.35,"raw":1630.3647},` +
		`{"name":"PROFITABILITY","value":1e-07,"weight":0.2,"raw":-12.5},` +
		`{"name":"LOYALTY","value":2.5e-300,"weight":0.15,"raw":1e+21},` +
		`{"name":"ENGAGEMENT","value":0.30000000000000004,"weight":0.1,"raw":1.234567891234e+08},` +
		`{"name":"SATISFACTION","value":1,"weight":0.1,"raw":5e-324},` +
		`{"name":"ADVOCACY","value":0,"weight":0.1,"raw":-9.99e+20}]}}}]}}`
	// value is how the row's new value is written, from the text stored:
	// through jsonb, the text is PostgreSQL's print of it, as the upgrade
	// from jsonb leaves it.
	tests := []struct{ name, stored, value, want string }{
		{"compact", string(compact), "?", want},
		{"objects, as json.Marshal wrote them", string(objects), "?", want},
		{"objects, as PostgreSQL printed them from jsonb", string(objects), "CAST(CAST(? AS jsonb) AS text)", want},
		{"no components", `[]`, "?", want[:strings.Index(want, `"components":`)] + `"components":[]}}}]}}`},
	}
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("forms")
		c, err := f.store.Client.Contact.Create().SetFirstName("Ada").Save(a.ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		m, err := f.store.Client.CustomerMetrics.Create().SetContactID(c.ID).SetAsOf(now).SetComputedAt(now).
			SetValueScore(87.5).SetValueTier(analytics.TierVIP).SetComponents(cs).Save(a.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			if strings.Contains(tt.value, "jsonb") && f.store.Dialect != dialect.Postgres {
				continue
			}
			update := `UPDATE customer_metrics SET components = ` + tt.value + ` WHERE id = ?`
			if _, err := f.store.DB.ExecContext(a.ctx, f.store.Rebind(update), tt.stored, m.ID.String()); err != nil {
				t.Fatal(err)
			}
			r := f.do(a.token, valueScoreOfContacts, nil)
			if len(r.Errors) > 0 || string(r.Data) != tt.want {
				t.Errorf("%s: the API answers %s %+v; want %s", tt.name, r.Data, r.Errors, tt.want)
			}
		}
	})
}
