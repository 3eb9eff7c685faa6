package valuation

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/segment"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Refresh refits the organization's model as of opt.AsOf and rewrites the
// metrics of every contact and account, in one transaction per kind.
func (s *Service) Refresh(ctx context.Context, opt Options) (*Result, error) {
	start := s.now()
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, errNoOrg
	}
	opt = opt.withDefaults(start)
	opt.Unit = clvmodel.UnitWEEKS // the materialized model inputs are in weeks
	unit := UnitOf(opt.Unit)
	ph := newPhases(s.now)

	contacts, contactOrder, err := s.readContacts(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("valuation: reading contacts: %w", err)
	}
	transactions, err := s.summarize(ctx, org, "contact_id", opt.AsOf, unit, contacts)
	if err != nil {
		return nil, fmt.Errorf("valuation: reading purchases: %w", err)
	}
	if err := s.readDetails(ctx, org, "contact_id", opt.AsOf, contacts); err != nil {
		return nil, fmt.Errorf("valuation: reading costs: %w", err)
	}
	if err := s.readContactSignals(ctx, org, opt.AsOf, contacts); err != nil {
		return nil, fmt.Errorf("valuation: reading engagement: %w", err)
	}
	ph.done("read contacts")
	var buyers []analytics.CustomerSummary
	for _, id := range contactOrder {
		if c := contacts[id]; c.bought {
			buyers = append(buyers, c.summary)
		}
	}
	model := analytics.Fit(buyers, unit)
	stored, err := s.saveModel(ctx, opt, model, len(buyers), transactions, start)
	if err != nil {
		return nil, err
	}
	ph.done("fit")
	rows := s.value(ctx, model, opt, contacts, contactOrder)
	ph.done("value contacts")
	if err := s.writeMetrics(ctx, org, "contact", rows, opt.AsOf, start, ph); err != nil {
		return nil, err
	}

	accounts, accountOrder, err := s.readAccounts(ctx, org)
	if err != nil {
		return nil, err
	}
	if _, err := s.summarize(ctx, org, "account_id", opt.AsOf, unit, accounts); err != nil {
		return nil, err
	}
	if err := s.readDetails(ctx, org, "account_id", opt.AsOf, accounts); err != nil {
		return nil, err
	}
	rollUpSignals(contacts, accounts)
	arows := s.value(ctx, model, opt, accounts, accountOrder)
	ph.done("read and value accounts")
	if err := s.writeMetrics(ctx, org, "account", arows, opt.AsOf, start, ph); err != nil {
		return nil, err
	}
	if err := segment.RefreshAll(ctx, s.store.Client, s.now()); err != nil {
		return nil, fmt.Errorf("valuation: refreshing segments: %w", err)
	}
	ph.done("refresh segments")
	return &Result{Model: stored, Contacts: len(rows), Accounts: len(arows), Took: s.now().Sub(start), Phases: ph.list}, nil
}

// rollUpSignals gives each account the engagement, advocacy and mean
// satisfaction of its contacts.
func rollUpSignals(contacts, accounts map[string]*customer) {
	type sat struct {
		sum float64
		n   int
	}
	sats := map[string]*sat{}
	for _, c := range contacts {
		a := accounts[c.accountID]
		if a == nil {
			continue
		}
		a.engagement += c.engagement
		a.advocacy += c.advocacy
		if c.satisfaction != nil {
			if sats[a.id] == nil {
				sats[a.id] = &sat{}
			}
			sats[a.id].sum += *c.satisfaction
			sats[a.id].n++
		}
	}
	for id, s := range sats {
		v := s.sum / float64(s.n)
		accounts[id].satisfaction = &v
	}
}

// valued is one customer's computed metrics, ready to write.
type valued struct {
	c     *customer
	pred  analytics.Prediction
	rfm   *analytics.RFMScore
	score analytics.ValueScore
}

