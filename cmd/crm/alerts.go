package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/tenant"
)

// runAlerts raises the time-based alerts (customers at risk, spend
// thresholds crossed) and applies event retention, for one organization
// or all of them, and prints what it did.
func runAlerts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("alerts run", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "organization slug")
	all := fs.Bool("all", false, "every organization")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*slug == "") == !*all {
		return fmt.Errorf("usage: crm alerts run --org SLUG | --all")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	q := s.Client.Organization.Query().Order(organization.BySlug())
	if *slug != "" {
		q.Where(organization.Slug(*slug))
	}
	orgs, err := q.All(tenant.WithSystem(ctx))
	if err != nil {
		return err
	}
	if len(orgs) == 0 && *slug != "" {
		return fmt.Errorf("no organization %q", *slug)
	}
	a := &events.Alerts{Client: s.Client}
	var errs []error
	for _, org := range orgs {
		rep, err := a.RunOrganization(ctx, org.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		printAlertsReport(org, rep)
	}
	return errors.Join(errs...)
}

func printAlertsReport(org *ent.Organization, rep events.Report) {
	fmt.Printf("%s: %d customer(s) at risk, %d spend threshold(s) crossed; %d event(s) and %d webhook delivery(ies) past retention deleted.\n",
		org.Slug, rep.AtRisk, rep.SpendThresholdCrossed, rep.EventsDeleted, rep.DeliveriesDeleted)
}
