package server_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/graph"
	"github.com/headlesscrm/crm/internal/auth"
)

// atkOwnMutations builds one operation per mutation (login and
// refreshToken aside) acting on the tenant's own records: the id of its own
// record, a minimal input whose every ID field names its own records, and
// a change. Were the call let through, it would write.
func atkOwnMutations(g *atkGen, own *atkTenant) []atkOp {
	var ops []atkOp
	for _, m := range g.s.Mutation.Fields {
		if strings.HasPrefix(m.Name, "__") || m.Name == "login" || m.Name == "refreshToken" {
			continue
		}
		args := map[string]any{}
		objType := ""
		for _, a := range m.Arguments {
			d := g.s.Types[a.Type.Name()]
			switch {
			case a.Name == "id" && a.Type.Name() == "ID":
				if ids := own.ids[atkMutationTarget(g, m)]; len(ids) > 0 {
					args["id"] = ids[0]
				}
			case d != nil && d.Kind == ast.InputObject:
				objType = g.inputObject(d.Name, m)
				v := g.minimal(a.Type, "", objType, own)
				in, _ := v.(map[string]any)
				if l, ok := v.([]any); ok {
					in = l[0].(map[string]any)
				}
				for _, idf := range g.idFields(d, objType) {
					if ids := own.ids[idf[1]]; len(ids) > 0 {
						in[idf[0]] = ids[len(ids)-1]
					}
				}
				if name, val := g.changeField(d); name != "" && strings.HasPrefix(m.Name, "update") {
					in[name] = val
				}
				for _, fd := range d.Fields {
					if atkKeyFields[fd.Name] && strings.HasPrefix(m.Name, "upsert") {
						in[fd.Name] = g.scalarValue(fd.Type.Name(), fd.Name)
					}
				}
				args[a.Name] = v
			case a.Type.NonNull && a.DefaultValue == nil:
				args[a.Name] = g.minimal(a.Type, a.Name, "", own)
			}
		}
		if objType == "" {
			objType = atkMutationTarget(g, m)
		}
		ops = append(ops, atkOp{name: m.Name, root: m.Name, query: g.operation("mutation", m, args), vars: args, listType: objType})
	}
	return ops
}

