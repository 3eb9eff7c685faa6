package server_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/user"
	"github.com/headlesscrm/crm/internal/auth"
)

// atkForbiddenFields are fields a caller must never set: the tenant, the
// author, timestamps, the role of a record that is not a user, secrets.
var atkForbiddenFields = []string{
	"organizationID", "organizationId", "organization", "organization_id",
	"createdBy", "createdAt", "updatedAt", "id", "role", "passwordHash", "password_hash", "hash",
}

// TestAttackMassAssignmentIsAValidationError adds every forbidden field the
// input type does not declare to a minimal valid input of every mutation,
// once as a literal and once in a variable, with tenant B's token and A's
// organization as the value: each operation is refused by validation
// (GRAPHQL_VALIDATION_FAILED, no data) and nothing is written in either
// tenant.
func TestAttackMassAssignmentIsAValidationError(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		a := atkSeed(t, f, atkSecret)
		b := atkSeed(t, f, "globex")
		g := newAtkGen()
		aRows := atkRows(t, f, string(a.org.ID), atkTokenUse...)
		bRows := atkRows(t, f, string(b.org.ID), atkTokenUse...)
		outcomes := atkTally{}
		ops := 0
		for _, m := range g.s.Mutation.Fields {
			if m.Name == "login" || m.Name == "refreshToken" || strings.HasPrefix(m.Name, "__") {
				continue
			}
			var inArg *ast.ArgumentDefinition
			var inDef *ast.Definition
			for _, arg := range m.Arguments {
				if d := g.s.Types[arg.Type.Name()]; d != nil && d.Kind == ast.InputObject {
					inArg, inDef = arg, d
				}
			}
			if inArg == nil {
				continue
			}
			objType := g.inputObject(inDef.Name, m)
			var extra []string
			for _, name := range atkForbiddenFields {
				if inDef.Fields.ForName(name) == nil {
					extra = append(extra, name)
				}
			}
			sort.Strings(extra)
			value := func() (any, map[string]any) {
				v := g.minimal(inArg.Type, "", objType, b)
				in, _ := v.(map[string]any)
				if l, ok := v.([]any); ok {
					in = l[0].(map[string]any)
				}
				return v, in
			}
			args := map[string]any{}
			if id := m.Arguments.ForName("id"); id != nil {
				if ids := b.ids[atkMutationTarget(g, m)]; len(ids) > 0 {
					args["id"] = ids[0]
				}
			}
			sel := g.selection(m.Type.Name(), 1)
			// As a literal: validation names every unknown field.
			v, in := value()
			lit := g.literal(v, inArg.Type)
			var add []string
			for _, name := range extra {
				add = append(add, name+": "+atkLiteralFor(name, a))
			}
			if len(in) > 0 {
				lit = strings.Replace(lit, "{", "{"+strings.Join(add, ", ")+", ", 1)
			} else {
				lit = strings.Replace(lit, "{}", "{"+strings.Join(add, ", ")+"}", 1)
			}
			call := m.Name + "(" + inArg.Name + ": " + lit
			if id, ok := args["id"]; ok {
				call += `, id: "` + id.(string) + `"`
			}
			query := "mutation { " + call + ") { " + sel + " } }"
			r := f.atkDo("Bearer "+b.token, query, nil)
			ops++
			outcomes[r.outcome()]++
			if r.code() != "GRAPHQL_VALIDATION_FAILED" || (len(r.Data) > 0 && string(r.Data) != "null") {
				t.Errorf("%s with %v as a literal: got %s; want GRAPHQL_VALIDATION_FAILED and no data\n%.500s", m.Name, extra, r.outcome(), r.body)
			} else {
				for _, name := range extra {
					named := false
					for _, e := range r.Errors {
						if strings.Contains(e.Message, `"`+name+`"`) {
							named = true
						}
					}
					if !named {
						t.Errorf("%s: no validation error names the field %q: %.500s", m.Name, name, r.body)
					}
				}
			}
			// In a variable.
			v, in = value()
			for _, name := range extra {
				in[name] = atkValueFor(name, a)
			}
			args[inArg.Name] = v
			r = f.atkDo("Bearer "+b.token, g.operation("mutation", m, args), args)
			ops++
			outcomes[r.outcome()]++
			if r.code() != "GRAPHQL_VALIDATION_FAILED" || (len(r.Data) > 0 && string(r.Data) != "null") {
				t.Errorf("%s with %v in a variable: got %s; want GRAPHQL_VALIDATION_FAILED and no data\n%.500s", m.Name, extra, r.outcome(), r.body)
			}
		}
		atkUnchanged(t, f, "tenant A's rows", string(a.org.ID), aRows, atkTokenUse...)
		atkUnchanged(t, f, "tenant B's rows", string(b.org.ID), bRows, atkTokenUse...)
		t.Logf("%d mass-assignment operations generated (%d forbidden names): %s", ops, len(atkForbiddenFields), outcomes)
	})
}

// atkLiteralFor is the GraphQL literal an attacker would give a forbidden field.
func atkLiteralFor(name string, victim *atkTenant) string {
	switch name {
	case "role":
		return "OWNER"
	case "organization":
		return `{id: "` + string(victim.org.ID) + `"}`
	}
	return `"` + atkValueFor(name, victim).(string) + `"`
}

