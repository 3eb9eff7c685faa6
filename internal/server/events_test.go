package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/webhook"
)

const eventsSubscription = `subscription($types: [EventType!]) {
  events(types: $types) { id type subjectType subjectID data }
}`

// receiver is a webhook endpoint that verifies signatures and records what
// it receives; it answers failing statuses first when told to.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	fail     int
	got      []http.Header
	bodies   []string
	verified []error
	arrived  chan struct{}
}

func newReceiver(t *testing.T, fail int) *receiver {
	r := &receiver{fail: fail, arrived: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, req.Header.Clone())
		r.bodies = append(r.bodies, string(body))
		r.verified = append(r.verified, webhook.Verify(r.secret, req.Header, body, time.Minute))
		failing := r.fail > 0
		r.fail--
		r.mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusInternalServerError)
		} else {
			w.WriteHeader(http.StatusNoContent)
		}
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

// wait waits for n requests in all.
func (r *receiver) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		have := len(r.got)
		r.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("the receiver got %d requests; want %d", have, n)
		}
	}
}

// TestADealWonReachesSubscribersAndWebhooks: a deal moved to a won stage
// through the API raises exactly one DEAL_WON event, streamed to a
// subscription and posted, signed, to a webhook endpoint, which gets it
// again with the same webhook-id after failing three times.
func TestADealWonReachesSubscribersAndWebhooks(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		rcv := newReceiver(t, 3)
		var ep struct {
			CreateWebhookEndpoint struct {
				Endpoint struct{ ID string }
				Secret   string
			}
		}
		f.ok(a.jwt, `mutation($url: String!) { createWebhookEndpoint(url: $url, eventTypes: [DEAL_WON], description: "ERP") { endpoint { id } secret } }`,
			map[string]any{"url": rcv.URL + "/hooks"}, &ep)
		rcv.mu.Lock()
		rcv.secret = ep.CreateWebhookEndpoint.Secret
		rcv.mu.Unlock()

		var setup struct {
			CreatePipeline struct{ ID string }
		}
		f.ok(a.jwt, `mutation { createPipeline(input: {name: "Sales"}) { id } }`, nil, &setup)
		stage := func(name string, won bool) string {
			var st struct{ CreateStage struct{ ID string } }
			f.ok(a.jwt, `mutation($p: ID!, $n: String!, $w: Boolean!) { createStage(input: {pipelineID: $p, name: $n, position: 0, probability: 0.5, isWon: $w}) { id } }`,
				map[string]any{"p": setup.CreatePipeline.ID, "n": name, "w": won}, &st)
			return st.CreateStage.ID
		}
		open, won := stage("Proposal", false), stage("Won", true)
		var d struct{ CreateDeal struct{ ID string } }
		f.ok(a.jwt, `mutation($s: ID!) { createDeal(input: {name: "Big one", amount: "1200.00", stageID: $s}) { id } }`, map[string]any{"s": open}, &d)

		sub := f.subscribe(a.token, eventsSubscription, map[string]any{"types": []string{"DEAL_WON"}})
		// The subscription is live once the broker has registered it: give
		// the server a moment to process the subscribe message.
		time.Sleep(200 * time.Millisecond)
		f.ok(a.token, `mutation($id: ID!, $s: ID!) { updateDeal(id: $id, input: {stageID: $s}) { status } }`, map[string]any{"id": d.CreateDeal.ID, "s": won}, nil)

		data, m := sub.next()
		if data == nil {
			t.Fatalf("the subscription got %+v; want the DEAL_WON event", m)
		}
		ev := data["events"].(map[string]any)
		if ev["type"] != "DEAL_WON" || ev["subjectID"] != d.CreateDeal.ID || ev["subjectType"] != "Deal" {
			t.Errorf("the subscription got %v; want DEAL_WON of the deal", ev)
		}

		var log struct {
			Events struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
		f.ok(a.jwt, `query($id: String!) { events(where: {type: DEAL_WON, subjectID: $id}) { totalCount edges { node { id } } } }`, map[string]any{"id": d.CreateDeal.ID}, &log)
		if log.Events.TotalCount != 1 {
			t.Fatalf("the deal raised %d DEAL_WON events; want exactly 1", log.Events.TotalCount)
		}

		rcv.wait(t, 4)
		rcv.mu.Lock()
		got, verified := rcv.got, rcv.verified
		rcv.mu.Unlock()
		for i, h := range got {
			if h.Get("webhook-id") != log.Events.Edges[0].Node.ID {
				t.Errorf("attempt %d carried webhook-id %q; want the event's ID %q", i+1, h.Get("webhook-id"), log.Events.Edges[0].Node.ID)
			}
			if verified[i] != nil {
				t.Errorf("attempt %d: the signature does not verify: %v", i+1, verified[i])
			}
		}
		var deliveries struct {
			WebhookDeliveries struct {
				Nodes []struct {
					Status       string
					Attempts     int
					ResponseCode int
				}
			}
		}
		// The worker records the outcome just after the receiver answers.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			f.ok(a.jwt, `query($e: ID!) { webhookDeliveries(endpointID: $e) { nodes { status attempts responseCode } } }`,
				map[string]any{"e": ep.CreateWebhookEndpoint.Endpoint.ID}, &deliveries)
			if n := deliveries.WebhookDeliveries.Nodes; (len(n) == 1 && n[0].Status != "PENDING") || time.Now().After(deadline) {
				break
			}
		}
		if n := deliveries.WebhookDeliveries.Nodes; len(n) != 1 || n[0].Status != "SUCCEEDED" || n[0].Attempts != 4 || n[0].ResponseCode != 204 {
			t.Errorf("the delivery log shows %+v; want one delivery, SUCCEEDED after 4 attempts with 204", n)
		}
	})
}

