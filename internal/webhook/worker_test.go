package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// verifyTolerance accepts the test clock's timestamps, however advanced.
const verifyTolerance = 1000 * time.Hour

// TestDeliveryIsSignedAndRetriedUntilItSucceeds has a receiver fail three
// times then succeed: it gets the same signed event four times.
func TestDeliveryIsSignedAndRetriedUntilItSucceeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n <= 3 {
				http.Error(w, "not today", http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		ep, secret := e.endpoint(rc.URL + "/hook")
		ev, d := e.raise(ep)
		w := e.worker(WorkerOptions{})

		e.pass(w)
		got := e.delivery(d.ID)
		if got.Status != webhookdelivery.StatusPENDING || got.Attempts != 1 || got.ResponseCode == nil || *got.ResponseCode != 500 ||
			got.Error != "HTTP 500: not today" || got.NextAttemptAt == nil || got.LastAttemptAt == nil || got.LatencyMs == nil {
			t.Fatalf("after a failure: %+v", got)
		}
		if want := e.clock.Now().Add(10 * time.Millisecond); !got.NextAttemptAt.Equal(want) {
			t.Errorf("next attempt at %v, want %v", got.NextAttemptAt, want)
		}
		if e.reload(ep).FailingSince == nil {
			t.Error("failing_since not set after a failure")
		}

		e.until(w, time.Second, 10, func() bool { return e.delivery(d.ID).Status != webhookdelivery.StatusPENDING })
		got = e.delivery(d.ID)
		if got.Status != webhookdelivery.StatusSUCCEEDED || got.Attempts != 4 || *got.ResponseCode != 200 || got.Error != "" || got.NextAttemptAt != nil {
			t.Errorf("after the success: %+v", got)
		}
		if e.reload(ep).FailingSince != nil {
			t.Error("failing_since not cleared by a success")
		}
		reqs := rc.requests()
		if len(reqs) != 4 {
			t.Fatalf("receiver got %d requests, want 4", len(reqs))
		}
		for i, r := range reqs {
			if id := r.header.Get("webhook-id"); id != string(ev.ID) {
				t.Errorf("request %d: webhook-id %q, want the event ID %q", i+1, id, ev.ID)
			}
			if err := Verify(secret, r.header, r.body, verifyTolerance); err != nil {
				t.Errorf("request %d: %v", i+1, err)
			}
			if ct, ua := r.header.Get("Content-Type"), r.header.Get("User-Agent"); ct != "application/json" || ua != UserAgent {
				t.Errorf("request %d: content-type %q, user-agent %q", i+1, ct, ua)
			}
		}
		var p struct {
			Type      string         `json:"type"`
			Timestamp time.Time      `json:"timestamp"`
			Data      map[string]any `json:"data"`
		}
		if err := json.Unmarshal(reqs[0].body, &p); err != nil {
			t.Fatal(err)
		}
		obj, _ := p.Data["object"].(map[string]any)
		stored := s.Client.Event.GetX(e.ctx, ev.ID) // PostgreSQL keeps microseconds
		if p.Type != "deal.won" || !p.Timestamp.Equal(stored.CreatedAt) || p.Data["eventId"] != string(ev.ID) ||
			p.Data["eventType"] != "DEAL_WON" || p.Data["subjectType"] != "Deal" || p.Data["subjectId"] != "deal_01JX" ||
			p.Data["actorKind"] != "USER" || p.Data["actorId"] != "usr_01JX" || obj["amount"] != "1200.00" {
			t.Errorf("payload %s", reqs[0].body)
		}
	})
}

