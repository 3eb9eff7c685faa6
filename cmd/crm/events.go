package main

import (
	"context"
	"log/slog"

	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/webhook"
)

// eventServices are what crm serve runs for events: the broker feeding
// subscriptions, and the webhook endpoints service and delivery worker.
type eventServices struct {
	broker   *events.Broker
	webhooks *webhook.Service
	worker   *webhook.Worker
}

// startEvents starts the event broker and the webhook delivery worker
// until ctx is done. In development mode webhooks may be sent to
// localhost, for testing receivers on one's own machine.
func startEvents(ctx context.Context, s *store.Store, databaseURL string, dev bool) *eventServices {
	opts := webhook.ClientOptions{AllowLoopback: dev}
	es := &eventServices{
		broker:   events.NewBroker(s.Client, events.BrokerConfig{Dialect: s.Dialect, DatabaseURL: databaseURL}),
		webhooks: webhook.NewService(s.Client, opts),
		worker:   webhook.NewWorker(s.Client, s.Dialect, webhook.WorkerOptions{HTTP: webhook.NewClient(opts), Logger: slog.Default()}),
	}
	events.OnRaised(es.worker.Wake)
	go func() { _ = es.broker.Run(ctx) }()
	go func() { _ = es.worker.Run(ctx) }()
	return es
}
