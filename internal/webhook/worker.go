package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/predicate"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/ent/webhookendpoint"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// UserAgent is the user-agent header of webhook requests.
const UserAgent = "headless-crm-webhooks/1"

// Defaults of WorkerOptions.
const (
	// DefaultJitter varies retry delays by ±20%.
	DefaultJitter = 0.2
	// DefaultLease is how long a claim lasts.
	DefaultLease = 60 * time.Second
	// DefaultDisableAfter is how long an endpoint may fail before it is
	// disabled.
	DefaultDisableAfter = 5 * 24 * time.Hour
	// DefaultBatch is how many deliveries a pass claims.
	DefaultBatch = 20
	// DefaultConcurrency is how many requests a pass makes at once.
	DefaultConcurrency = 4
	// DefaultPoll is how long Run sleeps when nothing is due.
	DefaultPoll = time.Second
	// MaxRetryAfter caps how long a receiver's Retry-After can postpone
	// the next attempt.
	MaxRetryAfter = 24 * time.Hour
)

// errorSnippet is the most of a response body kept in a delivery's error.
const errorSnippet = 200

// DefaultSchedule returns the default retry schedule: the delays before
// the 2nd, 3rd, … attempt. After the last, a delivery is FAILED.
func DefaultSchedule() []time.Duration {
	return []time.Duration{
		5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 24 * time.Hour,
	}
}

// WorkerOptions configures a Worker. Zero values take the defaults.
type WorkerOptions struct {
	// HTTP posts the requests; NewClient(ClientOptions{}) when nil. Use
	// NewClient: any other client forgoes the SSRF protection.
	HTTP *http.Client
	// Schedule holds the delays before the 2nd, 3rd, … attempt;
	// DefaultSchedule when empty. After its last delay is used, the next
	// failure marks the delivery FAILED.
	Schedule []time.Duration
	// Jitter varies each delay randomly by up to ± this fraction;
	// DefaultJitter when 0, none when negative.
	Jitter float64
	// Lease is how long a claimed delivery stays reserved for the worker
	// that claimed it; if the worker dies, another retries it once the
	// lease lapses. DefaultLease when 0; raised to the HTTP client's
	// timeout plus 10s if shorter, so that a live worker keeps its claim.
	Lease time.Duration
	// DisableAfter is how long an endpoint's deliveries may fail without
	// a single success before the endpoint is disabled;
	// DefaultDisableAfter when 0.
	DisableAfter time.Duration
	// Batch is how many deliveries one pass claims; DefaultBatch when 0.
	Batch int
	// Concurrency is how many requests a pass makes at once;
	// DefaultConcurrency when 0.
	Concurrency int
	// Poll is how long Run sleeps when nothing is due; DefaultPoll when 0.
	Poll time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives the worker's log; slog.Default() when nil.
	Logger *slog.Logger
}

// Worker posts due webhook deliveries of every organization and records
// their attempts. Any number of workers, in one process or many, may share
// a database: each delivery is claimed by one of them at a time (FOR
// UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serializes claims),
// and delivered at least once.
type Worker struct {
	client  *ent.Client
	dialect string
	o       WorkerOptions
	log     *slog.Logger
	wake    chan struct{}
}

