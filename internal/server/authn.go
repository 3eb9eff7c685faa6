package server

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/headlesscrm/crm/graph"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/tenant"
)

type authFailureKey struct{}

// withClientIP records the client's address for the login throttle, by
// the same rule the rate limits use to tell clients apart.
func withClientIP(cfg RateLimits, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := clientKey(r, cfg.TrustedProxies)
		next.ServeHTTP(w, r.WithContext(identity.WithClientIP(r.Context(), ip)))
	})
}

// authenticate resolves the request's bearer token, if any, to a viewer and
// scopes the context to the viewer's organization. A token that does not
// check out is remembered, so that every non-public field answers
// UNAUTHENTICATED.
func authenticate(ids *identity.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := auth.BearerToken(r)
		if !ok {
			if r.Header.Get("Authorization") != "" {
				r = r.WithContext(context.WithValue(r.Context(), authFailureKey{}, true))
			}
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := withViewer(r.Context(), ids, token)
		if err != nil {
			ctx = context.WithValue(r.Context(), authFailureKey{}, true)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func withViewer(ctx context.Context, ids *identity.Service, token string) (context.Context, error) {
	v, err := ids.Authenticate(ctx, token)
	if err != nil {
		return ctx, err
	}
	ctx = auth.NewContext(ctx, v)
	if v.OnlyRecordsOf != "" {
		ctx = tenant.WithOwnRecordsOnly(ctx, v.OnlyRecordsOf)
	}
	return tenant.WithOrganization(ctx, v.OrganizationID), nil
}

// websocketInit authenticates a websocket connection from the
// Authorization (or authToken) entry of its connection_init payload, and
// keeps checking the credential: the connection closes once it expires or
// is revoked (within CredentialRecheck).
func websocketInit(ids *identity.Service) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		token := p.Authorization()
		if token == "" {
			token = p.GetString("authToken")
		}
		if len(token) > 7 && (token[:7] == "Bearer " || token[:7] == "bearer ") {
			token = token[7:]
		}
		if token == "" {
			return ctx, nil, nil
		}
		ctx, err := withViewer(ctx, ids, token)
		if err != nil {
			return ctx, nil, errs.New(errs.Unauthenticated, "invalid or expired token")
		}
		ctx, cancel := context.WithCancel(transport.AppendCloseReason(ctx, "the credential expired or was revoked"))
		go watchCredential(ctx, cancel, ids, token)
		return ctx, nil, nil
	}
}

// CredentialRecheck is how often a websocket connection's credential is
// checked again.
var CredentialRecheck = 10 * time.Second

// watchCredential cancels a connection's context when its credential stops
// authenticating.
func watchCredential(ctx context.Context, cancel context.CancelFunc, ids *identity.Service, token string) {
	defer cancel()
	t := time.NewTicker(CredentialRecheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := ids.Authenticate(ctx, token); err != nil {
				return
			}
		}
	}
}

// authorize checks, before each root field resolves, that the caller is
// authenticated and holds the right the field requires.
func authorize(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	access := graph.RootFieldAccess(oc.Operation.Operation, fc.Field.Name)
	if access.Public {
		return next(ctx)
	}
	v, ok := auth.FromContext(ctx)
	if !ok || ctx.Value(authFailureKey{}) != nil {
		return refuse(ctx, errs.New(errs.Unauthenticated, "authentication required: send Authorization: Bearer <token>"))
	}
	if access.Resource != "" && !v.Can(access.Resource, access.Action) {
		return refuse(ctx, errs.New(errs.Forbidden, "%s needs the %s:%s right", fc.Field.Name, access.Resource, access.Action))
	}
	return next(ctx)
}

func refuse(ctx context.Context, err error) graphql.Marshaler {
	graphql.AddError(ctx, err)
	return graphql.Null
}

// authorizeFields checks, before any field resolves, that the caller may
// read the kind of record the field returns, so that rights hold through
// nested edges too. The field answers null with FORBIDDEN otherwise.
func authorizeFields(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Definition == nil {
		return next(ctx)
	}
	resource, ok := graph.FieldResource(fc.Field.Definition.Type.Name())
	if !ok {
		return next(ctx)
	}
	if v, ok := auth.FromContext(ctx); ok && !v.Can(resource, auth.ActionRead) {
		return nil, errs.New(errs.Forbidden, "%s needs the %s:read right", fc.Field.Name, resource)
	}
	return next(ctx)
}
