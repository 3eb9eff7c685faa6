package events

import (
	"context"
	"slices"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/webhookendpoint"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/tenant"
)

// bulkSize is how many events, or deliveries, one INSERT writes: about
// ten parameters a row stays far below SQLite's parameter limit.
const bulkSize = 500

// RaiseAll writes many events at once, like Raise for each but with one
// query for the organization's webhook endpoints and multi-row INSERTs (in
// batches) for the events and their pending deliveries, through client —
// within the caller's transaction when client is a transaction's; use one,
// so that the events and their deliveries commit together. The context
// must be scoped to the organization; the other instances are notified
// once.
func (o Outbox) RaiseAll(ctx context.Context, client *ent.Client, es []Event) error {
	if len(es) == 0 {
		return nil
	}
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return tenant.ErrNoTenant
	}
	endpoints, err := client.WebhookEndpoint.Query().
		Where(webhookendpoint.Enabled(true)).
		Select(webhookendpoint.FieldID, webhookendpoint.FieldEventTypes).
		All(ctx)
	if err != nil {
		return err
	}
	// The references written here are the endpoints just read within the
	// organization and the events just created in it: skip the generic
	// per-row check that attached records belong to the tenant.
	trusted := crm.WithTrustedReferences(ctx)
	for batch := range slices.Chunk(es, bulkSize) {
		builders := make([]*ent.EventCreate, len(batch))
		for i, e := range batch {
			b, err := eventCreate(client, e)
			if err != nil {
				return err
			}
			builders[i] = b
		}
		created, err := client.Event.CreateBulk(builders...).Save(trusted)
		if err != nil {
			return err
		}
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
				return err
			}
		}
	}
	return o.notifyOrganization(ctx, client, org)
}

// eventCreate returns the builder of an event's row.
func eventCreate(client *ent.Client, e Event) (*ent.EventCreate, error) {
	kind, actorID := actorOf(e.Actor)
	data, err := plain(e.Data)
	if err != nil {
		return nil, err
	}
	b := client.Event.Create().
		SetType(e.Type).
		SetSubjectType(e.SubjectType).
		SetSubjectID(e.SubjectID.String()).
		SetActorKind(kind).
		SetActorID(actorID).
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
