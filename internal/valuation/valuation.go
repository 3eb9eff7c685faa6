// Package valuation computes and materializes what every customer of an
// organization is worth. It reads the purchase log and the related records
// with set-based SQL, fits the models of package analytics, and writes one
// CustomerMetrics row per contact and per account plus the value columns
// that lists filter and sort by.
package valuation

import (
	"fmt"
	"sync"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/clvmodel"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/store"
)

// Defaults of the analysis, overridable per organization and per call.
const (
	DefaultHorizonMonths   = 12
	DefaultMonthlyDiscount = 0.01
	// EngagementWindow is how far back campaign responses count.
	EngagementWindow = 365 * 24 * time.Hour
)

// Options say how to value the customers.
type Options struct {
	// AsOf is the date of the analysis: purchases after it are ignored.
	// The zero value means today.
	AsOf time.Time
	// Unit is the time unit of the model; WEEKS when empty.
	Unit clvmodel.Unit
	// HorizonMonths and MonthlyDiscount define predicted CLV.
	HorizonMonths   int
	MonthlyDiscount float64
	// Weights of the value score; the defaults when zero.
	Weights analytics.ValueWeights
}

func (o Options) withDefaults(now time.Time) Options {
	if o.AsOf.IsZero() {
		o.AsOf = now
	}
	o.AsOf = EndOfDay(o.AsOf)
	if o.Unit == "" {
		o.Unit = clvmodel.UnitWEEKS
	}
	if o.HorizonMonths <= 0 {
		o.HorizonMonths = DefaultHorizonMonths
	}
	if o.MonthlyDiscount <= 0 {
		o.MonthlyDiscount = DefaultMonthlyDiscount
	}
	if o.Weights == (analytics.ValueWeights{}) {
		o.Weights = analytics.DefaultValueWeights()
	}
	return o
}

// EndOfDay returns the last instant of t's UTC calendar day, so an as-of
// date includes the purchases made on it.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 23, 59, 59, 999999999, time.UTC)
}

// Service values the customers of organizations in one database.
type Service struct {
	store *store.Store
	now   func() time.Time
	// readParts says in how many key ranges to read the purchases of n
	// customers.
	readParts func(n int) int
	// writeParts says in how many parts, each a transaction on its own
	// connection, to write the metrics of n customers on PostgreSQL.
	writeParts func(n int) int
}

// New returns a Service over the store.
func New(s *store.Store) *Service {
	return &Service{store: s, now: time.Now, readParts: readParts, writeParts: writeParts}
}

// Result reports a full refresh.
type Result struct {
	// Model is the fitted model the predictions come from.
	Model *ent.CLVModel
	// Contacts and Accounts are the numbers of metrics rows written.
	Contacts, Accounts int
	// Took is how long the refresh took.
	Took time.Duration
	// Phases are the steps of the refresh in order, with how long each
	// took: where the time of a slow refresh goes. Steps whose name starts
	// with "| " ran alongside the others, on another connection, and are
	// listed when they ended.
	Phases []Phase
}

// Phase is one timed step of a refresh.
type Phase struct {
	// Name says what the step did, e.g. "fit" or "write contact metrics".
	Name string
	// Took is the step's wall-clock time.
	Took time.Duration
}

// phases times the steps of a refresh one after the other. Work that runs
// alongside the main line of steps, on other connections, is timed by a
// side line (see side) that shares the list.
type phases struct {
	mu   *sync.Mutex
	list *[]Phase
	last time.Time
	now  func() time.Time
	mark string
}

func newPhases(now func() time.Time) *phases {
	return &phases{mu: &sync.Mutex{}, list: &[]Phase{}, last: now(), now: now}
}

// done records the step that ran since the previous one of its line ended.
func (p *phases) done(name string) {
	t := p.now()
	p.mu.Lock()
	*p.list = append(*p.list, Phase{Name: p.mark + name, Took: t.Sub(p.last)})
	p.mu.Unlock()
	p.last = t
}

// side starts a line of steps that runs alongside this one; its steps are
// listed, marked "| ", when they end.
func (p *phases) side() *phases {
	return &phases{mu: p.mu, list: p.list, last: p.now(), now: p.now, mark: "| "}
}

// steps returns the steps recorded so far.
func (p *phases) steps() []Phase {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Phase(nil), *p.list...)
}

// UnitOf maps the stored enum to a time unit.
func UnitOf(u clvmodel.Unit) analytics.TimeUnit {
	if u == clvmodel.UnitDAYS {
		return analytics.Days
	}
	return analytics.Weeks
}

var errNoOrg = fmt.Errorf("valuation: the context has no organization")
