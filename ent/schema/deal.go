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

// Deal is a sales opportunity. A WON deal is a purchase: its amount, close
// time and customer make up the purchase log the value models are fitted on.
type Deal struct{ ent.Schema }

// Mixin of Deal.
func (Deal) Mixin() []ent.Mixin { return append(crmEntity("deal"), OwnedMixin{}) }

// Fields of Deal.
func (Deal) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		amount("amount", "AMOUNT"),
		optionalAmount("cost"),
		currency(),
		field.Enum("status").Values("OPEN", "WON", "LOST").Default("OPEN").Annotations(entgql.OrderField("STATUS")),
		field.Time("expected_close_date").Optional().Nillable().Annotations(entgql.OrderField("EXPECTED_CLOSE_DATE")),
		field.Time("closed_at").Optional().Nillable().Annotations(entgql.OrderField("CLOSED_AT")),
		field.String("lost_reason").Optional().MaxLen(500),
		field.String("external_id").Optional().Nillable().MaxLen(200).Comment("the order's key in another system"),
		field.String("stage_id").GoType(pulidID).Optional().Nillable(),
		field.String("account_id").GoType(pulidID).Optional().Nillable(),
		field.String("contact_id").GoType(pulidID).Optional().Nillable(),
		field.String("owner_id").GoType(pulidID).Optional().Nillable(),
		field.String("source_campaign_id").GoType(pulidID).Optional().Nillable(),
	}
}

// Edges of Deal.
func (Deal) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("stage", Stage.Type).Ref("deals").Field("stage_id").Unique(),
		edge.From("account", Account.Type).Ref("deals").Field("account_id").Unique(),
		edge.From("contact", Contact.Type).Ref("deals").Field("contact_id").Unique(),
		edge.To("owner", User.Type).Field("owner_id").Unique(),
		edge.From("source_campaign", Campaign.Type).Ref("deals").Field("source_campaign_id").Unique(),
		edge.To("line_items", LineItem.Type).Annotations(entgql.RelayConnection(), noInput, entsql.OnDelete(entsql.Cascade)),
		edge.To("activities", Activity.Type).Annotations(entgql.RelayConnection(), noInput),
	}
}

// Indexes of Deal.
func (Deal) Indexes() []ent.Index {
	return []ent.Index{
		// A contact's purchases: the analytics refresh reads every won
		// deal of an organization in contact order from this index alone
		// on PostgreSQL (an index-only scan, once vacuum has marked the
		// table's pages visible), without reading the table.
		index.Fields("organization_id", "contact_id", "status", "closed_at").
			Annotations(entsql.IncludeColumns("account_id", "amount", "cost", "id")),
		// A record's deals in ID order, the default order of nested
		// connections: read straight from the index, without a sort.
		index.Fields("organization_id", "contact_id", "id"),
		index.Fields("organization_id", "account_id", "id"),
		index.Fields("organization_id", "status", "closed_at"),
		index.Fields("organization_id", "stage_id", "id"),
		// Most records have no external key: only those that do are
		// indexed, and every lookup names one.
		index.Fields("organization_id", "external_id").Unique().
			Annotations(entsql.IndexWhere("external_id IS NOT NULL")),
	}
}

// Annotations of Deal.
func (Deal) Annotations() []schema.Annotation {
	return crmAPI("A sales opportunity. A WON deal is a purchase: its amount, close time and customer form the purchase log that customer value is computed from.")
}