// TestRetriesRunOutThenRedeliver fails a delivery once its schedule is
// used up, and redelivers it by hand: one more attempt each time, same
// webhook-id, attempts counted on.
func TestRetriesRunOutThenRedeliver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var mu sync.Mutex
		code := http.StatusBadGateway
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.WriteHeader(code)
		})
		ep, _ := e.endpoint(rc.URL)
		ev, d := e.raise(ep)
		w := e.worker(WorkerOptions{Schedule: []time.Duration{time.Minute, time.Hour}})
		e.until(w, time.Hour, 10, func() bool { return e.delivery(d.ID).Status != webhookdelivery.StatusPENDING })
		if got := e.delivery(d.ID); got.Status != webhookdelivery.StatusFAILED || got.Attempts != 3 || got.NextAttemptAt != nil {
			t.Fatalf("after the schedule: %s, %d attempts, next %v; want FAILED after 3", got.Status, got.Attempts, got.NextAttemptAt)
		}

		for _, tt := range []struct {
			code     int
			status   webhookdelivery.Status
			attempts int
		}{
			{http.StatusBadGateway, webhookdelivery.StatusFAILED, 4},
			{http.StatusAccepted, webhookdelivery.StatusSUCCEEDED, 5},
			{http.StatusOK, webhookdelivery.StatusSUCCEEDED, 6}, // a success may be sent again
		} {
			mu.Lock()
			code = tt.code
			mu.Unlock()
			rd, err := e.svc.Redeliver(e.ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rd.Status != webhookdelivery.StatusPENDING || rd.Attempts != tt.attempts-1 {
				t.Fatalf("redelivered: %s with %d attempts", rd.Status, rd.Attempts)
			}
			if n := e.pass(w); n != 1 {
				t.Fatalf("a pass after Redeliver claimed %d", n)
			}
			if got := e.delivery(d.ID); got.Status != tt.status || got.Attempts != tt.attempts {
				t.Errorf("redelivery answered %d: %s after %d attempts, want %s after %d", tt.code, got.Status, got.Attempts, tt.status, tt.attempts)
			}
			e.clock.Advance(time.Hour)
			if n := e.pass(w); n != 0 {
				t.Errorf("a redelivery got %d more attempts", n)
			}
		}
		reqs := rc.requests()
		if len(reqs) != 6 {
			t.Errorf("receiver got %d requests, want 6", len(reqs))
		}
		for _, r := range reqs {
			if r.header.Get("webhook-id") != string(ev.ID) {
				t.Errorf("webhook-id %q, want %q", r.header.Get("webhook-id"), ev.ID)
			}
		}
		if _, err := e.svc.Redeliver(e.otherOrg(), d.ID); !ent.IsNotFound(err) {
			t.Errorf("another organization redelivering: %v, want not found", err)
		}
	})
}

// TestAKilledWorkerIsReplaced has a worker claim a delivery mid-retry and
// die: another worker, on the same database, delivers it once the claim
// lapses, and not before.
func TestAKilledWorkerIsReplaced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		ep, _ := e.endpoint(rc.URL)
		ev, d := e.raise(ep)
		w1 := e.worker(WorkerOptions{Lease: time.Minute})
		e.pass(w1) // the first attempt fails
		e.clock.Advance(time.Second)

		// The retry is claimed, then the worker dies before posting it.
		cs, err := w1.claim(e.sys, e.clock.Now())
		if err != nil || len(cs) != 1 {
			t.Fatalf("claim: %d, %v", len(cs), err)
		}
		w2 := e.worker(WorkerOptions{Lease: time.Minute})
		e.clock.Advance(30 * time.Second)
		if n := e.pass(w2); n != 0 {
			t.Fatalf("a claimed delivery was claimed again %v into its lease", 30*time.Second)
		}
		e.clock.Advance(31 * time.Second)
		if n := e.pass(w2); n != 1 {
			t.Fatalf("after the lease lapsed, a pass claimed %d, want 1", n)
		}
		got := e.delivery(d.ID)
		if got.Status != webhookdelivery.StatusSUCCEEDED || got.Attempts != 2 {
			t.Errorf("%s after %d attempts, want SUCCEEDED after 2", got.Status, got.Attempts)
		}
		// The dead worker's claim cannot record over the new outcome.
		if err := w1.record(e.sys, cs[0], result{at: e.clock.Now(), code: 500, err: "HTTP 500"}); err != nil {
			t.Fatal(err)
		}
		if again := e.delivery(d.ID); again.Status != webhookdelivery.StatusSUCCEEDED || again.Attempts != 2 {
			t.Errorf("a lapsed claim recorded over the outcome: %s, %d attempts", again.Status, again.Attempts)
		}
		for _, r := range rc.requests() {
			if r.header.Get("webhook-id") != string(ev.ID) {
				t.Errorf("webhook-id %q, want %q", r.header.Get("webhook-id"), ev.ID)
			}
		}
	})
}

