package valuation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
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

	camps, err := s.readCampaigns(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("valuation: reading campaigns: %w", err)
	}
	accounts, err := s.readAccounts(ctx, org, camps)
	if err != nil {
		return nil, fmt.Errorf("valuation: reading accounts: %w", err)
	}
	contacts, err := s.readContactHistories(ctx, org, opt.AsOf, unit, camps, accounts)
	if err != nil {
		return nil, err
	}
	ph.done("read contacts")
	// The accounts' purchases are read while the model is fitted and the
	// contacts are valued: the database works while Go computes.
	accountsRead := make(chan error, 1)
	go func() { accountsRead <- s.readAccountHistories(ctx, org, opt.AsOf, unit, camps, accounts) }()
	model := analytics.Fit(contacts.buyers, unit)
	stored, err := s.saveModel(ctx, opt, model, len(contacts.buyers), contacts.transactions, start)
	if err != nil {
		<-accountsRead
		return nil, err
	}
	ph.done("fit")
	values := value(model, opt, contacts)
	ph.done("value contacts")
	if err := <-accountsRead; err != nil {
		return nil, err
	}
	ph.done("read accounts")
	if err := s.writeMetrics(ctx, org, "contact", contacts, values, opt.AsOf, start, ph); err != nil {
		return nil, err
	}
	contactCount := len(contacts.customers)
	rollUpSignals(contacts, accounts)
	accounts.doneReading()
	avalues := value(model, opt, accounts)
	ph.done("value accounts")
	if err := s.writeMetrics(ctx, org, "account", accounts, avalues, opt.AsOf, start, ph); err != nil {
		return nil, err
	}
	if err := segment.RefreshAll(ctx, s.store.Client, s.now()); err != nil {
		return nil, fmt.Errorf("valuation: refreshing segments: %w", err)
	}
	ph.done("refresh segments")
	return &Result{Model: stored, Contacts: contactCount, Accounts: len(accounts.customers), Took: s.now().Sub(start), Phases: ph.list}, nil
}

// readContactHistories reads the contacts of the organization with their
// purchase histories, costs and engagement as of asOf. The queries that
// fill different attributes run concurrently.
func (s *Service) readContactHistories(ctx context.Context, org string, asOf time.Time, unit analytics.TimeUnit, camps campaigns, accounts *population) (*population, error) {
	contacts, err := s.readContacts(ctx, org, camps, accounts)
	if err != nil {
		return nil, fmt.Errorf("valuation: reading contacts: %w", err)
	}
	var acquired []int64
	err = concurrently(
		func() error {
			if err := s.summarize(ctx, org, "contact_id", asOf, unit, contacts); err != nil {
				return fmt.Errorf("valuation: reading purchases: %w", err)
			}
			return nil
		},
		func() (err error) {
			if acquired, err = s.acquiredCustomers(ctx, org, "contact_id", camps); err != nil {
				return fmt.Errorf("valuation: reading acquisitions: %w", err)
			}
			return nil
		},
		func() error {
			if err := s.costsToServe(ctx, org, "contact_id", asOf, contacts); err != nil {
				return fmt.Errorf("valuation: reading costs: %w", err)
			}
			if err := s.readContactSignals(ctx, org, asOf, contacts); err != nil {
				return fmt.Errorf("valuation: reading engagement: %w", err)
			}
			return nil
		},
	)
	if err != nil {
		return nil, err
	}
	contacts.shareAcquisitionCosts(camps, acquired)
	contacts.doneReading()
	return contacts, nil
}

// readAccountHistories adds the purchase histories and costs as of asOf to
// the accounts of the organization.
func (s *Service) readAccountHistories(ctx context.Context, org string, asOf time.Time, unit analytics.TimeUnit, camps campaigns, accounts *population) error {
	if err := s.summarize(ctx, org, "account_id", asOf, unit, accounts); err != nil {
		return fmt.Errorf("valuation: reading account purchases: %w", err)
	}
	if err := s.readDetails(ctx, org, "account_id", asOf, camps, accounts); err != nil {
		return fmt.Errorf("valuation: reading account costs: %w", err)
	}
	return nil
}

