// Command scale times the API's reads that must stay fast however many
// contacts an organization has: the first and the 200th page of contacts
// sorted by predicted CLV, a page of a segment's members, a node lookup
// and a KPI report. Each is sent -n times over one kept-alive connection
// after one warm-up, and its median and worst latency are printed on one
// line:
//
//	RESULT page1_ms=… page200_ms=… segment_members_ms=… node_ms=… kpi_ms=… count_ms=…
//
// Pages are fetched with the edges' cursors (keyset pagination): the 200th
// page is reached by walking the 199 before it, untimed. The pages ask for
// pageInfo as an SPA would, but not totalCount, which counts the whole
// list; count_ms times that count on its own.
//
//	scale -url http://127.0.0.1:8080/graphql -token crm_…
//
// bench/scale.sh seeds organizations of growing size and runs it on each.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/graphql", "GraphQL endpoint")
	token := flag.String("token", "", "API token (crm_…) with *:read")
	n := flag.Int("n", 20, "timed requests per measurement")
	pages := flag.Int("page", 200, "which page of 50 contacts to time besides the first")
	flag.Parse()
	if *token == "" || *n < 1 || *pages < 2 {
		fmt.Fprintln(os.Stderr, "scale: need -token, -n ≥ 1 and -page ≥ 2")
		os.Exit(2)
	}
	c := &client{url: *url, token: *token, http: &http.Client{Timeout: 2 * time.Minute}}
	if err := run(c, *n, *pages); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// The timed queries.
const (
	pageQuery = `query($after: Cursor) { contacts(first: 50, after: $after, orderBy: {field: PREDICTED_CLV, direction: DESC}) {
		pageInfo { hasNextPage endCursor } edges { cursor node { id email firstName lastName } } } }`
	countQuery    = `{ contacts(first: 1, orderBy: {field: PREDICTED_CLV, direction: DESC}) { totalCount } }`
	segmentsQuery = `{ segments(first: 100) { edges { node { id name size } } } }`
	membersQuery  = `query($id: ID!) { node(id: $id) { ... on Segment { name members(first: 50) { edges { node { id email } } } } } }`
	nodeQuery     = `query($id: ID!) { node(id: $id) { id ... on Contact { email firstName lastName account { name } } } }`
	kpiQuery      = `query($from: Date!, $to: Date!) { analytics(period: {from: $from, to: $to}) {
		revenue purchases activeCustomers newCustomers nps { score } csat { score } retention { rate churnRate }
		acquisition { cac clvToCAC } channels { channel roi } bestChannel contactTime { bestHour bestWeekday }
		sales { winRate averageDealSize salesCycleDays } pipeline { month amount weighted } revenueConcentration { share } } }`
)

func run(c *client, n, pageNo int) error {
	var page struct {
		Contacts struct {
			Edges []struct {
				Cursor string              `json:"cursor"`
				Node   struct{ ID string } `json:"node"`
			} `json:"edges"`
		} `json:"contacts"`
	}
	if err := c.do(pageQuery, nil, &page); err != nil {
		return err
	}
	if len(page.Contacts.Edges) == 0 {
		return errors.New("the organization has no contacts")
	}
	contactID := page.Contacts.Edges[0].Node.ID
	// Walk to the page before the timed one.
	after := ""
	for p := 1; p < pageNo; p++ {
		if err := c.do(pageQuery, vars("after", nilIfEmpty(after)), &page); err != nil {
			return err
		}
		edges := page.Contacts.Edges
		if len(edges) < 50 {
			return fmt.Errorf("only %d pages of 50 contacts", p)
		}
		after = edges[len(edges)-1].Cursor
	}
	var segs struct {
		Segments struct {
			Edges []struct {
				Node struct {
					ID, Name string
					Size     int
				} `json:"node"`
			} `json:"edges"`
		} `json:"segments"`
	}
	if err := c.do(segmentsQuery, nil, &segs); err != nil {
		return err
	}
	segID, segName, segSize := "", "", -1
	for _, e := range segs.Segments.Edges {
		if e.Node.Size > segSize {
			segID, segName, segSize = e.Node.ID, e.Node.Name, e.Node.Size
		}
	}
	if segID == "" {
		return errors.New("the organization has no segments")
	}
	to := time.Now().UTC()
	from := to.AddDate(0, -3, 0)
	period := map[string]any{"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly)}

	measures := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"page1", pageQuery, nil},
		{fmt.Sprintf("page%d", pageNo), pageQuery, vars("after", after)},
		{"segment_members", membersQuery, vars("id", segID)},
		{"node", nodeQuery, vars("id", contactID)},
		{"kpi", kpiQuery, period},
		{"count", countQuery, nil},
	}
	var out []string
	for _, m := range measures {
		med, worst, err := c.time(m.query, m.vars, n)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		out = append(out, fmt.Sprintf("%s_ms=%.1f %s_max_ms=%.1f", m.name, ms(med), m.name, ms(worst)))
	}
	fmt.Printf("RESULT %s segment=%q segment_size=%d\n", strings.Join(out, " "), segName, segSize)
	return nil
}

func vars(k string, v any) map[string]any { return map[string]any{k: v} }

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// client posts GraphQL requests with a bearer token.
type client struct {
	url, token string
	http       *http.Client
}

// do sends one request and decodes its data into v; any GraphQL error is
// an error.
func (c *client) do(query string, variables map[string]any, v any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("status %d: %.200s", res.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("status %d: %s", res.StatusCode, r.Errors[0].Message)
	}
	if v != nil {
		return json.Unmarshal(r.Data, v)
	}
	return nil
}

// time sends the request once to warm up, then n times, and returns the
// median and the worst latency.
func (c *client) time(query string, variables map[string]any, n int) (median, worst time.Duration, err error) {
	if err := c.do(query, variables, nil); err != nil {
		return 0, 0, err
	}
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		if err := c.do(query, variables, nil); err != nil {
			return 0, 0, err
		}
		ds[i] = time.Since(start)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[n/2], ds[n-1], nil
}