// value predicts, scores RFM and scores value for every customer.
func (s *Service) value(_ context.Context, model analytics.Model, opt Options, cs map[string]*customer, order []string) []valued {
	out := make([]valued, len(order))
	var buyers []analytics.CustomerSummary
	inputs := make([]analytics.ValueInput, len(order))
	for i, id := range order {
		c := cs[id]
		out[i].c = c
		if c.bought {
			out[i].pred = model.Predict(c.summary, opt.HorizonMonths, opt.MonthlyDiscount)
			buyers = append(buyers, c.summary)
		} else {
			out[i].pred = analytics.Prediction{Model: "none"}
		}
		tenure := 0.0
		if c.bought {
			tenure = opt.AsOf.Sub(c.summary.FirstPurchase).Hours() / 24 / 365.25
		}
		inputs[i] = analytics.ValueInput{
			CustomerID:    id,
			PredictedCLV:  out[i].pred.Value,
			Profitability: float64(int64(money.FromFloat(c.summary.Revenue))-c.cost-c.costToServe) / 100,
			Loyalty:       float64(c.summary.Transactions) + tenure,
			Engagement:    c.engagement,
			Satisfaction:  c.satisfaction,
			Advocacy:      c.advocacy,
		}
	}
	rfm := analytics.ScoreRFM(buyers, opt.AsOf)
	byID := make(map[string]*analytics.RFMScore, len(rfm))
	for i := range rfm {
		byID[rfm[i].CustomerID] = &rfm[i]
	}
	scores := analytics.ScoreValue(inputs, opt.Weights)
	for i := range out {
		out[i].rfm = byID[order[i]]
		out[i].score = scores[i]
		raws := map[analytics.ValueComponent]float64{
			analytics.ComponentCLV:           inputs[i].PredictedCLV,
			analytics.ComponentProfitability: inputs[i].Profitability,
			analytics.ComponentLoyalty:       inputs[i].Loyalty,
			analytics.ComponentEngagement:    inputs[i].Engagement,
			analytics.ComponentAdvocacy:      inputs[i].Advocacy,
		}
		if inputs[i].Satisfaction != nil {
			raws[analytics.ComponentSatisfaction] = *inputs[i].Satisfaction
		}
		for j := range out[i].score.Components {
			out[i].score.Components[j].Raw = round(raws[out[i].score.Components[j].Name], 4)
		}
	}
	return out
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// saveModel stores the fit, replacing an earlier fit of the same date and
// unit.
func (s *Service) saveModel(ctx context.Context, opt Options, m analytics.Model, customers, transactions int, now time.Time) (*ent.CLVModel, error) {
	asOf := opt.AsOf
	if _, err := s.store.Client.CLVModel.Delete().Where(clvmodel.AsOf(asOf), clvmodel.UnitEQ(opt.Unit)).Exec(ctx); err != nil {
		return nil, err
	}
	c := s.store.Client.CLVModel.Create().
		SetAsOf(asOf).SetUnit(opt.Unit).SetFittedAt(now).
		SetFallback(m.Fallback).SetCustomers(customers).SetTransactions(transactions)
	repeat := 0
	if m.BGNBD != nil {
		p := m.BGNBD.Params
		c.SetBgnbd(map[string]float64{"r": p.R, "alpha": p.Alpha, "a": p.A, "b": p.B}).
			SetBgnbdLogLikelihood(m.BGNBD.LogLikelihood).SetBgnbdConverged(m.BGNBD.Converged)
	}
	if m.GammaGamma != nil {
		p := m.GammaGamma.Params
		c.SetGammaGamma(map[string]float64{"p": p.P, "q": p.Q, "gamma": p.Gamma}).
			SetGammaGammaLogLikelihood(m.GammaGamma.LogLikelihood).SetGammaGammaConverged(m.GammaGamma.Converged)
		repeat = m.GammaGamma.Customers
	}
	c.SetRepeatCustomers(repeat).SetModel(modelName(m))
	if m.Fallback {
		reason := "too little purchase history to fit BG/NBD"
		if m.BGNBDErr != nil {
			reason += ": " + m.BGNBDErr.Error()
		}
		c.SetFallbackReason(reason)
	}
	return c.Save(ctx)
}

func modelName(m analytics.Model) string {
	switch {
	case m.Fallback:
		return analytics.ModelFallback
	case m.GammaGamma != nil && m.GammaGammaErr == nil:
		return analytics.ModelBGNBDGammaGamma
	}
	return analytics.ModelBGNBDMeanSpend
}

// writeMetrics replaces the metrics of every contact (or account) and
// copies the summary columns onto the contacts (or accounts), in one
// transaction, so readers see either the old or the new values. The rows
// are bulk-loaded (COPY on PostgreSQL): every value is computed here from
// records just read within the organization, so the record rules have
// nothing to check.
func (s *Service) writeMetrics(ctx context.Context, org, kind string, rows []valued, asOf, now time.Time, ph *phases) error {
	tx, err := s.store.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		_ = tx.Rollback()
		return fmt.Errorf("valuation: writing %s metrics: %w", kind, err)
	}
	table, key := "contacts", "contact_id"
	if kind == "account" {
		table, key = "accounts", "account_id"
	}
	del := s.store.Rebind(`DELETE FROM customer_metrics WHERE organization_id = ? AND ` + key + ` IS NOT NULL`)
	if _, err := tx.ExecContext(ctx, del, org); err != nil {
		return fail(err)
	}
	ph.done("delete " + kind + " metrics")
	asOf, now = asOf.UTC(), now.UTC()
	err = store.BulkInsert(ctx, tx, s.store.Dialect, customermetrics.Table, metricsColumns(key), len(rows), func(i int, dst []any) {
		metricsValues(dst, org, rows[i], asOf, now)
	})
	if err != nil {
		return fail(err)
	}
	ph.done("insert " + kind + " metrics")
	q := s.store.Rebind(`UPDATE ` + table + ` SET predicted_clv = m.predicted_clv, probability_alive = m.probability_alive,
		value_score = m.value_score, value_tier = m.value_tier, rfm_segment = m.rfm_segment
		FROM customer_metrics m WHERE m.` + key + ` = ` + table + `.id AND m.organization_id = ? AND ` + table + `.organization_id = ?`)
	if _, err := tx.ExecContext(ctx, q, org, org); err != nil {
		return fail(err)
	}
	ph.done("copy " + kind + " values onto " + table)
	if err := tx.Commit(); err != nil {
		return err
	}
	ph.done("commit " + kind + " metrics")
	return nil
}

