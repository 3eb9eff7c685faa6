package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/headlesscrm/crm/internal/eventtype"
)

// Event is something that happened in the CRM that people or systems may
// want to act on: a deal won, a VIP gone quiet, an unhappy survey answer.
// Events are written in the transaction of the change that raised them (an
// outbox), then fanned out to subscriptions and webhooks.
type Event struct{ ent.Schema }

// Mixin of Event.
func (Event) Mixin() []ent.Mixin { return crmEntity("evt") }

// Fields of Event.
func (Event) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").
			GoType(eventtype.Type("")).
			Immutable().
			Annotations(entgql.Type("EventType")).
			Comment("What happened."),
		field.String("subject_type").
			Immutable().
			Comment(`The GraphQL type of the record the event is about, such as "Deal".`),
		field.String("subject_id").
			Immutable().
			Comment("The ID of the record the event is about."),
		field.Enum("actor_kind").
			Values("USER", "TOKEN", "SYSTEM").
			Immutable().
			Comment("Whether a user, an API token or the CRM itself caused the event."),
		field.String("actor_id").
			Immutable().
			Default("").
			Comment("The ID of the user or API token that caused the event; empty for the system."),
		field.JSON("data", map[string]any{}).
			Optional().
			Immutable().
			Annotations(entgql.Type("Map")).
			Comment(`The event's payload: the record as it is after the change ("object"), and for updates the changed fields ("changes").`),
	}
}

// Edges of Event: its webhook deliveries, removed with it.
func (Event) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("deliveries", WebhookDelivery.Type).
			Annotations(entsql.OnDelete(entsql.Cascade), entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of Event: the event log by time and by type, and the retention
// sweep.
func (Event) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "created_at"),
		index.Fields("organization_id", "type", "created_at"),
		index.Fields("organization_id", "subject_id"),
		index.Fields("created_at"),
	}
}

// Annotations of Event.
func (Event) Annotations() []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: "Something that happened in the CRM: a record created, updated or deleted, a deal won, a survey answered, a customer entering a segment or going quiet. Delivered to subscriptions and webhooks."},
		entgql.RelayConnection(),
		entgql.QueryField("events"),
	}
}
