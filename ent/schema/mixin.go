package schema

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/headlesscrm/crm/ent/intercept"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// IDMixin gives an entity a prefixed, time-ordered string ID ("con_01J…").
type IDMixin struct {
	mixin.Schema
	prefix string
}

// IDWithPrefix returns an IDMixin whose IDs start with prefix and an underscore.
func IDWithPrefix(prefix string) IDMixin { return IDMixin{prefix: prefix} }

// Fields of the IDMixin.
func (m IDMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			GoType(pulid.ID("")).
			DefaultFunc(func() pulid.ID { return pulid.New(m.prefix) }).
			Immutable().
			Annotations(entgql.OrderField("ID")),
	}
}

// Annotations of the IDMixin: the prefix, read by the node resolver template.
func (m IDMixin) Annotations() []schema.Annotation {
	return []schema.Annotation{PrefixAnnotation{Prefix: m.prefix}}
}

// PrefixAnnotation records the ID prefix of an entity for code generation.
type PrefixAnnotation struct {
	// Prefix is the part of the entity's IDs before the underscore.
	Prefix string
}

// Name implements schema.Annotation.
func (PrefixAnnotation) Name() string { return "IDPrefix" }

// TimeMixin records when a row was created and last updated.
type TimeMixin struct{ mixin.Schema }

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Annotations(
				entgql.OrderField("CREATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Annotations(
				entgql.OrderField("UPDATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}

// TenantMixin makes an entity belong to one organization. The organization
// is set from the request's tenant scope on create, can never change, never
// appears in a GraphQL input, and every query and mutation is confined to it.
type TenantMixin struct{ mixin.Schema }

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("organization_id").
			GoType(pulid.ID("")).
			Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organization", Organization.Type).
			Field("organization_id").
			Unique().
			Required().
			Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Interceptors of the TenantMixin confine every query, including traversals,
// eager-loaded edges and counts, to the context's organization.
func (TenantMixin) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{
		intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
			return restrict(ctx, q, "organization_id")
		}),
	}
}

// Hooks of the TenantMixin set the organization on create and confine
// updates and deletes to the context's organization.
func (TenantMixin) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if tenant.IsSystem(ctx) {
					return next.Mutate(ctx, m)
				}
				org, ok := tenant.OrganizationID(ctx)
				if !ok {
					return nil, tenant.ErrNoTenant
				}
				if m.Op().Is(ent.OpCreate) {
					if err := m.SetField("organization_id", pulid.ID(org)); err != nil {
						return nil, err
					}
					return next.Mutate(ctx, m)
				}
				if err := restrict(ctx, m, "organization_id"); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}

// OwnedMixin marks an entity whose records have an owner (a User, in the
// entity's owner_id field). In a context limited to one user's own records
// (tenant.WithOwnRecordsOnly), queries see only that user's records, updates
// and deletes touch only them, and new records are owned by the user.
type OwnedMixin struct{ mixin.Schema }

// Interceptors of the OwnedMixin confine queries to the user's records.
func (OwnedMixin) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{
		intercept.TraverseFunc(func(ctx context.Context, q intercept.Query) error {
			return restrictToOwner(ctx, q)
		}),
	}
}

// Hooks of the OwnedMixin give new records to the user and confine updates
// and deletes to the user's records; a limited user cannot hand a record to
// someone else.
func (OwnedMixin) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				user, ok := tenant.OwnRecordsOnly(ctx)
				if !ok {
					return next.Mutate(ctx, m)
				}
				if v, set := m.Field("owner_id"); set && v != pulid.ID(user) {
					return nil, tenant.ErrOwnerChange
				}
				if m.Op().Is(ent.OpCreate) {
					if err := m.SetField("owner_id", pulid.ID(user)); err != nil {
						return nil, err
					}
					return next.Mutate(ctx, m)
				}
				if m.ClearedFields() != nil && slices.Contains(m.ClearedFields(), "owner_id") {
					return nil, tenant.ErrOwnerChange
				}
				if err := restrictToOwner(ctx, m); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}

func restrictToOwner(ctx context.Context, q any) error {
	user, ok := tenant.OwnRecordsOnly(ctx)
	if !ok {
		return nil
	}
	w, ok := q.(wherer)
	if !ok {
		return fmt.Errorf("schema: %T cannot be confined to an owner", q)
	}
	w.WhereP(sql.FieldEQ("owner_id", user))
	return nil
}

// wherer is implemented by every generated query and mutation builder.
type wherer interface {
	WhereP(...func(*sql.Selector))
}

// restrict adds "column = the context's organization" to a query or mutation.
func restrict(ctx context.Context, q any, column string) error {
	if tenant.IsSystem(ctx) {
		return nil
	}
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return tenant.ErrNoTenant
	}
	w, ok := q.(wherer)
	if !ok {
		return fmt.Errorf("schema: %T cannot be confined to a tenant", q)
	}
	w.WhereP(sql.FieldEQ(column, org))
	return nil
}

func isSystem(ctx context.Context) bool { return tenant.IsSystem(ctx) }
