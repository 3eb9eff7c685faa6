package webhook

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/ent/webhookendpoint"
	"github.com/headlesscrm/crm/internal/pulid"
)

// MaxEndpoints is how many endpoints Endpoints lists.
const MaxEndpoints = 100

// Endpoints lists the organization's endpoints, newest first.
func (s *Service) Endpoints(ctx context.Context) ([]*ent.WebhookEndpoint, error) {
	return s.client.WebhookEndpoint.Query().
		Order(webhookendpoint.ByID(sql.OrderDesc())).
		Limit(MaxEndpoints).
		All(ctx)
}

// DeliveryPage is a page of an endpoint's delivery log.
type DeliveryPage struct {
	// Deliveries are the page's deliveries, newest first.
	Deliveries []*ent.WebhookDelivery
	// More reports whether older deliveries follow.
	More bool
}

// Deliveries returns the endpoint's delivery log, newest first: first
// deliveries older than the delivery after (none for the first page), of
// the given status when set. An endpoint of another organization has none.
func (s *Service) Deliveries(ctx context.Context, endpoint pulid.ID, status *webhookdelivery.Status, first int, after pulid.ID) (*DeliveryPage, error) {
	q := s.client.WebhookDelivery.Query().Where(webhookdelivery.EndpointID(endpoint))
	if status != nil {
		q = q.Where(webhookdelivery.StatusEQ(*status))
	}
	if after != "" {
		q = q.Where(webhookdelivery.IDLT(after))
	}
	ds, err := q.Order(webhookdelivery.ByID(sql.OrderDesc())).Limit(first + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	page := &DeliveryPage{Deliveries: ds}
	if len(ds) > first {
		page.Deliveries, page.More = ds[:first], true
	}
	return page, nil
}
