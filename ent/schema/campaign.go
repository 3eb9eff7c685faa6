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

// Campaign is a marketing action on one channel, with its budget and cost.
type Campaign struct{ ent.Schema }

// Mixin of Campaign.
func (Campaign) Mixin() []ent.Mixin { return crmEntity("cmp") }

// Fields of Campaign.
func (Campaign) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.Enum("channel").
			Values("EMAIL", "SMS", "SEMINAR", "EXHIBITION", "WEBINAR", "SOCIAL", "ADS", "REFERRAL", "EVENT", "OTHER").
			Annotations(entgql.OrderField("CHANNEL")),
		field.Enum("status").Values("PLANNED", "ACTIVE", "COMPLETED", "CANCELLED").Default("PLANNED"),
		amount("budget", "BUDGET"),
		amount("actual_cost", "ACTUAL_COST"),
		field.Time("starts_at").Optional().Nillable().Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at").Optional().Nillable(),
		field.Text("description").Optional(),
	}
}

// Edges of Campaign.
func (Campaign) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("members", CampaignMember.Type).Annotations(entgql.RelayConnection(), noInput, entsql.OnDelete(entsql.Cascade)),
		edge.To("deals", Deal.Type).Annotations(entgql.RelayConnection(), noInput),
	}
}

// Indexes of Campaign.
func (Campaign) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "channel")}
}

// Annotations of Campaign.
func (Campaign) Annotations() []schema.Annotation {
	return crmAPI("A marketing action on one channel, with its budget, actual cost and members.")
}

// CampaignMember is a contact's participation in a campaign, from being
// targeted to converting, with when each step happened.
type CampaignMember struct{ ent.Schema }

// Mixin of CampaignMember.
func (CampaignMember) Mixin() []ent.Mixin { return crmEntity("cmm") }

// Fields of CampaignMember.
func (CampaignMember) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("status").
			Values("TARGETED", "SENT", "OPENED", "CLICKED", "RESPONDED", "ATTENDED", "CONVERTED", "UNSUBSCRIBED").
			Default("TARGETED").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("sent_at").Optional().Nillable(),
		field.Time("opened_at").Optional().Nillable(),
		field.Time("responded_at").Optional().Nillable().Comment("when the contact responded, attended or clicked through"),
		field.Time("converted_at").Optional().Nillable(),
		field.String("campaign_id").GoType(pulidID).Immutable(),
		field.String("contact_id").GoType(pulidID).Immutable(),
	}
}

// Edges of CampaignMember.
func (CampaignMember) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("campaign", Campaign.Type).Ref("members").Field("campaign_id").Unique().Required().Immutable(),
		edge.From("contact", Contact.Type).Ref("campaign_memberships").Field("contact_id").Unique().Required().Immutable(),
	}
}

// Indexes of CampaignMember: a contact is a member of a campaign once.
func (CampaignMember) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "campaign_id", "contact_id").Unique(),
		index.Fields("organization_id", "contact_id"),
	}
}

// Annotations of CampaignMember.
func (CampaignMember) Annotations() []schema.Annotation {
	return crmAPI("A contact's participation in a campaign, from being targeted to converting, with when each step happened.")
}
