package events

import (
	"context"
	"slices"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/ent/webhookendpoint"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/tenant"
)

// bulkSize is how many events, or deliveries, one INSERT writes: about
// ten parameters a row stays far below SQLite's parameter limit.
const bulkSize = 500

// RaiseAll writes events, and a pending delivery of each to every enabled
// webhook endpoint of the organization subscribed to its type, through
// client — within the caller's transaction when client is a transaction's;
// use one, so that the events and their deliveries commit together. It
// reads the endpoints once and writes multi-row INSERTs in batches. The
// context must be scoped to the organization; the local workers are woken
// (once the transaction commits, when the context carries it) and the
// other instances notified, once.
func RaiseAll(ctx context.Context, client *ent.Client, es []Event) error {
	_, err := raise(ctx, client, es)
	return err
}

// raise is RaiseAll, returning the events written.
func raise(ctx context.Context, client *ent.Client, es []Event) ([]*ent.Event, error) {
	if len(es) == 0 {
		return nil, nil
	}
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, tenant.ErrNoTenant
	}
	endpoints, err := client.WebhookEndpoint.Query().
		Where(webhookendpoint.Enabled(true)).
		Select(webhookendpoint.FieldID, webhookendpoint.FieldEventTypes).
		All(ctx)
	if err != nil {
		return nil, err
	}
	// The references written here are the endpoints just read within the
	// organization and the events just created in it: skip the generic
	// per-row check that attached records belong to the tenant.
	trusted := crm.WithTrustedReferences(ctx)
	all := make([]*ent.Event, 0, len(es))
	for batch := range slices.Chunk(es, bulkSize) {
		builders := make([]*ent.EventCreate, len(batch))
		for i, e := range batch {
			b, err := eventCreate(client, e)
			if err != nil {
				return nil, err
			}
			builders[i] = b
		}
		created, err := client.Event.CreateBulk(builders...).Save(trusted)
		if err != nil {
			return nil, err
		}
		all = append(all, created...)
		var deliveries []*ent.WebhookDeliveryCreate
		for _, ev := range created {
			for _, ep := range endpoints {
				if slices.Contains(ep.EventTypes, ev.Type) {
					deliveries = append(deliveries, deliveryCreate(client, ep, ev))
				}
			}
		}
		for b := range slices.Chunk(deliveries, bulkSize) {
			if err := client.WebhookDelivery.CreateBulk(b...).Exec(trusted); err != nil {
				return nil, err
			}
		}
	}
	return all, notifyOrganization(ctx, client, org)
}

// eventCreate returns the builder of an event's row.
func eventCreate(client *ent.Client, e Event) (*ent.EventCreate, error) {
	data, err := changes.Plain(e.Data)
	if err != nil {
		return nil, err
	}
	b := client.Event.Create().
		SetType(e.Type).
		SetSubjectType(e.SubjectType).
		SetSubjectID(e.SubjectID.String()).
		SetActorKind(event.ActorKind(e.Actor.ActorKind())).
		SetActorID(e.Actor.Actor()).
		SetData(data)
	if !e.At.IsZero() {
		b.SetCreatedAt(e.At)
	}
	return b, nil
}

// deliveryCreate returns the builder of an event's pending delivery to an
// endpoint, due at once. It is created with the event's time, so that
// retention removes both together.
func deliveryCreate(client *ent.Client, ep *ent.WebhookEndpoint, ev *ent.Event) *ent.WebhookDeliveryCreate {
	return client.WebhookDelivery.Create().
		SetCreatedAt(ev.CreatedAt).
		SetEndpointID(ep.ID).
		SetEventID(ev.ID).
		SetEventType(ev.Type).
		SetNextAttemptAt(ev.CreatedAt)
}
