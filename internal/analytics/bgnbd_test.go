package analytics

import (
	"errors"
	"math"
	"testing"
	"time"
)

// Published BG/NBD estimates for the CDNOW sample, weeks 1-39 (Fader,
// Hardie & Lee 2005).
var publishedBGNBD = BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}

func TestFitBGNBDReproducesPublishedCDNOWEstimates(t *testing.T) {
	d := cdnowSample(t)
	if d.bgErr != nil {
		t.Fatal(d.bgErr)
	}
	fit := d.bg
	t.Logf("fit: r=%.4f α=%.4f a=%.4f b=%.4f LL=%.3f converged=%v", fit.Params.R, fit.Params.Alpha, fit.Params.A, fit.Params.B, fit.LogLikelihood, fit.Converged)
	params := []struct {
		name      string
		got, want float64
	}{
		{"r", fit.Params.R, publishedBGNBD.R},
		{"alpha", fit.Params.Alpha, publishedBGNBD.Alpha},
		{"a", fit.Params.A, publishedBGNBD.A},
		{"b", fit.Params.B, publishedBGNBD.B},
	}
	for _, p := range params {
		if !within3SF(p.got, p.want) {
			t.Errorf("%s = %.5f, want %.4g to 3 significant figures", p.name, p.got, p.want)
		}
	}
	if math.Abs(fit.LogLikelihood-(-9582.4)) > 0.1 {
		t.Errorf("log-likelihood = %.3f, want -9582.4 ± 0.1", fit.LogLikelihood)
	}
	if fit.Customers != 2357 || !fit.Converged {
		t.Errorf("customers = %d converged = %v, want 2357 and true", fit.Customers, fit.Converged)
	}
}

func TestBGNBDLogLikelihoodSumsToFit(t *testing.T) {
	d := cdnowSample(t)
	var sum float64
	for _, c := range d.summaries {
		sum += BGNBDLogLikelihood(d.bg.Params, c.Frequency, c.Recency, c.T)
	}
	if math.Abs(sum-d.bg.LogLikelihood) > 1e-6 {
		t.Errorf("Σ per-customer LL = %.6f, fit LL = %.6f", sum, d.bg.LogLikelihood)
	}
}

func TestBGNBDLogLikelihoodClosedForms(t *testing.T) {
	p := BGNBDParams{R: 0.7, Alpha: 3, A: 1.3, B: 2.2}
	beta := func(a, b float64) float64 { return math.Exp(lbetaFn(a, b)) }
	gamma := math.Gamma
	// Eq. 6 written out directly for moderate values.
	direct := func(x int, tx, T float64) float64 {
		fx := float64(x)
		common := gamma(p.R+fx) * math.Pow(p.Alpha, p.R) / gamma(p.R)
		l := beta(p.A, p.B+fx) / beta(p.A, p.B) * common / math.Pow(p.Alpha+T, p.R+fx)
		if x > 0 {
			l += beta(p.A+1, p.B+fx-1) / beta(p.A, p.B) * common / math.Pow(p.Alpha+tx, p.R+fx)
		}
		return math.Log(l)
	}
	tests := []struct {
		x     int
		tx, T float64
	}{
		{0, 0, 0}, {0, 0, 10}, {1, 2, 10}, {3, 9.5, 10}, {7, 30, 39},
	}
	for _, tt := range tests {
		got := BGNBDLogLikelihood(p, tt.x, tt.tx, tt.T)
		if want := direct(tt.x, tt.tx, tt.T); math.Abs(got-want) > 1e-10 {
			t.Errorf("LL(x=%d, t_x=%g, T=%g) = %.12f, want %.12f", tt.x, tt.tx, tt.T, got, want)
		}
	}
	// x = 0: LL = r log(α/(α+T)).
	if got, want := BGNBDLogLikelihood(p, 0, 0, 5), p.R*math.Log(3.0/8); math.Abs(got-want) > 1e-12 {
		t.Errorf("LL(x=0) = %v, want %v", got, want)
	}
}

func TestBGNBDLogLikelihoodInvalid(t *testing.T) {
	tests := []struct {
		name  string
		p     BGNBDParams
		x     int
		tx, T float64
	}{
		{"zero r", BGNBDParams{0, 1, 1, 1}, 1, 1, 2},
		{"NaN alpha", BGNBDParams{1, math.NaN(), 1, 1}, 1, 1, 2},
		{"negative x", BGNBDParams{1, 1, 1, 1}, -1, 1, 2},
		{"recency beyond T", BGNBDParams{1, 1, 1, 1}, 1, 3, 2},
		{"infinite T", BGNBDParams{1, 1, 1, 1}, 0, 0, math.Inf(1)},
	}
	for _, tt := range tests {
		if got := BGNBDLogLikelihood(tt.p, tt.x, tt.tx, tt.T); !math.IsInf(got, -1) {
			t.Errorf("%s: LL = %v, want -Inf", tt.name, got)
		}
	}
}

