// Package graph holds the GraphQL resolvers. They stay thin: parse the
// arguments, call the data layer or an internal package, and let the error
// presenter map errors to codes. Authentication, authorization and limits
// are applied around them by the server (see access.go and internal/server).
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/valuation"
	"github.com/headlesscrm/crm/internal/webhook"
)

// Resolver is the root of the resolvers; it holds what they share.
type Resolver struct {
	client   *ent.Client
	identity *identity.Service
	store    *store.Store
	values   *valuation.Service
	models   modelCache
	broker   *events.Broker
	webhooks *webhook.Service
	wake     func()
}

// Option configures the schema.
type Option func(*Resolver)

// WithStore serves the set-based parts of the API (customer value, KPIs,
// segments) from the store.
func WithStore(s *store.Store) Option {
	return func(r *Resolver) { r.store, r.values = s, valuation.New(s) }
}

// WithEvents serves subscriptions from the broker.
func WithEvents(b *events.Broker) Option {
	return func(r *Resolver) { r.broker = b }
}

// WithWebhooks serves webhook endpoints and their delivery logs; wake
// prompts the delivery workers after a redelivery.
func WithWebhooks(s *webhook.Service, wake func()) Option {
	return func(r *Resolver) { r.webhooks, r.wake = s, wake }
}

// NewSchema returns the executable schema over the client.
func NewSchema(client *ent.Client, ids *identity.Service, opts ...Option) graphql.ExecutableSchema {
	r := &Resolver{client: client, identity: ids}
	for _, o := range opts {
		o(r)
	}
	if r.webhooks == nil {
		r.webhooks = webhook.NewService(client, webhook.ClientOptions{})
	}
	return NewExecutableSchema(Config{Resolvers: r})
}
