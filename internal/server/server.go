// Package server serves the CRM over HTTP: the GraphQL endpoint with its
// transports (POST, GET for queries, websocket), authentication, limits and
// error codes, GraphiQL in development, and the health endpoints.
package server

import (
	"context"

	"entgo.io/ent/dialect"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/graph"
	"github.com/headlesscrm/crm/graph/sqljson"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/webhook"
)

// Config is what the server serves and how.
type Config struct {
	// Store is the open database.
	Store *store.Store
	// Events streams events to subscriptions; without it subscriptions
	// answer INTERNAL.
	Events *events.Broker
	// Webhooks manages webhook endpoints; WakeDeliveries prompts the
	// delivery workers after a redelivery.
	Webhooks       *webhook.Service
	WakeDeliveries func()
	// Identity authenticates callers.
	Identity *identity.Service
	// Dev turns on GraphiQL at / and schema introspection.
	Dev bool
	// CORSOrigins are the browser origins allowed to call the API.
	CORSOrigins []string
	// RateLimits are the request rates allowed; the zero value means the
	// defaults (ratelimit.go).
	RateLimits RateLimits
	// ResolversOnly answers every field through the resolvers, never in
	// SQL (package graph/sqljson): the reference the SQL path is compared
	// with.
	ResolversOnly bool
	// RequestTimeout is how long an operation (a query or mutation; not a
	// subscription) may run before it is stopped and answered TIMEOUT; zero
	// means RequestTimeout.
	RequestTimeout time.Duration
	// ObserveStatements, if set, is called for each statement the SQL path
	// runs, for tests that count the statements of a request.
	ObserveStatements func()
}

// Limits of a request.
const (
	MaxBodyBytes     = 1 << 20
	RequestTimeout   = 30 * time.Second
	ParserTokenLimit = 15000
)

// New returns the HTTP handler of the whole service.
func New(cfg Config) http.Handler {
	mux := http.NewServeMux()
	gql := newGraphQL(cfg)
	lim := newRateLimiter(cfg.RateLimits)
	gql.AroundOperations(lim.chargeOperation)
	mux.Handle("/graphql", withClientIP(cfg.RateLimits, lim.perIP(limitBody(screenRequest(authenticate(cfg.Identity, lim.perViewer(gql)))))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain")
		if err := cfg.Store.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if cfg.Dev {
		mux.Handle("GET /{$}", playground.Handler("Headless CRM", "/graphql"))
	}
	return cors(cfg.CORSOrigins, mux)
}

// newGraphQL builds the gqlgen server with explicit transports and limits.
func newGraphQL(cfg Config) *handler.Server {
	schema := graph.NewSchema(cfg.Store.Client, cfg.Identity, graph.WithStore(cfg.Store), graph.WithEvents(cfg.Events), graph.WithWebhooks(cfg.Webhooks, cfg.WakeDeliveries))
	srv := handler.New(schema)
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc:              websocketInit(cfg.Identity),
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: originHosts(cfg.CORSOrigins)},
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(post{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(ParserTokenLimit)
	srv.SetValidationRulesFn(validationRules)
	if cfg.Dev {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	srv.AroundOperations(checkPageSizes)
	harden(srv, cfg)
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = RequestTimeout
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		ctx, cancel := context.WithTimeoutCause(ctx, timeout, deadlineError{timeout})
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			cancel()
			return next(graphql.WithOperationContext(context.WithoutCancel(ctx), oc))
		}
		h := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			defer cancel()
			return h(ctx)
		}
	})
	srv.AroundOperations(authorizeSubscriptions)
	srv.AroundRootFields(authorize)
	if cfg.Store.Dialect == dialect.Postgres && !cfg.ResolversOnly {
		answerInSQL(srv, sqljson.New(sqljson.Config{DB: cfg.Store.DB, Schema: schema, Args: graph.ConnectionArgs, Observe: cfg.ObserveStatements}))
	}
	return srv
}

// limitBody caps the size of a request body.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

// cors answers preflight requests and sets CORS headers for allowed origins.
func cors(origins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && originAllowed(origins, origin) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Max-Age", "600")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// originHosts returns the host patterns of the allowed origins, for the
// websocket handshake's origin check.
func originHosts(origins []string) []string {
	hosts := make([]string, 0, len(origins))
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		} else {
			hosts = append(hosts, o)
		}
	}
	return hosts
}

func originAllowed(origins []string, origin string) bool {
	if origin == "" {
		return true
	}
	for _, o := range origins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}
