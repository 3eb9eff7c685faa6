package auth

import (
	"net/http/httptest"
	"testing"
)

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name    string
		headers []string // Authorization header values
		want    string
		ok      bool
	}{
		{"standard", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", true},
		{"lower-case scheme", []string{"bearer crm_x"}, "crm_x", true},
		{"mixed-case scheme", []string{"BeArEr tok"}, "tok", true},
		{"surrounding spaces", []string{"  Bearer   tok  "}, "tok", true},
		{"no header", nil, "", false},
		{"empty header", []string{""}, "", false},
		{"scheme only", []string{"Bearer"}, "", false},
		{"scheme and spaces", []string{"Bearer    "}, "", false},
		{"basic auth", []string{"Basic dXNlcjpwYXNz"}, "", false},
		{"token without scheme", []string{"abc.def.ghi"}, "", false},
		{"scheme prefix only", []string{"Bearerabc"}, "", false},
		{"two credentials", []string{"Bearer a b"}, "", false},
		{"two headers", []string{"Bearer a", "Bearer b"}, "", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/graphql", nil)
		for _, h := range tt.headers {
			r.Header.Add("Authorization", h)
		}
		got, ok := BearerToken(r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: BearerToken(%q) = %q, %v; want %q, %v", tt.name, tt.headers, got, ok, tt.want, tt.ok)
		}
	}
}