// TestAStoppedWorkerHandsItsDeliveryBack cancels a pass while the
// receiver holds the request: the attempt is not recorded and the
// delivery is due again at once for another worker.
func TestAStoppedWorkerHandsItsDeliveryBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		arrived := make(chan struct{}, 1)
		rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				arrived <- struct{}{}
				<-r.Context().Done()
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		ep, _ := e.endpoint(rc.URL)
		_, d := e.raise(ep)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := e.worker(WorkerOptions{}).DeliverDue(ctx)
			done <- err
		}()
		select {
		case <-arrived:
		case <-time.After(5 * time.Second):
			t.Fatal("the request never arrived")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		got := e.delivery(d.ID)
		if got.Status != webhookdelivery.StatusPENDING || got.Attempts != 0 || got.NextAttemptAt == nil || got.NextAttemptAt.After(e.clock.Now()) {
			t.Fatalf("after a cancelled attempt: %s, %d attempts, next %v (now %v)", got.Status, got.Attempts, got.NextAttemptAt, e.clock.Now())
		}
		if n := e.pass(e.worker(WorkerOptions{})); n != 1 {
			t.Fatalf("another worker claimed %d, want 1", n)
		}
		if got := e.delivery(d.ID); got.Status != webhookdelivery.StatusSUCCEEDED || got.Attempts != 1 {
			t.Errorf("%s after %d attempts, want SUCCEEDED after 1", got.Status, got.Attempts)
		}
	})
}

// TestRetryAfter honours a 429's or 503's Retry-After when it is longer
// than the schedule's delay, up to 24 hours.
func TestRetryAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		tests := []struct {
			name       string
			code       int
			retryAfter func(now time.Time) string
			min, max   time.Duration
		}{
			{"429 seconds", 429, func(time.Time) string { return "120" }, 120 * time.Second, 120 * time.Second},
			{"503 seconds", 503, func(time.Time) string { return "7200" }, 2 * time.Hour, 2 * time.Hour},
			{"503 date", 503, func(now time.Time) string { return now.Add(300 * time.Second).UTC().Format(http.TimeFormat) }, 299 * time.Second, 300 * time.Second},
			{"capped", 429, func(time.Time) string { return "9999999" }, 24 * time.Hour, 24 * time.Hour},
			{"shorter than the schedule", 429, func(time.Time) string { return "1" }, time.Minute, time.Minute},
			{"none", 429, func(time.Time) string { return "" }, time.Minute, time.Minute},
			{"malformed", 503, func(time.Time) string { return "soon" }, time.Minute, time.Minute},
			{"ignored on 500", 500, func(time.Time) string { return "120" }, time.Minute, time.Minute},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
					if v := tt.retryAfter(e.clock.Now()); v != "" {
						w.Header().Set("Retry-After", v)
					}
					w.WriteHeader(tt.code)
				})
				ep, _ := e.endpoint(rc.URL)
				_, d := e.raise(ep)
				now := e.clock.Now()
				e.pass(e.worker(WorkerOptions{Schedule: []time.Duration{time.Minute}}))
				got := e.delivery(d.ID)
				if got.NextAttemptAt == nil {
					t.Fatalf("no next attempt: %+v", got)
				}
				if wait := got.NextAttemptAt.Sub(now); wait < tt.min || wait > tt.max {
					t.Errorf("next attempt in %v, want %v to %v", wait, tt.min, tt.max)
				}
				e.clock.Advance(time.Millisecond) // the next case's events are due after this one's
			})
		}
	})
}

