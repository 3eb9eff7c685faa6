package schema

import (
	"fmt"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Account is a customer organisation: a company the business sells to.
type Account struct{ ent.Schema }

var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// Mixin of Account.
func (Account) Mixin() []ent.Mixin { return append(crmEntity("acc"), OwnedMixin{}) }

// Fields of Account.
func (Account) Fields() []ent.Field {
	return append([]ent.Field{
		name("name"),
		field.String("domain").
			Optional().
			Nillable().
			MaxLen(253).
			Validate(func(s string) error {
				if !domainPattern.MatchString(s) {
					return fmt.Errorf("is not a valid lower-case domain name such as example.com")
				}
				return nil
			}).
			Annotations(entgql.OrderField("DOMAIN")),
		field.String("industry").Optional().MaxLen(100),
		field.Int("employees").Optional().Nillable().NonNegative().Annotations(entgql.OrderField("EMPLOYEES")),
		optionalAmount("annual_revenue"),
		field.Enum("lifecycle_stage").
			Values(lifecycleStages...).
			Default("LEAD").
			Annotations(entgql.OrderField("LIFECYCLE_STAGE")),
		field.String("owner_id").GoType(pulidID).Optional().Nillable(),
		field.String("acquisition_campaign_id").GoType(pulidID).Optional().Nillable(),
		tags(),
		customFields(),
	}, valueColumns()...)
}

// Edges of Account.
func (Account) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("owner", User.Type).Field("owner_id").Unique(),
		edge.To("acquisition_campaign", Campaign.Type).Field("acquisition_campaign_id").Unique(),
		edge.To("contacts", Contact.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("deals", Deal.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("tickets", Ticket.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("activities", Activity.Type).Annotations(entgql.RelayConnection(), noInput),
		edge.To("metrics", CustomerMetrics.Type).Unique().
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput), entgql.MapsTo("metrics", "clv", "rfm", "valueScore")),
	}
}

// Indexes of Account.
func (Account) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "domain").Unique(),
		index.Fields("organization_id", "name"),
		index.Fields("organization_id", "created_at"),
		index.Fields("organization_id", "predicted_clv", "id"),
		index.Fields("organization_id", "value_tier"),
	}
}

// Annotations of Account.
func (Account) Annotations() []schema.Annotation {
	return crmAPI("A customer organisation: a company the business sells to, with its contacts, deals, tickets and activities.")
}

// lifecycleStages are the stages of a customer relationship, in order.
var lifecycleStages = []string{
	"SUBSCRIBER", "LEAD", "MARKETING_QUALIFIED_LEAD", "SALES_QUALIFIED_LEAD",
	"OPPORTUNITY", "CUSTOMER", "EVANGELIST", "OTHER",
}
