package schema

import (
	"context"
	"fmt"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/headlesscrm/crm/ent/intercept"
)

// Organization is a tenant: a business using the CRM. Every other record
// belongs to exactly one organization.
type Organization struct{ ent.Schema }

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Mixin of Organization.
func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{IDWithPrefix("org"), TimeMixin{}}
}

// Fields of Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.String("slug").
			Immutable().
			MaxLen(63).
			Match(slugPattern).
			Comment("URL-safe unique handle, used by the CLI.").
			Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)),
		currency(),
		field.Bool("members_see_only_own_records").
			Default(false).
			Comment("When true, MEMBERs see and change only the contacts, accounts and deals they own."),
		field.Int("at_risk_after_days").
			Default(180).
			Range(1, 3650).
			Comment("A VIP customer with no purchase for this many days raises customer.at_risk."),
		optionalAmount("spend_threshold"),
		field.Int("event_retention_days").
			Default(90).
			Range(1, 3650).
			Comment("How long events and webhook deliveries are kept."),
		field.JSON("settings", map[string]any{}).
			Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of Organization.
func (Organization) Indexes() []ent.Index {
	return []ent.Index{index.Fields("slug").Unique()}
}

// Annotations of Organization.
func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: "A tenant: the business using the CRM. Every record belongs to exactly one organization."},
		entgql.Mutations(entgql.MutationUpdate()),
	}
}

// Interceptors of Organization: a tenant sees only its own organization.
func (Organization) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{
		intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
			return restrict(ctx, q, "id")
		}),
	}
}

// Hooks of Organization: a tenant may update only its own organization, and
// only the system creates or deletes organizations.
func (Organization) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if m.Op().Is(ent.OpCreate) || m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
					if !isSystem(ctx) {
						return nil, fmt.Errorf("schema: organizations are created and deleted by administrators only")
					}
					return next.Mutate(ctx, m)
				}
				if err := restrict(ctx, m, "id"); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}