// TestRefusedAddressesAndRedirectsFail records, as failures, a post the
// dialer refuses (the URL resolving to loopback at connection time) and a
// redirect, which is not followed.
func TestRefusedAddressesAndRedirectsFail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		followed := make(chan struct{}, 1)
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/elsewhere" {
				followed <- struct{}{}
				return
			}
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		})
		tests := []struct {
			name      string
			client    ClientOptions
			code      int
			errorPart string
			requests  int
		}{
			{"loopback refused at dial time", ClientOptions{}, 0, "private, loopback or link-local address", 0},
			{"redirect not followed", ClientOptions{AllowLoopback: true}, http.StatusFound, "HTTP 302: redirects are not followed", 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := len(rc.requests())
				ep, _ := e.endpoint(rc.URL + "/hook")
				_, d := e.raise(ep)
				e.pass(e.worker(WorkerOptions{HTTP: NewClient(tt.client)}))
				got := e.delivery(d.ID)
				if got.Status != webhookdelivery.StatusPENDING || got.Attempts != 1 || !strings.Contains(got.Error, tt.errorPart) {
					t.Errorf("%s after %d attempts, error %q; want PENDING after 1, error with %q", got.Status, got.Attempts, got.Error, tt.errorPart)
				}
				if (tt.code == 0) != (got.ResponseCode == nil) || (got.ResponseCode != nil && *got.ResponseCode != tt.code) {
					t.Errorf("response code %v, want %d", got.ResponseCode, tt.code)
				}
				if n := len(rc.requests()) - before; n != tt.requests {
					t.Errorf("receiver got %d requests, want %d", n, tt.requests)
				}
				select {
				case <-followed:
					t.Error("the redirect was followed")
				default:
				}
				e.clock.Advance(time.Millisecond)
				// Keep the next case's pass to its own delivery.
				if err := e.svc.DeleteEndpoint(e.ctx, ep.ID); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestAFailingEndpointIsDisabled disables an endpoint failing for
// DisableAfter, fails its pending deliveries, refuses redelivery until it
// is enabled again, and delivers after.
func TestAFailingEndpointIsDisabled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		var mu sync.Mutex
		code := http.StatusInternalServerError
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.WriteHeader(code)
		})
		ep, _ := e.endpoint(rc.URL)
		_, d1 := e.raise(ep)
		_, d2 := e.raise(ep)
		w := e.worker(WorkerOptions{DisableAfter: time.Hour, Schedule: []time.Duration{time.Minute, time.Minute, time.Minute, time.Minute}})
		start := e.clock.Now()
		e.pass(w)
		if got := e.reload(ep); !got.Enabled || got.FailingSince == nil || !got.FailingSince.Equal(start) {
			t.Fatalf("after the first failures: enabled %v, failing since %v (want %v)", got.Enabled, got.FailingSince, start)
		}
		e.clock.Advance(59 * time.Minute)
		e.pass(w)
		if !e.reload(ep).Enabled {
			t.Fatal("disabled before DisableAfter")
		}
		e.clock.Advance(time.Minute)
		e.pass(w)
		got := e.reload(ep)
		if got.Enabled || !strings.Contains(got.DisabledReason, "failing since "+start.Format(time.RFC3339)) {
			t.Fatalf("after DisableAfter: enabled %v, reason %q", got.Enabled, got.DisabledReason)
		}
		for _, id := range []pulid.ID{d1.ID, d2.ID} {
			d := e.delivery(id)
			if d.Status != webhookdelivery.StatusFAILED || d.Error != "endpoint disabled" || d.NextAttemptAt != nil {
				t.Errorf("delivery %s: %s, %q, next %v; want FAILED by the disabling", d.ID, d.Status, d.Error, d.NextAttemptAt)
			}
		}
		// A delivery pending for a disabled endpoint fails without a request.
		before := len(rc.requests())
		_, d3 := e.raise(ep)
		e.pass(w)
		if d := e.delivery(d3.ID); d.Status != webhookdelivery.StatusFAILED || d.Attempts != 0 || d.Error != "endpoint disabled" {
			t.Errorf("delivery to a disabled endpoint: %s, %d attempts, %q", d.Status, d.Attempts, d.Error)
		}
		if len(rc.requests()) != before {
			t.Error("a disabled endpoint got a request")
		}
		if _, err := e.svc.Redeliver(e.ctx, d1.ID); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("redelivering to a disabled endpoint: %v, want CONFLICT", err)
		}

		enabled := true
		got, err := e.svc.UpdateEndpoint(e.ctx, ep.ID, EndpointUpdate{Enabled: &enabled})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Enabled || got.DisabledReason != "" || got.FailingSince != nil {
			t.Errorf("re-enabled: enabled %v, reason %q, failing since %v", got.Enabled, got.DisabledReason, got.FailingSince)
		}
		mu.Lock()
		code = http.StatusOK
		mu.Unlock()
		if _, err := e.svc.Redeliver(e.ctx, d1.ID); err != nil {
			t.Fatal(err)
		}
		e.pass(w)
		if d := e.delivery(d1.ID); d.Status != webhookdelivery.StatusSUCCEEDED {
			t.Errorf("redelivery after re-enabling: %s, %q", d.Status, d.Error)
		}
	})
}

