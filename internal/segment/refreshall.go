package segment

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/segment"
)

// Selection picks the segments RefreshSelected refreshes.
type Selection int

const (
	// AllSegments are every segment.
	AllSegments Selection = iota
	// ComputedValueSegments are the segments whose rule reads a value an
	// analytics refresh computes (see Rule.ReadsComputedValues), and those
	// whose stored rule is invalid, so that their error is reported with
	// them.
	ComputedValueSegments
	// OtherSegments are the segments whose rule reads no computed value:
	// an analytics refresh does not change their members.
	OtherSegments
)

// selects reports whether the selection holds the segment.
func (sel Selection) selects(seg *ent.Segment) bool {
	if sel == AllSegments {
		return true
	}
	r, err := RuleOf(seg)
	computed := err != nil || r.ReadsComputedValues()
	return computed == (sel == ComputedValueSegments)
}

// RefreshAll refreshes every segment the context may see — the segments of
// its organization — as of now, in name order. A segment that fails does
// not stop the others; the errors are joined.
func RefreshAll(ctx context.Context, client *ent.Client, now time.Time) error {
	return RefreshSelected(ctx, client, now, AllSegments, 1)
}

// RefreshSelected refreshes the selected segments the context may see as of
// now, in name order, up to workers (at least one) at a time, each with
// Refresh in a transaction of its own. A segment that fails does not stop
// the others; the errors are joined, in name order.
func RefreshSelected(ctx context.Context, client *ent.Client, now time.Time, sel Selection, workers int) error {
	all, err := client.Segment.Query().Order(segment.ByName(), segment.ByID()).All(ctx)
	if err != nil {
		return err
	}
	var segs []*ent.Segment
	for _, seg := range all {
		if sel.selects(seg) {
			segs = append(segs, seg)
		}
	}
	errs := make([]error, len(segs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(max(workers, 1), len(segs)) {
		wg.Go(func() {
			for i := range next {
				if _, _, err := Refresh(ctx, client, segs[i], now); err != nil {
					errs[i] = fmt.Errorf("refreshing segment %q: %w", segs[i].Name, err)
				}
			}
		})
	}
	for i := range segs {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// ReadsComputedValues reports whether the rule compares a field that an
// analytics refresh writes: the value tier, RFM segment, predicted CLV,
// probability alive and value score of the contact's value figures (its
// row of contact_values), and the gross margin and net value of the
// customer metrics.
func (r *Rule) ReadsComputedValues() bool {
	if r == nil {
		return false
	}
	for _, c := range r.And {
		if c.ReadsComputedValues() {
			return true
		}
	}
	for _, c := range r.Or {
		if c.ReadsComputedValues() {
			return true
		}
	}
	return r.Not.ReadsComputedValues() || r.Field != nil && specs[r.Field.Field].computed
}
