package schema

import (
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Product is an item of the catalog, with its list price and unit cost.
type Product struct{ ent.Schema }

// Mixin of Product.
func (Product) Mixin() []ent.Mixin { return crmEntity("prd") }

// Fields of Product.
func (Product) Fields() []ent.Field {
	return []ent.Field{
		name("name"),
		field.String("sku").Optional().Nillable().MaxLen(100).Annotations(entgql.OrderField("SKU")),
		field.Text("description").Optional(),
		amount("price", "PRICE"),
		amount("unit_cost", ""),
		field.Bool("active").Default(true),
	}
}

// Edges of Product.
func (Product) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("line_items", LineItem.Type).Annotations(entgql.RelayConnection(), noInput),
	}
}

// Indexes of Product.
func (Product) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "sku").Unique()}
}

// Annotations of Product.
func (Product) Annotations() []schema.Annotation {
	return crmAPI("An item of the catalog, with its list price and unit cost (for margins).")
}

// LineItem is one line of a deal: a quantity of a product at a unit price,
// less a percentage discount.
type LineItem struct{ ent.Schema }

// Mixin of LineItem.
func (LineItem) Mixin() []ent.Mixin { return crmEntity("li") }

// Fields of LineItem.
func (LineItem) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Default("").MaxLen(200),
		field.Int("quantity").Default(1).Positive(),
		amount("unit_price", ""),
		amount("unit_cost", ""),
		field.Float("discount_percent").
			Default(0).
			Validate(func(p float64) error {
				if p < 0 || p > 100 {
					return fmt.Errorf("must be between 0 and 100")
				}
				return nil
			}),
		field.String("deal_id").GoType(pulidID),
		field.String("product_id").GoType(pulidID).Optional().Nillable(),
	}
}

// Edges of LineItem.
func (LineItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("deal", Deal.Type).Ref("line_items").Field("deal_id").Unique().Required(),
		edge.From("product", Product.Type).Ref("line_items").Field("product_id").Unique(),
	}
}

// Indexes of LineItem.
func (LineItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id", "deal_id")}
}

// Annotations of LineItem.
func (LineItem) Annotations() []schema.Annotation {
	return crmAPI("One line of a deal: a quantity of a product at a unit price, less a percentage discount.")
}
