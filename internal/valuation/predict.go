package valuation

import (
	"math"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/internal/analytics"
)

// Parameter is one named estimate of a fitted model.
type Parameter struct {
	Model string
	Name  string
	Value float64
}

// Parameters lists the estimates of a stored model by name, BG/NBD first.
func Parameters(m *ent.CLVModel) []Parameter {
	var out []Parameter
	for _, n := range []string{"r", "alpha", "a", "b"} {
		if v, ok := m.Bgnbd[n]; ok {
			out = append(out, Parameter{Model: "BG/NBD", Name: n, Value: v})
		}
	}
	for _, n := range []string{"p", "q", "gamma"} {
		if v, ok := m.GammaGamma[n]; ok {
			out = append(out, Parameter{Model: "Gamma-Gamma", Name: n, Value: v})
		}
	}
	return out
}

// BGNBD returns the stored BG/NBD parameters, if the model has them.
func BGNBD(m *ent.CLVModel) (analytics.BGNBDParams, bool) {
	if m == nil || m.Bgnbd == nil {
		return analytics.BGNBDParams{}, false
	}
	return analytics.BGNBDParams{R: m.Bgnbd["r"], Alpha: m.Bgnbd["alpha"], A: m.Bgnbd["a"], B: m.Bgnbd["b"]}, true
}

// GammaGamma returns the stored Gamma-Gamma parameters, if the model has them.
func GammaGamma(m *ent.CLVModel) (analytics.GammaGammaParams, bool) {
	if m == nil || m.GammaGamma == nil {
		return analytics.GammaGammaParams{}, false
	}
	return analytics.GammaGammaParams{P: m.GammaGamma["p"], Q: m.GammaGamma["q"], Gamma: m.GammaGamma["gamma"]}, true
}

// Predict recomputes a customer's prediction over another horizon or
// discount rate from its stored metrics and the organization's fitted model
// (in weeks, as the metrics are). Without a fitted BG/NBD model, or for a
// customer who never bought, the stored 12-month figures are scaled by the
// horizon.
func Predict(m *ent.CLVModel, cm *ent.CustomerMetrics, horizonMonths int, monthlyDiscount float64) analytics.Prediction {
	stored := analytics.Prediction{
		ExpectedTransactions: cm.ExpectedTransactions,
		ProbabilityAlive:     cm.ProbabilityAlive,
		ExpectedSpend:        cm.ExpectedSpend,
		Value:                cm.PredictedClv,
		Model:                cm.Model,
	}
	if horizonMonths == DefaultHorizonMonths && monthlyDiscount == DefaultMonthlyDiscount {
		return stored
	}
	return recompute(m, cm, stored, horizonMonths, monthlyDiscount)
}

// recompute predicts from the stored model and the customer's model inputs;
// stored is returned, scaled by the horizon, when the model cannot predict.
func recompute(m *ent.CLVModel, cm *ent.CustomerMetrics, stored analytics.Prediction, horizonMonths int, monthlyDiscount float64) analytics.Prediction {
	bg, ok := BGNBD(m)
	if !ok || m.Fallback || m.Unit != clvmodel.UnitWEEKS || cm.Transactions == 0 {
		f := float64(horizonMonths) / DefaultHorizonMonths
		stored.ExpectedTransactions *= f
		stored.Value *= f
		return stored
	}
	model := analytics.Model{Unit: analytics.Weeks, BGNBD: &analytics.BGNBDFit{Params: bg}}
	if gg, ok := GammaGamma(m); ok {
		model.GammaGamma = &analytics.GammaGammaFit{Params: gg}
	}
	p := model.Predict(analytics.CustomerSummary{
		Frequency:     cm.RepeatTransactions,
		Recency:       cm.RecencyWeeks,
		T:             cm.AgeWeeks,
		MonetaryValue: cm.AverageRepeatSpend,
		Transactions:  cm.Transactions,
		Revenue:       cm.Revenue.Float(),
	}, horizonMonths, monthlyDiscount)
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		return stored
	}
	return p
}
