package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// User is a person who logs in to the organization's CRM.
type User struct{ ent.Schema }

// Mixin of User.
func (User) Mixin() []ent.Mixin { return crmEntity("usr") }

// Fields of User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").
			MaxLen(254).
			Validate(validEmail).
			Annotations(entgql.OrderField("EMAIL"), entgql.Skip(entgql.SkipMutationUpdateInput)),
		field.String("name").
			MaxLen(200).
			Default("").
			Annotations(entgql.OrderField("NAME")),
		field.String("password_hash").
			Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("role").
			Values("OWNER", "ADMIN", "MANAGER", "MEMBER", "VIEWER").
			Default("MEMBER"),
		field.Bool("active").Default(true),
		field.Int("failed_logins").
			Default(0).
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Failed password attempts since the last success."),
		field.Time("locked_until").
			Optional().
			Nillable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("After too many failed attempts, logins are refused until then."),
		field.Time("last_login_at").
			Optional().
			Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of User: an email is unique within an organization.
func (User) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "email").Unique(),
		index.Fields("email"),
	}
}

// Hooks of User.
func (User) Hooks() []ent.Hook { return []ent.Hook{foldEmail} }

// Annotations of User.
func (User) Annotations() []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: "A person who logs in to the organization's CRM, with a role that decides what they may do."},
		entgql.RelayConnection(),
		entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