func TestBGNBDGradientMatchesFiniteDifferences(t *testing.T) {
	tests := []struct {
		p     BGNBDParams
		x     float64
		tx, T float64
	}{
		{BGNBDParams{0.24, 4.4, 0.79, 2.4}, 0, 0, 38},
		{BGNBDParams{0.24, 4.4, 0.79, 2.4}, 1, 0.5, 38},
		{BGNBDParams{2.5, 0.3, 5, 0.2}, 12, 30, 39},
	}
	for _, tt := range tests {
		var g [4]float64
		bgnbdLL(tt.p, tt.x, tt.tx, tt.T, &g)
		theta := []float64{math.Log(tt.p.R), math.Log(tt.p.Alpha), math.Log(tt.p.A), math.Log(tt.p.B)}
		at := func(th []float64) float64 {
			return bgnbdLL(BGNBDParams{math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])}, tt.x, tt.tx, tt.T, nil)
		}
		for i := range theta {
			const h = 1e-6
			up, down := append([]float64(nil), theta...), append([]float64(nil), theta...)
			up[i] += h
			down[i] -= h
			fd := (at(up) - at(down)) / (2 * h)
			if math.Abs(fd-g[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("%+v x=%g: ∂LL/∂θ%d = %.9f, finite difference %.9f", tt.p, tt.x, i, g[i], fd)
			}
		}
	}
}