// TestRotatedSecretsOverlap signs with both secrets during the overlap
// after a rotation, and with the new one alone after it.
func TestRotatedSecretsOverlap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		rc := newReceiver(t, nil)
		ep, old := e.endpoint(rc.URL)
		w := e.worker(WorkerOptions{})
		deliver := func() request {
			t.Helper()
			e.raise(ep)
			if n := e.pass(w); n != 1 {
				t.Fatalf("a pass claimed %d, want 1", n)
			}
			reqs := rc.requests()
			e.clock.Advance(time.Millisecond)
			return reqs[len(reqs)-1]
		}
		if sigs := strings.Fields(deliver().header.Get("webhook-signature")); len(sigs) != 1 {
			t.Errorf("before rotation: %d signatures, want 1", len(sigs))
		}

		rotated, secret, err := e.svc.RotateSecret(e.ctx, ep.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if secret == old || rotated.PreviousSecretExpiresAt == nil || !rotated.PreviousSecretExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
			t.Fatalf("rotation: new secret %v, previous expires %v", secret != old, rotated.PreviousSecretExpiresAt)
		}
		r := deliver()
		sigs := strings.Fields(r.header.Get("webhook-signature"))
		if len(sigs) != 2 {
			t.Fatalf("during the overlap: %d signatures, want 2", len(sigs))
		}
		for i, sec := range []string{secret, old} {
			h := r.header.Clone()
			h.Set("webhook-signature", sigs[i])
			if err := Verify(sec, h, r.body, verifyTolerance); err != nil {
				t.Errorf("signature %d does not verify with its secret: %v", i+1, err)
			}
			if err := Verify(sec, r.header, r.body, verifyTolerance); err != nil {
				t.Errorf("the header does not verify with secret %d: %v", i+1, err)
			}
		}

		e.clock.Advance(time.Hour)
		r = deliver()
		if sigs := strings.Fields(r.header.Get("webhook-signature")); len(sigs) != 1 {
			t.Errorf("after the overlap: %d signatures, want 1", len(sigs))
		}
		if err := Verify(secret, r.header, r.body, verifyTolerance); err != nil {
			t.Errorf("after the overlap, the new secret: %v", err)
		}
		if err := Verify(old, r.header, r.body, verifyTolerance); !errors.Is(err, ErrSignature) {
			t.Errorf("after the overlap, the old secret: %v, want ErrSignature", err)
		}

		// A rotation without overlap retires the previous secret at once.
		now, third, err := e.svc.RotateSecret(e.ctx, ep.ID, -1)
		if err != nil {
			t.Fatal(err)
		}
		if now.PreviousSecret != "" || now.PreviousSecretExpiresAt != nil {
			t.Error("a rotation without overlap kept the previous secret")
		}
		r = deliver()
		if err := Verify(third, r.header, r.body, verifyTolerance); err != nil || len(strings.Fields(r.header.Get("webhook-signature"))) != 1 {
			t.Errorf("after an immediate rotation: %v, header %q", err, r.header.Get("webhook-signature"))
		}
		// The default overlap is a day.
		def, _, err := e.svc.RotateSecret(e.ctx, ep.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if def.PreviousSecretExpiresAt == nil || !def.PreviousSecretExpiresAt.Equal(e.clock.Now().Add(24*time.Hour)) {
			t.Errorf("default overlap: previous expires %v", def.PreviousSecretExpiresAt)
		}
	})
}

// TestWorkersShareTheQueue runs three workers at once over many
// deliveries: each is delivered exactly once.
func TestWorkersShareTheQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		rc := newReceiver(t, nil)
		ep, _ := e.endpoint(rc.URL)
		const n = 24
		for range n {
			e.raise(ep)
		}
		var wg sync.WaitGroup
		for range 3 {
			w := e.worker(WorkerOptions{Batch: 3, Concurrency: 2})
			wg.Go(func() {
				for {
					k, err := w.DeliverDue(context.Background())
					if err != nil {
						t.Error(err)
						return
					}
					if k == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, r := range rc.requests() {
			seen[r.header.Get("webhook-id")]++
		}
		if len(seen) != n {
			t.Errorf("%d events delivered, want %d", len(seen), n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("event %s delivered %d times", id, k)
			}
		}
		left, err := s.Client.WebhookDelivery.Query().Where(webhookdelivery.StatusNEQ(webhookdelivery.StatusSUCCEEDED)).Count(e.ctx)
		if err != nil || left != 0 {
			t.Errorf("%d deliveries not SUCCEEDED (%v)", left, err)
		}
	})
}

// TestRunDeliversAndStops runs the worker loop: a Wake makes it deliver
// without waiting for the poll, and cancelling stops it.
func TestRunDeliversAndStops(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		got := make(chan string, 4)
		rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			got <- r.Header.Get("webhook-id")
			w.WriteHeader(http.StatusOK)
		})
		ep, _ := e.endpoint(rc.URL)
		w := e.worker(WorkerOptions{Poll: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		for i := range 2 {
			ev, _ := e.raise(ep)
			w.Wake()
			select {
			case id := <-got:
				if id != string(ev.ID) {
					t.Errorf("event %d: got %s, want %s", i, id, ev.ID)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("event %d not delivered after Wake", i)
			}
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop")
		}
	})
}
