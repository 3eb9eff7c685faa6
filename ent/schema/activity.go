package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Activity is an interaction or a piece of work: a call, email, meeting,
// task or note, about a contact, account or deal, assigned to a user.
type Activity struct{ ent.Schema }

// Mixin of Activity.
func (Activity) Mixin() []ent.Mixin { return crmEntity("act") }

// Fields of Activity.
func (Activity) Fields() []ent.Field {
	return []ent.Field{
		field.Enum("type").Values("CALL", "EMAIL", "MEETING", "TASK", "NOTE").Annotations(entgql.OrderField("TYPE")),
		field.String("subject").NotEmpty().MaxLen(300),
		field.Text("body").Optional(),
		field.Time("due_at").Optional().Nillable().Annotations(entgql.OrderField("DUE_AT")),
		field.Time("completed_at").Optional().Nillable().Annotations(entgql.OrderField("COMPLETED_AT")),
		field.String("assignee_id").GoType(pulidID).Optional().Nillable(),
		field.String("contact_id").GoType(pulidID).Optional().Nillable(),
		field.String("account_id").GoType(pulidID).Optional().Nillable(),
		field.String("deal_id").GoType(pulidID).Optional().Nillable(),
	}
}

// Edges of Activity.
func (Activity) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("assignee", User.Type).Field("assignee_id").Unique(),
		edge.From("contact", Contact.Type).Ref("activities").Field("contact_id").Unique(),
		edge.From("account", Account.Type).Ref("activities").Field("account_id").Unique(),
		edge.From("deal", Deal.Type).Ref("activities").Field("deal_id").Unique(),
	}
}

// Indexes of Activity.
func (Activity) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "contact_id"),
		index.Fields("organization_id", "assignee_id", "due_at"),
	}
}

// Annotations of Activity.
func (Activity) Annotations() []schema.Annotation {
	return crmAPI("An interaction or a piece of work (call, email, meeting, task or note) about a contact, account or deal, assigned to a user.")
}

// Ticket is a service case raised by a customer, with what it cost to serve.
type Ticket struct{ ent.Schema }

// Mixin of Ticket.
func (Ticket) Mixin() []ent.Mixin { return crmEntity("tkt") }

// Fields of Ticket.
func (Ticket) Fields() []ent.Field {
	return []ent.Field{
		field.String("subject").NotEmpty().MaxLen(300),
		field.Text("description").Optional(),
		field.Enum("status").Values("OPEN", "PENDING", "RESOLVED", "CLOSED").Default("OPEN").Annotations(entgql.OrderField("STATUS")),
		field.Enum("priority").Values("LOW", "NORMAL", "HIGH", "URGENT").Default("NORMAL").Annotations(entgql.OrderField("PRIORITY")),
		field.Time("opened_at").Default(timeNow).Annotations(entgql.OrderField("OPENED_AT")),
		field.Time("resolved_at").Optional().Nillable(),
		amount("cost_to_serve", "COST_TO_SERVE"),
		field.String("contact_id").GoType(pulidID).Optional().Nillable(),
		field.String("account_id").GoType(pulidID).Optional().Nillable(),
		field.String("assignee_id").GoType(pulidID).Optional().Nillable(),
	}
}

// Edges of Ticket.
func (Ticket) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("contact", Contact.Type).Ref("tickets").Field("contact_id").Unique(),
		edge.From("account", Account.Type).Ref("tickets").Field("account_id").Unique(),
		edge.To("assignee", User.Type).Field("assignee_id").Unique(),
	}
}

// Indexes of Ticket.
func (Ticket) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "contact_id"),
		index.Fields("organization_id", "status"),
	}
}

// Annotations of Ticket.
func (Ticket) Annotations() []schema.Annotation {
	return crmAPI("A service case raised by a customer, with what it cost to serve.")
}
