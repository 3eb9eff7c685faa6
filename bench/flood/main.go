// Command flood measures what a flood of oversized GraphQL queries from one
// API token does to the latency of ordinary queries from another.
//
// It sends a nested page of contacts as token A at a steady rate and takes
// the p50 and p99 of its latency, first alone, then while token B sends
// alias, depth, fragment and cost bombs as fast as the server answers from
// several concurrent connections, each bomb varied so that no query cache
// helps. It prints both p99s and their ratio; the target is a loaded p99 at
// most twice the unloaded one.
//
// The flood comes from other loopback addresses than token A (127.0.0.2 and
// up, on systems that route all of 127.0.0.0/8 to the loopback interface),
// as another client would: the server's per-address rate limit then applies
// to the attacker only. With -flood-addrs above 1 the flood is spread over
// that many addresses, so that most of it passes the per-address limit and
// meets the per-token limit and the query limits instead.
//
//	flood -url http://127.0.0.1:8080/graphql -token A -flood-token B
//
// bench/flood.sh starts a demo server and runs it.
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
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is what to measure.
type Config struct {
	URL        string
	Token      string        // the ordinary client
	FloodToken string        // the attacker
	Query      string        // the ordinary client's query
	Rate       float64       // the ordinary client's requests a second
	Duration   time.Duration // of each measurement
	Warmup     int           // requests before measuring
	Workers    int           // concurrent flood connections
	FloodAddrs int           // loopback addresses the flood comes from
}

// NestedQuery is the ordinary client's query: a page of 100 contacts with
// their account and five deals each.
const NestedQuery = `{ contacts(first: 100) { edges { node { id email account { name }
  deals(first: 5) { edges { node { amount status stage { name } } } } } } } }`

// Latencies summarizes one measurement.
type Latencies struct {
	N, Errors int
	P50, P99  time.Duration
	FirstErr  string
}

// FloodStats counts the flood's answers by HTTP status and error code.
type FloodStats struct {
	Requests int64
	Elapsed  time.Duration
	ByAnswer map[string]int64
}

// Result is a whole run.
type Result struct {
	Unloaded, Loaded Latencies
	Flood            FloodStats
	Ratio            float64
}

func main() {
	var c Config
	flag.StringVar(&c.URL, "url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint")
	flag.StringVar(&c.Token, "token", "", "API token of the ordinary client (A)")
	flag.StringVar(&c.FloodToken, "flood-token", "", "API token of the flood (B)")
	flag.Float64Var(&c.Rate, "rate", 10, "requests a second of client A; keep it under the per-token rate limit")
	flag.DurationVar(&c.Duration, "duration", 20*time.Second, "length of each measurement")
	flag.IntVar(&c.Warmup, "warmup", 10, "requests of client A before measuring")
	flag.IntVar(&c.Workers, "workers", 8, "concurrent flood connections")
	flag.IntVar(&c.FloodAddrs, "flood-addrs", 1, "loopback addresses the flood is spread over")
	flag.Parse()
	if c.Token == "" || c.FloodToken == "" {
		fmt.Fprintln(os.Stderr, "flood: -token and -flood-token are required")
		os.Exit(2)
	}
	c.Query = NestedQuery
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := Run(ctx, c, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flood:", err)
		os.Exit(1)
	}
	if res.Ratio > 2 {
		os.Exit(3)
	}
}

