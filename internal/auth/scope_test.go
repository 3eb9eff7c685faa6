package auth

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseScopes(t *testing.T) {
	tests := []struct {
		in      string
		want    string // canonical String() of the result
		badPart string // when non-empty, parsing fails and the error names it
	}{
		{in: "", want: ""},
		{in: "contacts:read", want: "contacts:read"},
		{in: "contacts:read deals:write", want: "contacts:read deals:write"},
		{in: "deals:write,contacts:read", want: "contacts:read deals:write"},
		{in: " contacts:read ,, deals:write\n", want: "contacts:read deals:write"},
		{in: "contacts:read contacts:read", want: "contacts:read"},
		{in: "*:read", want: "*:read"},
		{in: "*:write users:read", want: "*:write users:read"},
		{in: "invoices:read", badPart: "invoices"},
		{in: "contacts:read invoices:write", badPart: "invoices"},
		{in: "contacts:delete", badPart: "delete"},
		{in: "contacts", badPart: "contacts"},
		{in: "contacts:", badPart: "contacts:"},
		{in: ":read", badPart: ":read"},
		{in: "Contacts:read", badPart: "Contacts"},
		{in: "contacts:READ", badPart: "READ"},
		{in: "contacts:read:write", badPart: "read:write"},
		{in: "**:read", badPart: "**"},
	}
	for _, tt := range tests {
		got, err := ParseScopes(tt.in)
		if tt.badPart != "" {
			if err == nil {
				t.Errorf("ParseScopes(%q) = %q, want error naming %q", tt.in, got, tt.badPart)
			} else if !errors.Is(err, ErrInvalidScope) || !strings.Contains(err.Error(), tt.badPart) {
				t.Errorf("ParseScopes(%q) error %q: want ErrInvalidScope naming %q", tt.in, err, tt.badPart)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseScopes(%q): unexpected error %v", tt.in, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("ParseScopes(%q) = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseScopes(got.String())
		if err != nil || !slices.Equal(again, got) {
			t.Errorf("ParseScopes(%q).String() does not round-trip: %q, %v", tt.in, again, err)
		}
	}
}

func TestParseScopeList(t *testing.T) {
	got, err := ParseScopeList([]string{"deals:read", "contacts:write"})
	if err != nil || got.String() != "contacts:write deals:read" {
		t.Errorf("ParseScopeList = %q, %v", got, err)
	}
	for _, bad := range [][]string{{""}, {"contacts:read", " deals:read"}, {"contacts:read deals:read"}} {
		if got, err := ParseScopeList(bad); err == nil {
			t.Errorf("ParseScopeList(%q) = %q, want error", bad, got)
		}
	}
	if got, err := ParseScopeList(nil); err != nil || len(got) != 0 {
		t.Errorf("ParseScopeList(nil) = %q, %v; want empty", got, err)
	}
}

func TestEveryResourceParsesWithEveryAction(t *testing.T) {
	for _, res := range AllResources() {
		for _, act := range []Action{ActionRead, ActionWrite} {
			s := res + ":" + string(act)
			sc, err := ParseScope(s)
			if err != nil || sc != (Scope{res, act}) || sc.String() != s {
				t.Errorf("ParseScope(%q) = %v, %v", s, sc, err)
			}
		}
	}
}

func TestScopesAllows(t *testing.T) {
	tests := []struct {
		scopes   Scopes
		resource string
		action   Action
		want     bool
	}{
		{Scopes{{"contacts", ActionRead}}, "contacts", ActionRead, true},
		{Scopes{{"contacts", ActionRead}}, "contacts", ActionWrite, false},
		{Scopes{{"contacts", ActionWrite}}, "contacts", ActionRead, true}, // write implies read
		{Scopes{{"contacts", ActionWrite}}, "contacts", ActionWrite, true},
		{Scopes{{"contacts", ActionWrite}}, "accounts", ActionRead, false},
		{Scopes{{"*", ActionRead}}, "users", ActionRead, true},
		{Scopes{{"*", ActionRead}}, "users", ActionWrite, false},
		{Scopes{{"*", ActionWrite}}, "tokens", ActionWrite, true},
		{Scopes{{"*", ActionWrite}}, "*", ActionRead, false}, // "*" is not a resource
		{Scopes{{"*", ActionWrite}}, "invoices", ActionRead, false},
		{Scopes{{"contacts", ActionWrite}}, "contacts", "", false},
		{Scopes{{"contacts", "admin"}}, "contacts", ActionRead, false}, // hand-built bad scope grants nothing
		{nil, "contacts", ActionRead, false},
	}
	for _, tt := range tests {
		if got := tt.scopes.Allows(tt.resource, tt.action); got != tt.want {
			t.Errorf("%q.Allows(%q, %q) = %v, want %v", tt.scopes, tt.resource, tt.action, got, tt.want)
		}
	}
}

func TestAllResources(t *testing.T) {
	want := []string{"contacts", "accounts", "deals", "pipelines", "products", "activities", "tickets",
		"campaigns", "surveys", "segments", "analytics", "webhooks", "events", "tokens", "users", "audit"}
	got := AllResources()
	if !slices.Equal(got, want) {
		t.Fatalf("AllResources() = %q, want %q", got, want)
	}
	got[0] = "mutated"
	if AllResources()[0] != "contacts" {
		t.Error("AllResources returns the package's own slice")
	}
}
