package schema

import (
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Pipeline is a sales process: an ordered list of stages deals move through.
type Pipeline struct{ ent.Schema }

// Mixin of Pipeline.
func (Pipeline) Mixin() []ent.Mixin { return crmEntity("pip") }

// Fields of Pipeline.
func (Pipeline) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.Bool("is_default").Default(false),
	}
}

// Edges of Pipeline.
func (Pipeline) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("stages", Stage.Type).Annotations(entgql.RelayConnection(), noInput, entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of Pipeline.
func (Pipeline) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "name")}
}

// Annotations of Pipeline.
func (Pipeline) Annotations() []schema.Annotation {
	return crmAPI("A sales process: an ordered list of stages that deals move through.")
}

// Stage is one step of a pipeline, with the probability that a deal in it is
// won and whether it closes the deal as won or lost.
type Stage struct{ ent.Schema }

// Mixin of Stage.
func (Stage) Mixin() []ent.Mixin { return crmEntity("stg") }

// Fields of Stage.
func (Stage) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.Int("position").NonNegative().Annotations(entgql.OrderField("POSITION")),
		field.Float("probability").
			Default(0).
			Validate(func(p float64) error {
				if p < 0 || p > 1 {
					return fmt.Errorf("must be between 0 and 1")
				}
				return nil
			}).
			Annotations(entgql.OrderField("PROBABILITY")),
		field.Bool("is_won").Default(false),
		field.Bool("is_lost").Default(false),
		field.String("pipeline_id").GoType(pulidID),
	}
}

// Edges of Stage.
func (Stage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("pipeline", Pipeline.Type).Ref("stages").Field("pipeline_id").Unique().Required(),
		edge.To("deals", Deal.Type).Annotations(entgql.RelayConnection(), noInput),
	}
}

// Indexes of Stage.
func (Stage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "pipeline_id", "position")}
}

// Annotations of Stage.
func (Stage) Annotations() []schema.Annotation {
	return crmAPI("One step of a pipeline, with the probability that a deal in it is won and whether it closes deals as won or lost.")
}
