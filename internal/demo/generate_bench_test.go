package demo

import (
	"context"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/internal/pulid"
)

// discardSink counts rows and drops them.
type discardSink struct{ st *Stats }

func (s discardSink) write(_ context.Context, b *batch) error { b.count(s.st); return nil }
func (discardSink) setAccountStages(context.Context, account.LifecycleStage, []pulid.ID, time.Time) error {
	return nil
}

// BenchmarkGenerate measures the generator alone, per contact, without a
// database: the floor under any sink.
func BenchmarkGenerate(b *testing.B) {
	const contacts = 10000
	for b.Loop() {
		st := &Stats{}
		g := newGenerator(Options{Contacts: contacts, Seed: 1, Now: testNow}, "USD", []pulid.ID{pulid.New("usr")})
		if err := g.run(context.Background(), discardSink{st}, st); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*contacts), "ns/contact")
}
