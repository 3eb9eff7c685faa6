package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/money"
)

// CustomerMetrics is the materialized value of one customer (a contact or an
// account) as of a date: historic value, the model's predictions, RFM and
// the value score with its components. Refreshed after purchases, tickets,
// survey responses and campaign responses, and in full on refit.
type CustomerMetrics struct{ ent.Schema }

// Mixin of CustomerMetrics.
func (CustomerMetrics) Mixin() []ent.Mixin { return crmEntity("cm") }

// Fields of CustomerMetrics.
func (CustomerMetrics) Fields() []ent.Field {
	return []ent.Field{
		field.String("contact_id").GoType(pulidID).Optional().Nillable().Immutable(),
		field.String("account_id").GoType(pulidID).Optional().Nillable().Immutable(),
		field.Time("as_of").Comment("the date the metrics describe"),
		field.Time("computed_at"),
		// Historic value.
		amount("revenue", ""),
		field.Int64("gross_margin").GoType(money.Amount(0)).Default(0).Annotations(entgql.Type("Money")),
		amount("cost_to_serve", ""),
		amount("acquisition_cost", ""),
		field.Int64("net_value").GoType(money.Amount(0)).Default(0).Annotations(entgql.Type("Money")),
		field.Int("transactions").Default(0),
		field.Time("first_purchase_at").Optional().Nillable(),
		field.Time("last_purchase_at").Optional().Nillable(),
		// Model inputs, in weeks.
		field.Int("repeat_transactions").Default(0),
		field.Float("recency_weeks").Default(0),
		field.Float("age_weeks").Default(0),
		field.Float("average_repeat_spend").Default(0),
		// Predictions over the organization's default horizon.
		field.Float("expected_transactions").Default(0),
		field.Float("probability_alive").Default(0),
		field.Float("expected_spend").Default(0),
		field.Float("predicted_clv").Default(0),
		field.String("model").Default(""),
		// RFM.
		field.Int("recency_days").Optional().Nillable(),
		field.Int("rfm_r").Default(0),
		field.Int("rfm_f").Default(0),
		field.Int("rfm_m").Default(0),
		field.Enum("rfm_segment").GoType(analytics.RFMSegment("")).Optional().Nillable(),
		// Value score.
		field.Float("value_score").Default(0),
		field.Enum("value_tier").GoType(analytics.Tier("")).Default(string(analytics.TierLow)),
		// Written whole and read whole, never queried inside SQL: stored
		// as plain text on PostgreSQL, which COPY and a refresh's MERGE
		// handle more cheaply than jsonb, and which, unlike json, has the
		// equality that SELECT DISTINCT of ent's edge queries needs. See
		// analytics.Components for its form.
		field.JSON("components", analytics.Components{}).Optional().
			SchemaType(map[string]string{dialect.Postgres: "text"}).
			Annotations(entgql.Skip(entgql.SkipType)),
	}
}

// Edges of CustomerMetrics.
func (CustomerMetrics) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("contact", Contact.Type).Ref("metrics").Field("contact_id").Unique().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
		edge.From("account", Account.Type).Ref("metrics").Field("account_id").Unique().Immutable().Annotations(entgql.Skip(entgql.SkipType)),
	}
}

// Indexes of CustomerMetrics: contact_id and account_id are unique on their
// own; the organization's rows are found by organization, and its
// contacts' (or accounts') keys read from the index alone when a refresh
// looks for rows of customers who are gone. A refresh rewrites rows
// without changing these columns, so it adds no entries to them (see the
// table's fillfactor in internal/store).
func (CustomerMetrics) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id"),
		index.Fields("organization_id", "contact_id").Annotations(entsql.IndexWhere("contact_id IS NOT NULL")),
		index.Fields("organization_id", "account_id").Annotations(entsql.IndexWhere("account_id IS NOT NULL")),
	}
}

// Annotations of CustomerMetrics: served through Contact.clv and friends,
// which are resolved from this type.
func (CustomerMetrics) Annotations() []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: "The materialized value of one customer as of a date: the raw columns behind clv, rfm and valueScore."},
		entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipOrderField),
	}
}

// CLVModel is a fitted customer-value model of an organization: the BG/NBD
// and Gamma-Gamma parameters estimated on its purchase log as of a date.
type CLVModel struct{ ent.Schema }

