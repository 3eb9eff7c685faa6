package server_test

import (
	"math"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/ent/surveyresponse"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/money"
)

// TestKPIsAgreeWithTheRecords asks for a year's KPIs of a demo organization
// and recomputes revenue and NPS from the records themselves.
func TestKPIsAgreeWithTheRecords(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("shop")
		now := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		if _, err := demo.Seed(a.ctx, f.store.Client, a.org.ID, demo.Options{Contacts: 200, Seed: 9, Now: now}); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Analytics struct {
				Revenue   string
				Purchases int
				Nps       struct {
					Responses, Promoters, Detractors int
					Score                            *float64
				}
				Sales       struct{ WinRate *float64 }
				ContactTime struct {
					BestHour    *int
					BestWeekday *string
				}
				Channels []struct{ Channel string }
			}
		}
		f.ok(a.token, `{ analytics(period: {from: "2025-07-01", to: "2026-06-30"}) {
			revenue purchases nps { responses promoters detractors score } sales { winRate }
			contactTime { bestHour bestWeekday } channels { channel } } }`, nil, &out)
		from, to := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
		won := f.store.Client.Deal.Query().Where(deal.StatusEQ(deal.StatusWON), deal.ClosedAtGTE(from), deal.ClosedAtLT(to)).AllX(a.ctx)
		var revenue money.Amount
		for _, d := range won {
			revenue += d.Amount
		}
		if out.Analytics.Revenue != revenue.String() || out.Analytics.Purchases != len(won) {
			t.Errorf("revenue %s from %d purchases; the records say %s from %d", out.Analytics.Revenue, out.Analytics.Purchases, revenue, len(won))
		}
		resp := f.store.Client.SurveyResponse.Query().Where(surveyresponse.HasSurveyWith(survey.KindEQ(survey.KindNPS)),
			surveyresponse.SubmittedAtGTE(from), surveyresponse.SubmittedAtLT(to)).AllX(a.ctx)
		var pro, det int
		for _, r := range resp {
			switch {
			case r.Score >= 9:
				pro++
			case r.Score <= 6:
				det++
			}
		}
		n := out.Analytics.Nps
		if n.Responses != len(resp) || n.Promoters != pro || n.Detractors != det || n.Score == nil ||
			math.Abs(*n.Score-100*float64(pro-det)/float64(len(resp))) > 1e-9 {
			t.Errorf("NPS %+v; the records say %d responses, %d promoters, %d detractors", n, len(resp), pro, det)
		}
		if out.Analytics.Sales.WinRate == nil || out.Analytics.ContactTime.BestHour == nil || len(out.Analytics.Channels) == 0 {
			t.Errorf("missing KPIs on a year of demo data: %+v", out.Analytics)
		}
		if r := f.do(a.token, `{ analytics(period: {from: "2026-01-02", to: "2026-01-01"}) { revenue } }`, nil); r.code() != "BAD_USER_INPUT" {
			t.Errorf("a reversed period got %+v; want BAD_USER_INPUT", r.Errors)
		}
	})
}
