package schema

import (
	"context"
	"strings"

	"entgo.io/ent"
)

// foldEmail lower-cases and trims the email of a mutation, so that emails
// are unique within an organization regardless of case.
func foldEmail(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if v, ok := m.Field("email"); ok {
			if s, ok := v.(string); ok {
				if err := m.SetField("email", strings.ToLower(strings.TrimSpace(s))); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
