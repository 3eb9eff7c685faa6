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

// Survey asks customers for a score: NPS (0–10), CSAT (1–5), CES (1–7) or a
// CUSTOM scale of 0–100, with optional further questions.
type Survey struct{ ent.Schema }

// Mixin of Survey.
func (Survey) Mixin() []ent.Mixin { return crmEntity("srv") }

// Fields of Survey.
func (Survey) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.Enum("kind").Values("NPS", "CSAT", "CES", "CUSTOM").Immutable(),
		field.Strings("questions").Optional().Default([]string{}),
		field.Bool("active").Default(true),
	}
}

// Edges of Survey.
func (Survey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("responses", SurveyResponse.Type).Annotations(entgql.RelayConnection(), noInput, entsql.OnDelete(entsql.Cascade)),
	}
}

// Annotations of Survey.
func (Survey) Annotations() []schema.Annotation {
	return crmAPI("A survey asking customers for a score: NPS (0–10), CSAT (1–5), CES (1–7) or CUSTOM (0–100).")
}

// SurveyResponse is one answer to a survey: a score within the survey
// kind's range, optional answers and comment, and who gave it.
type SurveyResponse struct{ ent.Schema }

// Mixin of SurveyResponse.
func (SurveyResponse) Mixin() []ent.Mixin { return crmEntity("rsp") }

// Fields of SurveyResponse.
func (SurveyResponse) Fields() []ent.Field {
	return []ent.Field{
		field.Int("score").Annotations(entgql.OrderField("SCORE")),
		field.JSON("answers", map[string]any{}).Optional().Annotations(entgql.Type("Map")),
		field.Text("comment").Optional().MaxLen(5000),
		field.Time("submitted_at").Default(timeNow).Annotations(entgql.OrderField("SUBMITTED_AT")),
		field.String("survey_id").GoType(pulidID).Immutable(),
		field.String("contact_id").GoType(pulidID).Optional().Nillable(),
	}
}

// Edges of SurveyResponse.
func (SurveyResponse) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("survey", Survey.Type).Ref("responses").Field("survey_id").Unique().Required().Immutable(),
		edge.From("contact", Contact.Type).Ref("survey_responses").Field("contact_id").Unique(),
	}
}

// Indexes of SurveyResponse.
func (SurveyResponse) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "survey_id", "submitted_at"),
		index.Fields("organization_id", "contact_id", "submitted_at"),
	}
}

// Annotations of SurveyResponse.
func (SurveyResponse) Annotations() []schema.Annotation {
	return crmAPI("One answer to a survey: a score within the survey kind's range, optional answers and a comment, and who gave it.")
}
