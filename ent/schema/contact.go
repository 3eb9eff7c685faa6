package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Contact is a person the business has a relationship with.
type Contact struct{ ent.Schema }

// Mixin of Contact.
func (Contact) Mixin() []ent.Mixin { return append(crmEntity("con"), OwnedMixin{}) }

// Fields of Contact.
func (Contact) Fields() []ent.Field {
	return []ent.Field{
		field.String("first_name").Default("").MaxLen(100).Annotations(entgql.OrderField("FIRST_NAME")),
		field.String("last_name").Default("").MaxLen(100).Annotations(entgql.OrderField("LAST_NAME")),
		field.String("email").
			Optional().
			Nillable().
			MaxLen(254).
			Validate(validEmail).
			Comment("unique within the organization, stored lower-case").
			Annotations(entgql.OrderField("EMAIL")),
		field.String("phone").Optional().MaxLen(40),
		field.String("title").Optional().MaxLen(200),
		field.String("external_id").
			Optional().
			Nillable().
			MaxLen(200).
			Comment("the contact's key in another system, unique within the organization"),
		field.String("account_id").GoType(pulidID).Optional().Nillable(),
		field.String("owner_id").GoType(pulidID).Optional().Nillable(),
		field.Enum("lifecycle_stage").
			Values(lifecycleStages...).
			Default("LEAD").
			Annotations(entgql.OrderField("LIFECYCLE_STAGE")),
		field.String("lead_source").Optional().MaxLen(100),
		field.String("acquisition_campaign_id").GoType(pulidID).Optional().Nillable(),
		field.Bool("newsletter_opt_in").Default(false),
		field.Time("birth_date").Optional().Nillable(),
		field.Enum("gender").Values("FEMALE", "MALE", "NON_BINARY", "OTHER", "UNDISCLOSED").Optional().Nillable(),
		field.String("referred_by_id").GoType(pulidID).Optional().Nillable(),
		tags(),
		customFields(),
		field.Time("last_contacted_at").Optional().Nillable().Annotations(entgql.OrderField("LAST_CONTACTED_AT")),
	}
}

// Edges of Contact.
func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).Ref("contacts").Field("account_id").Unique(),
		edge.To("owner", User.Type).Field("owner_id").Unique(),
		edge.To("acquisition_campaign", Campaign.Type).Field("acquisition_campaign_id").Unique(),
		edge.To("referrals", Contact.Type).
			Annotations(entgql.RelayConnection(), noInput).
			From("referred_by").
			Field("referred_by_id").
			Unique(),
		edge.To("deals", Deal.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("activities", Activity.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("tickets", Ticket.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("campaign_memberships", CampaignMember.Type).Annotations(entgql.RelayConnection(), noInput, entsql.OnDelete(entsql.Cascade)),
		edge.To("survey_responses", SurveyResponse.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("metrics", CustomerMetrics.Type).Unique().
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput), entgql.MapsTo("metrics", "clv", "rfm", "valueScore")),
		// The contact's value figures, which lists sort and filter by. Its
		// order field gives entgql's pagination the one order by a figure
		// it generates; ent/contactvalue_order.go builds the others on it,
		// and ent/valuefields.go shows them all under the figures' names.
		edge.To("value", ContactValue.Type).Unique().
			Annotations(
				entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
				entgql.OrderField("VALUE_PREDICTED_CLV"),
				entsql.OnDelete(entsql.Cascade),
			),
		edge.From("segments", Segment.Type).Ref("members").Through("segment_memberships", SegmentMembership.Type).
			Annotations(noInput, entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of Contact.
func (Contact) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "email").Unique(),
		// Most records have no external key: only those that do are
		// indexed, and every lookup names one.
		index.Fields("organization_id", "external_id").Unique().
			Annotations(entsql.IndexWhere("external_id IS NOT NULL")),
		index.Fields("organization_id", "account_id", "id"),
		index.Fields("organization_id", "last_name", "first_name"),
		index.Fields("organization_id", "created_at"),
	}
}

// Hooks of Contact.
func (Contact) Hooks() []ent.Hook { return []ent.Hook{foldEmail} }

// Annotations of Contact.
func (Contact) Annotations() []schema.Annotation {
	return crmAPI("A person the business has a relationship with: a lead, a customer or an advocate.")
}
