package server

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
)

// RateLimits are the request rates the GraphQL endpoint allows, as token
// buckets held in memory: a bucket holds up to its burst of requests and
// refills at its rate. Every client address has one, charged before the
// request is authenticated; every API token and every signed-in user has
// another, charged after. A request over either is answered 429 with
// RATE_LIMITED and Retry-After; every response carries RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset (IETF draft
// draft-ietf-httpapi-ratelimit-headers) for the tighter of the two.
//
// The zero value means the defaults. The limits are per process: behind a
// load balancer over n instances a client gets up to n times as much.
type RateLimits struct {
	// Disabled turns rate limiting off (tests, benchmarks of the resolvers).
	Disabled bool
	// PerViewer is the sustained rate of one API token or user, in
	// requests per second (default 20); ViewerBurst what it may send at
	// once (default 40).
	PerViewer   float64
	ViewerBurst int
	// PerIP is the sustained rate of one client address (an IPv6 /64), in
	// requests per second (default 50); IPBurst what it may send at once
	// (default 100).
	PerIP   float64
	IPBurst int
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For is believed. Without them the client is the TCP peer
	// (r.RemoteAddr) and X-Forwarded-For is ignored, since anyone can send
	// it.
	TrustedProxies []netip.Prefix
	// Delay is how long a refused request is held before its 429 is sent,
	// at most until a token is available (default 250ms; negative for
	// none). A client that ignores Retry-After and resends at once is thus
	// slowed to a few requests a second a connection, which costs the
	// server a sleeping goroutine rather than the CPU of answering it as
	// fast as it can send.
	Delay time.Duration
	// MaxKeys is how many buckets each limiter keeps (default 100,000).
	// Buckets idle long enough to have refilled are dropped as they are
	// found; over MaxKeys, arbitrary ones are, which only forgives their
	// owners.
	MaxKeys int
}

// The default rate limits.
const (
	DefaultPerViewer   = 20
	DefaultViewerBurst = 40
	DefaultPerIP       = 50
	DefaultIPBurst     = 100
	DefaultMaxKeys     = 100_000
	DefaultDelay       = 250 * time.Millisecond
)

func (c RateLimits) withDefaults() RateLimits {
	if c.PerViewer <= 0 {
		c.PerViewer = DefaultPerViewer
	}
	if c.ViewerBurst <= 0 {
		c.ViewerBurst = max(DefaultViewerBurst, int(math.Ceil(c.PerViewer)))
	}
	if c.PerIP <= 0 {
		c.PerIP = DefaultPerIP
	}
	if c.IPBurst <= 0 {
		c.IPBurst = max(DefaultIPBurst, int(math.Ceil(c.PerIP)))
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = DefaultMaxKeys
	}
	switch {
	case c.Delay == 0:
		c.Delay = DefaultDelay
	case c.Delay < 0:
		c.Delay = 0
	}
	return c
}

// rateLimiter holds the buckets of one server.
type rateLimiter struct {
	cfg    RateLimits
	ip     *buckets
	viewer *buckets
}

func newRateLimiter(cfg RateLimits) *rateLimiter {
	if cfg.Disabled {
		return &rateLimiter{cfg: cfg}
	}
	cfg = cfg.withDefaults()
	return &rateLimiter{
		cfg:    cfg,
		ip:     newBuckets(cfg.PerIP, cfg.IPBurst, cfg.MaxKeys, time.Now),
		viewer: newBuckets(cfg.PerViewer, cfg.ViewerBurst, cfg.MaxKeys, time.Now),
	}
}

type (
	limitStateKey struct{}
	chargedKey    struct{}
)

// limitState is the tightest decision taken for a request so far, whose
// figures the response headers carry.
type limitState struct{ d decision }

// perIP charges the client address's bucket, before anything else is done
// for the request.
func (l *rateLimiter) perIP(next http.Handler) http.Handler {
	if l.ip == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := l.ip.take(clientKey(r, l.cfg.TrustedProxies))
		w.Header().Set("Access-Control-Expose-Headers", "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After")
		writeLimitHeaders(w.Header(), d)
		if !d.allowed {
			l.refuse(w, r, d, "this address")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), limitStateKey{}, &limitState{d: d})))
	})
}

// perViewer charges the bucket of the authenticated API token or user. It
// runs after authenticate; requests without a viewer pass (the address's
// bucket has been charged). Operations over a websocket are charged one by
// one by chargeOperation.
func (l *rateLimiter) perViewer(next http.Handler) http.Handler {
	if l.viewer == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		ctx := context.WithValue(r.Context(), chargedKey{}, true)
		if key := viewerKey(ctx); key != "" {
			d := l.viewer.take(key)
			st, _ := ctx.Value(limitStateKey{}).(*limitState)
			if st == nil || d.tighterThan(st.d) {
				writeLimitHeaders(w.Header(), d)
			}
			if !d.allowed {
				l.refuse(w, r, d, "this API token or user")
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// chargeOperation charges the viewer's bucket for an operation that no HTTP
// request paid for: one sent over a websocket.
func (l *rateLimiter) chargeOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if l.viewer == nil || ctx.Value(chargedKey{}) != nil {
		return next(ctx)
	}
	key := viewerKey(ctx)
	if key == "" {
		return next(ctx)
	}
	if d := l.viewer.take(key); !d.allowed {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message:    limitMessage(d, "this API token or user"),
			Extensions: map[string]any{"code": errs.RateLimited, "retryAfter": retrySeconds(d)},
		}}})
	}
	return next(ctx)
}

