package contactimport

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/internal/store"
)

// The organization's existing contacts are found by reading its keyed
// contacts once, with the fields the file gives, and looking their email
// and external ID up among the file's rows: one sequential read however
// many rows the file has, and nothing kept but the matches and what
// changes.

// plan is what an import does with each row of a file.
type plan struct {
	// target is the ID of the contact each row updates; "" for a row that
	// creates one.
	target []string
	// matched counts the rows with a target.
	matched int
	// changed are the rows whose contact the import changes.
	changed []int32
	// custom holds the custom fields, as JSON, of the contacts of changed
	// rows whose custom fields change: the contact's with the row's
	// merged in. customEnd[i] is where those of changed[i] end in custom,
	// the same as the previous end when they do not change.
	custom    []byte
	customEnd []uint32
}

// matcher reads the organization's contacts into a plan.
type matcher struct {
	f        *File
	plan     *plan
	problems Errors
	// held receives each column of a contact, by field.
	held [fieldCount]any
	id   sql.RawBytes
	// customFields receives the contact's custom fields.
	customFields sql.RawBytes
}

// match pairs the file's rows with the organization's contacts: a row
// updates the contact with its email, or else with its external ID. A row
// whose email and external ID name two different contacts, and two rows
// naming the same contact, are refused as Errors.
func (f *File) match(ctx context.Context, tx *sql.Tx, dialectName, org string) (*plan, error) {
	m := &matcher{f: f, plan: &plan{target: make([]string, f.rows)}}
	query, dest := m.query()
	rows, err := tx.QueryContext(ctx, store.Rebind(dialectName, query), org)
	if err != nil {
		return nil, fmt.Errorf("contactimport: reading the organization's contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("contactimport: reading the organization's contacts: %w", err)
		}
		if err := m.contact(); err != nil {
			return nil, err
		}
		if len(m.problems) >= MaxErrors {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contactimport: reading the organization's contacts: %w", err)
	}
	if len(m.problems) > 0 {
		return nil, m.problems.Sorted()
	}
	return m.plan, nil
}

// query returns the query of the organization's keyed contacts with the
// columns the file gives, and where to scan each.
func (m *matcher) query() (string, []any) {
	f := m.f
	cols := []string{contact.FieldID}
	dest := []any{&m.id}
	for fd := range fieldCount {
		if !f.has(fd) && fd != fieldEmail && fd != fieldExternalID {
			continue
		}
		switch fields[fd].kind {
		case kindBool:
			m.held[fd] = new(sql.NullBool)
		case kindDate, kindTime:
			m.held[fd] = new(sql.NullTime)
		default:
			m.held[fd] = new(sql.RawBytes)
		}
		cols = append(cols, fields[fd].column)
		dest = append(dest, m.held[fd])
	}
	if len(f.custom) > 0 {
		cols = append(cols, contact.FieldCustomFields)
		dest = append(dest, &m.customFields)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + contact.Table +
		" WHERE " + contact.FieldOrganizationID + " = ? AND (email IS NOT NULL OR external_id IS NOT NULL)", dest
}

// contact pairs the contact just scanned with the row naming it, if any,
// and works out whether the row changes it.
func (m *matcher) contact() error {
	f, p := m.f, m.plan
	email, ext := *m.held[fieldEmail].(*sql.RawBytes), *m.held[fieldExternalID].(*sql.RawBytes)
	byEmail, byExt := int32(-1), int32(-1)
	if email != nil && f.has(fieldEmail) {
		byEmail, _ = f.emails.lookup(email)
	}
	if ext != nil && f.has(fieldExternalID) {
		byExt, _ = f.externalIDs.lookup(ext)
	}
	row := max(byEmail, byExt)
	switch {
	case row < 0:
		return nil
	case byEmail >= 0 && byExt >= 0 && byEmail != byExt:
		m.problem(int(byExt), f.header(fieldExternalID), fmt.Sprintf("names contact %s, which line %d names by its email: a contact can be updated by one row only",
			m.id, f.line(int(byEmail))))
		return nil
	case p.target[row] != "":
		byEmailID, byExtID := string(m.id), p.target[row]
		if byEmail < 0 {
			byEmailID, byExtID = byExtID, byEmailID
		}
		m.problem(int(row), "", fmt.Sprintf("the email names contact %s and the external id contact %s", byEmailID, byExtID))
		return nil
	}
	p.target[row] = string(m.id)
	p.matched++
	changed, custom, err := m.changes(int(row))
	if err != nil {
		return err
	}
	if changed || custom != nil {
		if len(p.custom)+len(custom) > math.MaxUint32 {
			return fmt.Errorf("contactimport: the custom fields to update hold more than 4 GB")
		}
		p.changed = append(p.changed, row)
		p.custom = append(p.custom, custom...)
		p.customEnd = append(p.customEnd, uint32(len(p.custom)))
	}
	return nil
}

func (m *matcher) problem(row int, column, message string) {
	m.problems = append(m.problems, LineError{Line: m.f.line(row), Column: column, Message: message})
}

// changes reports whether row gives a field a value its contact does not
// have, and returns the contact's custom fields with the row's merged in,
// as JSON, when they change.
func (m *matcher) changes(row int) (bool, []byte, error) {
	f := m.f
	changed := false
	for fd := range fieldCount {
		v := f.given(row, fd)
		if len(v) == 0 {
			continue
		}
		if differs(fields[fd].kind, m.held[fd], v) {
			changed = true
		}
	}
	if len(f.custom) == 0 {
		return changed, nil, nil
	}
	custom, err := m.mergeCustom(row)
	if err != nil {
		return false, nil, fmt.Errorf("contactimport: contact %s: %w", m.id, err)
	}
	return changed, custom, nil
}

// differs reports whether the stored value v of a field of kind k differs
// from the contact's, held as scanned.
func differs(k kind, held any, v []byte) bool {
	switch h := held.(type) {
	case *sql.NullBool:
		return !h.Valid || h.Bool != (v[0] == 't')
	case *sql.NullTime:
		return !h.Valid || !h.Time.Equal(storedTime(v))
	case *sql.RawBytes:
		if *h == nil {
			return true
		}
		if k == kindTags {
			var have, want []string
			return json.Unmarshal(*h, &have) != nil || json.Unmarshal(v, &want) != nil || !slices.Equal(have, want)
		}
		return !bytes.Equal(*h, v)
	}
	panic("contactimport: a field is held in an unknown type")
}

// mergeCustom returns the contact's custom fields with those row gives, as
// JSON, or nil when the row gives none the contact does not have already.
func (m *matcher) mergeCustom(row int) ([]byte, error) {
	var have map[string]any
	if len(m.customFields) > 0 {
		if err := json.Unmarshal(m.customFields, &have); err != nil {
			return nil, fmt.Errorf("reading its custom fields: %w", err)
		}
	}
	var merged map[string]any
	for _, s := range m.f.custom {
		v := m.f.value(row, s)
		if len(v) == 0 {
			continue
		}
		key := m.f.columns[s].header
		if old, ok := have[key].(string); ok && old == string(v) {
			continue
		}
		if merged == nil {
			merged = make(map[string]any, len(have)+len(m.f.custom))
			for k, x := range have {
				merged[k] = x
			}
		}
		merged[key] = string(v)
	}
	if merged == nil {
		return nil, nil
	}
	return json.Marshal(merged)
}
