package events

import (
	"context"
	"slices"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Filter narrows a query of events; nil keeps them all.
type Filter func(*ent.EventQuery) (*ent.EventQuery, error)

// Watch streams to a subscriber the events of its organization raised from
// now on that it may read (events:read and the read right of the event's
// kind of record), of the given types (all when empty), and matching
// filter. The filter runs in SQL in the subscriber's own context, so the
// tenant rules of every query apply to it too. The stream closes when ctx
// is done.
func (b *Broker) Watch(ctx context.Context, v *auth.Viewer, types []eventtype.Type, filter Filter) <-chan *ent.Event {
	out := make(chan *ent.Event)
	sub := b.Subscribe(ctx, v.OrganizationID)
	go func() {
		defer close(out)
		for {
			var batch []*ent.Event
			select {
			case <-sub.Done():
				return
			case ev := <-sub.C:
				batch = append(batch, ev)
			}
			// Take whatever else is waiting, to filter it in one query.
		more:
			for len(batch) < 100 {
				select {
				case ev := <-sub.C:
					batch = append(batch, ev)
				default:
					break more
				}
			}
			batch = slices.DeleteFunc(batch, func(ev *ent.Event) bool {
				return (len(types) > 0 && !slices.Contains(types, ev.Type)) ||
					!v.Can(auth.ResourceEvents, auth.ActionRead) || !v.Can(ev.Type.Resource(), auth.ActionRead)
			})
			if len(batch) == 0 {
				continue
			}
			if filter != nil {
				var err error
				if batch, err = b.matching(ctx, batch, filter); err != nil {
					return
				}
			}
			for _, ev := range batch {
				select {
				case out <- ev:
				case <-sub.Done():
					return
				}
			}
		}
	}()
	return out
}

// matching keeps the events of the batch that the filter selects.
func (b *Broker) matching(ctx context.Context, batch []*ent.Event, filter Filter) ([]*ent.Event, error) {
	ids := make([]pulid.ID, len(batch))
	for i, ev := range batch {
		ids[i] = ev.ID
	}
	q, err := filter(b.client.Event.Query().Where(event.IDIn(ids...)))
	if err != nil {
		return nil, err
	}
	keep, err := q.IDs(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(batch, func(ev *ent.Event) bool { return !slices.Contains(keep, ev.ID) }), nil
}
