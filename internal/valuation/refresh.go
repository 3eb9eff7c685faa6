package valuation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/segment"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Refresh refits the organization's model as of opt.AsOf, rewrites the
// metrics of every contact and account, and refreshes the organization's
// segments. The metrics of each kind are written in one transaction, or on
// PostgreSQL for a large population in one per processor, each holding a
// range of customers, committed together once all are written (see
// stagedMetrics.apply).
//
// On PostgreSQL the database works while Go computes, and Go while the
// database works: the accounts' purchases, read with the contacts', are
// summarized while the model is fitted; while the contact metrics are applied, the account metrics are
// written and the segments whose rule reads no computed value refreshed,
// on other connections; the segments that
// read computed values are refreshed two at a time once every metric is
// committed. On SQLite, which has one writer at a time, the writes and the
// segments run one after the other.
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
	contacts, accountsBought, err := s.readContactHistories(ctx, org, opt.AsOf, unit, camps, accounts)
	if err != nil {
		return nil, err
	}
	ph.done("read contacts")
	accountsRead := make(chan error, 1)
	side := ph.side()
	go func() {
		err := s.readAccountHistories(ctx, org, opt.AsOf, unit, camps, accounts, accountsBought)
		side.done("read accounts")
		accountsRead <- err
	}()
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
	ph.done("wait for the accounts")
	contactCount := len(contacts.customers)
	rollUpSignals(contacts, accounts)
	accounts.doneReading()
	avalues := value(model, opt, accounts)
	ph.done("value accounts")
	staged, err := s.stageMetrics(ctx, org, "contact", contacts, values, opt.AsOf, start, ph)
	if err != nil {
		return nil, err
	}
	// The contacts and their values are staged: let the memory go.
	contacts, values = nil, nil
	writeAccounts := func(ph *phases) error {
		return s.writeMetrics(ctx, org, "account", accounts, avalues, opt.AsOf, start, ph)
	}
	var others error
	if s.store.Dialect == dialect.Postgres {
		aside, sside := ph.side(), ph.side()
		err = concurrently(
			func() error { return staged.apply(ctx, ph) },
			func() error { return writeAccounts(aside) },
			func() error {
				others = segment.RefreshSelected(ctx, s.store.Client, s.now(), segment.OtherSegments, 1)
				sside.done("refresh other segments")
				return nil
			},
		)
		if err != nil {
			return nil, err
		}
		err = segment.RefreshSelected(ctx, s.store.Client, s.now(), segment.ComputedValueSegments, 2)
		ph.done("refresh computed-value segments")
	} else {
		if err = staged.apply(ctx, ph); err == nil {
			err = writeAccounts(ph)
		}
		if err != nil {
			return nil, err
		}
		err = segment.RefreshAll(ctx, s.store.Client, s.now())
		ph.done("refresh segments")
	}
	if err := errors.Join(others, err); err != nil {
		return nil, fmt.Errorf("valuation: refreshing segments: %w", err)
	}
	return &Result{Model: stored, Contacts: contactCount, Accounts: len(accounts.customers), Took: s.now().Sub(start), Phases: ph.steps()}, nil
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
	rfm         []rfmScore
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

// rfmScore is what a metrics row needs of an analytics.RFMScore, in a
// tenth of the memory: the segment follows from R and F.
type rfmScore struct {
	recency int32 // days since the last purchase
	r, f, m int8
}

// segment returns the RFM segment of the score.
func (x rfmScore) segment() analytics.RFMSegment { return analytics.RFMSegmentFor(int(x.r), int(x.f)) }

// rfmScore returns the RFM score of a customer, or nil when it never bought.
func (v *values) rfmScore(c *customer) *rfmScore {
	if c.buyer < 0 {
		return nil
	}
	return &v.rfm[c.buyer]
}

// value predicts, scores RFM and scores value for every customer.
func value(model analytics.Model, opt Options, p *population) *values {
	v := &values{
		predictions: predict(model, opt, p.buyers),
		inputs:      analytics.NewValueTable(len(p.customers)),
	}
	scored := analytics.ScoreRFM(p.buyers, opt.AsOf)
	v.rfm = make([]rfmScore, len(scored))
	for i, x := range scored {
		v.rfm[i] = rfmScore{recency: int32(x.Recency), r: int8(x.R), f: int8(x.F), m: int8(x.M)}
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
			p := model.NewPredictor(opt.HorizonMonths, opt.MonthlyDiscount)
			for j := range part {
				part[j] = p.Predict(buyers[start+j])
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
