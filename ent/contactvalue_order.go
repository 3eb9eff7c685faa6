package ent

// This file is written by hand, not generated. entgql generates one order
// field per edge, ContactOrderFieldValuePredictedClv for the contact's
// `value` edge; contact lists order by three of the contact's value
// figures, which live in its ContactValue row (see
// ent/schema/contactvalue.go). All three are built here, sharing the
// generated field's column, so that the generated pagination treats them
// as an edge's order: it neither selects the column from contacts nor
// validates it as a contact column.

import (
	"fmt"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
)

// The order fields of contact lists by the contact's value figures.
var (
	// ContactOrderFieldPredictedClv orders contacts by predicted CLV.
	ContactOrderFieldPredictedClv = contactValueOrderField(contactvalue.FieldPredictedClv)
	// ContactOrderFieldProbabilityAlive orders contacts by the probability
	// that they are still customers.
	ContactOrderFieldProbabilityAlive = contactValueOrderField(contactvalue.FieldProbabilityAlive)
	// ContactOrderFieldValueScore orders contacts by value score.
	ContactOrderFieldValueScore = contactValueOrderField(contactvalue.FieldValueScore)
)

// contactValueOrderFields are the order fields of the value figures by
// GraphQL name, with the contact_values column each sorts by.
var contactValueOrderFields = map[string]struct {
	field  *ContactOrderField
	column string
}{
	"PREDICTED_CLV":     {ContactOrderFieldPredictedClv, contactvalue.FieldPredictedClv},
	"PROBABILITY_ALIVE": {ContactOrderFieldProbabilityAlive, contactvalue.FieldProbabilityAlive},
	"VALUE_SCORE":       {ContactOrderFieldValueScore, contactvalue.FieldValueScore},
}

// ContactOrderFieldNamed returns the order field of contact lists with the
// given GraphQL name: one of Contact's own fields or of its value figures.
func ContactOrderFieldNamed(name string) (*ContactOrderField, error) {
	if f, ok := contactValueOrderFields[name]; ok {
		return f.field, nil
	}
	f := new(ContactOrderField)
	if err := f.UnmarshalGQL(name); err != nil {
		return nil, err
	}
	if f.column == ContactOrderFieldValuePredictedClv.column {
		// Its generated name is not part of the API.
		return nil, fmt.Errorf("%s is not a valid ContactOrderField", name)
	}
	return f, nil
}

// ContactValueColumn reports the contact_values column an order field of
// contact lists sorts by, if it sorts by a value figure.
func ContactValueColumn(f *ContactOrderField) (string, bool) {
	for _, v := range contactValueOrderFields {
		if v.field == f {
			return v.column, true
		}
	}
	return "", false
}

// contactValueOrderField orders contacts by the given column of their
// ContactValue row. The term joins the contacts to a subquery of
// contact_values that names the figure after the generated field's column,
// and selects it qualified: entgql's cursor predicates find it in the
// selection by that name and compare it, and the cursor reads it back under
// that name. ent's own order by an edge's field (contact.ByValueField)
// cannot serve here: it groups the neighbor's rows, which PostgreSQL
// refuses for a plain column, and selects the figure under an alias, which
// a WHERE clause cannot name.
func contactValueOrderField(column string) *ContactOrderField {
	as := ContactOrderFieldValuePredictedClv.column
	value := func(c *Contact) (ent.Value, error) { return c.Value(as) }
	return &ContactOrderField{
		Value:  value,
		column: as,
		toTerm: func(opts ...sql.OrderTermOption) contact.OrderOption {
			return ContactByValue(column, opts...)
		},
		toCursor: func(c *Contact) Cursor {
			v, _ := value(c)
			return Cursor{ID: c.ID, Value: v}
		},
	}
}

// ContactByValue orders contacts by the given column of their
// ContactValue row (see contactValueOrderField for the form of the join).
// Every contact has its row, so the join keeps them all.
func ContactByValue(column string, opts ...sql.OrderTermOption) contact.OrderOption {
	as := ContactOrderFieldValuePredictedClv.column
	desc := sql.OrderByField(as, opts...).Desc
	return func(s *sql.Selector) {
		t := sql.Select(contactvalue.FieldContactID).AppendSelectAs(column, as).
			From(sql.Table(contactvalue.Table)).As("contact_value")
		s.Join(t).On(s.C(contact.FieldID), t.C(contactvalue.FieldContactID))
		s.AppendSelect(t.C(as))
		if desc {
			s.OrderBy(sql.Desc(t.C(as)))
		} else {
			s.OrderBy(t.C(as))
		}
	}
}

// zeroValue is the zero value of the order field's figure, for cursors
// whose value msgpack left out (see ent/template/paginate.tmpl): every
// value figure an order field sorts by is a float that cannot be NULL.
func (f *ContactOrderField) zeroValue() (ent.Value, bool) {
	_, ok := ContactValueColumn(f)
	return float64(0), ok
}
