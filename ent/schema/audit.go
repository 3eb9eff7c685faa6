package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AuditEntry records one change made through the CRM: who made it (a user
// or an API token), what record it touched and which fields changed from
// what to what. Entries are written in the transaction of the change and
// never updated.
type AuditEntry struct{ ent.Schema }

// Mixin of AuditEntry.
func (AuditEntry) Mixin() []ent.Mixin { return crmEntity("aud") }

// Fields of AuditEntry.
func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("actor_kind").
			Values("USER", "TOKEN", "SYSTEM").
			Immutable().
			Comment("Whether a user, an API token or the CRM itself made the change."),
		field.String("actor_id").
			Immutable().
			Default("").
			Comment("The ID of the user or API token that made the change; empty for the system."),
		field.Enum("action").
			Values("CREATE", "UPDATE", "DELETE").
			Immutable().
			Comment("What was done to the record."),
		field.String("record_type").
			Immutable().
			Comment(`The GraphQL type of the record changed, such as "Contact".`),
		field.String("record_id").
			Immutable().
			Comment("The ID of the record changed."),
		field.JSON("changes", map[string]any{}).
			Optional().
			Immutable().
			Annotations(entgql.Type("Map")).
			Comment(`The fields that changed, each as {"old": …, "new": …}; secrets are never recorded.`),
	}
}

// Indexes of AuditEntry: listing by time, and the history of one record.
func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "created_at"),
		index.Fields("organization_id", "record_id", "created_at"),
		index.Fields("organization_id", "actor_id", "created_at"),
	}
}

// Annotations of AuditEntry.
func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: "One change made through the CRM: who made it, to which record, and which fields changed from what to what. Readable by ADMIN and OWNER."},
		entgql.RelayConnection(),
		entgql.QueryField("auditLog"),
	}
}
