// Package errs defines the CRM's error codes and maps every error the
// packages below the API return, including the data layer's, to one of them.
// The GraphQL layer reports the code in extensions.code and, for codes other
// than INTERNAL, the message; internal details never reach a client.
package errs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/tenant"
)

// The error codes of the API.
const (
	Unauthenticated = "UNAUTHENTICATED"
	Forbidden       = "FORBIDDEN"
	NotFound        = "NOT_FOUND"
	BadUserInput    = "BAD_USER_INPUT"
	Conflict        = "CONFLICT"
	RateLimited     = "RATE_LIMITED"
	TooComplex      = "COMPLEXITY_LIMIT_EXCEEDED"
	// Timeout is a request that ran past the server's request deadline,
	// or a statement past the database's statement timeout; it may
	// succeed with less work (a narrower query) or when the server is
	// less busy.
	Timeout = "TIMEOUT"
	// Canceled is a request the client abandoned (it disconnected or
	// stopped the operation) before the answer was ready.
	Canceled = "CANCELLED"
	Internal = "INTERNAL"
)

// Error is an error with a code, a message fit for the caller, and the input
// field at fault when there is one.
type Error struct {
	// Code is one of the codes above.
	Code string
	// Message says what is wrong, for a human.
	Message string
	// Field is the input field at fault (GraphQL name), or "".
	Field string
	// Err is the underlying cause, kept for logs, never shown.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with the code and message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Input returns a BAD_USER_INPUT error about one input field.
func Input(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// From maps any error to an *Error: errors of this package pass through,
// the data layer's validation, constraint and not-found errors get their
// codes, and anything else is INTERNAL with a generic message.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var ve *ent.ValidationError
	if errors.As(err, &ve) {
		field := GraphQLName(ve.Name)
		return &Error{Code: BadUserInput, Field: field, Message: field + " " + validationText(ve), Err: err}
	}
	var nf *ent.NotFoundError
	if errors.As(err, &nf) {
		return &Error{Code: NotFound, Message: "no such record", Err: err}
	}
	var ce *ent.ConstraintError
	if errors.As(err, &ce) {
		return constraint(ce)
	}
	switch {
	case errors.Is(err, tenant.ErrNoTenant):
		return &Error{Code: Unauthenticated, Message: "authentication required", Err: err}
	case errors.Is(err, tenant.ErrOwnerChange):
		return &Error{Code: Forbidden, Field: "ownerId", Message: tenant.ErrOwnerChange.Error(), Err: err}
	case errors.Is(err, context.DeadlineExceeded), Interrupted(err):
		return &Error{Code: Timeout, Message: "the request took longer than the server allows", Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Code: Canceled, Message: "the request was cancelled", Err: err}
	}
	return &Error{Code: Internal, Message: "internal error", Err: err}
}

// Interrupted reports whether err is a database statement stopped before it
// finished because its context ended or a statement timeout passed: lib/pq
// reports the cancellation PostgreSQL answers with (SQLSTATE 57014,
// "canceling statement due to user request" or "… statement timeout")
// rather than the context's error, and SQLite reports SQLITE_INTERRUPT
// ("interrupted (9)") when a running statement is stopped.
func Interrupted(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == pgQueryCanceled
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_INTERRUPT
	}
	return false
}

// pgQueryCanceled is PostgreSQL's SQLSTATE query_canceled.
const pgQueryCanceled = "57014"

// CodeOf returns the code of err.
func CodeOf(err error) string { return From(err).Code }

// validationText turns an ent validator message into the part after the
// field name: ent writes `ent: validator failed for field "Contact.email":
// is not a valid email address`.
func validationText(ve *ent.ValidationError) string {
	msg := ve.Error()
	switch {
	case strings.Contains(msg, "missing required"):
		return "is required"
	}
	if i := strings.LastIndex(msg, "\": "); i >= 0 {
		msg = msg[i+3:]
	}
	switch {
	case strings.Contains(msg, "value is less than the required length"):
		return "must not be empty"
	case strings.Contains(msg, "value is greater than the required length"):
		return "is too long"
	case strings.Contains(msg, "value out of range"), strings.Contains(msg, "value is less than"):
		return "is out of range"
	case strings.Contains(msg, "invalid enum value"):
		return "is not one of the allowed values"
	case strings.Contains(msg, "does not match validation"):
		return "has an invalid format"
	case msg == "" || strings.HasPrefix(msg, "ent:"):
		return "is invalid"
	}
	return msg
}

// constraint maps a unique or foreign-key violation to CONFLICT or
// BAD_USER_INPUT without revealing the database's message.
func constraint(ce *ent.ConstraintError) *Error {
	msg := strings.ToLower(ce.Error())
	switch {
	case strings.Contains(msg, "foreign key"):
		return &Error{Code: Conflict, Message: "the record is referenced by other records, or references a record that does not exist", Err: ce}
	case strings.Contains(msg, "email"):
		return &Error{Code: Conflict, Field: "email", Message: "another record already has this email", Err: ce}
	case strings.Contains(msg, "domain"):
		return &Error{Code: Conflict, Field: "domain", Message: "another account already has this domain", Err: ce}
	case strings.Contains(msg, "external_id"):
		return &Error{Code: Conflict, Field: "externalID", Message: "another record already has this external ID", Err: ce}
	case strings.Contains(msg, "sku"):
		return &Error{Code: Conflict, Field: "sku", Message: "another product already has this SKU", Err: ce}
	case strings.Contains(msg, "slug"):
		return &Error{Code: Conflict, Field: "slug", Message: "another organization already has this slug", Err: ce}
	case strings.Contains(msg, "campaign_id") || strings.Contains(msg, "campaign_members"):
		return &Error{Code: Conflict, Message: "the contact is already a member of this campaign", Err: ce}
	}
	return &Error{Code: Conflict, Message: "the change conflicts with an existing record", Err: ce}
}

// GraphQLName turns a database field name such as "first_name" or
// "Contact.first_name" into its GraphQL name, "firstName".
func GraphQLName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	parts := strings.Split(name, "_")
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i == 0 {
			b.WriteString(p)
			continue
		}
		if p == "id" {
			b.WriteString("ID")
			continue
		}
		r := []rune(p)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}
