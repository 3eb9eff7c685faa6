package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/headlesscrm/crm/internal/server"
)

// TestRateLimitPerToken gives each API token a burst of 3: the fourth
// request is answered 429 RATE_LIMITED with Retry-After, the RateLimit-*
// headers count down on every response, and another token is unaffected.
func TestRateLimitPerToken(t *testing.T) {
	eachDatabaseWith(t, func(c *server.Config) {
		c.RateLimits = server.RateLimits{PerViewer: 0.5, ViewerBurst: 3, PerIP: 1000, IPBurst: 1000}
	}, func(t *testing.T, f *fixture) {
		a, b := f.tenant("acme"), f.tenant("globex")
		query := func(token string) raw {
			return f.post(token, "application/json", jsonBody(`{ me { role } }`, nil))
		}
		for i := 0; i < 3; i++ {
			r := query(a.token)
			if r.status != http.StatusOK || len(r.body.Errors) > 0 {
				t.Fatalf("request %d within the burst: %d %s", i+1, r.status, truncate(r.text))
			}
			if got, want := r.header.Get("RateLimit-Remaining"), strconv.Itoa(2-i); got != want || r.header.Get("RateLimit-Limit") != "3" {
				t.Errorf("request %d: RateLimit-Limit %q Remaining %q; want 3 and %s", i+1, r.header.Get("RateLimit-Limit"), got, want)
			}
			if reset, err := strconv.Atoi(r.header.Get("RateLimit-Reset")); err != nil || reset < 1 || reset > 6 {
				t.Errorf("request %d: RateLimit-Reset %q; want the seconds until the bucket is full", i+1, r.header.Get("RateLimit-Reset"))
			}
		}
		r := query(a.token)
		if r.status != http.StatusTooManyRequests || r.body.code() != "RATE_LIMITED" {
			t.Fatalf("over the burst: %d %s; want 429 RATE_LIMITED", r.status, truncate(r.text))
		}
		if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
			t.Errorf("Retry-After %q; want 1 or 2 seconds at 0.5 a second", r.header.Get("Retry-After"))
		}
		if r.header.Get("RateLimit-Remaining") != "0" {
			t.Errorf("a refused request has RateLimit-Remaining %q", r.header.Get("RateLimit-Remaining"))
		}
		if !strings.Contains(r.body.Errors[0].Message, "API token") {
			t.Errorf("message %q does not say which limit", r.body.Errors[0].Message)
		}
		if r := query(b.token); r.status != http.StatusOK || len(r.body.Errors) > 0 {
			t.Errorf("another token: %d %s", r.status, truncate(r.text))
		}
		// A session (JWT) of the same organization is another viewer.
		if r := query(a.jwt); r.status != http.StatusOK {
			t.Errorf("the owner's session: %d %s", r.status, truncate(r.text))
		}
	})
}

// TestRateLimitPerAddress limits the client address before authentication:
// requests without a token, or with a bad one, are counted too.
func TestRateLimitPerAddress(t *testing.T) {
	eachDatabaseWith(t, func(c *server.Config) {
		c.RateLimits = server.RateLimits{PerIP: 0.5, IPBurst: 2}
	}, func(t *testing.T, f *fixture) {
		for i, token := range []string{"", "not-a-token"} {
			r := f.post(token, "application/json", jsonBody(`{ __typename }`, nil))
			if r.status != http.StatusOK || r.header.Get("RateLimit-Remaining") != strconv.Itoa(1-i) {
				t.Fatalf("request %d: %d, RateLimit-Remaining %q", i+1, r.status, r.header.Get("RateLimit-Remaining"))
			}
		}
		f.counter.Reset()
		start := time.Now()
		r := f.post("not-a-token-either", "application/json", jsonBody(`{ __typename }`, nil))
		if r.status != http.StatusTooManyRequests || r.body.code() != "RATE_LIMITED" || r.header.Get("Retry-After") == "" || !strings.Contains(r.body.Errors[0].Message, "address") {
			t.Fatalf("third request from the address: %d %v %s", r.status, r.header, truncate(r.text))
		}
		if n := f.counter.Count(); n != 0 {
			t.Errorf("a request refused by address ran %d SQL statements; want none (refused before authentication)", n)
		}
		t.Logf("refused in %s", time.Since(start))
		// Oversized and form bodies are counted as well: limits apply first.
		if r := f.post("", "text/plain", strings.NewReader("{}")); r.status != http.StatusTooManyRequests {
			t.Errorf("a form post over the limit: %d; want 429", r.status)
		}
	})
}

// TestRateLimitDisabled checks the switch tests and benchmarks use.
func TestRateLimitDisabled(t *testing.T) {
	eachDatabaseWith(t, func(c *server.Config) {
		c.RateLimits = server.RateLimits{Disabled: true, PerIP: 0.1, IPBurst: 1}
	}, func(t *testing.T, f *fixture) {
		for i := 0; i < 5; i++ {
			r := f.post("", "application/json", jsonBody(`{ __typename }`, nil))
			if r.status != http.StatusOK || r.header.Get("RateLimit-Limit") != "" {
				t.Fatalf("request %d with limits disabled: %d, RateLimit-Limit %q", i+1, r.status, r.header.Get("RateLimit-Limit"))
			}
		}
	})
}

// TestRateLimitOverWebsocket charges every operation sent over a websocket
// to the viewer, who could otherwise send any number over one connection.
func TestRateLimitOverWebsocket(t *testing.T) {
	eachDatabaseWith(t, func(c *server.Config) {
		c.RateLimits = server.RateLimits{PerViewer: 0.1, ViewerBurst: 2}
	}, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		send := func(v any) {
			if err := wsjson.Write(ctx, c, v); err != nil {
				t.Fatal(err)
			}
		}
		type message struct {
			ID      string          `json:"id"`
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		read := func() message {
			var m message
			if err := wsjson.Read(ctx, c, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + a.token}})
		if m := read(); m.Type != "connection_ack" {
			t.Fatalf("got %s %s; want connection_ack", m.Type, m.Payload)
		}
		codes := []string{}
		for i := 0; i < 4; i++ {
			id := strconv.Itoa(i)
			send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": `{ me { role } }`}})
			for {
				m := read()
				if m.ID != id || m.Type == "complete" {
					continue
				}
				var p struct {
					Errors []gqlError
				}
				if m.Type == "error" {
					_ = json.Unmarshal(m.Payload, &p.Errors)
				} else {
					_ = json.Unmarshal(m.Payload, &p)
				}
				code := "ok"
				if len(p.Errors) > 0 {
					code, _ = p.Errors[0].Extensions["code"].(string)
				}
				codes = append(codes, code)
				break
			}
		}
		if strings.Join(codes, " ") != "ok ok RATE_LIMITED RATE_LIMITED" {
			t.Errorf("four operations over one socket with a burst of 2: %v; want ok ok RATE_LIMITED RATE_LIMITED", codes)
		}
	})
}
