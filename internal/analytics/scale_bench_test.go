package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// syntheticSummaries returns n customer summaries drawn from a BG/NBD
// process with the published CDNOW parameters over 78 weeks, and
// Gamma-Gamma spend: data of any size shaped like the data the fit was
// designed for.
func syntheticSummaries(n int) []CustomerSummary {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	gamma := func(shape, scale float64) float64 {
		// Marsaglia & Tsang, boosted for shape < 1.
		boost := 1.0
		if shape < 1 {
			boost = math.Pow(r.Float64(), 1/shape)
			shape++
		}
		d := shape - 1.0/3
		c := 1 / math.Sqrt(9*d)
		for {
			x := r.NormFloat64()
			v := 1 + c*x
			if v <= 0 {
				continue
			}
			v = v * v * v
			if u := r.Float64(); math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
				return d * v * scale * boost
			}
		}
	}
	const weeks = 78.0
	out := make([]CustomerSummary, n)
	for i := range out {
		lambda := gamma(publishedBGNBD.R, 1/publishedBGNBD.Alpha)
		a, b := gamma(publishedBGNBD.A, 1), gamma(publishedBGNBD.B, 1)
		p := a / (a + b)
		T := weeks * (0.2 + 0.8*r.Float64())
		x, t := 0, 0.0
		for {
			if r.Float64() < p {
				break
			}
			next := t + r.ExpFloat64()/lambda
			if next > T {
				break
			}
			t = next
			x++
		}
		mean := 15 * gamma(6, 1) / gamma(4, 1)
		s := CustomerSummary{CustomerID: fmt.Sprint(i), Frequency: x, Recency: t, T: T, Transactions: x + 1, Revenue: mean * float64(x+1)}
		if x > 0 {
			s.MonetaryValue = mean
		}
		out[i] = s
	}
	return out
}

// BenchmarkFitAtScale fits both models, as a full analytics refresh does,
// to 10,000, 100,000 and 1,000,000 synthetic customers: the fit's share of
// a refresh at a million contacts.
//
//	go test -run - -bench FitAtScale -benchtime 1x ./internal/analytics/
func BenchmarkFitAtScale(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			data := syntheticSummaries(n)
			b.ResetTimer()
			for b.Loop() {
				m := Fit(data, Weeks)
				if m.BGNBD == nil || m.GammaGamma == nil {
					b.Fatalf("no model: %v, %v", m.BGNBDErr, m.GammaGammaErr)
				}
			}
		})
	}
}
