package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/headlesscrm/crm/internal/errs"
)

// presentError turns any resolver error into a GraphQL error with
// extensions.code, and extensions.field for input errors. INTERNAL errors
// are logged with their cause and shown with a generic message. Once the
// request's context has ended, a failure is TIMEOUT (the deadline passed;
// logged as a warning) or CANCELLED (the client went away; not an error of
// the server), never INTERNAL, whatever the database driver made of it.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	// out may be err itself: what the log shows is taken first.
	logged := cause(err)
	out := graphql.DefaultErrorPresenter(ctx, err)
	var e *errs.Error
	var gqlErr *gqlerror.Error
	switch {
	case errors.As(err, &e):
	case errors.As(err, &gqlErr) && gqlErr.Err == nil:
		// An error of the GraphQL layer itself: parse and validation errors
		// carry their own code; the rest are about the input.
		if _, ok := gqlErr.Extensions["code"]; ok {
			return out
		}
		e = &errs.Error{Code: errs.BadUserInput, Message: gqlErr.Message, Field: lastName(gqlErr.Path)}
	case argumentsRejected(ctx):
		// An argument could not be coerced to its type: a bad Money string,
		// enum value, cursor or time. The message is the scalar's own.
		e = &errs.Error{Code: errs.BadUserInput, Message: err.Error()}
		if gqlErr != nil {
			e.Message, e.Field = gqlErr.Message, lastName(gqlErr.Path)
		}
	default:
		e = errs.From(err)
	}
	if e.Code == errs.Internal || e.Code == errs.Timeout || e.Code == errs.Canceled {
		// Once the request's context has ended, whatever failed failed
		// because of it: the driver's own report of the cancelled
		// statement, a transaction rolled back under it, or the context's
		// error itself.
		if ended := endedError(ctx); ended != nil {
			e = ended
		}
	}
	if len(out.Path) == 0 {
		// An error of a root field middleware (authorize, the SQL path),
		// which runs before the field's own context exists: it is the root
		// field's.
		if rfc := graphql.GetRootFieldContext(ctx); rfc != nil && rfc.Field.Field != nil {
			out.Path = ast.Path{ast.PathName(rfc.Field.Alias)}
		}
	}
	out.Message = e.Message
	out.Err = nil
	switch e.Code {
	case errs.Internal:
		out.Message = "internal error"
		slog.ErrorContext(ctx, "request failed", "path", out.Path.String(), "err", logged)
	case errs.Timeout:
		slog.WarnContext(ctx, "request timed out", "path", out.Path.String(), "err", logged)
	case errs.Canceled:
		slog.DebugContext(ctx, "request cancelled by the client", "path", out.Path.String(), "err", logged)
	}
	out.Extensions = map[string]any{"code": e.Code}
	if e.Field != "" {
		out.Extensions["field"] = e.Field
	}
	return out
}

// deadlineError is the cause of the end of an operation's context when the
// server's request deadline passes.
type deadlineError struct{ limit time.Duration }

// Error says how long a request may take.
func (e deadlineError) Error() string {
	return fmt.Sprintf("the request took longer than the server allows (%s)", e.limit)
}

// Is makes a deadlineError match context.DeadlineExceeded.
func (deadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// endedError returns the error to answer with when ctx has ended: TIMEOUT
// when a deadline passed, saying how long the server allows when it was the
// request deadline, and CANCELLED when the client went away. It returns nil
// while ctx is live.
func endedError(ctx context.Context) *errs.Error {
	err := ctx.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		msg := "the request took longer than the server allows"
		var d deadlineError
		if errors.As(context.Cause(ctx), &d) {
			msg = d.Error()
		}
		return &errs.Error{Code: errs.Timeout, Message: msg, Err: context.Cause(ctx)}
	default:
		return &errs.Error{Code: errs.Canceled, Message: "the request was cancelled", Err: context.Cause(ctx)}
	}
}

// cause returns what to log of err: the error under the GraphQL layer's
// wrapping and under an *errs.Error (whose message is the caller's), such as
// the driver's or the context's own error.
func cause(err error) error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) && gqlErr.Err != nil {
		err = gqlErr.Err
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err
	}
	return err
}

// argumentsRejected reports whether the error being presented arose while
// coercing the arguments of the current field: the field takes arguments but
// they were never set.
func argumentsRejected(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && fc.Args == nil && fc.Field.Field != nil && len(fc.Field.Arguments) > 0
}

func lastName(p ast.Path) string {
	for i := len(p) - 1; i >= 0; i-- {
		if n, ok := p[i].(ast.PathName); ok {
			return string(n)
		}
	}
	return ""
}

// errorResponse answers an operation with one error and no data.
func errorResponse(e *errs.Error) graphql.ResponseHandler {
	ext := map[string]any{"code": e.Code}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: e.Message, Extensions: ext}}})
}

// recoverPanic turns a resolver panic into an INTERNAL error; the panic is
// logged, never shown.
func recoverPanic(ctx context.Context, v any) error {
	slog.ErrorContext(ctx, "panic in resolver", "panic", v)
	return errs.New(errs.Internal, "internal error")
}
