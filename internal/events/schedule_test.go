package events_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// TestScheduleTakesTheLock runs two schedulers at once, as two instances
// would: on PostgreSQL only the one holding the advisory lock runs; the
// lock is free again after the run. On SQLite the run happens in process.
func TestScheduleTakesTheLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var runs atomic.Int32
		entered := make(chan struct{}, 4)
		release := make(chan struct{})
		skipped := make(chan struct{}, 4)
		newScheduler := func() *events.Alerts {
			a := &events.Alerts{Client: s.Client}
			events.SetSchedulerHooks(a, func(ctx context.Context) error {
				runs.Add(1)
				entered <- struct{}{}
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil
			}, func() { skipped <- struct{}{} })
			return a
		}
		wait := func(c chan struct{}, what string) {
			t.Helper()
			select {
			case <-c:
			case <-time.After(10 * time.Second):
				t.Fatalf("timed out waiting for %s", what)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{}, 64)
		start := func(a *events.Alerts) {
			go func() { a.Schedule(ctx, time.Hour, s.Dialect, s.DB); done <- struct{}{} }()
		}

		start(newScheduler())
		wait(entered, "the first run")
		start(newScheduler())
		if s.Dialect == dialect.Postgres {
			wait(skipped, "the second scheduler to skip its run")
			if n := runs.Load(); n != 1 {
				t.Fatalf("%d runs at once, want 1", n)
			}
			close(release)
			// Once the first run has released the lock, another instance
			// runs; until then (a few milliseconds) it skips.
			for attempt := 1; ; attempt++ {
				start(newScheduler())
				select {
				case <-entered:
				case <-skipped:
					if attempt < 50 {
						time.Sleep(20 * time.Millisecond)
						continue
					}
					t.Fatal("the lock was never released")
				case <-time.After(10 * time.Second):
					t.Fatal("timed out waiting for a run after the first released the lock")
				}
				break
			}
		} else {
			wait(entered, "the in-process run")
			close(release)
		}
		if n := runs.Load(); n != 2 {
			t.Errorf("%d runs, want 2", n)
		}
		cancel()
		schedulers := 2
		if s.Dialect == dialect.Postgres {
			schedulers = 3
		}
		for range schedulers {
			wait(done, "the schedulers to stop")
		}
	})
}

// TestRunAll runs every organization's alerts.
func TestRunAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newOrg(t, s, "org-a", nil)
		b := newOrg(t, s, "org-b", nil)
		for _, o := range []*org{a, b} {
			o.contact(t, "vip", "VIP", 0)
			o.purchase(t, "vip", 100, day(-365))
		}
		now := testNow
		if err := a.alerts(&now).RunAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, o := range []*org{a, b} {
			if n := len(o.events(t, "CUSTOMER_AT_RISK")); n != 1 {
				t.Errorf("%d at-risk events, want 1", n)
			}
		}
	})
}
