package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ContactValue holds the value figures of one contact that contact lists
// sort and filter by: its predicted CLV, probability of being alive, value
// score, tier and RFM segment. Every refresh copies them from the
// contact's customer_metrics row. They live in this narrow table of their
// own, one row per contact, rather than on contacts: a nightly
// refresh changes them for most customers, and rewriting this table and
// its five indexes costs a fraction of rewriting every contact row and
// all of the contact indexes. Every contact has a row from its creation
// on, with zeros until its first valuation; the API shows these figures as
// Contact's own (orderBy PREDICTED_CLV, where valueTier, …).
type ContactValue struct{ ent.Schema }

// Fields of ContactValue.
func (ContactValue) Fields() []ent.Field {
	return append([]ent.Field{
		field.String("contact_id").GoType(pulidID).Immutable(),
		field.String("organization_id").GoType(pulidID).Immutable(),
	}, valueColumns()...)
}

// Edges of ContactValue.
func (ContactValue) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("contact", Contact.Type).Ref("value").Field("contact_id").Unique().Required().Immutable(),
	}
}

// Indexes of ContactValue: one per order and filter of contact lists,
// leading with the organization and ending with the contact's ID, the
// order's tie-breaker.
func (ContactValue) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "predicted_clv", "contact_id"),
		index.Fields("organization_id", "value_score", "contact_id"),
		index.Fields("organization_id", "value_tier", "contact_id"),
		// The members of an RFM segment in ID order, the order segment
		// refreshes read them in.
		index.Fields("organization_id", "rfm_segment", "contact_id"),
	}
}

// Annotations of ContactValue: not a GraphQL type of its own.
func (ContactValue) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