// Run measures client A unloaded, then loaded by the flood, and reports to
// out.
func Run(ctx context.Context, c Config, out io.Writer) (Result, error) {
	var res Result
	a := newClient(nil)
	for i := 0; i < c.Warmup; i++ {
		if _, err := a.query(ctx, c.URL, c.Token, c.Query); err != nil {
			return res, fmt.Errorf("warming up: %w", err)
		}
	}
	res.Unloaded = measure(ctx, a, c)
	fmt.Fprintf(out, "unloaded: %s\n", res.Unloaded)
	if res.Unloaded.N == 0 || res.Unloaded.Errors > 0 {
		return res, fmt.Errorf("client A failed without any load: %s", res.Unloaded.FirstErr)
	}

	fctx, cancel := context.WithCancel(ctx)
	stats := make(chan FloodStats, 1)
	go func() { stats <- flood(fctx, c) }()
	time.Sleep(500 * time.Millisecond) // let the flood reach its pace
	res.Loaded = measure(ctx, a, c)
	cancel()
	res.Flood = <-stats
	fmt.Fprintf(out, "loaded:   %s\n", res.Loaded)
	fmt.Fprintf(out, "flood:    %s\n", res.Flood)
	res.Ratio = float64(res.Loaded.P99) / float64(res.Unloaded.P99)
	verdict := "ok"
	if res.Ratio > 2 {
		verdict = "OVER the target"
	}
	fmt.Fprintf(out, "p99 unloaded %s, loaded %s: ratio %.2f (target ≤ 2: %s)\n",
		ms(res.Unloaded.P99), ms(res.Loaded.P99), res.Ratio, verdict)
	return res, nil
}

// measure sends c.Query at c.Rate for c.Duration and summarizes the
// latencies.
func measure(ctx context.Context, a *client, c Config) Latencies {
	var l Latencies
	var lat []time.Duration
	interval := time.Duration(float64(time.Second) / c.Rate)
	next := time.Now()
	end := next.Add(c.Duration)
	for time.Now().Before(end) && ctx.Err() == nil {
		if d := time.Until(next); d > 0 {
			time.Sleep(d)
		}
		next = next.Add(interval)
		start := time.Now()
		_, err := a.query(ctx, c.URL, c.Token, c.Query)
		lat = append(lat, time.Since(start))
		if err != nil {
			l.Errors++
			if l.FirstErr == "" {
				l.FirstErr = err.Error()
			}
		}
	}
	l.N = len(lat)
	l.P50, l.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	return l
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// bodies are the flood's request bodies, made ahead so that the flood
// spends its CPU on sending: variants of every bomb, more of them than the
// server's query cache holds (1,000), sent in turn.
var bodies = func() [][]byte {
	const variants = 300
	out := make([][]byte, 0, variants*len(bombs))
	for v := 0; v < variants; v++ {
		for _, b := range bombs {
			body, _ := json.Marshal(map[string]any{"query": b(v)})
			out = append(out, body)
		}
	}
	return out
}()

// flood sends bombs as token B from c.Workers connections until ctx ends.
func flood(ctx context.Context, c Config) FloodStats {
	var n atomic.Int64
	var mu sync.Mutex
	by := map[string]int64{}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < c.Workers; w++ {
		// Each worker owns one connection per address it uses.
		var clients []*client
		for i := w; i < max(c.FloodAddrs, 1); i += c.Workers {
			clients = append(clients, newClient(loopback(2+i)))
		}
		if len(clients) == 0 {
			clients = append(clients, newClient(loopback(2+w%max(c.FloodAddrs, 1))))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[string]int64{}
			for i := 0; ctx.Err() == nil; i++ {
				body := bodies[int(n.Add(1))%len(bodies)]
				answer, err := clients[i%len(clients)].bomb(ctx, c.URL, c.FloodToken, body)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					answer = "error: " + err.Error()
				}
				local[answer]++
			}
			mu.Lock()
			for k, v := range local {
				by[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	var total int64
	for _, v := range by {
		total += v
	}
	return FloodStats{Requests: total, Elapsed: time.Since(start), ByAnswer: by}
}

// bombs are the flood's queries; each takes a number that makes it unique,
// so that the server's query cache never holds it.
var bombs = []func(n int) string{
	func(n int) string { // 1,000 aliases
		var b strings.Builder
		fmt.Fprintf(&b, "# %d\n{ ", n)
		for i := 0; i < 1000; i++ {
			fmt.Fprintf(&b, "a%d: me { role } ", i)
		}
		b.WriteString("}")
		return b.String()
	},
	func(n int) string { // 40 levels deep
		return fmt.Sprintf("# %d\n{ contacts(first: 1) { edges { node { %sid%s } } } }", n,
			strings.Repeat("referredBy { ", 40), strings.Repeat(" }", 40))
	},
	func(n int) string { // fragments 10 deep, 10 wide: 10^10 fields
		var b strings.Builder
		fmt.Fprintf(&b, "# %d\n{ ", n)
		for j := 0; j < 10; j++ {
			fmt.Fprintf(&b, "...F0_%d ", j)
		}
		b.WriteString("}\n")
		for i := 0; i < 10; i++ {
			for j := 0; j < 10; j++ {
				fmt.Fprintf(&b, "fragment F%d_%d on Query { ", i, j)
				if i == 9 {
					b.WriteString("__typename ")
				}
				for k := 0; i < 9 && k < 10; k++ {
					fmt.Fprintf(&b, "...F%d_%d ", i+1, k)
				}
				b.WriteString("}\n")
			}
		}
		return b.String()
	},
	func(n int) string { // three nested connections of 100
		return fmt.Sprintf("# %d\n{ contacts(first: 100) { edges { node { deals(first: 100) { edges { node { lineItems(first: 100) { totalCount } } } } } } } }", n)
	},
	func(n int) string { // one field 3,000 times
		return fmt.Sprintf("# %d\n{ %s}", n, strings.Repeat("__typename ", 3000))
	},
}

// client is one HTTP connection, optionally from a given local address.
type client struct{ hc *http.Client }

func newClient(local net.Addr) *client {
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: local}
	t := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		IdleConnTimeout:     time.Minute,
	}
	return &client{hc: &http.Client{Transport: t, Timeout: 60 * time.Second}}
}

// loopback returns 127.0.0.i as a local TCP address, or nil where the
// system does not route 127.0.0.0/8 to loopback.
func loopback(i int) net.Addr {
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(i))}
	l, err := net.ListenTCP("tcp", a)
	if err != nil {
		return nil
	}
	_ = l.Close()
	return a
}

