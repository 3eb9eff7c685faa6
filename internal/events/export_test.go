package events

import "context"

// SetSchedulerHooks replaces the run of a's scheduler and observes its
// skipped runs, for tests.
func SetSchedulerHooks(a *Alerts, run func(context.Context) error, skipped func()) {
	a.run, a.skipped = run, skipped
}
