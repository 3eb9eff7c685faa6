package schema

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"

	"github.com/headlesscrm/crm/internal/money"
	"github.com/headlesscrm/crm/internal/pulid"
)

// amount is an exact, non-negative amount of money stored in cents, shown in
// GraphQL as a Money decimal string. Set order to make it sortable.
func amount(name, order string) ent.Field {
	ann := []schema.Annotation{entgql.Type("Money")}
	if order != "" {
		ann = append(ann, entgql.OrderField(order))
	}
	return field.Int64(name).
		GoType(money.Amount(0)).
		Default(0).
		Validate(nonNegativeMoney).
		Annotations(ann...)
}

// optionalAmount is like amount but may be absent.
func optionalAmount(name string) ent.Field {
	return field.Int64(name).
		GoType(money.Amount(0)).
		Optional().
		Nillable().
		Validate(nonNegativeMoney).
		Annotations(entgql.Type("Money"))
}

func nonNegativeMoney(v int64) error {
	if v < 0 {
		return fmt.Errorf("must not be negative")
	}
	if v > int64(money.Max) {
		return fmt.Errorf("is too large")
	}
	return nil
}

// validEmail accepts a single bare address such as "ada@example.com".
func validEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return fmt.Errorf("is not a valid email address")
	}
	return nil
}

// tags is a list of free labels.
func tags() ent.Field {
	return field.Strings("tags").
		Optional().
		Default([]string{}).
		Validate(func(ts []string) error {
			if len(ts) > 50 {
				return fmt.Errorf("has more than 50 tags")
			}
			for _, t := range ts {
				if strings.TrimSpace(t) == "" || len(t) > 64 {
					return fmt.Errorf("tags must be 1 to 64 characters")
				}
			}
			return nil
		})
}

// customFields holds the organization's own fields of a record.
func customFields() ent.Field {
	return field.JSON("custom_fields", map[string]any{}).
		Optional().
		Annotations(entgql.Type("Map"))
}

// currency is an ISO 4217 code such as "USD".
func currency() ent.Field {
	return field.String("currency").
		Default("USD").
		Validate(func(s string) error {
			if len(s) != 3 || strings.ToUpper(s) != s {
				return fmt.Errorf("must be a three-letter ISO 4217 code such as USD")
			}
			return nil
		})
}

// name is a required human-readable name of 1 to 200 characters.
func name(field_ string) ent.Field {
	return field.String(field_).
		NotEmpty().
		MaxLen(200).
		Annotations(entgql.OrderField(strings.ToUpper(field_)))
}

// crmEntity gives an entity its ID prefix, timestamps and tenant.
func crmEntity(prefix string) []ent.Mixin {
	return []ent.Mixin{IDWithPrefix(prefix), TimeMixin{}, TenantMixin{}}
}

// crmAPI exposes an entity as a root connection with create and update inputs.
func crmAPI(doc string) []schema.Annotation {
	return []schema.Annotation{
		Doc{Text: doc},
		entgql.RelayConnection(),
		entgql.QueryField(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// pulidID is the Go type of every ID and foreign key.
var pulidID = pulid.ID("")

// timeNow is the default of time fields that record when something happened.
func timeNow() time.Time { return time.Now() }

// noInput keeps a to-many edge out of the create and update inputs: records
// are attached from their own side (a deal names its contact), so an input
// can never take over another record's children.
var noInput = entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)

// Doc is the GraphQL description of an entity's type.
type Doc struct {
	// Text is the description.
	Text string
}

// Name implements schema.Annotation.
func (Doc) Name() string { return "Doc" }