// query posts a query and returns its answer: the HTTP status and the code
// of its first error, "200 ok" when it has none. A query of client A that is
// not "200 ok" is an error.
func (c *client) query(ctx context.Context, url, token, query string) (string, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var out struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", fmt.Errorf("status %d, body not JSON: %.200s", res.StatusCode, b)
	}
	answer := fmt.Sprintf("%d ok", res.StatusCode)
	if len(out.Errors) > 0 {
		answer = fmt.Sprintf("%d %s", res.StatusCode, out.Errors[0].Extensions.Code)
	}
	if res.StatusCode != http.StatusOK || len(out.Errors) > 0 {
		msg := ""
		if len(out.Errors) > 0 {
			msg = out.Errors[0].Message
		}
		return answer, &answerError{answer: answer, message: msg}
	}
	return answer, nil
}

// bomb posts a prepared body and returns the HTTP status and the first
// error code of the answer.
func (c *client) bomb(ctx context.Context, url, token string, body []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	code := "ok"
	if _, rest, found := bytes.Cut(b, []byte(`"code":"`)); found {
		if c, _, found := bytes.Cut(rest, []byte(`"`)); found {
			code = string(c)
		}
	}
	return fmt.Sprintf("%d %s", res.StatusCode, code), nil
}

type answerError struct{ answer, message string }

func (e *answerError) Error() string { return e.answer + ": " + e.message }

func (l Latencies) String() string {
	s := fmt.Sprintf("n=%d p50=%s p99=%s errors=%d", l.N, ms(l.P50), ms(l.P99), l.Errors)
	if l.FirstErr != "" {
		s += " (first: " + l.FirstErr + ")"
	}
	return s
}

func (f FloodStats) String() string {
	keys := make([]string, 0, len(f.ByAnswer))
	for k := range f.ByAnswer {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return f.ByAnswer[keys[i]] > f.ByAnswer[keys[j]] })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, f.ByAnswer[k]))
	}
	rate := float64(f.Requests) / f.Elapsed.Seconds()
	return fmt.Sprintf("%d requests in %s (%.0f/s): %s", f.Requests, f.Elapsed.Round(time.Millisecond), rate, strings.Join(parts, ", "))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
