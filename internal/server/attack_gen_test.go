package server_test

// Shared machinery of the attack suite (attack_*_test.go): a seeded tenant
// with one record of every type, a generator that builds operations from the
// executable schema, raw requests, leak detection and a checksum of a
// tenant's rows.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/activity"
	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/migrate"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/ent/webhookdelivery"
	"github.com/headlesscrm/crm/graph"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/segment"
)

// atkSecret marks every string of the victim tenant.
const atkSecret = "acme-secret"

// atkTenant is a tenant with one record (or two) of every type.
type atkTenant struct {
	*tenantFixture
	// ids are the tenant's record IDs by GraphQL type.
	ids map[string][]string
	// keys are unique key values of the tenant's records, by GraphQL type
	// and input field (email, domain, externalID, sku).
	keys map[string]map[string]string
}

// allIDs returns every record ID of the tenant, sorted.
func (a *atkTenant) allIDs() []string {
	var out []string
	for _, ids := range a.ids {
		out = append(out, ids...)
	}
	sort.Strings(out)
	return out
}

// atkSeed creates a tenant named name whose every record carries
// the tag in its name, with one or two records of each type.
func atkSeed(t *testing.T, f *fixture, name string, scopes ...string) *atkTenant {
	t.Helper()
	tf := f.tenant(name, scopes...)
	ctx, c, tag := tf.ctx, f.store.Client, tf.org.Slug
	a := &atkTenant{tenantFixture: tf, ids: map[string][]string{}, keys: map[string]map[string]string{}}
	add := func(typ string, id pulid.ID) { a.ids[typ] = append(a.ids[typ], string(id)) }
	key := func(typ, field, v string) {
		if a.keys[typ] == nil {
			a.keys[typ] = map[string]string{}
		}
		a.keys[typ][field] = v
	}
	add("Organization", tf.org.ID)
	owner := c.User.Query().OnlyX(ctx)
	add("User", owner.ID)
	key("User", "email", owner.Email)
	member, err := f.ids.CreateUser(ctx, "member@"+tag+".example", tag+" member", user.RoleMEMBER, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	add("User", member.ID)

	p := c.Pipeline.Create().SetName(tag + " pipeline").SaveX(ctx)
	add("Pipeline", p.ID)
	st := c.Stage.Create().SetName(tag + " stage").SetPosition(0).SetProbability(0.2).SetPipeline(p).SaveX(ctx)
	add("Stage", st.ID)
	cmp := c.Campaign.Create().SetName(tag + " campaign").SetChannel(campaign.ChannelEMAIL).SaveX(ctx)
	add("Campaign", cmp.ID)
	acc := c.Account.Create().SetName(tag + " account").SetDomain(tag + ".example").SetOwner(owner).SetAcquisitionCampaign(cmp).SaveX(ctx)
	add("Account", acc.ID)
	key("Account", "domain", tag+".example")
	con := c.Contact.Create().SetFirstName(tag + " first").SetLastName(tag + " last").
		SetEmail("contact@" + tag + ".example").SetExternalID(tag + "-contact").
		SetAccount(acc).SetOwner(owner).SetAcquisitionCampaign(cmp).SaveX(ctx)
	add("Contact", con.ID)
	key("Contact", "email", "contact@"+tag+".example")
	key("Contact", "externalID", tag+"-contact")
	con2 := c.Contact.Create().SetFirstName(tag + " referred").SetEmail("referred@" + tag + ".example").
		SetReferredBy(con).SetAccount(acc).SaveX(ctx)
	add("Contact", con2.ID)
	d := c.Deal.Create().SetName(tag + " deal").SetAmount(money.FromCents(123456)).SetExternalID(tag + "-deal").
		SetStage(st).SetAccount(acc).SetContact(con).SetOwner(owner).SetSourceCampaign(cmp).SaveX(ctx)
	add("Deal", d.ID)
	key("Deal", "externalID", tag+"-deal")
	prd := c.Product.Create().SetName(tag + " product").SetSku(tag + "-sku").SetDescription(tag).SaveX(ctx)
	add("Product", prd.ID)
	key("Product", "sku", tag+"-sku")
	li := c.LineItem.Create().SetName(tag + " line").SetDeal(d).SetProduct(prd).SetUnitPrice(money.FromCents(500)).SaveX(ctx)
	add("LineItem", li.ID)
	act := c.Activity.Create().SetType(activity.TypeCALL).SetSubject(tag + " call").SetBody(tag).
		SetContact(con).SetAccount(acc).SetDeal(d).SetAssignee(owner).SaveX(ctx)
	add("Activity", act.ID)
	tkt := c.Ticket.Create().SetSubject(tag + " ticket").SetDescription(tag).SetContact(con).SetAccount(acc).SetAssignee(owner).SaveX(ctx)
	add("Ticket", tkt.ID)
	cm := c.CampaignMember.Create().SetCampaign(cmp).SetContact(con).SaveX(ctx)
	add("CampaignMember", cm.ID)
	srv := c.Survey.Create().SetName(tag + " survey").SetKind(survey.KindNPS).SetQuestions([]string{tag + "?"}).SaveX(ctx)
	add("Survey", srv.ID)
	rsp := c.SurveyResponse.Create().SetScore(9).SetComment(tag + " comment").SetSurvey(srv).SetContact(con).SaveX(ctx)
	add("SurveyResponse", rsp.ID)
	for _, tok := range c.APIToken.Query().AllX(ctx) {
		add("ApiToken", tok.ID)
	}
	now := time.Now()
	desc := tag + " segment"
	seg, err := segment.Create(ctx, c, tag+" segment", &desc, &segment.Rule{Field: &segment.FieldCondition{Field: segment.FieldEmail, Op: segment.OpIsSet}}, now)
	if err != nil {
		t.Fatal(err)
	}
	add("Segment", seg.ID)
	// A change made by a user leaves an audit entry and raises an event.
	asOwner := auth.NewContext(ctx, &auth.Viewer{OrganizationID: tf.org.ID.String(), UserID: owner.ID.String(), Role: auth.RoleOwner})
	c.Contact.UpdateOne(con).SetPhone("+1 555 0100").ExecX(asOwner)
	for _, e := range c.AuditEntry.Query().AllX(ctx) {
		add("AuditEntry", e.ID)
	}
	for _, e := range c.Event.Query().AllX(ctx) {
		add("Event", e.ID)
	}
	ep := c.WebhookEndpoint.Create().SetURL("https://hooks." + tag + ".example/crm").
		SetEventTypes([]eventtype.Type{eventtype.ContactUpdated}).SetSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").SaveX(ctx)
	add("WebhookEndpoint", ep.ID)
	// Delivered already, so that no worker touches it during the test.
	dl := c.WebhookDelivery.Create().SetEndpoint(ep).SetEventID(pulid.ID(a.ids["Event"][0])).SetEventType(eventtype.ContactUpdated).
		SetStatus(webhookdelivery.StatusSUCCEEDED).SetAttempts(1).SetResponseCode(204).SaveX(ctx)
	add("WebhookDelivery", dl.ID)
	met := c.CustomerMetrics.Create().SetContactID(con.ID).SetAsOf(now).SetComputedAt(now).SetModel(tag).SaveX(ctx)
	add("CustomerMetrics", met.ID)
	return a
}

// atkSchema is the executable schema the server serves.
func atkSchema() *ast.Schema { return graph.NewSchema(nil, nil).Schema() }

// atkResponse is a response with its body and HTTP status.
type atkResponse struct {
	response
	status int
	body   string
}

// atkDo posts a GraphQL request with the given Authorization header value
// ("" for none) and returns the whole response.
func (f *fixture) atkDo(authorization, query string, vars map[string]any) atkResponse {
	f.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return f.atkSend(func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, f.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		return req
	})
}