// concurrently runs the functions at the same time and returns their
// errors, joined.
func concurrently(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rollUpSignals gives each account the engagement, advocacy and mean
// satisfaction of its contacts.
func rollUpSignals(contacts, accounts *population) {
	sums := make([]float64, len(accounts.customers))
	answers := make([]int, len(accounts.customers))
	for i := range contacts.customers {
		c := &contacts.customers[i]
		if c.account < 0 {
			continue
		}
		a := &accounts.customers[c.account]
		a.engagement += c.engagement
		a.advocacy += c.advocacy
		if c.answered {
			sums[c.account] += c.satisfaction
			answers[c.account]++
		}
	}
	for i, n := range answers {
		if n > 0 {
			a := &accounts.customers[i]
			a.satisfaction, a.answered = sums[i]/float64(n), true
		}
	}
}

// values are the computed metrics of a population.
type values struct {
	// predictions and rfm are by buyer, in population.buyers order.
	predictions []analytics.Prediction
	rfm         []analytics.RFMScore
	// inputs and scores are by customer, in population order.
	inputs analytics.ValueTable
	scores analytics.ValueScores
}

// noPrediction is the prediction of a customer who never bought.
var noPrediction = analytics.Prediction{Model: "none"}

// prediction returns the prediction of a customer.
func (v *values) prediction(c *customer) *analytics.Prediction {
	if c.buyer < 0 {
		return &noPrediction
	}
	return &v.predictions[c.buyer]
}

// rfmScore returns the RFM score of a customer, or nil when it never bought.
func (v *values) rfmScore(c *customer) *analytics.RFMScore {
	if c.buyer < 0 {
		return nil
	}
	return &v.rfm[c.buyer]
}

// value predicts, scores RFM and scores value for every customer.
func value(model analytics.Model, opt Options, p *population) *values {
	v := &values{
		predictions: predict(model, opt, p.buyers),
		rfm:         analytics.ScoreRFM(p.buyers, opt.AsOf),
		inputs:      analytics.NewValueTable(len(p.customers)),
	}
	for i := range p.customers {
		c := &p.customers[i]
		var sum analytics.CustomerSummary
		tenure := 0.0
		if c.buyer >= 0 {
			sum = p.buyers[c.buyer]
			tenure = opt.AsOf.Sub(sum.FirstPurchase).Hours() / 24 / 365.25
		}
		in := analytics.ValueInput{
			PredictedCLV:  v.prediction(c).Value,
			Profitability: float64(int64(money.FromFloat(sum.Revenue))-c.cost-c.costToServe) / 100,
			Loyalty:       float64(sum.Transactions) + tenure,
			Engagement:    c.engagement,
			Advocacy:      c.advocacy,
		}
		if c.answered {
			in.Satisfaction = &c.satisfaction
		}
		v.inputs.Set(i, in)
	}
	v.scores = analytics.ScoreValueTable(v.inputs, opt.Weights)
	return v
}

// predict forecasts every buyer, in parallel.
func predict(model analytics.Model, opt Options, buyers []analytics.CustomerSummary) []analytics.Prediction {
	out := make([]analytics.Prediction, len(buyers))
	per := max(1, (len(buyers)+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for start := 0; start < len(buyers); start += per {
		part := out[start:min(start+per, len(buyers))]
		wg.Go(func() {
			for j := range part {
				part[j] = model.Predict(buyers[start+j], opt.HorizonMonths, opt.MonthlyDiscount)
			}
		})
	}
	wg.Wait()
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
// copies the summary columns onto the contacts (or accounts) whose values
// changed, in one transaction, so readers see either the old or the new
// values. The rows are bulk-loaded (COPY on PostgreSQL): every value is
// computed here from records just read within the organization, so the
// record rules have nothing to check.
func (s *Service) writeMetrics(ctx context.Context, org, kind string, p *population, v *values, asOf, now time.Time, ph *phases) error {
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
	row := metricsRow{org: org, asOf: asOf.UTC(), now: now.UTC(), population: p, values: v}
	err = store.BulkInsert(ctx, tx, s.store.Dialect, customermetrics.Table, metricsColumns(key), len(p.customers), row.fill)
	if err != nil {
		return fail(err)
	}
	ph.done("insert " + kind + " metrics")
	if _, err := tx.ExecContext(ctx, s.store.Rebind(copyValuesStatement(table, key)), org, org); err != nil {
		return fail(err)
	}
	ph.done("copy " + kind + " values onto " + table)
	if err := tx.Commit(); err != nil {
		return err
	}
	ph.done("commit " + kind + " metrics")
	return nil
}

// copiedColumns are the columns of customer_metrics that contacts and
// accounts repeat, for lists to filter and sort by.
var copiedColumns = []string{"predicted_clv", "probability_alive", "value_score", "value_tier", "rfm_segment"}

// copyValuesStatement returns the UPDATE that copies the copied columns of
// the organization's metrics (two ? for the organization) onto the rows of
// table, key being the metrics column naming them. Rows that already hold
// the values are left alone.
func copyValuesStatement(table, key string) string {
	var set, changed []string
	for _, c := range copiedColumns {
		set = append(set, c+" = m."+c)
		changed = append(changed, table+"."+c+" IS DISTINCT FROM m."+c)
	}
	return `UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + `
		FROM customer_metrics m WHERE m.` + key + ` = ` + table + `.id AND m.organization_id = ? AND ` + table + `.organization_id = ?
		AND (` + strings.Join(changed, " OR ") + `)`
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

// metricsRow fills the metrics rows of a valued population.
type metricsRow struct {
	org        string
	asOf, now  time.Time
	population *population
	values     *values
	components []analytics.Component
}

// fill fills dst with the metrics row of customer i, in the order of
// metricsColumns.
func (r *metricsRow) fill(i int, dst []any) {
	c := &r.population.customers[i]
	var sum analytics.CustomerSummary
	var first, last any
	if c.buyer >= 0 {
		sum = r.population.buyers[c.buyer]
		first, last = sum.FirstPurchase.UTC(), sum.LastPurchase.UTC()
	}
	revenue := money.FromFloat(sum.Revenue)
	margin := revenue - money.Amount(c.cost)
	var recencyDays, rfmSegment any
	var rr, f, m int
	if x := r.values.rfmScore(c); x != nil {
		recencyDays, rfmSegment = x.Recency, string(x.Segment)
		rr, f, m = x.R, x.F, x.M
	}
	pred := r.values.prediction(c)
	scores := &r.values.scores
	copy(dst, []any{
		pulid.New("cm").String(), r.now, r.now,
		r.org, c.id,
		r.asOf, r.now,
		int64(revenue), int64(margin), c.costToServe,
		c.acquisition, int64(margin) - c.costToServe - c.acquisition,
		sum.Transactions, first, last,
		sum.Frequency, sum.Recency, sum.T,
		sum.MonetaryValue, pred.ExpectedTransactions,
		pred.ProbabilityAlive, pred.ExpectedSpend, pred.Value,
		pred.Model, recencyDays,
		rr, f, m, rfmSegment,
		scores.Scores[i], string(scores.Tiers[i]), r.componentsJSON(i),
	})
}

// componentsJSON returns the value-score components of customer i with
// their raw values, as JSON.
func (r *metricsRow) componentsJSON(i int) json.RawMessage {
	r.components = r.values.scores.Components(i, r.components[:0])
	for c := range r.components {
		r.components[c].Raw = round(r.values.inputs.Columns[c][i], 4)
	}
	b, err := json.Marshal(r.components)
	if err != nil {
		return json.RawMessage("[]")
	}
	return b
}