// metricsColumns are the columns metricsValues fills, key being
// contact_id or account_id.
func metricsColumns(key string) []string {
	return []string{
		customermetrics.FieldID, customermetrics.FieldCreatedAt, customermetrics.FieldUpdatedAt,
		customermetrics.FieldOrganizationID, key,
		customermetrics.FieldAsOf, customermetrics.FieldComputedAt,
		customermetrics.FieldRevenue, customermetrics.FieldGrossMargin, customermetrics.FieldCostToServe,
		customermetrics.FieldAcquisitionCost, customermetrics.FieldNetValue,
		customermetrics.FieldTransactions, customermetrics.FieldFirstPurchaseAt, customermetrics.FieldLastPurchaseAt,
		customermetrics.FieldRepeatTransactions, customermetrics.FieldRecencyWeeks, customermetrics.FieldAgeWeeks,
		customermetrics.FieldAverageRepeatSpend, customermetrics.FieldExpectedTransactions,
		customermetrics.FieldProbabilityAlive, customermetrics.FieldExpectedSpend, customermetrics.FieldPredictedClv,
		customermetrics.FieldModel, customermetrics.FieldRecencyDays,
		customermetrics.FieldRfmR, customermetrics.FieldRfmF, customermetrics.FieldRfmM, customermetrics.FieldRfmSegment,
		customermetrics.FieldValueScore, customermetrics.FieldValueTier, customermetrics.FieldComponents,
	}
}

// metricsValues fills dst with the metrics row of one valued customer, in
// the order of metricsColumns.
func metricsValues(dst []any, org string, v valued, asOf, now time.Time) {
	c, sum := v.c, v.c.summary
	revenue := money.FromFloat(sum.Revenue)
	margin := revenue - money.Amount(c.cost)
	var first, last any
	if c.bought {
		first, last = sum.FirstPurchase.UTC(), sum.LastPurchase.UTC()
	}
	var recencyDays, rfmSegment any
	var r, f, m int
	if x := v.rfm; x != nil {
		recencyDays, rfmSegment = x.Recency, string(x.Segment)
		r, f, m = x.R, x.F, x.M
	}
	components, err := json.Marshal(v.score.Components)
	if err != nil || v.score.Components == nil {
		components = []byte("[]")
	}
	values := []any{
		pulid.New("cm").String(), now, now,
		org, c.id,
		asOf, now,
		int64(revenue), int64(margin), c.costToServe,
		c.acquisition, int64(margin) - c.costToServe - c.acquisition,
		sum.Transactions, first, last,
		sum.Frequency, sum.Recency, sum.T,
		sum.MonetaryValue, v.pred.ExpectedTransactions,
		v.pred.ProbabilityAlive, v.pred.ExpectedSpend, v.pred.Value,
		v.pred.Model, recencyDays,
		r, f, m, rfmSegment,
		v.score.Score, string(v.score.Tier), json.RawMessage(components),
	}
	copy(dst, values)
}
