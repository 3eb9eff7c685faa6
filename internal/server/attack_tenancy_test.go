package server_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/internal/pulid"
)

// atkWant is what an attack operation must come to.
type atkWant int

const (
	// atkWantNotFound: refused with NOT_FOUND, no data.
	atkWantNotFound atkWant = iota
	// atkWantEmpty: a list with no rows.
	atkWantEmpty
	// atkWantOwnRows: a list of exactly the caller's rows.
	atkWantOwnRows
	// atkWantOwn: the caller's own business; any outcome but INTERNAL.
	atkWantOwn
	// atkWantBaseline: the caller's own record with the caller's own
	// references: succeeds (so that the NOT_FOUND of the same operation
	// pointed at A is due to A, not to a bad input); a create replayed with
	// the second credential may be a CONFLICT with the first.
	atkWantBaseline
)

func (w atkWant) String() string {
	return [...]string{"NOT_FOUND", "empty list", "own rows only", "own business", "own baseline"}[w]
}

// atkOp is one generated operation.
type atkOp struct {
	name     string
	root     string
	query    string
	vars     map[string]any
	want     atkWant
	listType string
	// oracle: replay with the victim's IDs replaced by IDs that exist
	// nowhere; the answers must be the same.
	oracle bool
	// noUpdated: an upsert keyed on the victim's values must create.
	noUpdated bool
	// keysOf is the type whose unique keys the operation sets to the
	// victim's values; the caller's records holding them are deleted
	// afterwards, so that a later conflict can only be with the victim.
	keysOf string
}

// atkQueryOps builds an operation for every field of Query: node and nodes
// with every ID of the victim, each list plain, filtered by the victim's IDs,
// through every has…With edge filter onto the victim's records, and by the
// victim's distinctive string.
func atkQueryOps(t *testing.T, g *atkGen, victim *atkTenant) []atkOp {
	var ops []atkOp
	for _, fd := range g.s.Query.Fields {
		if strings.HasPrefix(fd.Name, "__") {
			continue
		}
		switch ret := g.s.Types[fd.Type.Name()]; {
		case fd.Name == "node":
			types := make([]string, 0, len(victim.ids))
			for typ := range victim.ids {
				types = append(types, typ)
			}
			sort.Strings(types)
			for _, typ := range types {
				for i, id := range victim.ids[typ] {
					ops = append(ops, atkOp{name: fmt.Sprintf("node(id: A's %s #%d)", typ, i+1), root: fd.Name,
						query: g.operation("query", fd, map[string]any{"id": id}), vars: map[string]any{"id": id}, want: atkWantNotFound, oracle: true})
				}
			}
		case fd.Name == "nodes":
			ids := victim.allIDs()
			ops = append(ops, atkOp{name: "nodes(all of A)", root: fd.Name,
				query: g.operation("query", fd, map[string]any{"ids": ids}), vars: map[string]any{"ids": ids}, want: atkWantNotFound, oracle: true})
		case ret != nil && strings.HasSuffix(ret.Name, "Connection") && ret.Fields.ForName("edges") != nil:
			node := g.s.Types[ret.Fields.ForName("edges").Type.Name()].Fields.ForName("node").Type.Name()
			ops = append(ops, atkOp{name: fd.Name, root: fd.Name, query: g.operation("query", fd, nil), want: atkWantOwnRows, listType: node})
			where := fd.Arguments.ForName("where")
			if where == nil {
				continue
			}
			w := g.s.Types[where.Type.Name()]
			list := func(name string, filter map[string]any) {
				vars := map[string]any{"where": filter}
				ops = append(ops, atkOp{name: fd.Name + "(where: " + name + ")", root: fd.Name,
					query: g.operation("query", fd, vars), vars: vars, want: atkWantEmpty, listType: node})
			}
			if w.Fields.ForName("idIn") != nil && len(victim.ids[node]) > 0 {
				list("idIn A's", map[string]any{"idIn": victim.ids[node]})
			}
			if or := g.containsFilters(w); len(or) > 0 {
				list("any text contains "+atkSecret, map[string]any{"or": or})
			}
			for _, hf := range w.Fields {
				if !strings.HasPrefix(hf.Name, "has") || !strings.HasSuffix(hf.Name, "With") {
					continue
				}
				target := strings.TrimSuffix(hf.Type.Name(), "WhereInput")
				if len(victim.ids[target]) == 0 {
					t.Logf("no record of A of type %s for %s.%s", target, fd.Name, hf.Name)
					continue
				}
				list(hf.Name+" idIn A's", map[string]any{hf.Name: []any{map[string]any{"idIn": victim.ids[target]}}})
				if or := g.containsFilters(g.s.Types[hf.Type.Name()]); len(or) > 0 {
					list(hf.Name+" text contains "+atkSecret, map[string]any{hf.Name: []any{map[string]any{"or": or}}})
				}
			}
		default:
			args := map[string]any{}
			for _, a := range fd.Arguments {
				if a.Type.NonNull && a.DefaultValue == nil {
					args[a.Name] = g.minimal(a.Type, a.Name, "", victim)
				}
			}
			ops = append(ops, atkOp{name: fd.Name, root: fd.Name, query: g.operation("query", fd, args), vars: args, want: atkWantOwn})
		}
	}
	return ops
}

