package server

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

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
// authenticated and holds the right the field requires, and the read right
// of every kind of record its selection reaches.
func authorize(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if err := checkRootField(ctx, oc.Operation.Operation, fc.Field.Field); err != nil {
		return refuse(ctx, err)
	}
	return next(ctx)
}

// authorizeSubscriptions applies authorize's checks to subscriptions, whose
// root fields gqlgen streams without the root field middleware: the
// operation is refused before it starts.
func authorizeSubscriptions(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Subscription"}) {
		if err := checkRootField(ctx, ast.Subscription, f.Field); err != nil {
			gqlErr := presentError(ctx, err)
			gqlErr.Path = ast.Path{ast.PathName(f.Alias)}
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{gqlErr}})
		}
	}
	return next(ctx)
}

// checkRootField returns why the caller may not run a root field, if so.
func checkRootField(ctx context.Context, op ast.Operation, field *ast.Field) error {
	access := graph.RootFieldAccess(op, field.Name)
	if access.Public {
		return nil
	}
	v, ok := auth.FromContext(ctx)
	if !ok || ctx.Value(authFailureKey{}) != nil {
		return errs.New(errs.Unauthenticated, "authentication required: send Authorization: Bearer <token>")
	}
	if access.Resource != "" && !v.Can(access.Resource, access.Action) {
		return errs.New(errs.Forbidden, "%s needs the %s:%s right", field.Name, access.Resource, access.Action)
	}
	if path, r := forbiddenField(v, field.SelectionSet, field.Alias, map[string]bool{}); path != "" {
		return errs.New(errs.Forbidden, "%s needs the %s:read right", path, r)
	}
	return nil
}

func refuse(ctx context.Context, err error) graphql.Marshaler {
	graphql.AddError(ctx, err)
	return graphql.Null
}

// forbiddenField returns the path of the first field of a selection set
// whose kind of record the caller may not read, and the resource it needs,
// so that rights hold through nested edges too: a token scoped to contacts
// cannot read deals through contact.deals. It walks the document once per
// root field, before anything resolves, instead of checking every field as
// it resolves; each fragment is walked once.
func forbiddenField(v *auth.Viewer, set ast.SelectionSet, path string, walked map[string]bool) (string, string) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			p := path + "." + s.Alias
			if s.Definition != nil {
				if r, ok := graph.FieldResource(s.Definition.Type.Name()); ok && !v.Can(r, auth.ActionRead) {
					return p, r
				}
			}
			if p, r := forbiddenField(v, s.SelectionSet, p, walked); p != "" {
				return p, r
			}
		case *ast.InlineFragment:
			if p, r := forbiddenField(v, s.SelectionSet, path, walked); p != "" {
				return p, r
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || walked[s.Name] {
				continue
			}
			walked[s.Name] = true
			if p, r := forbiddenField(v, s.Definition.SelectionSet, path, walked); p != "" {
				return p, r
			}
		}
	}
	return "", ""
}
