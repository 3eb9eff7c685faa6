package graph

import (
	"context"
	"fmt"

	"github.com/headlesscrm/crm/graph/model"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/identity"
)

// viewer returns the caller. Root fields that reach a resolver needing one
// have passed the authentication check, so it is always present there.
func viewer(ctx context.Context) *auth.Viewer {
	v, _ := auth.FromContext(ctx)
	if v == nil {
		return &auth.Viewer{}
	}
	return v
}

func authPayload(s *identity.Session) *model.AuthPayload {
	return &model.AuthPayload{
		AccessToken:           s.AccessToken,
		AccessTokenExpiresAt:  s.AccessTokenExpiresAt,
		RefreshToken:          s.RefreshToken,
		RefreshTokenExpiresAt: s.RefreshTokenExpiresAt,
		User:                  s.User,
	}
}

func recordError(e *errs.Error) *model.RecordError {
	if e == nil {
		return nil
	}
	re := &model.RecordError{Code: e.Code, Message: e.Message}
	if e.Code == errs.Internal {
		re.Message = "internal error"
	}
	if e.Field != "" {
		f := e.Field
		re.Field = &f
	}
	return re
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// wakeDeliveries prompts the delivery workers, if this instance runs them.
func (r *Resolver) wakeDeliveries() {
	if r.wake != nil {
		r.wake()
	}
}

// optionalList turns an omitted list into nil and a given one into a
// pointer to it.
func optionalList[T any](xs []T) *[]T {
	if xs == nil {
		return nil
	}
	return &xs
}