// containsFilters returns one {fieldContainsFold: secret} filter per text
// field of a where input.
func (g *atkGen) containsFilters(w *ast.Definition) []any {
	var or []any
	for _, fd := range w.Fields {
		if strings.HasSuffix(fd.Name, "ContainsFold") && fd.Type.Name() == "String" {
			or = append(or, map[string]any{fd.Name: atkSecret})
		}
	}
	return or
}

// atkMutationOps builds, for every mutation but login and refreshToken:
// the victim's record as target; each ID input field pointing at the
// victim's record (the rest at the caller's own); every ID at the victim;
// the caller's own baseline; and the victim's unique keys on the caller's
// own records.
func atkMutationOps(t *testing.T, g *atkGen, self, victim *atkTenant) []atkOp {
	var ops []atkOp
	for _, m := range g.s.Mutation.Fields {
		if strings.HasPrefix(m.Name, "__") || m.Name == "login" || m.Name == "refreshToken" {
			continue
		}
		idArg := m.Arguments.ForName("id")
		if idArg != nil && idArg.Type.Name() != "ID" {
			idArg = nil
		}
		var inArg *ast.ArgumentDefinition
		var inDef *ast.Definition
		for _, a := range m.Arguments {
			if d := g.s.Types[a.Type.Name()]; d != nil && d.Kind == ast.InputObject {
				inArg, inDef = a, d
				break
			}
		}
		objType := ""
		if inDef != nil {
			objType = g.inputObject(inDef.Name, m)
		}
		idType := ""
		if idArg != nil {
			idType = atkMutationTarget(g, m)
			if len(victim.ids[idType]) == 0 || len(self.ids[idType]) == 0 {
				t.Errorf("%s: no record of type %q to target; seed one", m.Name, idType)
				continue
			}
		}
		var idFields [][2]string
		if inDef != nil {
			idFields = g.idFields(inDef, objType)
		}
		// build returns arguments: the id of target's record, and a minimal
		// input whose required IDs are the caller's.
		build := func(target *atkTenant) (map[string]any, map[string]any) {
			args := map[string]any{}
			if idArg != nil {
				args["id"] = target.ids[idType][0]
			}
			for _, a := range m.Arguments {
				if a != idArg && a != inArg && a.Type.NonNull && a.DefaultValue == nil {
					args[a.Name] = g.minimal(a.Type, a.Name, "", self)
				}
			}
			var in map[string]any
			if inArg != nil {
				v := g.minimal(inArg.Type, "", objType, self)
				args[inArg.Name] = v
				if l, ok := v.([]any); ok {
					in = l[0].(map[string]any)
				} else {
					in = v.(map[string]any)
				}
				if strings.HasPrefix(m.Name, "upsert") {
					// An upsert matches records by their key: give it one.
					for _, fd := range inDef.Fields {
						if atkKeyFields[fd.Name] {
							in[fd.Name] = g.scalarValue(fd.Type.Name(), fd.Name)
						}
					}
				}
			}
			return args, in
		}
		add := func(name string, args map[string]any, want atkWant, oracle, noUpdated bool) {
			ops = append(ops, atkOp{name: m.Name + name, root: m.Name, query: g.operation("mutation", m, args), vars: args,
				want: want, oracle: oracle, noUpdated: noUpdated})
		}
		changeName, changeValue := "", any(nil)
		if inDef != nil && strings.HasPrefix(m.Name, "update") {
			changeName, changeValue = g.changeField(inDef)
		}
		if idArg != nil {
			args, in := build(victim)
			if changeName != "" && in != nil {
				in[changeName] = changeValue
			}
			add("(id: A's "+idType+")", args, atkWantNotFound, true, false)
		}
		for _, idf := range idFields {
			if len(victim.ids[idf[1]]) == 0 {
				t.Errorf("%s.%s: no record of A of type %s to attach; seed one", m.Name, idf[0], idf[1])
				continue
			}
			args, in := build(self)
			in[idf[0]] = victim.ids[idf[1]][0]
			add("("+idf[0]+": A's "+idf[1]+")", args, atkWantNotFound, true, false)
		}
		if (idArg != nil && len(idFields) > 0) || len(idFields) > 1 {
			target := self
			if idArg != nil {
				target = victim
			}
			args, in := build(target)
			for _, idf := range idFields {
				if ids := victim.ids[idf[1]]; len(ids) > 0 {
					in[idf[0]] = ids[0]
				}
			}
			add("(every ID: A's)", args, atkWantNotFound, true, false)
		}
		if !strings.HasPrefix(m.Name, "delete") && !strings.HasPrefix(m.Name, "revoke") {
			args, in := build(self)
			for _, idf := range idFields {
				if ids := self.ids[idf[1]]; len(ids) > 0 {
					in[idf[0]] = ids[len(ids)-1]
				}
			}
			if changeName != "" && in != nil {
				in[changeName] = changeValue
			}
			// The baseline validates the inputs of the operations pointed at
			// A; without such operations it is just the caller's business.
			want := atkWantOwn
			if idArg != nil || len(idFields) > 0 {
				want = atkWantBaseline
			}
			add("(own baseline)", args, want, false, false)
		}
		if inDef != nil {
			args, in := build(self)
			n := 0
			for _, fd := range inDef.Fields {
				if v, ok := victim.keys[objType][fd.Name]; ok && atkKeyFields[fd.Name] {
					in[fd.Name] = v
					n++
				}
			}
			if n > 0 {
				add("(A's unique keys on own record)", args, atkWantOwn, false, strings.HasPrefix(m.Name, "upsert"))
				ops[len(ops)-1].keysOf = objType
			}
		}
	}
	return ops
}

