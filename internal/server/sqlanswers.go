package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/headlesscrm/crm/graph/sqljson"
)

// answerInSQL answers the root connections the SQL engine can build in one
// statement, after authorize has checked the caller's rights on the whole
// selection; every other root field goes to its resolver.
func answerInSQL(srv *handler.Server, e *sqljson.Engine) {
	srv.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		if m, ok := e.Answer(ctx); ok {
			return m
		}
		return next(ctx)
	})
}