// The indexed data-set likelihood used for fitting equals the sum of the
// per-customer likelihoods, and so does its gradient.
func TestBGNBDDataLikelihoodMatchesPerCustomerSum(t *testing.T) {
	data := []CustomerSummary{
		{Frequency: 0, T: 38}, {Frequency: 0, T: 38}, {Frequency: 1, Recency: 0.5, T: 38},
		{Frequency: 5, Recency: 30, T: 38}, {Frequency: 5, Recency: 20, T: 20}, {Frequency: 12, Recency: 19, T: 20},
	}
	d, err := prepareBGNBD(data)
	if err != nil {
		t.Fatal(err)
	}
	p := BGNBDParams{R: 0.4, Alpha: 3, A: 0.8, B: 2.5}
	got := make([]float64, 4)
	ll := d.logLikelihood(p, got)
	var wantLL float64
	var want [4]float64
	for _, c := range data {
		var g [4]float64
		wantLL += bgnbdLL(p, float64(c.Frequency), c.Recency, c.T, &g)
		for i := range want {
			want[i] += g[i]
		}
	}
	if math.Abs(ll-wantLL) > 1e-10 {
		t.Errorf("LL = %v, want %v", ll, wantLL)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-10 {
			t.Errorf("gradient[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// The published expectations (Fader, Hardie & Lee 2005) were computed at
// the unrounded estimates; at the rounded parameters E[X(32)] is 1.0452,
// so they are checked at the reproduced maximum-likelihood estimates.
func TestBGNBDExpectedTransactionsPublished(t *testing.T) {
	d := cdnowSample(t)
	tests := []struct {
		t    float64
		want float64
	}{
		{1, 0.0532},
		{3, 0.1506},
		{32, 1.0437},
	}
	for _, tt := range tests {
		got, err := d.bg.Params.ExpectedTransactionsChecked(tt.t)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tt.want) > 5e-5 {
			t.Errorf("E[X(%g)] = %.5f, want %.4f", tt.t, got, tt.want)
		}
	}
}

func TestBGNBDConditionalPublished(t *testing.T) {
	d := cdnowSample(t)
	// Customer 0001 of the sample: x = 2, t_x = 30.43, T = 38.86 weeks.
	for _, p := range []BGNBDParams{publishedBGNBD, d.bg.Params} {
		ey, err := p.ConditionalExpectedTransactionsChecked(39, 2, 30.43, 38.86)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(ey-1.226) > 5e-4 {
			t.Errorf("%+v: E[Y(39) | 2, 30.43, 38.86] = %.4f, want 1.226", p, ey)
		}
		alive, err := p.ProbabilityAliveChecked(2, 30.43, 38.86)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(alive-0.7266) > 5e-5 {
			t.Errorf("%+v: P(alive | 2, 30.43, 38.86) = %.5f, want 0.7266", p, alive)
		}
	}
}

func TestBGNBDProbabilityAlive(t *testing.T) {
	p := BGNBDParams{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426}
	tests := []struct {
		name  string
		x     int
		tx, T float64
		want  float64
	}{
		{"no repeat purchase is always alive", 0, 0, 100, 1},
		{"purchase today", 5, 38, 38, 1 / (1 + 0.793/(2.426+4))},
		{"formula", 2, 30.43, 38.86, 1 / (1 + 0.793/(2.426+1)*math.Pow((4.414+38.86)/(4.414+30.43), 0.243+2))},
	}
	for _, tt := range tests {
		got := p.ProbabilityAlive(tt.x, tt.tx, tt.T)
		if math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: P(alive) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestBGNBDHoldoutForecast(t *testing.T) {
	d := cdnowSample(t)
	// Actual repeat transactions (distinct purchase days) per customer in
	// weeks 40-78.
	holdoutStart := dayNumber(cdnowCalibrationEnd) + 1
	holdoutEnd := dayNumber(cdnowHoldoutEnd)
	days := map[string]map[int64]bool{}
	for _, p := range d.purchases {
		if dn := dayNumber(p.At); dn >= holdoutStart && dn <= holdoutEnd {
			if days[p.CustomerID] == nil {
				days[p.CustomerID] = map[int64]bool{}
			}
			days[p.CustomerID][dn] = true
		}
	}
	actual := 0
	for _, ds := range days {
		actual += len(ds)
	}
	if actual != 1882 {
		t.Errorf("holdout repeat transactions = %d, want 1882", actual)
	}
	horizon := float64(holdoutEnd-holdoutStart+1) / 7 // 39 weeks
	var conditional, unconditional float64
	for _, c := range d.summaries {
		conditional += d.bg.Params.ConditionalExpectedTransactions(horizon, c.Frequency, c.Recency, c.T)
		unconditional += d.bg.Params.ExpectedTransactions(c.T+horizon) - d.bg.Params.ExpectedTransactions(c.T)
	}
	t.Logf("holdout: Σ E[Y(39)|x,t_x,T] = %.1f, Σ E[X(T+39)]-E[X(T)] = %.1f, actual %d (%+.1f%%)",
		conditional, unconditional, actual, 100*(conditional-float64(actual))/float64(actual))
	// At the maximum-likelihood estimates the BG/NBD under-forecasts this
	// holdout by about 12% (1,653 vs 1,882), so the forecast is pinned to
	// the reproduced value and only required to be within 15% of the actual
	// count.
	if math.Abs(conditional-1653.4) > 1 {
		t.Errorf("aggregate conditional forecast = %.1f, want 1653.4 ± 1", conditional)
	}
	if math.Abs(conditional-float64(actual)) > 0.15*float64(actual) {
		t.Errorf("aggregate conditional forecast %.1f is not within 15%% of %d", conditional, actual)
	}
	// Conditional and unconditional aggregate forecasts agree closely when
	// the model fits the calibration data.
	if math.Abs(conditional-unconditional) > 0.02*unconditional {
		t.Errorf("conditional forecast %.1f and unconditional forecast %.1f differ by more than 2%%", conditional, unconditional)
	}
}

// The three evaluation methods of aliveTransactions must agree wherever
// each of them claims success.
func TestAliveTransactionsMethodsAgree(t *testing.T) {
	type method struct {
		name string
		f    func(A, a, B, u float64) (float64, bool)
	}
	methods := []method{
		{"pfaff", aliveSeriesPfaff},
		{"z", aliveSeriesZ},
		{"quadrature", aliveQuadrature},
	}
	for _, A := range []float64{0.05, 0.243, 1, 3.7, 25, 300} {
		for _, a := range []float64{0.01, 0.5, 0.793, 0.999999, 1, 1.5, 7, 200} {
			for _, B := range []float64{0.05, 0.6, 2.426, 15, 500} {
				for _, u := range []float64{1e-4, 0.1, 0.5, 0.74, 0.9, 3, 40, 2000} {
					var ref float64
					var refName string
					if v, ok := aliveQuadrature(A, a, B, u); ok {
						ref, refName = v, "quadrature"
					} else {
						t.Errorf("quadrature failed at A=%g a=%g B=%g u=%g", A, a, B, u)
						continue
					}
					for _, m := range methods[:2] {
						if m.name == "pfaff" && u > pfaffSeriesMaxU {
							continue
						}
						v, ok := m.f(A, a, B, u)
						if ok && math.Abs(v-ref) > 1e-7*ref {
							t.Errorf("A=%g a=%g B=%g u=%g: %s = %.12g, %s = %.12g", A, a, B, u, m.name, v, refName, ref)
						}
					}
					v, err := aliveTransactions(A, 1, a, B, u)
					if err != nil || !(v > 0) || math.Abs(v-ref) > 1e-7*ref {
						t.Errorf("aliveTransactions(A=%g a=%g B=%g u=%g) = %v, %v; want %v", A, a, B, u, v, err, ref)
					}
				}
			}
		}
	}
}

func TestBGNBDExpectedTransactionsContinuousAtAEqualsOne(t *testing.T) {
	at := func(a float64) float64 {
		return BGNBDParams{R: 0.5, Alpha: 2, A: a, B: 3}.ExpectedTransactions(20)
	}
	mid := at(1)
	for _, a := range []float64{1 - 1e-9, 1 + 1e-9, 1 - 1e-6, 1 + 1e-6} {
		if v := at(a); math.Abs(v-mid) > 1e-5*mid {
			t.Errorf("E[X(20)] at a=%v is %v, at a=1 is %v", a, v, mid)
		}
	}
}

// Predictions stay finite, non-negative and within their theoretical bounds
// for extreme parameters and inputs.
func TestBGNBDRobustness(t *testing.T) {
	params := []BGNBDParams{
		{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426},
		{R: 1e-8, Alpha: 1e-8, A: 1e-8, B: 1e-8},
		{R: 1e-3, Alpha: 1e6, A: 1e-6, B: 1e4},
		{R: 500, Alpha: 0.01, A: 1e-9, B: 0.01},
		{R: 1e4, Alpha: 1e4, A: 1e4, B: 1e-6},
		{R: 0.3, Alpha: 10, A: 1, B: 0.2},
		{R: 50, Alpha: 1, A: 0.5, B: 0.5},
		{R: 2, Alpha: 3, A: 0.4, B: 0.1}, // a + b - 1 < 0
		{R: 2, Alpha: 3, A: 0.4, B: 0.6}, // a + b - 1 = 0
	}
	customers := []struct {
		x     int
		tx, T float64
	}{
		{0, 0, 0},
		{0, 0, 1e7},
		{1, 0, 1e7},
		{2, 30.43, 38.86},
		{1000, 1e6, 1e6},
		{100000, 10, 5000},
		{50, 0.001, 1e9},
	}
	horizons := []float64{0, 1e-9, 1, 39, 520, 1e6}
	for _, p := range params {
		for _, h := range horizons {
			e := p.ExpectedTransactions(h)
			bound := p.R * h / p.Alpha // no-dropout expectation
			if !isFinite(e) || e < 0 || e > bound*(1+1e-7)+1e-300 {
				t.Errorf("%+v: E[X(%g)] = %v, want finite in [0, %v]", p, h, e, bound)
			}
			if _, err := p.ExpectedTransactionsChecked(h); err != nil {
				t.Errorf("%+v: E[X(%g)] error %v", p, h, err)
			}
		}
		for _, c := range customers {
			alive := p.ProbabilityAlive(c.x, c.tx, c.T)
			if !isFinite(alive) || alive < 0 || alive > 1 {
				t.Errorf("%+v %+v: P(alive) = %v", p, c, alive)
			}
			// LL is a log density in t_x, so it may be positive.
			if ll := BGNBDLogLikelihood(p, c.x, c.tx, c.T); !isFinite(ll) {
				t.Errorf("%+v %+v: LL = %v, want finite", p, c, ll)
			}
			prev := 0.0
			for _, h := range horizons {
				ey, err := p.ConditionalExpectedTransactionsChecked(h, c.x, c.tx, c.T)
				bound := alive * (p.R + float64(c.x)) * h / (p.Alpha + c.T)
				if err != nil || !isFinite(ey) || ey < prev*(1-1e-9) || ey > bound*(1+1e-7)+1e-300 {
					t.Errorf("%+v %+v: E[Y(%g)] = %v (%v), want finite, non-decreasing, ≤ %v", p, c, h, ey, err, bound)
				}
				prev = ey
			}
		}
	}
}

func TestBGNBDCheckedErrors(t *testing.T) {
	good := BGNBDParams{R: 1, Alpha: 1, A: 1, B: 1}
	bad := BGNBDParams{R: -1, Alpha: 1, A: 1, B: 1}
	tests := []struct {
		name string
		call func() (float64, error)
		want error
	}{
		{"invalid params", func() (float64, error) { return bad.ExpectedTransactionsChecked(1) }, ErrInvalidParams},
		{"negative horizon", func() (float64, error) { return good.ExpectedTransactionsChecked(-1) }, ErrInvalidInput},
		{"NaN horizon", func() (float64, error) { return good.ConditionalExpectedTransactionsChecked(math.NaN(), 1, 1, 2) }, ErrInvalidInput},
		{"recency beyond age", func() (float64, error) { return good.ProbabilityAliveChecked(1, 3, 2) }, ErrInvalidInput},
		{"negative frequency", func() (float64, error) { return good.ConditionalExpectedTransactionsChecked(1, -2, 0, 2) }, ErrInvalidInput},
	}
	for _, tt := range tests {
		if v, err := tt.call(); !errors.Is(err, tt.want) || v != 0 {
			t.Errorf("%s: (%v, %v), want (0, %v)", tt.name, v, err, tt.want)
		}
	}
	// The unchecked variants return 0 instead.
	if v := good.ConditionalExpectedTransactions(1, 1, 3, 2); v != 0 {
		t.Errorf("unchecked E[Y] with invalid input = %v, want 0", v)
	}
	if v := (BGNBDParams{}).ProbabilityAlive(1, 1, 2); v != 0 {
		t.Errorf("unchecked P(alive) with zero params = %v, want 0", v)
	}
	if v := (BGNBDParams{R: math.Inf(1), Alpha: 1, A: 1, B: 1}).ExpectedTransactions(1); v != 0 {
		t.Errorf("unchecked E[X] with infinite r = %v, want 0", v)
	}
}

func TestFitBGNBDInsufficientData(t *testing.T) {
	tests := []struct {
		name string
		data []CustomerSummary
		want error
	}{
		{"no customers", nil, ErrInsufficientData},
		{"two customers", []CustomerSummary{
			{CustomerID: "a", Frequency: 3, Recency: 20, T: 30},
			{CustomerID: "b", Frequency: 1, Recency: 5, T: 30},
		}, ErrInsufficientData},
		{"no repeat purchases", []CustomerSummary{
			{CustomerID: "a", T: 30}, {CustomerID: "b", T: 20}, {CustomerID: "c", T: 10}, {CustomerID: "d", T: 5},
		}, ErrInsufficientData},
		{"invalid summary", []CustomerSummary{
			{CustomerID: "a", Frequency: 3, Recency: 40, T: 30},
		}, ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitBGNBD(tt.data)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestFitBGNBDSmallDataIsFinite(t *testing.T) {
	data := []CustomerSummary{
		{CustomerID: "a", Frequency: 3, Recency: 20, T: 30},
		{CustomerID: "b", Frequency: 1, Recency: 5, T: 30},
		{CustomerID: "c", Frequency: 2, Recency: 29, T: 30},
		{CustomerID: "d", T: 12},
	}
	fit, err := FitBGNBD(data)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Params.Validate() != nil || !isFinite(fit.LogLikelihood) {
		t.Errorf("fit = %+v, want finite positive params", fit)
	}
}

func TestFitBGNBDCDNOWMaster(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 23,570 customers")
	}
	summaries := Summarize(loadPurchases(t, "CDNOW_master.txt"), cdnowCalibrationEnd, Weeks)
	if len(summaries) != 23570 {
		t.Fatalf("customers = %d, want 23570", len(summaries))
	}
	start := time.Now()
	fit, err := FitBGNBD(summaries)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("master fit in %v: r=%.4f α=%.4f a=%.4f b=%.4f LL=%.2f", time.Since(start), fit.Params.R, fit.Params.Alpha, fit.Params.A, fit.Params.B, fit.LogLikelihood)
	if !fit.Converged {
		t.Errorf("master fit did not converge: %+v", fit)
	}
}

func BenchmarkFitBGNBD(b *testing.B) {
	summaries := cdnowSample(b).summaries
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitBGNBD(summaries); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFitBGNBDMaster(b *testing.B) {
	summaries := Summarize(loadPurchases(b, "CDNOW_master.txt"), cdnowCalibrationEnd, Weeks)
	b.ResetTimer()
	for b.Loop() {
		if _, err := FitBGNBD(summaries); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConditionalExpectedTransactions(b *testing.B) {
	p := publishedBGNBD
	for b.Loop() {
		p.ConditionalExpectedTransactions(39, 2, 30.43, 38.86)
	}
}