// atkMutationTarget is the type of the record a mutation's id names:
// updateContact → Contact, else the type it returns.
func atkMutationTarget(g *atkGen, m *ast.FieldDefinition) string {
	switch m.Name {
	case "rotateWebhookSecret":
		return "WebhookEndpoint"
	case "redeliverWebhook":
		return "WebhookDelivery"
	}
	for _, verb := range []string{"update", "delete", "revoke"} {
		if t, ok := strings.CutPrefix(m.Name, verb); ok && (g.isNodeType(t) || t == "WebhookEndpoint") {
			return t
		}
	}
	return m.Type.Name()
}

// atkFreshIDs returns a deep copy of vars with every ID of the victim
// replaced by a new ID of the same prefix that exists nowhere.
func atkFreshIDs(v any, victim map[string]bool, repl map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = atkFreshIDs(e, victim, repl)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = atkFreshIDs(e, victim, repl)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = atkFreshIDs(e, victim, repl)
		}
		return out
	case string:
		if victim[x] {
			if r, ok := repl[x]; ok {
				return r
			}
			r := string(pulid.New(pulid.ID(x).Prefix()))
			repl[x] = r
			return r
		}
	}
	return v
}

// atkNormalized is a response body with the given IDs replaced by a placeholder.
func atkNormalized(body string, ids map[string]string) string {
	for a, b := range ids {
		body = strings.ReplaceAll(body, a, "<ID>")
		body = strings.ReplaceAll(body, b, "<ID>")
	}
	return body
}

// atkAllRecordsNotFound reports whether a bulk mutation's result list
// refused every record with NOT_FOUND and saved none.
func atkAllRecordsNotFound(v json.RawMessage) bool {
	var list []map[string]json.RawMessage
	if json.Unmarshal(v, &list) != nil || len(list) == 0 {
		return false
	}
	for _, rec := range list {
		var e struct{ Code string }
		if json.Unmarshal(rec["error"], &e) != nil || e.Code != "NOT_FOUND" || string(rec["status"]) != `"FAILED"` {
			return false
		}
		for k, x := range rec {
			if k != "error" && k != "status" && k != "index" && string(x) != "null" {
				return false
			}
		}
	}
	return true
}

