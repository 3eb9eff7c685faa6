package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/txn"
)

// Alerts raises the events that need time to pass rather than a change —
// a VIP customer gone quiet, a spend threshold reached by records that did
// not go through the API — and removes events past their organization's
// retention. Run it on a schedule (Schedule) or on demand (RunOrganization,
// RunAll). Its events have no actor: the CRM raises them.
type Alerts struct {
	// Client is the ent client to read and write through.
	Client *ent.Client
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives the scheduler's errors and skipped runs; nil means
	// slog.Default().
	Logger *slog.Logger

	// run replaces RunAll in the scheduler, for tests.
	run func(context.Context) error
	// skipped is called when the scheduler skips a run, for tests.
	skipped func()
}

// Report is what one run of the alerts did for one organization.
type Report struct {
	// Organization is the organization's ID.
	Organization pulid.ID
	// AtRisk is how many CUSTOMER_AT_RISK events were raised.
	AtRisk int
	// SpendThresholdCrossed is how many SPEND_THRESHOLD_CROSSED events
	// were raised.
	SpendThresholdCrossed int
	// EventsDeleted and DeliveriesDeleted are how many events past the
	// retention period, and webhook deliveries of them, were deleted.
	EventsDeleted     int
	DeliveriesDeleted int
}

func (a *Alerts) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

func (a *Alerts) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

// RunOrganization runs the alerts of one organization as of Now:
//
//   - CUSTOMER_AT_RISK for each VIP contact (value_tier VIP in its row of
//     contact_values) whose last purchase (latest closed_at of its WON
//     deals) is more than the organization's at_risk_after_days ago, once
//     per lapse: not while a CUSTOMER_AT_RISK event of the contact created
//     after that purchase exists, so a new purchase and another lapse
//     raise it again. Data: lastPurchaseAt, daysSincePurchase, valueTier
//     and, when known, predictedClv.
//   - SPEND_THRESHOLD_CROSSED, when the organization has a spend_threshold,
//     for each contact whose WON deals total at least the threshold and
//     that has no such event yet (deal wins through the API raise it at
//     once; this catches imports and threshold changes). Data: totalSpend
//     and threshold, as decimal strings.
//   - deletes the events created more than event_retention_days ago, and
//     their webhook deliveries — except each contact's latest
//     CUSTOMER_AT_RISK and SPEND_THRESHOLD_CROSSED event (their deliveries
//     do go), which the two rules above rely on: without them every
//     retention period would raise the same alerts again.
//
// Each kind is one set-based query; the events of a kind are written in
// one transaction, in batches, and expired rows are deleted in batches of
// a statement each. The work is confined to the organization.
func (a *Alerts) RunOrganization(ctx context.Context, orgID pulid.ID) (Report, error) {
	rep := Report{Organization: orgID}
	d, err := dialectOf(a.Client.Dialect())
	if err != nil {
		return rep, err
	}
	ctx = tenant.WithOrganization(ctx, orgID.String())
	org, err := a.Client.Organization.Get(ctx, orgID)
	if err != nil {
		return rep, fmt.Errorf("events: alerts of organization %s: %w", orgID, err)
	}
	now := a.now()
	if rep.AtRisk, err = a.raiseAtRisk(ctx, d, org, now); err != nil {
		return rep, fmt.Errorf("events: at-risk alerts of %s: %w", org.Slug, err)
	}
	if rep.SpendThresholdCrossed, err = a.raiseSpendCrossed(ctx, org, now); err != nil {
		return rep, fmt.Errorf("events: spend-threshold alerts of %s: %w", org.Slug, err)
	}
	if rep.EventsDeleted, rep.DeliveriesDeleted, err = a.deleteExpired(ctx, d, org, now); err != nil {
		return rep, fmt.Errorf("events: retention of %s: %w", org.Slug, err)
	}
	return rep, nil
}

