package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/identity"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/server"
	"github.com/headlesscrm/crm/internal/store/storetest"
	"github.com/headlesscrm/crm/internal/tenant"
)

// TestRunAgainstAServer runs a short flood against an in-process server
// with the default limits: client A must see no error, and every bomb must
// be refused as RATE_LIMITED or COMPLEXITY_LIMIT_EXCEEDED.
func TestRunAgainstAServer(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	s := storetest.Open(t, "sqlite3", nil)
	ids, err := identity.New(s.Client, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org, owner, err := ids.CreateOrganization(ctx, "Flood", "owner@flood.example", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	octx := tenant.WithOrganization(ctx, org.ID.String())
	scopes, _ := auth.ParseScopes("*:write")
	tokens := make([]string, 2)
	for i := range tokens {
		tokens[i], _, err = ids.CreateAPIToken(octx, fmt.Sprint("token ", i), scopes, nil, owner.ID.String())
		if err != nil {
			t.Fatal(err)
		}
	}
	c := s.Client
	p := c.Pipeline.Create().SetName("Sales").SaveX(octx)
	stage := c.Stage.Create().SetName("Open").SetPosition(0).SetProbability(0.5).SetPipeline(p).SaveX(octx)
	for i := 0; i < 120; i++ {
		acc := c.Account.Create().SetName(fmt.Sprint("Account ", i)).SaveX(octx)
		ct := c.Contact.Create().SetFirstName("F").SetLastName("L").SetEmail(fmt.Sprintf("p%d@flood.example", i)).SetAccount(acc).SaveX(octx)
		for j := 0; j < 3; j++ {
			c.Deal.Create().SetName("D").SetAmount(money.FromCents(int64(100 * (j + 1)))).SetStage(stage).SetContact(ct).SaveX(octx)
		}
	}
	srv := httptest.NewServer(server.New(server.Config{Store: s, Identity: ids}))
	defer srv.Close()

	var out bytes.Buffer
	res, err := Run(ctx, Config{
		URL: srv.URL + "/graphql", Token: tokens[0], FloodToken: tokens[1], Query: NestedQuery,
		Rate: 10, Duration: 2 * time.Second, Warmup: 3, Workers: 8, FloodAddrs: 1,
	}, &out)
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded.Errors > 0 || res.Loaded.N < 15 {
		t.Errorf("client A under the flood: %s", res.Loaded)
	}
	if res.Flood.Requests == 0 {
		t.Fatal("no flood was sent")
	}
	for answer, n := range res.Flood.ByAnswer {
		if !strings.HasSuffix(answer, "RATE_LIMITED") && !strings.HasSuffix(answer, "COMPLEXITY_LIMIT_EXCEEDED") {
			t.Errorf("%d bombs were answered %q", n, answer)
		}
	}
}
