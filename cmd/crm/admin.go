package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/tenant"
)

func isNotFound(err error) bool { return ent.IsNotFound(err) }

func migrate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var c config
	c.flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("The %s schema is up to date.\n", s.Dialect)
	return nil
}

func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "slug of the organization to fill (created as the demo organization when it is \"demo\" and missing)")
	contacts := fs.Int("contacts", 1000, "number of contacts")
	accounts := fs.Int("accounts", 0, "number of accounts (default: a tenth of the contacts)")
	deals := fs.Int("deals", 0, "approximate number of deals (default: about 3.3 per contact)")
	lean := fs.Bool("lean", false, "write only accounts, contacts and deals: no line items, campaign members, survey responses, tickets or activities")
	bulk := fs.Bool("bulk", true, "bulk-load the rows (COPY on PostgreSQL) instead of inserting them through ent")
	seedValue := fs.Int64("seed", 1, "random seed: the same seed gives the same data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *contacts < 1 {
		return fmt.Errorf("--contacts must be at least 1")
	}
	if *accounts < 0 || *deals < 0 {
		return fmt.Errorf("--accounts and --deals must not be negative")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ids, err := c.identity(s)
	if err != nil {
		return err
	}
	start := time.Now()
	opt := demo.Options{Contacts: *contacts, Accounts: *accounts, Deals: *deals, Lean: *lean, Seed: *seedValue}
	if *bulk {
		opt.DB, opt.Dialect = s.DB, s.Dialect
	}
	if *contacts >= 100_000 {
		opt.Progress = func(done, total int) {
			if done%100_000 == 0 || done == total {
				fmt.Fprintf(os.Stderr, "%d/%d contacts (%s)\n", done, total, time.Since(start).Round(time.Second))
			}
		}
	}
	if *slug == "" || *slug == demo.DemoOrganizationSlug {
		if _, err := ids.OrganizationBySlug(ctx, demo.DemoOrganizationSlug); err != nil {
			org, email, password, err := demo.CreateDemoOrganization(crm.WithTrustedReferences(ctx), s.Client, opt)
			if err != nil {
				return err
			}
			fmt.Printf("Created organization %s with %d contacts in %s.\nLogin: %s / %s\n", org.Slug, *contacts, time.Since(start).Round(time.Millisecond), email, password)
			return nil
		}
		*slug = demo.DemoOrganizationSlug
	}
	org, err := ids.OrganizationBySlug(ctx, *slug)
	if err != nil {
		return err
	}
	stats, err := demo.Seed(crm.WithTrustedReferences(tenant.WithOrganization(ctx, org.ID.String())), s.Client, org.ID, opt)
	if err != nil {
		return err
	}
	fmt.Printf("Seeded %s in %s: %+v\n", org.Slug, time.Since(start).Round(time.Millisecond), *stats)
	return nil
}

func orgCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("org create", flag.ContinueOnError)
	var c config
	c.flags(fs)
	name := fs.String("name", "", "organization name")
	email := fs.String("admin-email", "", "email of the first user, an OWNER")
	password := fs.String("admin-password", "", "password of the first user (10 characters or more)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || *email == "" || *password == "" {
		return fmt.Errorf("org create needs --name, --admin-email and --admin-password")
	}
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ids, err := c.identity(s)
	if err != nil {
		return err
	}
	org, _, err := ids.CreateOrganization(ctx, *name, *email, *password)
	if err != nil {
		return err
	}
	fmt.Println(org.Slug)
	return nil
}

func tokenCreate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	var c config
	c.flags(fs)
	slug := fs.String("org", "", "organization slug")
	name := fs.String("name", "", "what the token is for")
	scopeList := fs.String("scopes", "", "comma-separated scopes, such as contacts:read,deals:write")
	expires := fs.String("expires", "90d", "lifetime, such as 90d or 720h")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || *name == "" || *scopeList == "" {
		return fmt.Errorf("token create needs --org, --name and --scopes")
	}
	scopes, err := auth.ParseScopes(*scopeList)
	if err != nil {
		return err
	}
	ttl, err := parseLifetime(*expires)
	if err != nil {
		return err
	}
	s, ids, org, err := c.openOrg(ctx, *slug)
	if err != nil {
		return err
	}
	defer s.Close()
	exp := time.Now().Add(ttl)
	token, _, err := ids.CreateAPIToken(tenant.WithOrganization(ctx, org.ID.String()), *name, scopes, &exp, "crm token create")
	if err != nil {
		return err
	}
	fmt.Println(token)
	return nil
}

// parseLifetime reads durations such as "90d", "12h" or "30m".
func parseLifetime(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("bad --expires %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad --expires %q: want a duration such as 90d or 720h", s)
	}
	return d, nil
}
