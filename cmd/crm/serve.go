package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/organization"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/demo"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/valuation"
)

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c config
	c.flags(fs)
	addr := fs.String("addr", env("CRM_ADDR", "127.0.0.1:8080"), "listen address")
	demoMode := fs.Bool("demo", false, "load the demo organization on first start; GraphiQL and introspection on")
	dev := fs.Bool("dev", false, "development mode: GraphiQL at / and introspection on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tuneGC()
	s, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	ids, err := c.identity(s)
	if err != nil {
		return err
	}
	interval, err := time.ParseDuration(env("CRM_ANALYTICS_INTERVAL", "24h"))
	if err != nil {
		return fmt.Errorf("bad CRM_ANALYTICS_INTERVAL: %w", err)
	}
	values := valuation.New(s)
	worker := valuation.NewWorker(values, interval)
	worker.Install(s.Client)
	if *demoMode {
		if err := loadDemo(ctx, s, ids, values, c.dataDir); err != nil {
			return err
		}
	}
	go worker.Run(ctx)
	if s.Dialect == dialect.Postgres {
		go ids.WatchCredentialChanges(ctx, c.databaseURL, slog.Default())
	}
	ev := startEvents(ctx, s, c.databaseURL, *dev || *demoMode)
	alertsEvery, err := time.ParseDuration(env("CRM_ALERTS_INTERVAL", "1h"))
	if err != nil {
		return fmt.Errorf("bad CRM_ALERTS_INTERVAL: %w", err)
	}
	alerts := &events.Alerts{Client: s.Client}
	go alerts.Schedule(ctx, alertsEvery, s.Dialect, s.DB)
	var origins []string
	for _, o := range strings.Split(os.Getenv("CRM_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	limits, err := rateLimits()
	if err != nil {
		return err
	}
	h := server.New(server.Config{Store: s, Identity: ids, Dev: *dev || *demoMode, CORSOrigins: origins, RateLimits: limits,
		Events: ev.broker, Webhooks: ev.webhooks, WakeDeliveries: ev.worker.Wake})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	slog.Info("serving", "graphql", url+"/graphql", "database", s.Dialect)
	if *dev || *demoMode {
		fmt.Printf("GraphiQL: %s/\n", url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadDemo creates the demo organization on first start and prints how to
// log in to it, and mints a fresh demo API token on every start.
func loadDemo(ctx context.Context, s *store.Store, ids *identity.Service, values *valuation.Service, dataDir string) error {
	sys := tenant.WithSystem(ctx)
	credPath := filepath.Join(dataDir, "demo-login.txt")
	org, err := s.Client.Organization.Query().Where(organization.Slug(demo.DemoOrganizationSlug)).Only(sys)
	switch {
	case err == nil:
	case isNotFound(err):
		fmt.Println("Loading the demo organization (about 1,000 contacts)…")
		start := time.Now()
		var email, password string
		org, email, password, err = demo.CreateDemoOrganization(crm.WithTrustedReferences(ctx), s.Client, demo.Options{Contacts: 1000, Seed: 1})
		if err != nil {
			return fmt.Errorf("loading the demo data: %w", err)
		}
		cred := fmt.Sprintf("email:    %s\npassword: %s\n", email, password)
		if err := os.WriteFile(credPath, []byte(cred), 0o600); err != nil {
			return err
		}
		res, err := values.Refresh(tenant.WithOrganization(ctx, org.ID.String()), valuation.Options{})
		if err != nil {
			return fmt.Errorf("valuing the demo customers: %w", err)
		}
		fmt.Printf("Demo data loaded and valued in %s (model %s on %d customers).\n",
			time.Since(start).Round(time.Millisecond), res.Model.Model, res.Model.Customers)
	default:
		return err
	}
	cred, _ := os.ReadFile(credPath)
	octx := tenant.WithOrganization(ctx, org.ID.String())
	scopes, _ := auth.ParseScopes("*:write")
	exp := time.Now().Add(30 * 24 * time.Hour)
	token, _, err := ids.CreateAPIToken(octx, "demo token", scopes, &exp, "crm serve --demo")
	if err != nil {
		return err
	}
	fmt.Printf("\nDemo organization %q (slug %s). Log in with mutation login(email, password):\n%s", org.Name, org.Slug, cred)
	fmt.Printf("Demo API token (all scopes, 30 days; send as Authorization: Bearer …):\n  %s\n\n", token)
	return nil
}
