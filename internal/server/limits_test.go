package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store/storetest"
)

// eachDatabaseWith is eachDatabase with the server configured by set.
func eachDatabaseWith(t *testing.T, set func(*server.Config), fn func(t *testing.T, f *fixture)) {
	for _, d := range storetest.Dialects() {
		t.Run(d, func(t *testing.T) {
			wrap, counter := storetest.CountStatements()
			s := storetest.Open(t, d, wrap)
			ids, err := identity.New(s.Client, []byte("0123456789abcdef0123456789abcdef"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := server.Config{Store: s, Identity: ids}
			set(&cfg)
			srv := httptest.NewServer(server.New(cfg))
			t.Cleanup(srv.Close)
			fn(t, &fixture{t: t, store: s, ids: ids, url: srv.URL + "/graphql", counter: counter})
		})
	}
}

// raw is an HTTP response with its decoded GraphQL body.
type raw struct {
	status int
	header http.Header
	body   response
	text   string
	took   time.Duration
}

// send sends a request and decodes its response, which must be JSON.
func (f *fixture) send(req *http.Request, token string) raw {
	f.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := raw{status: res.StatusCode, header: res.Header, text: string(b), took: time.Since(start)}
	if err := json.Unmarshal(b, &out.body); err != nil {
		f.t.Fatalf("%s %s: status %d, body is not JSON: %q", req.Method, req.URL, res.StatusCode, truncate(out.text))
	}
	return out
}

func (f *fixture) post(token, contentType string, body io.Reader) raw {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.url, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return f.send(req, token)
}

func jsonBody(query string, vars map[string]any) io.Reader {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return bytes.NewReader(b)
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// hideLength hides a reader's length, so the body is sent chunked.
type hideLength struct{ io.Reader }

func TestOversizedBodiesAre413(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		// A 10 MB JSON body: one long string variable.
		big := `{"query":"{ me { role } }","variables":{"pad":"` + strings.Repeat("x", 10<<20) + `"}}`
		for _, tc := range []struct {
			name string
			body io.Reader
		}{
			{"with Content-Length", strings.NewReader(big)},
			{"chunked", hideLength{strings.NewReader(big)}},
		} {
			r := f.post(a.token, "application/json", tc.body)
			if r.status != http.StatusRequestEntityTooLarge || r.body.code() != "BAD_USER_INPUT" || !strings.Contains(r.body.Errors[0].Message, "1048576") {
				t.Errorf("%s: a 10 MB body got %d %s; want 413 BAD_USER_INPUT naming the limit", tc.name, r.status, truncate(r.text))
			}
			if r.took > time.Second {
				t.Errorf("%s: refusing a 10 MB body took %s", tc.name, r.took)
			}
		}
		// Just under the limit still passes.
		ok := `{"query":"{ me { role } }","variables":{},"pad":"` + strings.Repeat("x", server.MaxBodyBytes-100) + `"}`
		if r := f.post(a.token, "application/json", strings.NewReader(ok)); r.status != http.StatusOK || len(r.body.Errors) > 0 {
			t.Errorf("a body just under the limit got %d %s", r.status, truncate(r.text))
		}
	})
}

// TestCrossSiteRequestsCannotMutate checks the CSRF guard: the bodies an
// HTML form or a no-preflight fetch can send are refused whatever they
// hold, and GET never runs a mutation.
func TestCrossSiteRequestsCannotMutate(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := f.tenant("acme")
		mutation := `mutation { createContact(input: {email: "csrf@acme.example"}) { id } }`
		form := url.Values{"query": {mutation}}.Encode()
		var multi bytes.Buffer
		multi.WriteString("--XYZ\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n")
		json.NewEncoder(&multi).Encode(map[string]string{"query": mutation})
		multi.WriteString("\r\n--XYZ--\r\n")
		js, _ := json.Marshal(map[string]string{"query": mutation})
		for _, tc := range []struct {
			name, contentType string
			body              string
		}{
			{"form", "application/x-www-form-urlencoded", form},
			{"multipart", "multipart/form-data; boundary=XYZ", multi.String()},
			{"text/plain holding JSON", "text/plain;charset=UTF-8", string(js)},
			{"no content type", "", string(js)},
			{"nonsense content type", "application/x-json-ish", string(js)},
		} {
			for _, token := range []string{a.token, ""} {
				r := f.post(token, tc.contentType, strings.NewReader(tc.body))
				if r.status != http.StatusUnsupportedMediaType || r.body.code() != "BAD_USER_INPUT" || !strings.Contains(r.body.Errors[0].Message, "application/json") {
					t.Errorf("%s: got %d %s; want 415 BAD_USER_INPUT asking for application/json", tc.name, r.status, truncate(r.text))
				}
			}
		}
		req, _ := http.NewRequest(http.MethodGet, f.url+"?"+url.Values{"query": {mutation}}.Encode(), nil)
		r := f.send(req, a.token)
		if r.status != http.StatusNotAcceptable || len(r.body.Errors) == 0 || !strings.Contains(r.body.Errors[0].Message, "only allow query") {
			t.Errorf("a mutation over GET got %d %s; want 406", r.status, truncate(r.text))
		}
		if n := f.store.Client.Contact.Query().CountX(a.ctx); n != 0 {
			t.Fatalf("%d contacts were created by refused requests", n)
		}
		// Queries over GET and JSON POSTs still work.
		req, _ = http.NewRequest(http.MethodGet, f.url+"?"+url.Values{"query": {`{ me { role } }`}}.Encode(), nil)
		if r := f.send(req, a.token); r.status != http.StatusOK || len(r.body.Errors) > 0 {
			t.Errorf("a query over GET got %d %s", r.status, truncate(r.text))
		}
		f.ok(a.token, mutation, nil, nil)
		if n := f.store.Client.Contact.Query().CountX(a.ctx); n != 1 {
			t.Errorf("a JSON POST mutation created %d contacts; want 1", n)
		}
	})
}
