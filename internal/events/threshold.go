package events

import (
	"context"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/event"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// A contact's spend is the total amount of its WON deals, in the
// organization's currency (amounts are summed as stored, in cents). It
// crosses the organization's spend_threshold at most once per contact:
// SPEND_THRESHOLD_CROSSED is raised when no such event exists yet for the
// contact — at once by the deal win that takes the total from below the
// threshold to it or above (spendThresholdCrossed, through the API), or by
// the scheduled alerts for totals reached otherwise, such as by an import.

// spendThresholdCrossed returns the SPEND_THRESHOLD_CROSSED event of a
// change that made a deal WON, when the organization has a spend threshold,
// the deal's contact's spend (this deal included) reached it while the
// spend without this deal was below it, and the contact has no such event
// yet; nil otherwise. It reads through client, in the change's transaction.
func spendThresholdCrossed(ctx context.Context, client *ent.Client, c *changes.Change) (*Event, error) {
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, nil
	}
	threshold, err := spendThreshold(ctx, client, pulid.ID(org))
	if err != nil || threshold == nil {
		return nil, err
	}
	d, err := dealOf(ctx, client, pulid.ID(org), c)
	if err != nil || d == nil || d.ContactID == nil || d.Status != deal.StatusWON {
		return nil, err
	}
	total, err := contactSpend(ctx, client, pulid.ID(org), *d.ContactID)
	if err != nil {
		return nil, err
	}
	if total < *threshold || total-d.Amount >= *threshold {
		return nil, nil
	}
	seen, err := client.Event.Query().
		Where(event.SubjectID(d.ContactID.String()), event.TypeEQ(eventtype.SpendThresholdCrossed)).
		Exist(ctx)
	if err != nil || seen {
		return nil, err
	}
	return &Event{
		Type:        eventtype.SpendThresholdCrossed,
		SubjectType: "Contact",
		SubjectID:   *d.ContactID,
		Actor:       c.Actor,
		Data:        spendData(total, *threshold, map[string]any{"dealId": d.ID.String()}),
	}, nil
}

// spendData is the payload of SPEND_THRESHOLD_CROSSED: the contact's
// total spend and the threshold as decimal strings, with extra fields.
func spendData(total, threshold money.Amount, extra map[string]any) map[string]any {
	d := map[string]any{"totalSpend": total.String(), "threshold": threshold.String()}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// spendThreshold returns the organization's spend threshold, nil when it
// has none.
func spendThreshold(ctx context.Context, client *ent.Client, org pulid.ID) (*money.Amount, error) {
	o, err := client.Organization.Query().
		Where(organization.ID(org)).
		Select(organization.FieldSpendThreshold).
		Only(ctx)
	if err != nil {
		return nil, err
	}
	return o.SpendThreshold, nil
}

// dealOf returns the deal of a change as it is after the change: the
// changed record when the change carries it, else read from the
// organization (whoever owns it: a member limited to their own records
// still raises the event of the whole contact).
func dealOf(ctx context.Context, client *ent.Client, org pulid.ID, c *changes.Change) (*ent.Deal, error) {
	if d, ok := c.Record.(*ent.Deal); ok && d != nil {
		return d, nil
	}
	d, err := client.Deal.Query().
		Where(deal.ID(c.ID), deal.OrganizationID(org)).
		Only(tenant.WithSystem(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	return d, err
}

// contactSpend returns the total amount of a contact's WON deals, read
// with one aggregate over the (organization_id, contact_id, status, …)
// index, whoever owns the deals.
func contactSpend(ctx context.Context, client *ent.Client, org, contactID pulid.ID) (money.Amount, error) {
	rows, err := client.QueryContext(ctx,
		`SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM deals
		 WHERE organization_id = $1 AND contact_id = $2 AND status = $3`,
		org.String(), contactID.String(), deal.StatusWON.String())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var total int64
	if rows.Next() {
		if err := rows.Scan(&total); err != nil {
			return 0, err
		}
	}
	return money.Amount(total), rows.Err()
}