// RunAll runs the alerts of every organization, in slug order. An
// organization that fails does not stop the others; the errors are joined.
func (a *Alerts) RunAll(ctx context.Context) error {
	ids, err := a.Client.Organization.Query().
		Order(organization.BySlug()).
		IDs(tenant.WithSystem(ctx))
	if err != nil {
		return err
	}
	var all []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(all, err)...)
		}
		if _, err := a.RunOrganization(ctx, id); err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// raiseAtRisk raises CUSTOMER_AT_RISK for the organization's lapsed VIPs.
func (a *Alerts) raiseAtRisk(ctx context.Context, d sqlDialect, org *ent.Organization, now time.Time) (int, error) {
	cutoff := now.AddDate(0, 0, -org.AtRiskAfterDays)
	n := 0
	err := txn.Run(ctx, a.Client, func(ctx context.Context, tx *ent.Client) error {
		lapsed, err := d.lapsedVIPs(ctx, tx, org.ID, cutoff)
		if err != nil {
			return err
		}
		es := make([]Event, len(lapsed))
		for i, l := range lapsed {
			data := map[string]any{
				"lastPurchaseAt":    l.lastPurchase.Format(time.RFC3339),
				"daysSincePurchase": int(now.Sub(l.lastPurchase) / (24 * time.Hour)),
				"valueTier":         string(l.tier),
			}
			if l.predictedCLV > 0 {
				data["predictedClv"] = l.predictedCLV
			}
			es[i] = Event{Type: eventtype.CustomerAtRisk, SubjectType: "Contact", SubjectID: l.id, Data: data, At: now}
		}
		n = len(es)
		return RaiseAll(ctx, tx, es)
	})
	return n, err
}

// raiseSpendCrossed raises SPEND_THRESHOLD_CROSSED for the organization's
// contacts that reached its spend threshold without one.
func (a *Alerts) raiseSpendCrossed(ctx context.Context, org *ent.Organization, now time.Time) (int, error) {
	if org.SpendThreshold == nil {
		return 0, nil
	}
	threshold := *org.SpendThreshold
	n := 0
	err := txn.Run(ctx, a.Client, func(ctx context.Context, tx *ent.Client) error {
		spenders, err := bigSpenders(ctx, tx, org.ID, threshold)
		if err != nil {
			return err
		}
		es := make([]Event, len(spenders))
		for i, s := range spenders {
			es[i] = Event{
				Type:        eventtype.SpendThresholdCrossed,
				SubjectType: "Contact",
				SubjectID:   s.id,
				Data:        spendData(s.total, threshold, nil),
				At:          now,
			}
		}
		n = len(es)
		return RaiseAll(ctx, tx, es)
	})
	return n, err
}

// deleteExpired deletes the organization's webhook deliveries older than
// its retention (a delivery is created with its event's time), endpoint by
// endpoint, then its events older than that but the alerts' latest per
// contact and kind, in batches of a statement each.
func (a *Alerts) deleteExpired(ctx context.Context, d sqlDialect, org *ent.Organization, now time.Time) (events, deliveries int, err error) {
	before := now.AddDate(0, 0, -org.EventRetentionDays)
	endpoints, err := a.Client.WebhookEndpoint.Query().IDs(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, ep := range endpoints {
		n, err := a.deleteAll(ctx, d, expiredDeliveriesSQL, org.ID, before, ep.String())
		deliveries += n
		if err != nil {
			return 0, deliveries, err
		}
	}
	events, err = a.deleteAll(ctx, d, expiredEventsSQL, org.ID, before,
		string(eventtype.CustomerAtRisk), string(eventtype.SpendThresholdCrossed))
	return events, deliveries, err
}

// deleteAll runs a retention statement until a batch deletes fewer rows
// than a full one, and returns how many rows it deleted in all.
func (a *Alerts) deleteAll(ctx context.Context, d sqlDialect, statement string, org pulid.ID, before time.Time, extra ...any) (int, error) {
	total := 0
	for {
		n, err := d.deleteExpired(ctx, a.Client, statement, org, before, extra...)
		total += n
		if err != nil || n < expiredBatch {
			return total, err
		}
	}
}