// atkRateLimitWaits counts the waits on the server's rate limits.
var atkRateLimitWaits atomic.Int64

// atkSend sends the request newReq builds. A request refused by the rate
// limits (429) is sent again after Retry-After: the suite sends hundreds of
// requests, and the limits are not what it tests.
func (f *fixture) atkSend(newReq func() *http.Request) atkResponse {
	f.t.Helper()
	for attempt := 0; ; attempt++ {
		res, err := http.DefaultClient.Do(newReq())
		if err != nil {
			f.t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusTooManyRequests && attempt < 20 {
			wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			atkRateLimitWaits.Add(1)
			time.Sleep(time.Duration(max(wait, 1)) * time.Second)
			continue
		}
		out := atkResponse{status: res.StatusCode, body: string(b)}
		if err := json.Unmarshal(b, &out.response); err != nil {
			f.t.Fatalf("decoding response (status %d): %v: %s", res.StatusCode, err, b)
		}
		return out
	}
}

// outcome is the code of the first error, or OK.
func (r atkResponse) outcome() string {
	if c := r.code(); c != "" {
		return c
	}
	if len(r.Errors) > 0 {
		return "ERROR WITHOUT CODE"
	}
	return "OK"
}

// rootOutcome is the outcome of the root field alone: the code of an error
// on the root field itself (or on the whole operation), else OK. Errors on
// nested fields (a field the caller may not read) do not count: the root
// field ran.
func (r atkResponse) rootOutcome() string {
	for _, e := range r.Errors {
		if len(e.Path) <= 1 {
			if c, _ := e.Extensions["code"].(string); c != "" {
				return c
			}
			return "ERROR WITHOUT CODE"
		}
	}
	return "OK"
}

// atkLeaks returns the victim's markers (IDs and distinctive strings) found in
// a response. Record IDs count wherever they appear in data; in error
// messages, and for strings, only when the request did not carry them
// (echoing the caller's own input reveals nothing).
func atkLeaks(r atkResponse, request string, victim *atkTenant) []string {
	var errText strings.Builder
	for _, e := range r.Errors {
		b, _ := json.Marshal(e)
		errText.Write(b)
	}
	data := string(r.Data)
	var found []string
	for _, id := range victim.allIDs() {
		switch {
		case strings.Contains(data, id):
			found = append(found, "data has "+id)
		case strings.Contains(errText.String(), id) && !strings.Contains(request, id):
			found = append(found, "an error has "+id)
		}
	}
	for _, s := range []string{atkSecret, victim.org.Name, victim.org.Slug} {
		if strings.Contains(request, s) {
			continue
		}
		if strings.Contains(data, s) || strings.Contains(errText.String(), s) {
			found = append(found, "the response has "+s)
		}
	}
	return found
}

// atkRequestText is what a request carried, for atkLeaks.
func atkRequestText(query string, vars map[string]any) string {
	b, _ := json.Marshal(vars)
	return query + string(b)
}

// --- operations generated from the schema ---

// atkGen builds operations and values from the schema.
type atkGen struct {
	s *ast.Schema
	n int
}

func newAtkGen() *atkGen { return &atkGen{s: atkSchema()} }

// atkKeyFields are input fields whose values are unique keys within a tenant.
var atkKeyFields = map[string]bool{"email": true, "domain": true, "externalID": true, "sku": true}

// isNodeType reports whether a type implements Node.
func (g *atkGen) isNodeType(name string) bool {
	d := g.s.Types[name]
	if d == nil {
		return false
	}
	for _, i := range d.Interfaces {
		if i == "Node" {
			return true
		}
	}
	return false
}

// selection returns a selection set for the type: every scalar field and,
// to a depth of two, every object field; connections select totalCount and
// their nodes.
func (g *atkGen) selection(typ string, depth int) string {
	d := g.s.Types[typ]
	if d == nil {
		return ""
	}
	switch d.Kind {
	case ast.Scalar, ast.Enum:
		return ""
	case ast.Interface, ast.Union:
		// No fragments: they would need an alias per field to not
		// conflict, over the alias limit. The ID shows whether anything
		// resolved.
		if d.Fields.ForName("id") != nil {
			return "__typename id"
		}
		return "__typename"
	}
	if edges := d.Fields.ForName("edges"); edges != nil && strings.HasSuffix(typ, "Connection") {
		if depth >= 3 {
			return "totalCount"
		}
		node := g.s.Types[edges.Type.Name()].Fields.ForName("node").Type.Name()
		return "totalCount edges { node { " + g.selection(node, depth+1) + " } }"
	}
	if depth >= 2 {
		if d.Fields.ForName("id") != nil {
			return "id"
		}
		return "__typename"
	}
	var parts []string
	for _, fd := range d.Fields {
		if strings.HasPrefix(fd.Name, "__") || atkHasRequiredArgs(fd) {
			continue
		}
		ft := g.s.Types[fd.Type.Name()]
		if ft == nil {
			continue
		}
		name := fd.Name
		if ft.Kind == ast.Object && strings.HasSuffix(ft.Name, "Connection") && fd.Arguments.ForName("first") != nil {
			// Nested pages of 3 keep the operation under the cost limit.
			name += "(first: 3)"
		}
		if ft.Kind == ast.Scalar || ft.Kind == ast.Enum {
			parts = append(parts, name)
			continue
		}
		if sel := g.selection(ft.Name, depth+1); sel != "" {
			parts = append(parts, name+" { "+sel+" }")
		}
	}
	if len(parts) == 0 {
		return "__typename"
	}
	return strings.Join(parts, " ")
}

func atkHasRequiredArgs(fd *ast.FieldDefinition) bool {
	for _, a := range fd.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// idTarget returns the GraphQL type an ID input field such as contactID or
// ownerID points at, looking the edge up on the object type of the input.
func (g *atkGen) idTarget(objType, field string) string {
	obj := g.s.Types[objType]
	if obj == nil {
		return ""
	}
	edge := strings.TrimSuffix(strings.TrimSuffix(field, "IDs"), "ID")
	fd := obj.Fields.ForName(edge)
	if fd == nil && strings.HasSuffix(field, "IDs") {
		fd = obj.Fields.ForName(edge + "s")
	}
	if fd == nil {
		return ""
	}
	t := fd.Type.Name()
	if d := g.s.Types[t]; d != nil && strings.HasSuffix(t, "Connection") {
		if e := d.Fields.ForName("edges"); e != nil {
			t = g.s.Types[e.Type.Name()].Fields.ForName("node").Type.Name()
		}
	}
	return t
}

// inputObject returns the object type an input type creates or updates:
// CreateContactInput → Contact; fallback is the type the mutation returns.
func (g *atkGen) inputObject(input string, m *ast.FieldDefinition) string {
	name := strings.TrimSuffix(input, "Input")
	for _, p := range []string{"Create", "Update"} {
		name = strings.TrimPrefix(name, p)
	}
	if g.isNodeType(name) {
		return name
	}
	if g.isNodeType(m.Type.Name()) {
		return m.Type.Name()
	}
	return ""
}

// scalarValue is a minimal valid value of a scalar or enum type for a field.
func (g *atkGen) scalarValue(typ, field string) any {
	g.n++
	switch typ {
	case "String":
		switch f := strings.ToLower(field); {
		case strings.Contains(f, "email"):
			return fmt.Sprintf("gen%d@globex-gen.example", g.n)
		case strings.Contains(f, "password"):
			return "correct horse battery staple"
		case f == "currency":
			return "USD"
		case f == "domain":
			return fmt.Sprintf("gen%d.globex-gen.example", g.n)
		case f == "sku", f == "externalid":
			return fmt.Sprintf("gen-%d", g.n)
		case f == "scopes":
			return "contacts:read"
		case f == "url":
			// A public address, so that no name needs resolving.
			return fmt.Sprintf("https://192.0.2.%d/hooks", 1+g.n%250)
		}
		return "x"
	case "Int":
		return 1
	case "Float":
		return 0.5
	case "Boolean":
		return true
	case "Money":
		return "1.00"
	case "Time":
		// In the future: some times must be (an API token's expiry).
		return time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	case "Map":
		return map[string]any{}
	case "ID":
		return string(pulid.New("xyz"))
	}
	if d := g.s.Types[typ]; d != nil && d.Kind == ast.Enum && len(d.EnumValues) > 0 {
		return d.EnumValues[0].Name
	}
	return "x"
}

// minimal returns a value of the type with only its required fields, the
// IDs among them pointing at records of owner.
func (g *atkGen) minimal(t *ast.Type, field, objType string, owner *atkTenant) any {
	if t.Elem != nil {
		return []any{g.minimal(t.Elem, field, objType, owner)}
	}
	d := g.s.Types[t.NamedType]
	if d == nil || d.Kind != ast.InputObject {
		if t.NamedType == "ID" && objType != "" {
			if target := g.idTarget(objType, field); target != "" && len(owner.ids[target]) > 0 {
				ids := owner.ids[target]
				return ids[len(ids)-1]
			}
		}
		return g.scalarValue(t.NamedType, field)
	}
	out := map[string]any{}
	for _, fd := range d.Fields {
		if fd.Type.NonNull && fd.DefaultValue == nil {
			out[fd.Name] = g.minimal(fd.Type, fd.Name, objType, owner)
		}
	}
	return out
}

// changeField returns an optional scalar field of an input whose change
// would show: a String if there is one, otherwise any non-Boolean scalar.
func (g *atkGen) changeField(input *ast.Definition) (string, any) {
	var fallback *ast.FieldDefinition
	for _, fd := range input.Fields {
		n := fd.Type.NamedType
		if fd.Type.NonNull || fd.Type.Elem != nil || atkKeyFields[fd.Name] || n == "ID" || n == "Boolean" {
			continue
		}
		if d := g.s.Types[n]; d == nil || (d.Kind != ast.Scalar && d.Kind != ast.Enum) {
			continue
		}
		if n == "String" && !strings.Contains(strings.ToLower(fd.Name), "email") && fd.Name != "currency" && fd.Name != "url" {
			return fd.Name, "pwned-by-b"
		}
		if fallback == nil {
			fallback = fd
		}
	}
	if fallback == nil {
		return "", nil
	}
	return fallback.Name, g.scalarValue(fallback.Type.NamedType, fallback.Name)
}

// idFields returns the ID input fields of an input and the type each points at.
func (g *atkGen) idFields(input *ast.Definition, objType string) [][2]string {
	var out [][2]string
	for _, fd := range input.Fields {
		if fd.Type.Name() != "ID" {
			continue
		}
		if t := g.idTarget(objType, fd.Name); t != "" {
			out = append(out, [2]string{fd.Name, t})
		}
	}
	return out
}

// operation writes an operation calling one root field with variables for
// its arguments.
func (g *atkGen) operation(kind string, fd *ast.FieldDefinition, args map[string]any) string {
	var decl, pass []string
	for _, a := range fd.Arguments {
		if _, ok := args[a.Name]; !ok {
			continue
		}
		decl = append(decl, "$"+a.Name+": "+a.Type.String())
		pass = append(pass, a.Name+": $"+a.Name)
	}
	q := kind
	if len(decl) > 0 {
		q += "(" + strings.Join(decl, ", ") + ")"
	}
	call := fd.Name
	if len(pass) > 0 {
		call += "(" + strings.Join(pass, ", ") + ")"
	}
	sel := g.selection(fd.Type.Name(), 0)
	if sel != "" {
		call += " { " + sel + " }"
	}
	return q + " { " + call + " }"
}

// literal writes a value built by the generator as a GraphQL literal of
// type t (enum values bare).
func (g *atkGen) literal(v any, t *ast.Type) string {
	if t.Elem != nil {
		list, _ := v.([]any)
		parts := make([]string, len(list))
		for i, e := range list {
			parts[i] = g.literal(e, t.Elem)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	d := g.s.Types[t.NamedType]
	switch {
	case d != nil && d.Kind == ast.Enum:
		return fmt.Sprint(v)
	case d != nil && d.Kind == ast.InputObject:
		m, _ := v.(map[string]any)
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, 0, len(m))
		for _, k := range names {
			ft := &ast.Type{NamedType: "String"}
			if fd := d.Fields.ForName(k); fd != nil {
				ft = fd.Type
			}
			parts = append(parts, k+": "+g.literal(m[k], ft))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case t.NamedType == "Map":
		return "{}"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// --- a tenant's rows ---

// atkDigest counts and hashes every row of the organization in every
// tenant table, and the organization's own row. Columns in skip are left
// out (last_used_at moves when a token is merely used).
func atkDigest(t *testing.T, f *fixture, orgID string, skip ...string) (rows int, sum string) {
	t.Helper()
	lines := atkRows(t, f, orgID, skip...)
	h := sha256.New()
	for _, l := range lines {
		fmt.Fprintln(h, l)
	}
	return len(lines), hex.EncodeToString(h.Sum(nil))
}

// atkTokenUse are the columns that move when an API token is merely used.
var atkTokenUse = []string{"api_tokens.last_used_at", "api_tokens.updated_at"}

// atkUnchanged reports an error naming the rows that differ from before.
func atkUnchanged(t *testing.T, f *fixture, what, orgID string, before []string, skip ...string) {
	t.Helper()
	gone, added := atkRowDiff(before, atkRows(t, f, orgID, skip...))
	if len(gone)+len(added) > 0 {
		t.Errorf("%s changed: rows gone or changed %v; rows new or changed %v", what, gone, added)
	}
}

// atkRowDiff returns the rows of one digest missing from the other.
func atkRowDiff(before, after []string) (gone, added []string) {
	in := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, l := range before {
		if !in(after, l) {
			gone = append(gone, l)
		}
	}
	for _, l := range after {
		if !in(before, l) {
			added = append(added, l)
		}
	}
	return gone, added
}

// atkRows returns every row of the organization in every tenant table, and
// its own row, one line each.
func atkRows(t *testing.T, f *fixture, orgID string, skip ...string) []string {
	t.Helper()
	var lines []string
	ph := "?"
	if f.store.Dialect == "postgres" {
		ph = "$1"
	}
	ctx := context.Background()
	for _, tbl := range migrate.Tables {
		col := ""
		for _, c := range tbl.Columns {
			if c.Name == "organization_id" {
				col = "organization_id"
			}
		}
		if tbl.Name == "organizations" {
			col = "id"
		}
		if col == "" {
			continue
		}
		q := fmt.Sprintf("SELECT * FROM %s WHERE %s = %s ORDER BY 1", tbl.Name, col, ph)
		rs, err := f.store.DB.QueryContext(ctx, q, orgID)
		if err != nil {
			t.Fatalf("digest of %s: %v", tbl.Name, err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var line strings.Builder
			fmt.Fprintf(&line, "%s|", tbl.Name)
		cols:
			for i, v := range vals {
				for _, s := range skip {
					if cols[i] == s || tbl.Name+"."+cols[i] == s {
						continue cols
					}
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				if b, ok := v.([]byte); ok {
					v = hex.EncodeToString(b)
				}
				if p, ok := v.(*any); ok && p != nil {
					v = *p
				}
				fmt.Fprintf(&line, "%s=%v|", cols[i], v)
			}
			lines = append(lines, line.String())
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}
	return lines
}

// atkCount returns how many rows of the organization the table of a record
// type holds, the table found from the prefix of one of its IDs.
func atkCount(t *testing.T, f *fixture, orgID, sampleID string) int {
	t.Helper()
	table, ok := ent.TableOfID(pulid.ID(sampleID))
	if !ok {
		t.Fatalf("no table for %s", sampleID)
	}
	ph := "?"
	if f.store.Dialect == "postgres" {
		ph = "$1"
	}
	var n int
	if err := f.store.DB.QueryRow(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE organization_id = %s", table, ph), orgID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// atkReleaseKey frees a unique key value (email, domain, externalID, sku)
// in the organization: rows of the record type (found from the prefix of
// sampleID) holding it are deleted, or, when restore is given, get restore
// back.
func atkReleaseKey(t *testing.T, f *fixture, orgID, sampleID, field, value, restore string) {
	t.Helper()
	table, ok := ent.TableOfID(pulid.ID(sampleID))
	if !ok {
		t.Fatalf("no table for %s", sampleID)
	}
	col := map[string]string{"email": "email", "domain": "domain", "externalID": "external_id", "sku": "sku"}[field]
	q := fmt.Sprintf("DELETE FROM %s WHERE organization_id = ? AND %s = ?", table, col)
	args := []any{orgID, value}
	if restore != "" {
		q = fmt.Sprintf("UPDATE %s SET %s = ? WHERE organization_id = ? AND %s = ?", table, col, col)
		args = []any{restore, orgID, value}
	}
	if f.store.Dialect == "postgres" {
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	if _, err := f.store.DB.Exec(q, args...); err != nil {
		t.Fatalf("releasing %s %q in %s: %v", field, value, table, err)
	}
}

// atkTally counts outcomes for the log.
type atkTally map[string]int

func (t atkTally) String() string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, t[k])
	}
	return strings.Join(parts, ", ")
}
