package webhook

import (
	"context"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
)

// DefaultOverlap is how long a rotated secret's previous value keeps
// signing deliveries when RotateSecret is given no overlap.
const DefaultOverlap = 24 * time.Hour

// maxDescription is the longest endpoint description, in bytes.
const maxDescription = 500

// Service manages an organization's webhook endpoints and redeliveries.
// Every method runs in the caller's tenant context and sees only its
// organization's endpoints; IDs of other organizations' records are not
// found (*ent.NotFoundError).
type Service struct {
	client *ent.Client
	opts   ClientOptions
	now    func() time.Time
}

// NewService returns a Service over client; opts govern which URLs
// CheckURL accepts.
func NewService(client *ent.Client, opts ClientOptions) *Service {
	return &Service{client: client, opts: opts, now: time.Now}
}

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// EndpointInput is a new endpoint.
type EndpointInput struct {
	// URL is where events are posted: http or https, public address.
	URL string
	// EventTypes are the kinds of events posted; at least one.
	EventTypes []eventtype.Type
	// Description is a note for people, up to 500 bytes.
	Description string
}

// EndpointUpdate changes an endpoint; nil fields are left as they are.
type EndpointUpdate struct {
	// URL replaces the URL, checked as on creation.
	URL *string
	// EventTypes replaces the subscribed kinds of events.
	EventTypes *[]eventtype.Type
	// Description replaces the description.
	Description *string
	// Enabled disables the endpoint (pending deliveries then fail when
	// the worker reaches them) or enables it again, which also clears
	// disabled_reason and failing_since.
	Enabled *bool
}

// CreateEndpoint creates an endpoint in the caller's organization and
// returns it with its signing secret, which is shown this once. created_by
// is the calling user or token. Invalid input is BAD_USER_INPUT on the
// field "url", "eventTypes" or "description".
func (s *Service) CreateEndpoint(ctx context.Context, in EndpointInput) (*ent.WebhookEndpoint, string, error) {
	if err := CheckURL(ctx, in.URL, s.opts); err != nil {
		return nil, "", err
	}
	types, err := checkEventTypes(in.EventTypes)
	if err != nil {
		return nil, "", err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	c := s.client.WebhookEndpoint.Create().
		SetURL(in.URL).
		SetEventTypes(types).
		SetDescription(in.Description).
		SetSecret(secret)
	if v, ok := auth.FromContext(ctx); ok {
		c.SetCreatedBy(v.Actor())
	}
	ep, err := c.Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// UpdateEndpoint changes an endpoint of the caller's organization.
func (s *Service) UpdateEndpoint(ctx context.Context, id pulid.ID, in EndpointUpdate) (*ent.WebhookEndpoint, error) {
	ep, err := s.client.WebhookEndpoint.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	u := s.client.WebhookEndpoint.UpdateOne(ep)
	if in.URL != nil {
		if err := CheckURL(ctx, *in.URL, s.opts); err != nil {
			return nil, err
		}
		u.SetURL(*in.URL)
	}
	if in.EventTypes != nil {
		types, err := checkEventTypes(*in.EventTypes)
		if err != nil {
			return nil, err
		}
		u.SetEventTypes(types)
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return nil, err
		}
		u.SetDescription(*in.Description)
	}
	if in.Enabled != nil {
		u.SetEnabled(*in.Enabled)
		if *in.Enabled && !ep.Enabled {
			u.SetDisabledReason("").ClearFailingSince()
		}
	}
	return u.Save(ctx)
}

// DeleteEndpoint deletes an endpoint of the caller's organization with its
// delivery log.
func (s *Service) DeleteEndpoint(ctx context.Context, id pulid.ID) error {
	return s.client.WebhookEndpoint.DeleteOneID(id).Exec(ctx)
}

// RotateSecret gives an endpoint a new secret, returned this once. For
// overlap (DefaultOverlap when 0) deliveries carry signatures under both
// the new and the previous secret, so that the receiver can switch without
// losing any; a negative overlap retires the previous secret at once, for
// a leaked secret.
func (s *Service) RotateSecret(ctx context.Context, id pulid.ID, overlap time.Duration) (*ent.WebhookEndpoint, string, error) {
	ep, err := s.client.WebhookEndpoint.Get(ctx, id)
	if err != nil {
		return nil, "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	u := s.client.WebhookEndpoint.UpdateOne(ep).SetSecret(secret)
	switch {
	case overlap < 0:
		u.ClearPreviousSecret().ClearPreviousSecretExpiresAt()
	default:
		if overlap == 0 {
			overlap = DefaultOverlap
		}
		u.SetPreviousSecret(ep.Secret).SetPreviousSecretExpiresAt(s.now().Add(overlap))
	}
	ep, err = u.Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// Redeliver queues a delivery of the caller's organization to be posted
// again as soon as a worker gets to it, with the same webhook-id, whatever
// its status. Its attempts count is kept: a delivery whose retries had run
// out gets one more attempt, one that had some left resumes the schedule.
// A delivery of a disabled endpoint is refused with CONFLICT: enable the
// endpoint first. Call the Worker's Wake afterwards to post it at once.
func (s *Service) Redeliver(ctx context.Context, deliveryID pulid.ID) (*ent.WebhookDelivery, error) {
	d, err := s.client.WebhookDelivery.Get(ctx, deliveryID)
	if err != nil {
		return nil, err
	}
	ep, err := s.client.WebhookEndpoint.Get(ctx, d.EndpointID)
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, errs.New(errs.Conflict, "the endpoint is disabled; enable it before redelivering")
	}
	return s.client.WebhookDelivery.UpdateOne(d).
		SetStatus(webhookdelivery.StatusPENDING).
		SetNextAttemptAt(s.now()).
		Save(ctx)
}

// checkEventTypes returns the event types deduplicated, in their first
// order, or an error on "eventTypes" if there are none or an unknown one.
func checkEventTypes(in []eventtype.Type) ([]eventtype.Type, error) {
	if len(in) == 0 {
		return nil, errs.Input("eventTypes", "eventTypes must name at least one event type")
	}
	out := make([]eventtype.Type, 0, len(in))
	seen := make(map[eventtype.Type]bool, len(in))
	for _, t := range in {
		if !t.Valid() {
			return nil, errs.Input("eventTypes", "eventTypes: %q is not an event type", string(t))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

func checkDescription(d string) error {
	if len(d) > maxDescription {
		return errs.Input("description", "description must be at most %d bytes", maxDescription)
	}
	return nil
}
