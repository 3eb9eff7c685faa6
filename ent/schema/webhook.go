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

// WebhookEndpoint is a URL of a partner's system to which the CRM posts the
// events it subscribes to, signed with the endpoint's secret.
type WebhookEndpoint struct{ ent.Schema }

// Mixin of WebhookEndpoint.
func (WebhookEndpoint) Mixin() []ent.Mixin { return crmEntity("whe") }

// Fields of WebhookEndpoint.
func (WebhookEndpoint) Fields() []ent.Field {
	return []ent.Field{
		field.String("url").MaxLen(2048).Comment("Where events are posted."),
		field.String("description").MaxLen(500).Default(""),
		field.JSON("event_types", []eventtype.Type{}).Comment("The kinds of events posted to the endpoint."),
		field.String("secret").Sensitive().Comment("The signing secret, whsec_ and base64 key bytes."),
		field.String("previous_secret").Sensitive().Optional().Comment("The secret before the last rotation, still signing until previous_secret_expires_at."),
		field.Time("previous_secret_expires_at").Optional().Nillable(),
		field.Bool("enabled").Default(true),
		field.String("disabled_reason").Default(""),
		field.Time("failing_since").Optional().Nillable().Comment("When deliveries started failing without a success since."),
		field.String("created_by").Immutable().Default("").Comment("User or token that created it."),
	}
}

// Edges of WebhookEndpoint.
func (WebhookEndpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("deliveries", WebhookDelivery.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of WebhookEndpoint.
func (WebhookEndpoint) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "created_at")}
}

// Annotations of WebhookEndpoint: the GraphQL type is hand-written, so
// that the secret can never be selected.
func (WebhookEndpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// WebhookDelivery is one event to post to one endpoint, with its attempts
// so far: the delivery log, and the work queue of the delivery workers.
type WebhookDelivery struct{ ent.Schema }

// Mixin of WebhookDelivery.
func (WebhookDelivery) Mixin() []ent.Mixin { return crmEntity("whd") }

// Fields of WebhookDelivery.
func (WebhookDelivery) Fields() []ent.Field {
	return []ent.Field{
		field.String("endpoint_id").GoType(pulidID).Immutable(),
		field.String("event_id").GoType(pulidID).Immutable().Comment("Also the webhook-id header, the same on every attempt."),
		field.Enum("event_type").GoType(eventtype.Type("")).Immutable(),
		field.Enum("status").
			Values("PENDING", "SUCCEEDED", "FAILED").
			Default("PENDING").
			Comment("PENDING until delivered (retrying on failure), SUCCEEDED once the endpoint answered 2xx, FAILED when retries ran out or the endpoint was disabled."),
		field.Int("attempts").Default(0),
		field.Time("next_attempt_at").Optional().Nillable().Comment("When the next attempt is due; while an attempt runs, when its claim lapses."),
		field.Time("last_attempt_at").Optional().Nillable(),
		field.Int("response_code").Optional().Nillable().Comment("The HTTP status of the last attempt."),
		field.Int("latency_ms").Optional().Nillable().Comment("How long the last attempt took."),
		field.String("error").Default("").Comment("Why the last attempt failed."),
	}
}

// Edges of WebhookDelivery.
func (WebhookDelivery) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("endpoint", WebhookEndpoint.Type).Ref("deliveries").Field("endpoint_id").Unique().Required().Immutable(),
		edge.From("event", Event.Type).Ref("deliveries").Field("event_id").Unique().Required().Immutable(),
	}
}

// Indexes of WebhookDelivery: the workers' queue (across organizations),
// the log of an endpoint, and one delivery per event and endpoint (which
// also serves deleting an event's deliveries).
func (WebhookDelivery) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("status", "next_attempt_at"),
		index.Fields("organization_id", "endpoint_id", "created_at"),
		index.Fields("event_id", "endpoint_id").Unique(),
	}
}

// Annotations of WebhookDelivery: the GraphQL type is hand-written.
func (WebhookDelivery) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}