// atkValueFor is the JSON value an attacker would give a forbidden field.
func atkValueFor(name string, victim *atkTenant) any {
	switch name {
	case "organizationID", "organizationId", "organization_id":
		return string(victim.org.ID)
	case "organization":
		return map[string]any{"id": string(victim.org.ID)}
	case "createdBy":
		return victim.ids["User"][0]
	case "createdAt", "updatedAt":
		return "2000-01-01T00:00:00Z"
	case "id":
		return victim.ids["Contact"][0]
	case "role":
		return "OWNER"
	}
	return "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"
}

// TestAttackRoleEscalation: users below ADMIN may not change roles or add
// users, and nobody may raise a user above their own role or touch the
// owner without being one.
func TestAttackRoleEscalation(t *testing.T) {
	eachDatabase(t, func(t *testing.T, f *fixture) {
		b := f.tenant("globex")
		c := f.store.Client
		owner := c.User.Query().Where(user.RoleEQ(user.RoleOWNER)).OnlyX(b.ctx)
		session := func(email string, role user.Role) (string, string) {
			t.Helper()
			hash, err := auth.HashPassword("correct horse battery")
			if err != nil {
				t.Fatal(err)
			}
			u := c.User.Create().SetEmail(email).SetName(string(role)).SetRole(role).SetPasswordHash(hash).SaveX(b.ctx)
			s, err := f.ids.Login(b.ctx, email, "correct horse battery", b.org.Slug)
			if err != nil {
				t.Fatal(err)
			}
			return string(u.ID), s.AccessToken
		}
		memberID, member := session("member@globex.example", user.RoleMEMBER)
		viewerID, viewer := session("viewer@globex.example", user.RoleVIEWER)
		managerID, manager := session("manager@globex.example", user.RoleMANAGER)
		adminID, admin := session("admin@globex.example", user.RoleADMIN)
		const update = `mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { id role active } }`
		const create = `mutation($in: CreateUserAccountInput!) { createUser(input: $in) { id role } }`
		cases := []struct {
			name, jwt, query string
			vars             map[string]any
		}{
			{"MEMBER makes itself OWNER", member, update, map[string]any{"id": memberID, "in": map[string]any{"role": "OWNER"}}},
			{"MEMBER makes itself ADMIN", member, update, map[string]any{"id": memberID, "in": map[string]any{"role": "ADMIN"}}},
			{"MEMBER demotes the OWNER", member, update, map[string]any{"id": string(owner.ID), "in": map[string]any{"role": "VIEWER"}}},
			{"MEMBER deactivates the OWNER", member, update, map[string]any{"id": string(owner.ID), "in": map[string]any{"active": false}}},
			{"MEMBER creates an OWNER", member, create, map[string]any{"in": map[string]any{"email": "m2@globex.example", "password": "correct horse battery", "role": "OWNER"}}},
			{"MEMBER renames the organization", member, `mutation { updateOrganization(input: {name: "pwned"}) { id } }`, nil},
			{"VIEWER makes itself OWNER", viewer, update, map[string]any{"id": viewerID, "in": map[string]any{"role": "OWNER"}}},
			{"VIEWER creates a user", viewer, create, map[string]any{"in": map[string]any{"email": "v2@globex.example", "password": "correct horse battery"}}},
			{"MANAGER makes itself OWNER", manager, update, map[string]any{"id": managerID, "in": map[string]any{"role": "OWNER"}}},
			{"MANAGER creates an ADMIN", manager, create, map[string]any{"in": map[string]any{"email": "g2@globex.example", "password": "correct horse battery", "role": "ADMIN"}}},
			// An ADMIN administers users, but may not grant more than it
			// holds, nor overrule the OWNER.
			{"ADMIN makes itself OWNER", admin, update, map[string]any{"id": adminID, "in": map[string]any{"role": "OWNER"}}},
			{"ADMIN creates an OWNER", admin, create, map[string]any{"in": map[string]any{"email": "a2@globex.example", "password": "correct horse battery", "role": "OWNER"}}},
			{"ADMIN demotes the OWNER", admin, update, map[string]any{"id": string(owner.ID), "in": map[string]any{"role": "MEMBER"}}},
			{"ADMIN deactivates the OWNER", admin, update, map[string]any{"id": string(owner.ID), "in": map[string]any{"active": false}}},
		}
		for _, tc := range cases {
			before := c.User.Query().AllX(b.ctx)
			r := f.atkDo("Bearer "+tc.jwt, tc.query, tc.vars)
			if r.code() != "FORBIDDEN" || string(r.Data) != "null" {
				t.Errorf("%s: got %s; want FORBIDDEN\nresponse: %.400s", tc.name, r.outcome(), r.body)
			}
			after := c.User.Query().AllX(b.ctx)
			if len(after) != len(before) {
				t.Errorf("%s: %d users before, %d after", tc.name, len(before), len(after))
			}
			// Undo what an accepted call did, so the next case starts clean.
			for _, u := range before {
				c.User.UpdateOneID(u.ID).SetRole(u.Role).SetActive(u.Active).ExecX(b.ctx)
			}
			for _, u := range after {
				if !atkHasUser(before, string(u.ID)) {
					c.User.DeleteOneID(u.ID).ExecX(b.ctx)
				}
			}
		}
		if got := c.User.GetX(b.ctx, owner.ID); got.Role != user.RoleOWNER || !got.Active {
			t.Errorf("the owner is now %s, active %v", got.Role, got.Active)
		}
	})
}

func atkHasUser(users []*ent.User, id string) bool {
	for _, u := range users {
		if string(u.ID) == id {
			return true
		}
	}
	return false
}
