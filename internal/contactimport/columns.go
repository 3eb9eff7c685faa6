package contactimport

import (
	"strings"

	"entgo.io/ent/dialect/sql/schema"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/migrate"
)

// field is a contact field a file can give.
type field uint8

// The fields a file can give; fieldCount counts them.
const (
	fieldEmail field = iota
	fieldExternalID
	fieldFirstName
	fieldLastName
	fieldPhone
	fieldTitle
	fieldLifecycleStage
	fieldLeadSource
	fieldNewsletterOptIn
	fieldBirthDate
	fieldGender
	fieldTags
	fieldLastContactedAt
	fieldCount
)

// kind says how the cells of a field are read.
type kind uint8

const (
	kindText  kind = iota // text as given
	kindEmail             // an email address, folded to lower case
	kindEnum              // one of the column's values, in any case and spelling
	kindBool              // yes or no
	kindDate              // a day, YYYY-MM-DD
	kindTime              // a time, RFC 3339, or a day
	kindTags              // labels separated by commas or semicolons
)

// fieldInfo describes a field: its column in the contacts table, the
// header names that give it (normalized, see headerKey), and how its cells
// are read and checked.
type fieldInfo struct {
	column  string
	headers []string
	kind    kind
	// validate is the data model's check of a text field's value.
	validate func(string) error
}

// fields describes every field a file can give. Validators, sizes and
// enum values come from the generated data model, never repeated here.
var fields = [fieldCount]fieldInfo{
	fieldEmail:           {contact.FieldEmail, []string{"email", "emailaddress"}, kindEmail, contact.EmailValidator},
	fieldExternalID:      {contact.FieldExternalID, []string{"externalid"}, kindText, contact.ExternalIDValidator},
	fieldFirstName:       {contact.FieldFirstName, []string{"firstname", "givenname"}, kindText, contact.FirstNameValidator},
	fieldLastName:        {contact.FieldLastName, []string{"lastname", "surname", "familyname"}, kindText, contact.LastNameValidator},
	fieldPhone:           {contact.FieldPhone, []string{"phone", "phonenumber"}, kindText, contact.PhoneValidator},
	fieldTitle:           {contact.FieldTitle, []string{"title", "jobtitle"}, kindText, contact.TitleValidator},
	fieldLifecycleStage:  {contact.FieldLifecycleStage, []string{"lifecyclestage"}, kindEnum, nil},
	fieldLeadSource:      {contact.FieldLeadSource, []string{"leadsource"}, kindText, contact.LeadSourceValidator},
	fieldNewsletterOptIn: {contact.FieldNewsletterOptIn, []string{"newsletteroptin", "newsletter"}, kindBool, nil},
	fieldBirthDate:       {contact.FieldBirthDate, []string{"birthdate", "dateofbirth", "birthday"}, kindDate, nil},
	fieldGender:          {contact.FieldGender, []string{"gender"}, kindEnum, nil},
	fieldTags:            {contact.FieldTags, []string{"tags"}, kindTags, nil},
	fieldLastContactedAt: {contact.FieldLastContactedAt, []string{"lastcontactedat", "lastcontacted"}, kindTime, nil},
}

// computedHeaders name fields the CRM sets itself: an exported contact
// list has them, and importing it back ignores them.
var computedHeaders = []string{
	"id", "createdat", "updatedat", "organizationid",
	"predictedclv", "probabilityalive", "valuescore", "valuetier", "rfmsegment",
}

// linkHeaders name the contact's links to other records, which an import
// cannot set.
var linkHeaders = []string{"accountid", "ownerid", "acquisitioncampaignid", "referredbyid"}

// headerKey returns a header cell as it is matched against the names of
// fields: lower case, without spaces, underscores and hyphens, so that
// "First Name", "first_name" and "firstName" are the same.
func headerKey(h string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '_', '-':
			return -1
		}
		return r
	}, strings.ToLower(h))
}

// fieldOf returns the field a header names.
func fieldOf(key string) (field, bool) {
	for f := range fieldCount {
		for _, h := range fields[f].headers {
			if h == key {
				return f, true
			}
		}
	}
	return 0, false
}

// tableColumn returns the column of the contacts table named name.
func tableColumn(name string) *schema.Column {
	for _, c := range migrate.ContactsColumns {
		if c.Name == name {
			return c
		}
	}
	panic("contactimport: the contacts table has no column " + name)
}

// columnOf is the contacts table's column of each field.
var columnOf = func() (cols [fieldCount]*schema.Column) {
	for f := range fieldCount {
		cols[f] = tableColumn(fields[f].column)
	}
	return cols
}()

// maxBytes returns the most bytes a text field holds.
func (f field) maxBytes() int { return int(columnOf[f].Size) }

// enumValues returns the values of an enum field.
func (f field) enumValues() []string { return columnOf[f].Enums }