// TestSubscribersSeeOnlyTheirOrganization: B's subscription gets nothing of
// A's, and A's token without the deals:read right gets no deal events.
func TestSubscribersSeeOnlyTheirOrganization(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a, b := f.tenant("acme"), f.tenant("globex")
		contactsOnly := f.tenant("initech", "events:read", "contacts:read", "contacts:write")
		subB := f.subscribe(b.token, eventsSubscription, nil)
		subC := f.subscribe(contactsOnly.token, eventsSubscription, nil)
		time.Sleep(200 * time.Millisecond)
		f.ok(a.token, `mutation { createContact(input: {firstName: "A's"}) { id } }`, nil, nil)
		f.ok(a.token, `mutation { createDeal(input: {name: "A's deal"}) { id } }`, nil, nil)
		f.ok(contactsOnly.jwt, `mutation { createDeal(input: {name: "initech's deal"}) { id } }`, nil, nil)
		f.ok(contactsOnly.jwt, `mutation { createContact(input: {firstName: "initech's"}) { id } }`, nil, nil)
		f.ok(b.token, `mutation { createContact(input: {firstName: "B's"}) { id } }`, nil, nil)
		// Each stream's first event must be its own organization's, of a
		// kind it may read: anything else would have come first.
		for _, tt := range []struct {
			name string
			sub  *wsClient
			want string
		}{{"globex", subB, "CONTACT_CREATED"}, {"initech without deals:read", subC, "CONTACT_CREATED"}} {
			data, m := tt.sub.next()
			if data == nil {
				t.Fatalf("%s: got %+v", tt.name, m)
			}
			ev := data["events"].(map[string]any)
			obj, _ := ev["data"].(map[string]any)["object"].(map[string]any)
			if ev["type"] != tt.want || obj == nil || obj["firstName"] == "A's" {
				t.Errorf("%s received %v first; want its own %s", tt.name, ev, tt.want)
			}
		}
		if r := f.do(contactsOnly.token, `{ events { totalCount } }`, nil); r.code() != "" {
			t.Errorf("a token with events:read reading the log: %+v", r.Errors)
		}
		noEvents := f.tenant("umbrella", "contacts:read")
		sub := f.subscribe(noEvents.token, eventsSubscription, nil)
		if _, m := sub.next(); (m.Type != "error" && m.Type != "next") || !strings.Contains(string(m.Payload), "FORBIDDEN") {
			t.Errorf("a token without events:read subscribing got %+v; want a FORBIDDEN error", m)
		}
	})
}

// TestARevokedTokenLosesItsSubscription: revoking the API token closes its
// websocket connection.
func TestARevokedTokenLosesItsSubscription(t *testing.T) {
	defer func(d time.Duration) { server.CredentialRecheck = d }(server.CredentialRecheck)
	server.CredentialRecheck = 100 * time.Millisecond
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		sub := f.subscribe(a.token, eventsSubscription, nil)
		var toks struct{ ApiTokens []struct{ ID string } }
		f.ok(a.jwt, `{ apiTokens { id } }`, nil, &toks)
		f.ok(a.jwt, `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, map[string]any{"id": toks.ApiTokens[0].ID}, nil)
		start := time.Now()
		for {
			m := sub.read()
			if m.Type == "closed" {
				break
			}
			if time.Since(start) > 25*time.Second {
				t.Fatalf("the connection stayed open after revocation; last message %+v", m)
			}
		}
	})
}