func viewerKey(ctx context.Context) string {
	v, ok := auth.FromContext(ctx)
	switch {
	case !ok || v == nil:
		return ""
	case v.TokenID != "":
		return "token:" + v.TokenID
	case v.UserID != "":
		return "user:" + v.UserID
	}
	return ""
}

// clientKey is the client's address: the TCP peer, or, when the peer is a
// trusted proxy, the last address of X-Forwarded-For that is not one. IPv6
// clients are keyed by their /64, which one host commonly owns whole.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := ap.Addr().Unmap()
	if isTrusted(addr, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a.Unmap()
			if !isTrusted(addr, trusted) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// writeLimitHeaders sets the RateLimit-* headers of a decision.
func writeLimitHeaders(h http.Header, d decision) {
	h.Set("RateLimit-Limit", strconv.Itoa(d.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(d.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(d.reset.Seconds()))))
}

func retrySeconds(d decision) int { return max(1, int(math.Ceil(d.retryAfter.Seconds()))) }

func limitMessage(d decision, who string) string {
	return fmt.Sprintf("too many requests from %s: at most %d at once and %s a second; retry in %d s",
		who, d.limit, strconv.FormatFloat(d.rate, 'f', -1, 64), retrySeconds(d))
}

// refuse answers 429, after holding the request for the delay.
func (l *rateLimiter) refuse(w http.ResponseWriter, r *http.Request, d decision, who string) {
	if wait := min(l.cfg.Delay, d.retryAfter); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		d.retryAfter -= wait
		d.reset -= wait
	}
	tooManyRequests(w, d, who)
}

// tooManyRequests answers 429 with Retry-After and a RATE_LIMITED error.
func tooManyRequests(w http.ResponseWriter, d decision, who string) {
	h := w.Header()
	writeLimitHeaders(h, d)
	h.Set("Retry-After", strconv.Itoa(retrySeconds(d)))
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message":    limitMessage(d, who),
		"extensions": map[string]any{"code": errs.RateLimited, "retryAfter": retrySeconds(d)},
	}}})
}

// decision is the outcome of taking a token from a bucket.
type decision struct {
	allowed    bool
	limit      int           // the burst
	rate       float64       // tokens a second
	remaining  int           // whole tokens left
	reset      time.Duration // until the bucket is full again
	retryAfter time.Duration // until a token is available, when refused
}

// tighterThan reports whether d leaves the client less room than o.
func (d decision) tighterThan(o decision) bool {
	if d.allowed != o.allowed {
		return !d.allowed
	}
	if d.remaining != o.remaining {
		return d.remaining < o.remaining
	}
	return d.reset > o.reset
}

// buckets are token buckets by key, sharded to keep lock contention low.
type buckets struct {
	rate     float64
	burst    float64
	perShard int
	idle     time.Duration // after which a bucket is full again and may go
	now      func() time.Time
	seed     maphash.Seed
	shards   [bucketShards]bucketShard
}

const bucketShards = 32

type bucketShard struct {
	mu    sync.Mutex
	m     map[string]*bucket
	swept time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBuckets(rate float64, burst, maxKeys int, now func() time.Time) *buckets {
	b := &buckets{
		rate:     rate,
		burst:    float64(burst),
		perShard: max(1, maxKeys/bucketShards),
		idle:     time.Duration(float64(burst) / rate * float64(time.Second)),
		now:      now,
		seed:     maphash.MakeSeed(),
	}
	for i := range b.shards {
		b.shards[i].m = map[string]*bucket{}
	}
	return b
}

// take spends one token of key's bucket if there is one.
func (b *buckets) take(key string) decision {
	s := &b.shards[maphash.String(b.seed, key)%bucketShards]
	now := b.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.swept) >= max(b.idle, time.Second) {
		s.sweep(now, b.idle)
	}
	k, ok := s.m[key]
	if !ok {
		if len(s.m) >= b.perShard {
			s.sweep(now, b.idle)
			for victim := range s.m {
				if len(s.m) < b.perShard {
					break
				}
				delete(s.m, victim)
			}
		}
		k = &bucket{tokens: b.burst, at: now}
		s.m[key] = k
	} else if elapsed := now.Sub(k.at); elapsed > 0 {
		k.tokens = min(b.burst, k.tokens+elapsed.Seconds()*b.rate)
		k.at = now
	}
	d := decision{limit: int(b.burst), rate: b.rate}
	if k.tokens >= 1 {
		k.tokens--
		d.allowed = true
	} else {
		d.retryAfter = time.Duration((1 - k.tokens) / b.rate * float64(time.Second))
	}
	d.remaining = int(k.tokens)
	d.reset = time.Duration((b.burst - k.tokens) / b.rate * float64(time.Second))
	return d
}

// sweep drops the buckets that have refilled: a fresh one is the same.
func (s *bucketShard) sweep(now time.Time, idle time.Duration) {
	s.swept = now
	for key, k := range s.m {
		if now.Sub(k.at) >= idle {
			delete(s.m, key)
		}
	}
}

// size is the number of buckets held.
func (b *buckets) size() int {
	n := 0
	for i := range b.shards {
		s := &b.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}
