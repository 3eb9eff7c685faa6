package server

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/headlesscrm/crm/internal/errs"
)

// TestPresentEndedRequest checks what a caller is told, and what is logged,
// when a request's context has ended (the server's deadline passed, or the
// client went away) or a statement was cancelled: the database's own
// errors never show, and neither case is an internal error.
func TestPresentEndedRequest(t *testing.T) {
	// lib/pq's error for a statement PostgreSQL cancelled, whether because
	// the context ended or a statement_timeout passed.
	pgCanceled := &pq.Error{Code: "57014", Message: "canceling statement due to user request"}
	pastDeadline := func() context.Context {
		ctx, cancel := context.WithDeadlineCause(context.Background(), time.Now().Add(-time.Second), deadlineError{30 * time.Second})
		cancel()
		return ctx
	}
	clientGone := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	live := context.Background
	cases := []struct {
		name    string
		ctx     func() context.Context
		err     error
		code    string
		message string
		// level is the level of the log entry, "" for none.
		level string
	}{
		{"deadline, statement cancelled", pastDeadline, fmt.Errorf("kpi: customers: %w", pgCanceled),
			errs.Timeout, "the request took longer than the server allows (30s)", "WARN"},
		{"deadline, transaction rolled back under it", pastDeadline, fmt.Errorf("committing: %w", sql.ErrTxDone),
			errs.Timeout, "the request took longer than the server allows (30s)", "WARN"},
		{"deadline, context error", pastDeadline, fmt.Errorf("ent: starting a transaction: %w", context.DeadlineExceeded),
			errs.Timeout, "the request took longer than the server allows (30s)", "WARN"},
		{"deadline, not found stays", pastDeadline, errs.New(errs.NotFound, "no such record"),
			errs.NotFound, "no such record", ""},
		{"client gone, statement cancelled", clientGone, pgCanceled,
			errs.Canceled, "the request was cancelled", ""},
		{"client gone, context error", clientGone, fmt.Errorf("kpi: sales: %w", context.Canceled),
			errs.Canceled, "the request was cancelled", ""},
		{"statement timeout", live, pgCanceled,
			errs.Timeout, "the request took longer than the server allows", "WARN"},
		{"an inner deadline", live, fmt.Errorf("webhook: %w", context.DeadlineExceeded),
			errs.Timeout, "the request took longer than the server allows", "WARN"},
		{"anything else", live, errors.New("pq: relation secret_table does not exist"),
			errs.Internal, "internal error", "ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			defer slog.SetDefault(slog.Default())
			slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
			got := presentError(tc.ctx(), tc.err)
			if got.Message != tc.message || got.Extensions["code"] != tc.code || len(got.Extensions) != 1 {
				t.Errorf("presented as %q %v; want %q with code %s only", got.Message, got.Extensions, tc.message, tc.code)
			}
			switch {
			case tc.level == "" && logs.Len() > 0:
				t.Errorf("logged %q; want nothing", logs.String())
			case tc.level != "" && !strings.Contains(logs.String(), "level="+tc.level):
				t.Errorf("logged %q; want a %s entry", logs.String(), tc.level)
			case tc.level != "" && !strings.Contains(logs.String(), tc.err.Error()):
				t.Errorf("logged %q; want the cause %q", logs.String(), tc.err)
			}
		})
	}
}