// atkRoot returns the JSON of the root field in the data, or "null".
func atkRoot(r atkResponse, root string) (json.RawMessage, bool) {
	var data map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &data); err != nil || data == nil {
		return nil, false
	}
	v, ok := data[root]
	return v, ok && string(v) != "null"
}

// TestAttackTenantReplaysTheSchema replays every Query and Mutation field,
// generated from the executable schema, with tenant B's API token and
// user session against tenant A's records. Nothing of A may show, every
// mutation that targets or attaches A's records is NOT_FOUND (and answers
// exactly as for an ID that exists nowhere), lists hold B's rows only, and
// A's rows are unchanged.
func TestAttackTenantReplaysTheSchema(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := atkSeed(t, f, atkSecret)
		b := atkSeed(t, f, "globex")
		rowsBefore, sumBefore := atkDigest(t, f, string(a.org.ID))
		linesBefore := atkRows(t, f, string(a.org.ID))
		waitsBefore := atkRateLimitWaits.Load()
		g := newAtkGen()
		queries := atkQueryOps(t, g, a)
		mutations := atkMutationOps(t, g, b, a)
		victimIDs := map[string]bool{}
		for _, id := range a.allIDs() {
			victimIDs[id] = true
		}
		outcomes := map[string]atkTally{}
		byWant := map[atkWant]atkTally{}
		sent := 0
		perOp := map[string][]string{}
		run := func(cred, credName string, first bool, op atkOp) {
			t.Helper()
			r := f.atkDo("Bearer "+cred, op.query, op.vars)
			sent++
			if op.keysOf != "" {
				defer func() {
					for field, v := range a.keys[op.keysOf] {
						restore := ""
						if strings.HasPrefix(op.root, "update") {
							restore = b.keys[op.keysOf][field]
						}
						atkReleaseKey(t, f, string(b.org.ID), b.ids[op.keysOf][0], field, v, restore)
					}
				}()
			}
			who := op.name + " [" + credName + "]"
			out := r.outcome()
			defer func() { perOp[op.name] = append(perOp[op.name], credName+": "+out) }()
			if outcomes[credName] == nil {
				outcomes[credName] = atkTally{}
			}
			outcomes[credName][out]++
			if byWant[op.want] == nil {
				byWant[op.want] = atkTally{}
			}
			byWant[op.want][out]++
			if l := atkLeaks(r, atkRequestText(op.query, op.vars), a); len(l) > 0 {
				t.Errorf("%s: LEAK of tenant A: %v\nresponse: %.600s", who, l, r.body)
			}
			if out == "INTERNAL" || out == "ERROR WITHOUT CODE" {
				t.Errorf("%s: %s: %.400s", who, out, r.body)
				return
			}
			switch op.want {
			case atkWantNotFound:
				v, present := atkRoot(r, op.root)
				if op.root == "nodes" && present {
					var list []json.RawMessage
					_ = json.Unmarshal(v, &list)
					present = false
					for _, e := range list {
						if string(e) != "null" {
							present = true
						}
					}
				}
				if out == "OK" && present && atkAllRecordsNotFound(v) {
					// A bulk mutation reports each record's error in its
					// result: every one is NOT_FOUND and nothing saved.
					out, present = "NOT_FOUND", false
					outcomes[credName]["OK"]--
					outcomes[credName]["NOT_FOUND (per record)"]++
					byWant[op.want]["OK"]--
					byWant[op.want]["NOT_FOUND (per record)"]++
				}
				if out != "NOT_FOUND" || present {
					t.Errorf("%s: got %s; want NOT_FOUND and no data\nresponse: %.600s", who, out, r.body)
				}
			case atkWantEmpty, atkWantOwnRows:
				var page struct {
					TotalCount int
					Edges      []json.RawMessage
				}
				v, _ := atkRoot(r, op.root)
				if out != "OK" || json.Unmarshal(v, &page) != nil {
					t.Errorf("%s: got %s; want a page\nresponse: %.600s", who, out, r.body)
					return
				}
				want := 0
				if op.want == atkWantOwnRows {
					if len(b.ids[op.listType]) == 0 {
						t.Errorf("%s: no record of type %s seeded; seed one", who, op.listType)
						return
					}
					want = atkCount(t, f, string(b.org.ID), b.ids[op.listType][0])
				}
				if page.TotalCount != want || len(page.Edges) != min(want, 20) {
					t.Errorf("%s: totalCount %d with %d edges; want %d (B's own rows only)", who, page.TotalCount, len(page.Edges), want)
				}
			case atkWantBaseline:
				if out != "OK" && (first || out != "CONFLICT" || !strings.HasPrefix(op.root, "create")) {
					t.Errorf("%s: the baseline on B's own records got %s; want OK\nresponse: %.600s", who, out, r.body)
				}
			case atkWantOwn:
				if op.noUpdated && strings.Contains(string(r.Data), `"UPDATED"`) {
					t.Errorf("%s: an upsert keyed on A's values updated a record: %.600s", who, r.body)
				}
				if out == "CONFLICT" && strings.Contains(op.name, "A's unique keys") {
					t.Errorf("%s: CONFLICT on A's key values: uniqueness crosses tenants (an existence oracle): %.400s", who, r.body)
				}
			}
			if op.oracle {
				repl := map[string]string{}
				vars := atkFreshIDs(op.vars, victimIDs, repl).(map[string]any)
				rc := f.atkDo("Bearer "+cred, op.query, vars)
				sent++
				if atkNormalized(r.body, repl) != atkNormalized(rc.body, repl) {
					t.Errorf("%s: A's IDs answer differently from IDs that exist nowhere (an existence oracle):\nA's:  %.400s\nnone: %.400s", who, r.body, rc.body)
				}
			}
		}
		creds := []struct{ name, cred string }{{"API token", b.token}, {"user session", b.jwt}}
		// Lists first: B's own records created by the mutations below may
		// carry A's key strings, which B sent itself.
		for i, c := range creds {
			for _, op := range queries {
				run(c.cred, c.name, i == 0, op)
			}
		}
		for i, c := range creds {
			for _, op := range mutations {
				run(c.cred, c.name, i == 0, op)
			}
		}

		rowsAfter, sumAfter := atkDigest(t, f, string(a.org.ID))
		if rowsAfter != rowsBefore || sumAfter != sumBefore {
			t.Errorf("tenant A's rows changed: %d rows (checksum %s) before, %d rows (checksum %s) after", rowsBefore, sumBefore[:12], rowsAfter, sumAfter[:12])
			atkUnchanged(t, f, "tenant A's rows", string(a.org.ID), linesBefore)
		}
		c := f.store.Client
		if n := c.Contact.Query().CountX(a.ctx); n != len(a.ids["Contact"]) {
			t.Errorf("tenant A has %d contacts; want %d", n, len(a.ids["Contact"]))
		}
		if d := c.Deal.GetX(a.ctx, pulid.ID(a.ids["Deal"][0])); d.Name != atkSecret+" deal" || d.StageID == nil || string(*d.StageID) != a.ids["Stage"][0] {
			t.Errorf("tenant A's deal changed: %+v", d)
		}
		t.Logf("generated %d operations (%d on Query, %d on Mutation) from the schema; sent %d requests with 2 credentials (oracle replays included); A has %d rows, checksum %s",
			len(queries)+len(mutations), len(queries), len(mutations), sent, rowsAfter, sumAfter[:12])
		for _, c := range creds {
			t.Logf("outcomes with B's %s: %s", c.name, outcomes[c.name])
		}
		if n := atkRateLimitWaits.Load() - waitsBefore; n > 0 {
			t.Logf("waited %d times on the server's rate limits (the fixture leaves them on)", n)
		}
		wants := make([]int, 0, len(byWant))
		for w := range byWant {
			wants = append(wants, int(w))
		}
		sort.Ints(wants)
		for _, w := range wants {
			t.Logf("expected %-14s → %s", atkWant(w).String()+":", byWant[atkWant(w)])
		}
		if testing.Verbose() {
			for _, op := range append(queries, mutations...) {
				t.Logf("  %-75s want %-14s got %s", op.name, op.want, strings.Join(perOp[op.name], "; "))
			}
		}
	})
}
