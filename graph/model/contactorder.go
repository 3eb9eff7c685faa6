package model

import (
	"fmt"
	"io"
	"strconv"

	"github.com/headlesscrm/crm/ent"
)

// ContactOrderField names a property contact lists can be ordered by: one
// of Contact's own fields or one of its value figures (PREDICTED_CLV,
// PROBABILITY_ALIVE, VALUE_SCORE), which ent keeps apart from the contact's
// fields. The ContactOrder resolver turns it into ent's order field.
type ContactOrderField string

// UnmarshalGQL implements graphql.Unmarshaler: the name must be one of the
// order fields.
func (f *ContactOrderField) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("ContactOrderField %T must be a string", v)
	}
	if _, err := ent.ContactOrderFieldNamed(s); err != nil {
		return err
	}
	*f = ContactOrderField(s)
	return nil
}

// MarshalGQL implements graphql.Marshaler.
func (f ContactOrderField) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(f))) }
