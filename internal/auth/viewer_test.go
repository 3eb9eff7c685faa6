package auth

import (
	"context"
	"testing"
)

// crmRecordResources are the resources every user may read and every role
// from MEMBER up may write.
var crmRecordResources = []string{
	ResourceContacts, ResourceAccounts, ResourceDeals, ResourcePipelines,
	ResourceProducts, ResourceActivities, ResourceTickets, ResourceCampaigns,
	ResourceSurveys, ResourceSegments, ResourceAnalytics, ResourceEvents,
}

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"OWNER", RoleOwner, false},
		{"ADMIN", RoleAdmin, false},
		{"MANAGER", RoleManager, false},
		{"MEMBER", RoleMember, false},
		{"VIEWER", RoleViewer, false},
		{"viewer", RoleViewer, false},
		{" Admin ", RoleAdmin, false},
		{"", "", true},
		{"ROOT", "", true},
		{"OWNER!", "", true},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q, error=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestRolesAreValidDistinctAndOrdered(t *testing.T) {
	roles := Roles()
	if len(roles) != 5 {
		t.Fatalf("Roles() has %d roles, want 5", len(roles))
	}
	for i, r := range roles {
		if !r.Valid() {
			t.Errorf("Roles()[%d] = %q is not valid", i, r)
		}
		if i > 0 && !roles[i-1].AtLeast(r) || i > 0 && r.AtLeast(roles[i-1]) {
			t.Errorf("Roles() not strictly ordered from most to least privileged at %q, %q", roles[i-1], r)
		}
	}
	if Role("ROOT").Valid() || Role("").Valid() || Role("owner").Valid() {
		t.Error("unknown role reported valid")
	}
	if Role("ROOT").AtLeast(RoleViewer) || RoleOwner.AtLeast("ROOT") {
		t.Error("AtLeast must be false when either role is unknown")
	}
}

func TestViewerCanByRole(t *testing.T) {
	type rights struct{ read, write bool }
	tests := []struct {
		role                            Role
		records, users, tokens, webhook rights
	}{
		{RoleOwner, rights{true, true}, rights{true, true}, rights{true, true}, rights{true, true}},
		{RoleAdmin, rights{true, true}, rights{true, true}, rights{true, true}, rights{true, true}},
		{RoleManager, rights{true, true}, rights{true, false}, rights{false, false}, rights{false, false}},
		{RoleMember, rights{true, true}, rights{true, false}, rights{false, false}, rights{false, false}},
		{RoleViewer, rights{true, false}, rights{true, false}, rights{false, false}, rights{false, false}},
		{Role("ROOT"), rights{false, false}, rights{false, false}, rights{false, false}, rights{false, false}},
		{Role(""), rights{false, false}, rights{false, false}, rights{false, false}, rights{false, false}},
	}
	for _, tt := range tests {
		v := &Viewer{OrganizationID: "org1", UserID: "user1", Role: tt.role}
		check := func(resource string, want rights) {
			t.Helper()
			if got := v.Can(resource, ActionRead); got != want.read {
				t.Errorf("%s user: Can(%s, read) = %v, want %v", tt.role, resource, got, want.read)
			}
			if got := v.Can(resource, ActionWrite); got != want.write {
				t.Errorf("%s user: Can(%s, write) = %v, want %v", tt.role, resource, got, want.write)
			}
		}
		for _, res := range crmRecordResources {
			check(res, tt.records)
		}
		check(ResourceUsers, tt.users)
		check(ResourceTokens, tt.tokens)
		check(ResourceWebhooks, tt.webhook)
		check("invoices", rights{false, false})
		check(ScopeWildcard, rights{false, false})
		if v.Can(ResourceContacts, Action("delete")) || v.Can(ResourceContacts, "") {
			t.Errorf("%s user: unknown action allowed", tt.role)
		}
	}
}

func TestEveryResourceHasAUserPolicy(t *testing.T) {
	for _, res := range AllResources() {
		if _, ok := userPolicy[res]; !ok {
			t.Errorf("resource %q has no user policy", res)
		}
	}
	if len(userPolicy) != len(AllResources()) {
		t.Errorf("userPolicy has %d entries, AllResources %d", len(userPolicy), len(AllResources()))
	}
}

