package server

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/headlesscrm/crm/internal/errs"
)

// presentError turns any resolver error into a GraphQL error with
// extensions.code, and extensions.field for input errors. INTERNAL errors
// are logged with their cause and shown with a generic message.
func presentError(ctx context.Context, err error) *gqlerror.Error {
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
	out.Message = e.Message
	out.Err = nil
	if e.Code == errs.Internal {
		out.Message = "internal error"
		slog.ErrorContext(ctx, "request failed", "path", out.Path.String(), "err", err)
	}
	out.Extensions = map[string]any{"code": e.Code}
	if e.Field != "" {
		out.Extensions["field"] = e.Field
	}
	return out
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