// Mixin of CLVModel.
func (CLVModel) Mixin() []ent.Mixin { return crmEntity("clv") }

// Fields of CLVModel.
func (CLVModel) Fields() []ent.Field {
	return []ent.Field{
		field.Time("as_of"),
		field.Enum("unit").Values("DAYS", "WEEKS"),
		field.Time("fitted_at"),
		field.String("model").Comment("BG/NBD+Gamma-Gamma, BG/NBD+mean-spend or fallback"),
		field.Bool("fallback").Default(false),
		field.String("fallback_reason").Default(""),
		field.JSON("bgnbd", map[string]float64{}).Optional(),
		field.Float("bgnbd_log_likelihood").Optional().Nillable(),
		field.Bool("bgnbd_converged").Default(false),
		field.JSON("gamma_gamma", map[string]float64{}).Optional(),
		field.Float("gamma_gamma_log_likelihood").Optional().Nillable(),
		field.Bool("gamma_gamma_converged").Default(false),
		field.Int("customers").Default(0),
		field.Int("repeat_customers").Default(0),
		field.Int("transactions").Default(0),
	}
}

// Indexes of CLVModel: one fit per date and unit.
func (CLVModel) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "as_of", "unit").Unique()}
}

// Annotations of CLVModel: served through clvModel.
func (CLVModel) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Segment is a saved list of contacts: a rule over contact fields, computed
// metrics and related records, or a built-in RFM segment. Its members are
// materialized.
type Segment struct{ ent.Schema }

// Mixin of Segment.
func (Segment) Mixin() []ent.Mixin { return crmEntity("seg") }

// Fields of Segment.
func (Segment) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.Text("description").Optional(),
		field.Enum("kind").Values("RULE", "RFM").Default("RULE").Immutable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.JSON("rule", map[string]any{}).Optional().
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("size").Default(0).
			Annotations(entgql.OrderField("SIZE"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("refreshed_at").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of Segment.
func (Segment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("members", Contact.Type).
			Through("memberships", SegmentMembership.Type).
			Annotations(entgql.RelayConnection(), noInput),
	}
}

// Indexes of Segment.
func (Segment) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "name").Unique()}
}

// Annotations of Segment: queries generated; mutations hand-written
// because rules are validated on save.
func (Segment) Annotations() []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: "A saved list of contacts defined by a rule, or a built-in RFM segment. Members are materialized and refreshed when data changes."},
		entgql.RelayConnection(),
		entgql.QueryField(),
	}
}

// SegmentMembership records that a contact is in a segment, since when.
type SegmentMembership struct{ ent.Schema }

// Fields of SegmentMembership.
func (SegmentMembership) Fields() []ent.Field {
	return []ent.Field{
		field.String("segment_id").GoType(pulidID),
		field.String("contact_id").GoType(pulidID),
		field.String("organization_id").GoType(pulidID),
		field.Time("entered_at").Default(timeNow),
	}
}

// Edges of SegmentMembership.
func (SegmentMembership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("segment", Segment.Type).Field("segment_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("contact", Contact.Type).Field("contact_id").Unique().Required().
			Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Annotations of SegmentMembership.
func (SegmentMembership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		field.ID("segment_id", "contact_id"),
		entgql.Skip(entgql.SkipAll),
	}
}

// Indexes of SegmentMembership.
func (SegmentMembership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "contact_id")}
}

// valueColumns are the value summary of a customer, materialized on the
// contact or account itself so that lists filter and sort by them through
// an index. They are read-only: the analytics refresh writes them, and the
// API shows them through the clv, valueScore and rfm fields.
func valueColumns() []ent.Field {
	readOnly := entgql.Skip(entgql.SkipType, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
	return []ent.Field{
		field.Float("predicted_clv").Default(0).Annotations(readOnly, entgql.OrderField("PREDICTED_CLV")),
		field.Float("probability_alive").Default(0).Annotations(readOnly, entgql.OrderField("PROBABILITY_ALIVE")),
		field.Float("value_score").Default(0).Annotations(readOnly, entgql.OrderField("VALUE_SCORE")),
		field.Enum("value_tier").GoType(analytics.Tier("")).Optional().Nillable().
			Annotations(readOnly, entgql.Type("ValueTier")),
		field.Enum("rfm_segment").GoType(analytics.RFMSegment("")).Optional().Nillable().
			Annotations(readOnly, entgql.Type("RFMSegment")),
	}
}
