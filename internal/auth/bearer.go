package auth

import (
	"net/http"
	"strings"
)

// BearerToken returns the credential of the request's
// "Authorization: Bearer <token>" header. The scheme is matched
// case-insensitively and surrounding spaces are trimmed. It reports false
// when the header is absent, repeated, of another scheme, or carries an
// empty or space-containing credential.
func BearerToken(r *http.Request) (string, bool) {
	values := r.Header.Values("Authorization")
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
