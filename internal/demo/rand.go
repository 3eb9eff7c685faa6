package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// Random streams. Every contact draws from its own streams, keyed by the
// seed, the stream and the contact's index, so a contact's data does not
// depend on how contacts are chunked, and the profile of any contact can be
// recomputed on demand (to pick a referrer, say) without storing it.
const (
	streamCatalog uint64 = iota + 1
	streamCampaigns
	streamAccounts
	streamBasics
	streamContact
)

// mix is the splitmix64 finaliser: a cheap bijective hash of 64 bits.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns the random stream of one (stream, index) pair.
func newRand(seed, stream, index uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed^mix(stream)), mix(index^mix(stream+seed*0x2545f4914f6cdd1d))))
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// pick returns a uniformly chosen element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted returns an index of w chosen with probability proportional to w.
func weighted(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// uniform returns a float in [a, b).
func uniform(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }

// gamma returns a Gamma(shape, scale) variate (Marsaglia & Tsang 2000); its
// mean is shape*scale.
func gamma(r *rand.Rand, shape, scale float64) float64 {
	if shape < 1 {
		// Boost: Gamma(a) = Gamma(a+1) * U^(1/a).
		return gamma(r, shape+1, scale) * math.Pow(r.Float64(), 1/shape)
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
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v * scale
		}
	}
}

// gammaMean returns a Gamma variate with the given shape and mean.
func gammaMean(r *rand.Rand, shape, mean float64) float64 { return gamma(r, shape, mean/shape) }

// beta returns a Beta(a, b) variate.
func beta(r *rand.Rand, a, b float64) float64 {
	x := gamma(r, a, 1)
	y := gamma(r, b, 1)
	return x / (x + y)
}

// lognormal returns exp(N(mu, sigma)).
func lognormal(r *rand.Rand, mu, sigma float64) float64 { return math.Exp(mu + sigma*r.NormFloat64()) }

// days returns a duration of d (possibly fractional) days, in whole
// seconds.
func days(d float64) time.Duration { return time.Duration(math.Round(d*86400)) * time.Second }

// expDays returns an exponentially distributed duration with the given mean
// in days.
func expDays(r *rand.Rand, mean float64) time.Duration { return days(r.ExpFloat64() * mean) }

// midnight returns the start of t's UTC day.
func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// officeHourWeights is the hour-of-day profile of work done by the sales
// team: mornings and early afternoons.
var officeHourWeights = []float64{8: 6, 9: 10, 10: 11, 11: 10, 12: 5, 13: 8, 14: 10, 15: 9, 16: 7, 17: 4, 18: 1}

// atOfficeHour returns a time on t's day during office hours. When
// weekdays is set, a weekend day is moved to a random weekday of the
// following week.
func atOfficeHour(r *rand.Rand, t time.Time, weekdays bool) time.Time {
	d := midnight(t)
	if weekdays {
		switch d.Weekday() {
		case time.Saturday:
			d = d.AddDate(0, 0, 2+r.IntN(5))
		case time.Sunday:
			d = d.AddDate(0, 0, 1+r.IntN(5))
		}
	}
	h := weighted(r, officeHourWeights)
	return d.Add(time.Duration(h)*time.Hour + time.Duration(r.IntN(3600))*time.Second)
}

// clampBefore returns t, or a time shortly before limit when t is not
// before it.
func clampBefore(r *rand.Rand, t, limit time.Time) time.Time {
	if t.Before(limit) {
		return t
	}
	return limit.Add(-time.Duration(1+r.IntN(3600)) * time.Second)
}

// laterOf returns the later of two times.
func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// roundCents rounds f currency units to cents.
func roundCents(f float64) int64 { return int64(math.Round(f * 100)) }
