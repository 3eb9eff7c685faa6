package errs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"

	"github.com/headlesscrm/crm/internal/errs"
)

// TestFromEndedStatements checks the codes and messages of statements
// stopped by a deadline, a cancellation or a statement timeout: none is
// INTERNAL, and the database's own words never reach the message.
func TestFromEndedStatements(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		code    string
		message string
	}{
		{"deadline", fmt.Errorf("kpi: sales: %w", context.DeadlineExceeded),
			errs.Timeout, "the request took longer than the server allows"},
		{"PostgreSQL cancelled the statement", fmt.Errorf("kpi: customers: %w", &pq.Error{Code: "57014", Message: "canceling statement due to user request"}),
			errs.Timeout, "the request took longer than the server allows"},
		{"PostgreSQL statement timeout", &pq.Error{Code: "57014", Message: "canceling statement due to statement timeout"},
			errs.Timeout, "the request took longer than the server allows"},
		{"client went away", fmt.Errorf("querying: %w", context.Canceled),
			errs.Canceled, "the request was cancelled"},
		{"another PostgreSQL error", &pq.Error{Code: "42P01", Message: "relation does not exist"},
			errs.Internal, "internal error"},
		{"anything else", errors.New("boom"),
			errs.Internal, "internal error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := errs.From(tc.err)
			if got.Code != tc.code || got.Message != tc.message {
				t.Errorf("From(%v) = %s %q; want %s %q", tc.err, got.Code, got.Message, tc.code, tc.message)
			}
			if !errors.Is(got, tc.err) {
				t.Errorf("From(%v) lost its cause", tc.err)
			}
		})
	}
}
