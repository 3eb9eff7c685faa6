// Command events measures the CRM's events end to end against running
// servers: the fan-out latency of a subscription (a mutation through one
// instance until a websocket subscriber of another instance receives its
// event) and the webhook throughput (mutations until their signed webhooks
// reach a receiver). bench/events.sh starts the servers and runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

func main() {
	one := flag.String("one", "", "GraphQL URL of instance 1 (mutations)")
	two := flag.String("two", "", "GraphQL URL of instance 2 (subscriptions); instance 1 when empty")
	token := flag.String("token", "", "API token with contacts:write, events:read and webhooks:write")
	samples := flag.Int("samples", 200, "mutations timed for the fan-out latency")
	n := flag.Int("n", 2000, "mutations for the webhook throughput")
	conc := flag.Int("c", 8, "concurrent mutations for the webhook throughput")
	flag.Parse()
	if *one == "" || *token == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *two == "" {
		*two = *one
	}
	c := &client{url: *one, token: *token}
	if err := fanOut(c, *two, *samples); err != nil {
		fmt.Fprintln(os.Stderr, "fan-out:", err)
		os.Exit(1)
	}
	if err := throughput(c, *n, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "throughput:", err)
		os.Exit(1)
	}
}

type client struct{ url, token string }

// do posts a GraphQL request and decodes its data into out.
func (c *client) do(query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s", r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

func (c *client) createContact(name string) (string, error) {
	var out struct{ CreateContact struct{ ID string } }
	err := c.do(`mutation($n: String!) { createContact(input: {firstName: $n}) { id } }`, map[string]any{"n": name}, &out)
	return out.CreateContact.ID, err
}

// fanOut subscribes on instance two and times each contact created through
// instance one until its event arrives.
func fanOut(c *client, two string, samples int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(two, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	type msg struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	if err := wsjson.Write(ctx, ws, msg{Type: "connection_init", Payload: raw(map[string]string{"Authorization": "Bearer " + c.token})}); err != nil {
		return err
	}
	var ack msg
	if err := wsjson.Read(ctx, ws, &ack); err != nil || ack.Type != "connection_ack" {
		return fmt.Errorf("connection_init answered %+v, %v", ack, err)
	}
	q := `subscription { events(types: [CONTACT_CREATED]) { subjectID } }`
	if err := wsjson.Write(ctx, ws, msg{ID: "1", Type: "subscribe", Payload: raw(map[string]string{"query": q})}); err != nil {
		return err
	}
	arrived := make(chan string, 16)
	go func() {
		for {
			var m msg
			if err := wsjson.Read(ctx, ws, &m); err != nil {
				close(arrived)
				return
			}
			switch m.Type {
			case "ping":
				_ = wsjson.Write(ctx, ws, msg{Type: "pong"})
			case "next":
				var p struct {
					Data struct{ Events struct{ SubjectID string } }
				}
				_ = json.Unmarshal(m.Payload, &p)
				arrived <- p.Data.Events.SubjectID
			}
		}
	}()
	time.Sleep(500 * time.Millisecond)
	var lat []time.Duration
	for i := range samples {
		start := time.Now()
		id, err := c.createContact(fmt.Sprintf("fan-out %d", i))
		if err != nil {
			return err
		}
		for got := range arrived {
			if got == id {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	fmt.Printf("SUMMARY fanout samples=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f (mutation sent on instance 1 until the subscriber on instance 2 has the event)\n",
		len(lat), ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), ms(lat[len(lat)-1]))
	return nil
}

// throughput registers a webhook receiver and creates n contacts with conc
// concurrent requests, timing until every event's webhook has arrived.
func throughput(c *client, n, conc int) error {
	var seen sync.Map
	var count atomic.Int64
	done := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			if _, dup := seen.LoadOrStore(r.Header.Get("webhook-id"), true); !dup {
				if count.Add(1) == int64(n) {
					close(done)
				}
			}
			w.WriteHeader(http.StatusNoContent)
		}))
	}()
	var ep struct {
		CreateWebhookEndpoint struct{ Endpoint struct{ ID string } }
	}
	err = c.do(`mutation($u: String!) { createWebhookEndpoint(url: $u, eventTypes: [CONTACT_CREATED], description: "bench") { endpoint { id } } }`,
		map[string]any{"u": "http://" + ln.Addr().String() + "/hook"}, &ep)
	if err != nil {
		return fmt.Errorf("creating the endpoint (is the server in --dev mode, which allows localhost?): %w", err)
	}
	defer func() {
		_ = c.do(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { deletedID } }`, map[string]any{"id": ep.CreateWebhookEndpoint.Endpoint.ID}, nil)
	}()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, conc)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, err := c.createContact(fmt.Sprintf("webhook %d", i)); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	mutated := time.Since(start)
	select {
	case err := <-errc:
		return err
	default:
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("only %d of %d webhooks arrived in 5 minutes", count.Load(), n)
	}
	all := time.Since(start)
	fmt.Printf("SUMMARY webhooks events=%d concurrency=%d mutations_per_s=%.0f delivered_per_s=%.0f last_delivery_after_last_mutation_ms=%.0f\n",
		n, conc, float64(n)/mutated.Seconds(), float64(n)/all.Seconds(), ms(all-mutated))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
