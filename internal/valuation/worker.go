package valuation

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/hook"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Worker keeps customer values current while the API serves: it revalues a
// contact shortly after its purchases, tickets, survey responses or
// campaign responses change, and refits every organization on a schedule.
type Worker struct {
	svc      *Service
	interval time.Duration

	mu      sync.Mutex
	pending map[string]map[pulid.ID]bool // organization → contacts
	wake    chan struct{}
}

// NewWorker returns a worker that refits every organization each interval
// (no scheduled refits when interval is zero).
func NewWorker(svc *Service, interval time.Duration) *Worker {
	return &Worker{svc: svc, interval: interval, pending: map[string]map[pulid.ID]bool{}, wake: make(chan struct{}, 1)}
}

// Install registers the hooks that tell the worker which contacts changed.
func (w *Worker) Install(client *ent.Client) {
	client.Deal.Use(w.after(func(v ent.Value) *pulid.ID {
		if d, ok := v.(*ent.Deal); ok {
			return d.ContactID
		}
		return nil
	}))
	client.Ticket.Use(w.after(func(v ent.Value) *pulid.ID {
		if t, ok := v.(*ent.Ticket); ok {
			return t.ContactID
		}
		return nil
	}))
	client.SurveyResponse.Use(w.after(func(v ent.Value) *pulid.ID {
		if r, ok := v.(*ent.SurveyResponse); ok {
			return r.ContactID
		}
		return nil
	}))
	client.CampaignMember.Use(w.after(func(v ent.Value) *pulid.ID {
		if m, ok := v.(*ent.CampaignMember); ok {
			return &m.ContactID
		}
		return nil
	}))
}

// after is a hook that notes the contact of a created or updated record.
func (w *Worker) after(contactOf func(ent.Value) *pulid.ID) ent.Hook {
	return hook.On(func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			v, err := next.Mutate(ctx, m)
			if err == nil {
				if org, ok := tenant.OrganizationID(ctx); ok {
					if id := contactOf(v); id != nil {
						w.Notify(org, *id)
					}
				}
			}
			return v, err
		})
	}, ent.OpCreate|ent.OpUpdateOne)
}

// Notify queues a contact for revaluation.
func (w *Worker) Notify(org string, contact pulid.ID) {
	w.mu.Lock()
	if w.pending[org] == nil {
		w.pending[org] = map[pulid.ID]bool{}
	}
	w.pending[org][contact] = true
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// debounce is how long the worker waits for more changes before it
// revalues, so a burst of edits costs one revaluation per contact.
const debounce = 2 * time.Second

// Run works until ctx is done.
func (w *Worker) Run(ctx context.Context) {
	var tick <-chan time.Time
	if w.interval > 0 {
		t := time.NewTicker(w.interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
			select {
			case <-ctx.Done():
				return
			case <-time.After(debounce):
			}
			w.drain(ctx)
		case <-tick:
			w.refitAll(ctx)
		}
	}
}

// drain revalues the queued contacts.
func (w *Worker) drain(ctx context.Context) {
	w.mu.Lock()
	pending := w.pending
	w.pending = map[string]map[pulid.ID]bool{}
	w.mu.Unlock()
	for org, contacts := range pending {
		octx := tenant.WithOrganization(ctx, org)
		for id := range contacts {
			if err := w.svc.RefreshContact(octx, id); err != nil {
				slog.Warn("revaluing a contact failed", "contact", id, "err", err)
			}
		}
	}
}

// refitAll refits every organization that has customers.
func (w *Worker) refitAll(ctx context.Context) {
	orgs, err := w.svc.store.Client.Organization.Query().IDs(tenant.WithSystem(ctx))
	if err != nil {
		slog.Warn("listing organizations for the scheduled refit failed", "err", err)
		return
	}
	for _, org := range orgs {
		res, err := w.svc.Refresh(tenant.WithOrganization(ctx, org.String()), Options{})
		if err != nil {
			slog.Warn("scheduled refit failed", "organization", org, "err", err)
			continue
		}
		slog.Info("scheduled refit", "organization", org, "contacts", res.Contacts, "took", res.Took)
	}
}