func TestViewerCanByScopes(t *testing.T) {
	tests := []struct {
		name     string
		scopes   string
		resource string
		action   Action
		want     bool
	}{
		{"read scope reads", "contacts:read", ResourceContacts, ActionRead, true},
		{"read scope does not write", "contacts:read", ResourceContacts, ActionWrite, false},
		{"write scope writes", "contacts:write", ResourceContacts, ActionWrite, true},
		{"write scope implies read", "contacts:write", ResourceContacts, ActionRead, true},
		{"scope is per resource", "contacts:write", ResourceDeals, ActionRead, false},
		{"several scopes", "contacts:read deals:write", ResourceDeals, ActionWrite, true},
		{"wildcard read reads anything", "*:read", ResourceTickets, ActionRead, true},
		{"wildcard read does not write", "*:read", ResourceTickets, ActionWrite, false},
		{"wildcard write writes admin resources", "*:write", ResourceTokens, ActionWrite, true},
		{"no scopes, no access", "", ResourceContacts, ActionRead, false},
		{"unknown resource refused", "*:write", "invoices", ActionRead, false},
		{"unknown action refused", "*:write", ResourceContacts, Action("delete"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scopes, err := ParseScopes(tt.scopes)
			if err != nil {
				t.Fatal(err)
			}
			v := &Viewer{OrganizationID: "org1", TokenID: "tok1", Scopes: scopes}
			if got := v.Can(tt.resource, tt.action); got != tt.want {
				t.Errorf("token with %q: Can(%s, %s) = %v, want %v", tt.scopes, tt.resource, tt.action, got, tt.want)
			}
		})
	}
}

func TestViewerCanEdgeCases(t *testing.T) {
	readContacts := Scopes{{ResourceContacts, ActionRead}}
	tests := []struct {
		name   string
		viewer *Viewer
		want   bool // Can(contacts, write)
	}{
		{"nil viewer", nil, false},
		{"no organization", &Viewer{UserID: "u", Role: RoleOwner}, false},
		{"neither user nor token", &Viewer{OrganizationID: "o", Role: RoleOwner}, false},
		{"token role is ignored", &Viewer{OrganizationID: "o", TokenID: "t", Role: RoleOwner, Scopes: readContacts}, false},
		{"user scopes are ignored", &Viewer{OrganizationID: "o", UserID: "u", Role: RoleViewer, Scopes: Scopes{{ScopeWildcard, ActionWrite}}}, false},
		{"member user", &Viewer{OrganizationID: "o", UserID: "u", Role: RoleMember}, true},
	}
	for _, tt := range tests {
		if got := tt.viewer.Can(ResourceContacts, ActionWrite); got != tt.want {
			t.Errorf("%s: Can(contacts, write) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestViewerIdentity(t *testing.T) {
	tests := []struct {
		name            string
		viewer          *Viewer
		isUser, isToken bool
		actor           string
	}{
		{"user", &Viewer{OrganizationID: "o", UserID: "u1", Role: RoleMember}, true, false, "u1"},
		{"token", &Viewer{OrganizationID: "o", TokenID: "t1"}, false, true, "t1"},
		{"token on behalf of a user", &Viewer{OrganizationID: "o", UserID: "u1", TokenID: "t1"}, false, true, "t1"},
		{"anonymous", &Viewer{OrganizationID: "o"}, false, false, ""},
		{"nil", nil, false, false, ""},
	}
	for _, tt := range tests {
		if got := tt.viewer.IsUser(); got != tt.isUser {
			t.Errorf("%s: IsUser() = %v, want %v", tt.name, got, tt.isUser)
		}
		if got := tt.viewer.IsToken(); got != tt.isToken {
			t.Errorf("%s: IsToken() = %v, want %v", tt.name, got, tt.isToken)
		}
		if got := tt.viewer.Actor(); got != tt.actor {
			t.Errorf("%s: Actor() = %q, want %q", tt.name, got, tt.actor)
		}
	}
}

func TestViewerContext(t *testing.T) {
	if v, ok := FromContext(context.Background()); ok || v != nil {
		t.Errorf("empty context: FromContext = %v, %v; want nil, false", v, ok)
	}
	want := &Viewer{OrganizationID: "o", UserID: "u", Role: RoleAdmin}
	got, ok := FromContext(NewContext(context.Background(), want))
	if !ok || got != want {
		t.Errorf("FromContext = %v, %v; want %v, true", got, ok, want)
	}
	if v, ok := FromContext(NewContext(context.Background(), nil)); ok || v != nil {
		t.Errorf("nil viewer: FromContext = %v, %v; want nil, false", v, ok)
	}
}