// NewWorker returns a worker over client, whose database is of the dialect
// (dialect.Postgres or dialect.SQLite, as in store.Store.Dialect).
func NewWorker(client *ent.Client, dialectName string, opts WorkerOptions) *Worker {
	if opts.HTTP == nil {
		opts.HTTP = NewClient(ClientOptions{})
	}
	if len(opts.Schedule) == 0 {
		opts.Schedule = DefaultSchedule()
	}
	switch {
	case opts.Jitter == 0:
		opts.Jitter = DefaultJitter
	case opts.Jitter < 0:
		opts.Jitter = 0
	case opts.Jitter > 1:
		opts.Jitter = 1
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if t := opts.HTTP.Timeout; t > 0 && opts.Lease < t+10*time.Second {
		opts.Lease = t + 10*time.Second
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = DefaultDisableAfter
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultBatch
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Worker{
		client:  client,
		dialect: dialectName,
		o:       opts,
		log:     log.With("component", "webhook"),
		wake:    make(chan struct{}, 1),
	}
}

// Wake makes a Run sleeping between passes start the next pass at once:
// call it after queuing deliveries (an event raised, a redelivery). It
// never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is cancelled, then returns nil: it runs a pass,
// and another right away if that one found work, or sleeps for the poll
// interval (or until Wake) when it found none or failed.
func (w *Worker) Run(ctx context.Context) error {
	for {
		n, err := w.DeliverDue(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			w.log.Error("webhook delivery pass failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		t := time.NewTimer(w.o.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-w.wake:
			t.Stop()
			// Wake-ups come from inside the transaction that queues the
			// delivery: give it a moment to commit before looking.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wakeDelay):
			}
		case <-t.C:
		}
	}
}

// wakeDelay is how long Run waits after a wake-up before its pass.
const wakeDelay = 20 * time.Millisecond

// claimed is a delivery reserved by this worker until lease.
type claimed struct {
	d     *ent.WebhookDelivery
	lease time.Time
}

// DeliverDue runs one pass: it claims up to Batch pending deliveries that
// are due, posts them (up to Concurrency at once) and records the
// outcomes. It returns how many it claimed, and the database errors met
// (a failed request is not an error: it is recorded and retried). If ctx
// is cancelled mid-request, the attempt is not recorded and the delivery
// is handed back for any worker to retry.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	ctx = tenant.WithSystem(ctx)
	cs, err := w.claim(ctx, w.o.Now())
	if err != nil {
		return 0, err
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errl []error
		sem  = make(chan struct{}, w.o.Concurrency)
	)
	for _, c := range cs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := w.attempt(ctx, c); err != nil {
				w.log.Error("webhook delivery not recorded; it will be retried when its claim lapses",
					"delivery", c.d.ID, "err", err)
				mu.Lock()
				errl = append(errl, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(cs), errors.Join(errl...)
}

// stamp returns t as stored: UTC, to the millisecond, so that a time
// written can be matched exactly on every database.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// claim reserves up to Batch due deliveries by moving their
// next_attempt_at to now+Lease, in one transaction.
func (w *Worker) claim(ctx context.Context, now time.Time) ([]claimed, error) {
	tx, err := w.client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhook: claiming deliveries: %w", err)
	}
	q := tx.WebhookDelivery.Query().
		Where(
			webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING),
			webhookdelivery.Or(webhookdelivery.NextAttemptAtIsNil(), webhookdelivery.NextAttemptAtLTE(stamp(now))),
		).
		Order(webhookdelivery.ByNextAttemptAt(), webhookdelivery.ByID()).
		Limit(w.o.Batch)
	if w.dialect == dialect.Postgres {
		q = q.ForUpdate(sql.WithLockAction(sql.SkipLocked))
	}
	ds, err := q.All(ctx)
	if err != nil || len(ds) == 0 {
		_ = tx.Rollback()
		if err != nil {
			return nil, fmt.Errorf("webhook: claiming deliveries: %w", err)
		}
		return nil, nil
	}
	lease := stamp(now.Add(w.o.Lease))
	ids := make([]pulid.ID, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	if err := tx.WebhookDelivery.Update().
		Where(webhookdelivery.IDIn(ids...)).
		SetNextAttemptAt(lease).
		Exec(ctx); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("webhook: claiming deliveries: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("webhook: claiming deliveries: %w", err)
	}
	cs := make([]claimed, len(ds))
	for i, d := range ds {
		cs[i] = claimed{d: d, lease: lease}
	}
	return cs, nil
}

// fenced restricts an update of a claimed delivery to the claim still
// held: still PENDING with the lease this worker set. A worker whose
// lease lapsed and was re-claimed, or a delivery redelivered meanwhile,
// is left to its new owner.
func fenced(c claimed) []predicate.WebhookDelivery {
	return []predicate.WebhookDelivery{
		webhookdelivery.ID(c.d.ID),
		webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING),
		webhookdelivery.NextAttemptAtEQ(c.lease),
	}
}

// result is the outcome of one request.
type result struct {
	at         time.Time     // when it was made
	latency    time.Duration // how long it took
	code       int           // HTTP status; 0 when there was no response
	retryAfter time.Duration // the response's Retry-After; 0 when none
	err        string        // why it failed; "" on success
}

func (r result) ok() bool { return r.err == "" && r.code >= 200 && r.code < 300 }

// attempt posts one claimed delivery and records the outcome.
func (w *Worker) attempt(ctx context.Context, c claimed) error {
	d := c.d
	ep, err := w.client.WebhookEndpoint.Get(ctx, d.EndpointID)
	if ent.IsNotFound(err) {
		return nil // deleted with its deliveries meanwhile
	}
	if err != nil {
		return err
	}
	if !ep.Enabled {
		return w.abandon(ctx, c, "endpoint disabled")
	}
	ev, err := w.client.Event.Get(ctx, d.EventID)
	if ent.IsNotFound(err) {
		return nil // removed with its deliveries by retention
	}
	if err != nil {
		return err
	}
	body, err := Body(ev)
	if err != nil {
		return w.record(ctx, c, result{at: w.o.Now(), err: "cannot encode the event: " + err.Error()})
	}
	res := w.post(ctx, ep, string(ev.ID), body)
	if ctx.Err() != nil {
		w.release(ctx, c)
		return nil
	}
	return w.record(ctx, c, res)
}

// post makes one signed request.
func (w *Worker) post(ctx context.Context, ep *ent.WebhookEndpoint, msgID string, body []byte) result {
	res := result{at: w.o.Now()}
	previous := ""
	if ep.PreviousSecret != "" && ep.PreviousSecretExpiresAt != nil && res.at.Before(*ep.PreviousSecretExpiresAt) {
		previous = ep.PreviousSecret
	}
	sigs, err := signatures(ep.Secret, previous, msgID, res.at, body)
	if err != nil {
		res.err = "cannot sign: " + err.Error()
		return res
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		res.err = "invalid url"
		return res
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, msgID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(res.at.Unix(), 10))
	req.Header.Set(HeaderSignature, sigs)
	start := time.Now()
	resp, err := w.o.HTTP.Do(req)
	if err != nil {
		res.latency = time.Since(start)
		res.err = describe(err)
		return res
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	_ = resp.Body.Close()
	res.latency = time.Since(start)
	res.code = resp.StatusCode
	switch {
	case res.code >= 200 && res.code < 300:
	case res.code >= 300 && res.code < 400:
		res.err = fmt.Sprintf("HTTP %d: redirects are not followed", res.code)
	default:
		res.err = fmt.Sprintf("HTTP %d", res.code)
		if s := clean(snippet); s != "" {
			res.err += ": " + s
		}
		if res.code == http.StatusTooManyRequests || res.code == http.StatusServiceUnavailable {
			res.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), res.at)
		}
	}
	return res
}