// TestAttackReadScopedCallersCannotWrite calls every mutation of the schema
// on the tenant's own records with callers that may only read: an API
// token with contacts:read and a VIEWER user. Each is FORBIDDEN and nothing
// is written. A token with contacts:write is refused every mutation that
// acts on anything but contacts.
func TestAttackReadScopedCallersCannotWrite(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := atkSeed(t, f, atkSecret)
		sc, _ := auth.ParseScopeList([]string{"contacts:read"})
		readTok, _, err := f.ids.CreateAPIToken(a.ctx, "read only", sc, nil, a.ids["User"][0])
		if err != nil {
			t.Fatal(err)
		}
		sc, _ = auth.ParseScopeList([]string{"contacts:write"})
		contactsTok, _, err := f.ids.CreateAPIToken(a.ctx, "contacts only", sc, nil, a.ids["User"][0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.ids.CreateUser(a.ctx, "viewer@acme-secret.example", "Viewer", user.RoleVIEWER, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		sess, err := f.ids.Login(a.ctx, "viewer@acme-secret.example", "correct horse battery", a.org.Slug)
		if err != nil {
			t.Fatal(err)
		}
		ops := atkOwnMutations(newAtkGen(), a)
		// What each caller may do is what the access rules say
		// (graph.RootFieldAccess, auth.Viewer.Can); fields open to any
		// caller (public, or needing no right) are left out.
		callers := []struct {
			name, cred string
			v          *auth.Viewer
		}{
			{"contacts:read token", readTok, &auth.Viewer{OrganizationID: "o", TokenID: "t", Scopes: atkScopes(t, "contacts:read")}},
			{"VIEWER user", sess.AccessToken, &auth.Viewer{OrganizationID: "o", UserID: "u", Role: auth.RoleViewer}},
		}
		rows := atkRows(t, f, string(a.org.ID), atkTokenUse...)
		outcomes := atkTally{}
		var open []string
		for _, op := range ops {
			acc := graph.RootFieldAccess(ast.Mutation, op.root)
			if acc.Public || acc.Resource == "" {
				open = append(open, op.root)
				continue
			}
			for _, c := range callers {
				if c.v.Can(acc.Resource, acc.Action) {
					t.Errorf("%s: the rules let a %s call it (%s:%s)", op.name, c.name, acc.Resource, acc.Action)
					continue
				}
				r := f.atkDo("Bearer "+c.cred, op.query, op.vars)
				out := r.outcome()
				outcomes[out]++
				if (out != "FORBIDDEN" && out != "UNAUTHENTICATED") || string(r.Data) != "null" {
					t.Errorf("%s [%s]: got %s; want FORBIDDEN and no data\nresponse: %.400s", op.name, c.name, out, r.body)
				}
			}
		}
		atkUnchanged(t, f, "after refused mutations, tenant A's rows", string(a.org.ID), rows, atkTokenUse...)
		t.Logf("%d mutations generated; %d open to any caller left out (%s); the rest sent with a contacts:read token and a VIEWER session: %s",
			len(ops), len(open), strings.Join(open, ", "), outcomes)

		scoped := atkTally{}
		contactsWriter := atkScopes(t, "contacts:write")
		for _, op := range ops {
			acc := graph.RootFieldAccess(ast.Mutation, op.root)
			if acc.Public || acc.Resource == "" {
				continue
			}
			r := f.atkDo("Bearer "+contactsTok, op.query, op.vars)
			out := r.rootOutcome()
			scoped[out]++
			if contactsWriter.Allows(acc.Resource, acc.Action) {
				// The mutation itself is allowed; selecting a nested field of
				// another resource refuses it before it runs.
				if out == "FORBIDDEN" && strings.Contains(r.body, op.root+".") && strings.Contains(r.body, ":read right") {
					scoped["FORBIDDEN (nested field)"]++
					scoped[out]--
					continue
				}
				if out == "FORBIDDEN" || out == "INTERNAL" {
					t.Errorf("%s [contacts:write token]: %s on %s; want it let through: %.300s", op.name, out, acc.Resource, r.body)
				}
				continue
			}
			if out != "FORBIDDEN" || string(r.Data) != "null" {
				t.Errorf("%s [contacts:write token]: got %s on %s; want FORBIDDEN\nresponse: %.400s", op.name, out, acc.Resource, r.body)
			}
		}
		t.Logf("the same %d mutations with a contacts:write token: %s", len(ops), scoped)
	})
}

func atkScopes(t *testing.T, s ...string) auth.Scopes {
	t.Helper()
	sc, err := auth.ParseScopeList(s)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestAttackScopedTokenReadsOnlyItsResources gives, for every list field
// of Query, a token the read scope of that list's resource only, and
// selects everything the list's records lead to (two levels deep). Records
// of another resource must not come back through the edges: the token
// cannot list them at the root, so it must not read them nested either.
// The resource of a type is the one graph.RootFieldAccess requires of the
// root list of that type.
func TestAttackScopedTokenReadsOnlyItsResources(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := atkSeed(t, f, atkSecret)
		g := newAtkGen()
		listOf := map[string]string{}
		for _, fd := range g.s.Query.Fields {
			if node := atkConnectionNode(g, fd.Type.Name()); node != "" {
				listOf[node] = fd.Name
			}
		}
		resourceOf := func(typ string) string {
			if lf, ok := listOf[typ]; ok {
				return graph.RootFieldAccess(ast.Query, lf).Resource
			}
			return ""
		}
		seen := atkTally{}
		lists := 0
		for _, fd := range g.s.Query.Fields {
			node := atkConnectionNode(g, fd.Type.Name())
			res := resourceOf(node)
			if node == "" || res == "" || res == "*" {
				continue
			}
			sc, err := auth.ParseScopeList([]string{res + ":read"})
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := f.ids.CreateAPIToken(a.ctx, res+" reader", sc, nil, a.ids["User"][0])
			if err != nil {
				t.Fatal(err)
			}
			q := g.operation("query", fd, nil)
			r := f.atkDo("Bearer "+tok, q, nil)
			lists++
			if r.outcome() != "OK" {
				// Refusing a nested field is fine; say so in the log.
				seen["errors: "+r.outcome()]++
			}
			var data map[string]any
			_ = json.Unmarshal(r.Data, &data)
			var leaked []string
			atkWalk(g, data[fd.Name], fd.Type.Name(), fd.Name, func(path, typ string) {
				if rr := resourceOf(typ); rr != "" && rr != res {
					leaked = append(leaked, path+" ("+typ+", needs "+rr+":read)")
				}
			})
			sort.Strings(leaked)
			for _, l := range leaked {
				seen[l[strings.LastIndexByte(l, '(')+1:strings.IndexByte(l, ',')]]++
			}
			if len(leaked) > 0 {
				t.Errorf("a %s:read token listing %s reads records of other resources through edges: %s", res, fd.Name, strings.Join(leaked, "; "))
			}
		}
		t.Logf("%d lists each read with a token scoped to its own resource; records of other types returned nested: %s", lists, seen)
	})
}

// atkConnectionNode returns the node type of a connection type, or "".
func atkConnectionNode(g *atkGen, typ string) string {
	d := g.s.Types[typ]
	if d == nil || !strings.HasSuffix(typ, "Connection") || d.Fields.ForName("edges") == nil {
		return ""
	}
	return g.s.Types[d.Fields.ForName("edges").Type.Name()].Fields.ForName("node").Type.Name()
}

// atkWalk visits every record in a response value of the type, calling
// found with its path and type for each non-null record below the top.
func atkWalk(g *atkGen, v any, typ, path string, found func(path, typ string)) {
	if v == nil {
		return
	}
	if list, ok := v.([]any); ok {
		for i, e := range list {
			atkWalk(g, e, typ, fmt.Sprintf("%s[%d]", path, i), found)
		}
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	if node := atkConnectionNode(g, typ); node != "" {
		edges, _ := obj["edges"].([]any)
		for i, e := range edges {
			if em, ok := e.(map[string]any); ok {
				atkWalk(g, em["node"], node, fmt.Sprintf("%s.edges[%d].node", path, i), found)
			}
		}
		return
	}
	d := g.s.Types[typ]
	if d == nil {
		return
	}
	for k, val := range obj {
		fd := d.Fields.ForName(k)
		if fd == nil || val == nil {
			continue
		}
		ft := fd.Type.Name()
		p := path + "." + k
		if g.isNodeType(ft) {
			if l, ok := val.([]any); ok {
				for i, e := range l {
					if e != nil {
						found(fmt.Sprintf("%s[%d]", p, i), ft)
					}
				}
			} else {
				found(p, ft)
			}
		}
		if n := atkConnectionNode(g, ft); n != "" {
			conn, _ := val.(map[string]any)
			edges, _ := conn["edges"].([]any)
			if total, _ := conn["totalCount"].(float64); len(edges) > 0 || total > 0 {
				found(p, n)
			}
		}
		atkWalk(g, val, ft, p, found)
	}
}
