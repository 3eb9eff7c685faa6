// Package graph holds the GraphQL resolvers. They stay thin: parse the
// arguments, call the data layer or an internal package, and let the error
// presenter map errors to codes. Authentication, authorization and limits
// are applied around them by the server (see access.go and internal/server).
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/identity"
)

// Resolver is the root of the resolvers; it holds what they share.
type Resolver struct {
	client   *ent.Client
	identity *identity.Service
}

// NewSchema returns the executable schema over the client.
func NewSchema(client *ent.Client, ids *identity.Service) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: &Resolver{client: client, identity: ids}})
}