// describe turns a request error into a short message for the delivery log.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out"
		}
		err = ue.Err
	}
	return truncate(err.Error(), errorSnippet)
}

// clean returns the start of a response body fit for the delivery log: up
// to errorSnippet bytes of valid UTF-8 on one line.
func clean(b []byte) string {
	s := truncate(strings.ToValidUTF8(string(b), ""), errorSnippet)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP
// date, relative to now; 0 when absent or malformed.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// retryDelay returns how long after a failed attempt, the attempts-th,
// the next is due, or false when the schedule is exhausted.
func (w *Worker) retryDelay(attempts int, res result) (time.Duration, bool) {
	i := attempts - 1
	if i < 0 || i >= len(w.o.Schedule) {
		return 0, false
	}
	delay := w.o.Schedule[i]
	if w.o.Jitter > 0 {
		delay = time.Duration(float64(delay) * (1 + w.o.Jitter*(2*rand.Float64()-1)))
	}
	if ra := min(res.retryAfter, MaxRetryAfter); ra > delay {
		delay = ra
	}
	return delay, true
}

// record stores the outcome of an attempt, and keeps the endpoint's
// failure tracking: a success clears failing_since; a failure sets it if
// unset, and disables the endpoint, failing its pending deliveries, once
// it has been failing for DisableAfter.
func (w *Worker) record(ctx context.Context, c claimed, res result) error {
	tx, err := w.client.Tx(ctx)
	if err != nil {
		return err
	}
	err = w.recordTx(ctx, tx, c, res)
	if err != nil {
		_ = tx.Rollback()
		if ent.IsNotFound(err) {
			return nil // the endpoint was deleted with its deliveries
		}
		return err
	}
	return tx.Commit()
}

func (w *Worker) recordTx(ctx context.Context, tx *ent.Tx, c claimed, res result) error {
	// Lock the endpoint first, so that concurrent attempts to one endpoint
	// take their locks in the same order.
	eq := tx.WebhookEndpoint.Query().Where(webhookendpoint.ID(c.d.EndpointID))
	if w.dialect == dialect.Postgres {
		eq = eq.ForUpdate()
	}
	ep, err := eq.Only(ctx)
	if err != nil {
		return err
	}
	u := tx.WebhookDelivery.Update().Where(fenced(c)...).
		AddAttempts(1).
		SetLastAttemptAt(stamp(res.at)).
		SetLatencyMs(int(res.latency.Milliseconds())).
		SetError(res.err)
	if res.code != 0 {
		u.SetResponseCode(res.code)
	} else {
		u.ClearResponseCode()
	}
	attempts := c.d.Attempts + 1
	delay, retry := w.retryDelay(attempts, res)
	switch {
	case res.ok():
		u.SetStatus(webhookdelivery.StatusSUCCEEDED).ClearNextAttemptAt()
	case retry:
		u.SetNextAttemptAt(stamp(res.at.Add(delay)))
	default:
		u.SetStatus(webhookdelivery.StatusFAILED).ClearNextAttemptAt()
	}
	n, err := u.Save(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		w.log.Warn("webhook delivery claim lost before its attempt was recorded", "delivery", c.d.ID)
		return nil
	}
	log := w.log.With("delivery", c.d.ID, "endpoint", ep.ID, "organization", ep.OrganizationID, "attempt", attempts)
	if res.ok() {
		log.Debug("webhook delivered", "status", res.code, "latency", res.latency)
		if ep.FailingSince != nil {
			return tx.WebhookEndpoint.UpdateOneID(ep.ID).ClearFailingSince().Exec(ctx)
		}
		return nil
	}
	log.Info("webhook delivery failed", "status", res.code, "error", res.err, "retry", retry)
	since := stamp(res.at)
	if ep.FailingSince != nil {
		since = *ep.FailingSince
	} else if err := tx.WebhookEndpoint.UpdateOneID(ep.ID).SetFailingSince(since).Exec(ctx); err != nil {
		return err
	}
	if !ep.Enabled || res.at.Sub(since) < w.o.DisableAfter {
		return nil
	}
	reason := "deliveries failing since " + since.UTC().Format(time.RFC3339)
	if err := tx.WebhookEndpoint.UpdateOneID(ep.ID).SetEnabled(false).SetDisabledReason(reason).Exec(ctx); err != nil {
		return err
	}
	log.Warn("webhook endpoint disabled", "reason", reason)
	return tx.WebhookDelivery.Update().
		Where(webhookdelivery.EndpointID(ep.ID), webhookdelivery.StatusEQ(webhookdelivery.StatusPENDING)).
		SetStatus(webhookdelivery.StatusFAILED).
		ClearNextAttemptAt().
		SetError("endpoint disabled").
		Exec(ctx)
}

// abandon marks a claimed delivery FAILED without an attempt.
func (w *Worker) abandon(ctx context.Context, c claimed, why string) error {
	return w.client.WebhookDelivery.Update().Where(fenced(c)...).
		SetStatus(webhookdelivery.StatusFAILED).
		ClearNextAttemptAt().
		SetError(why).
		Exec(ctx)
}

// release hands a claimed delivery back unattempted, due at once, when
// the worker is stopping; if that fails, its lease lapses instead.
func (w *Worker) release(ctx context.Context, c claimed) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := w.client.WebhookDelivery.Update().Where(fenced(c)...).
		SetNextAttemptAt(stamp(w.o.Now())).
		Exec(ctx); err != nil {
		w.log.Warn("webhook delivery not handed back; it will be retried when its claim lapses", "delivery", c.d.ID, "err", err)
	}
}
