package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/headlesscrm/crm/internal/errs"
)

// harden adds the operation size limits (complexity.go, overlap.go) to the
// GraphQL server and, unless introspection is on, hides the names
// validation errors would suggest (suggestions.go). Call it after
// SetValidationRulesFn and checkPageSizes: it replaces the rules, and a page
// over MaxPageSize is refused as BAD_USER_INPUT before its cost is counted.
func harden(srv *handler.Server, cfg Config) {
	ruleSet := validationRules
	if !cfg.Dev {
		// gqlgen would otherwise swap two suggesting rules back in.
		srv.SetDisableSuggestion(true)
		ruleSet = validationRulesWithoutSuggestions
	}
	srv.SetValidationRulesFn(func() *rules.Rules {
		r := ruleSet()
		guardedMergeRule(r)
		return r
	})
	srv.Use(fragmentGuard{})
	srv.AroundOperations(checkQuerySize)
	srv.AroundResponses(codeSizeErrors)
}

// screenRequest refuses, before authentication or parsing, requests that
// no transport should see:
//
//   - A POST whose body is not application/json: 415. This is the CSRF
//     guard. An HTML form, or a fetch without a CORS preflight, can only
//     send application/x-www-form-urlencoded, multipart/form-data or
//     text/plain (or no type at all), so refusing those keeps other sites'
//     pages from calling the API with the browser's credentials, whatever
//     the CORS policy; a JSON POST from another origin needs a preflight,
//     which cors answers only for CORSOrigins. Mutations never run over GET:
//     gqlgen's GET transport answers 406 to anything but a query.
//   - A body over MaxBodyBytes: 413, with a JSON error, rather than the
//     POST transport's "could not read request body".
//
// The body is read here, whole, so that its size is known; gqlgen would
// read it whole anyway.
func screenRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			writeHTTPError(w, http.StatusUnsupportedMediaType, errs.BadUserInput,
				"a POST to /graphql must have Content-Type: application/json; form, multipart and text/plain bodies are refused")
			return
		}
		if r.ContentLength > MaxBodyBytes {
			writeHTTPError(w, http.StatusRequestEntityTooLarge, errs.BadUserInput, tooLargeMessage())
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe) || len(body) > MaxBodyBytes:
			writeHTTPError(w, http.StatusRequestEntityTooLarge, errs.BadUserInput, tooLargeMessage())
			return
		case err != nil:
			writeHTTPError(w, http.StatusBadRequest, errs.BadUserInput, "the request body could not be read")
			return
		}
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func tooLargeMessage() string {
	return fmt.Sprintf("the request body is over %d bytes, the limit", MaxBodyBytes)
}

// writeHTTPError answers with a status and a GraphQL error response.
func writeHTTPError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message":    msg,
		"extensions": map[string]any{"code": code},
	}}})
}
