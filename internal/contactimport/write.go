package contactimport

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/internal/store"
)

// An import writes past ent (see BulkInsert in package store), so it sets
// every column ent sets when it creates a contact, with the same values:
// the fields the file gives, the schema's defaults (taken from the
// generated package, never repeated here), the organization the tenant
// hook would set, and times in UTC. The rows of value figures that ent's
// hook would add are added once all the new contacts are written
// (giveValues).

// insertColumns are the columns of a new contact, in newValues' order; the
// fields follow in the order of fields, from index fieldsAt.
var insertColumns = func() []string {
	cols := []string{contact.FieldID, contact.FieldOrganizationID, contact.FieldCreatedAt, contact.FieldUpdatedAt,
		contact.FieldCustomFields}
	for fd := range fieldCount {
		cols = append(cols, fields[fd].column)
	}
	return cols
}()

// fieldsAt is the index of the first field in insertColumns.
const fieldsAt = 5

// defaultTags is the JSON of the tags of a contact created without any.
var defaultTags = func() json.RawMessage {
	b, err := json.Marshal(contact.DefaultTags)
	if err != nil {
		panic("contactimport: the default tags are not JSON: " + err.Error())
	}
	return b
}()

// writer writes a file's rows as the plan says.
type writer struct {
	f    *File
	plan *plan
	tx   *sql.Tx
	// dialect is the database's dialect name.
	dialect string
	org     string
	now     time.Time
}

// create inserts the rows without a target as new contacts and returns
// how many. They go in in the order of their emails, and get IDs in that
// order: both the primary key and the unique index of emails then grow at
// their right end, which PostgreSQL maintains with less work (and WAL)
// than insertions all over the index.
func (w *writer) create(ctx context.Context) (int, error) {
	rows := make([]int32, 0, w.f.rows-w.plan.matched)
	for r, id := range w.plan.target {
		if id == "" {
			rows = append(rows, int32(r))
		}
	}
	if w.f.has(fieldEmail) {
		slices.SortFunc(rows, func(a, b int32) int {
			return bytes.Compare(w.f.given(int(a), fieldEmail), w.f.given(int(b), fieldEmail))
		})
	}
	err := store.BulkInsert(ctx, w.tx, w.dialect, contact.Table, insertColumns, len(rows), func(i int, d []any) {
		w.newValues(int(rows[i]), d)
	})
	if err != nil {
		return 0, fmt.Errorf("contactimport: creating contacts: %w", err)
	}
	return len(rows), nil
}

// giveValues gives the contacts created their rows of value figures, zeros
// until their first valuation, as ent's hook gives those it creates: one
// statement for all of them, never one per contact.
func (w *writer) giveValues(ctx context.Context) error {
	if err := store.EnsureContactValues(ctx, w.tx, w.dialect, w.org); err != nil {
		return fmt.Errorf("contactimport: creating contacts: %w", err)
	}
	return nil
}

// newValues fills d with row as a new contact, in insertColumns' order.
func (w *writer) newValues(row int, d []any) {
	d[0], d[1], d[2], d[3] = string(contact.DefaultID()), w.org, w.now, w.now
	d[4] = w.newCustom(row)
	for fd := range fieldCount {
		v := w.f.given(row, fd)
		if len(v) > 0 {
			d[fieldsAt+int(fd)] = valueOf(fd, v)
			continue
		}
		switch fd {
		case fieldFirstName:
			d[fieldsAt+int(fd)] = contact.DefaultFirstName
		case fieldLastName:
			d[fieldsAt+int(fd)] = contact.DefaultLastName
		case fieldLifecycleStage:
			d[fieldsAt+int(fd)] = string(contact.DefaultLifecycleStage)
		case fieldNewsletterOptIn:
			d[fieldsAt+int(fd)] = contact.DefaultNewsletterOptIn
		case fieldTags:
			d[fieldsAt+int(fd)] = defaultTags
		}
	}
}

// newCustom returns the custom fields the row gives, as JSON, or nil (SQL
// NULL, as ent leaves a contact created without any).
func (w *writer) newCustom(row int) any {
	var b []byte
	for _, s := range w.f.custom {
		v := w.f.value(row, s)
		if len(v) == 0 {
			continue
		}
		if b == nil {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, w.f.columns[s].header)
		b = append(b, ':')
		b = appendJSONString(b, string(v))
	}
	if b == nil {
		return nil
	}
	return json.RawMessage(append(b, '}'))
}

// valueOf returns the stored form v of field fd as the database takes it.
func valueOf(fd field, v []byte) any {
	switch fields[fd].kind {
	case kindBool:
		return v[0] == 't'
	case kindDate, kindTime:
		return storedTime(v)
	case kindTags:
		return json.RawMessage(v)
	}
	return string(v)
}

// changesTable is the temporary table holding the values an import
// changes, the row's given fields (NULL for those not given) and the
// contact's merged custom fields.
const changesTable = "contact_import_changes"

// update writes the changed rows into their contacts: it copies their
// values into a temporary table and updates the contacts from it in one
// statement. It returns how many contacts it updated.
//
// On PostgreSQL the contacts are updated in the order of their IDs, which
// is about the order they were written in: a hash join would update them
// in random order, touching each page of the table and its indexes many
// times over, each time after a checkpoint with a full-page image in the
// WAL (18 GB of WAL and three minutes for a million contacts, against
// 3 GB and under one minute in ID order).
func (w *writer) update(ctx context.Context) (int, error) {
	changed := len(w.plan.changed)
	if changed == 0 {
		return 0, nil
	}
	cols := []string{contact.FieldID}
	var set []string
	for fd := range fieldCount {
		if w.f.has(fd) {
			c := fields[fd].column
			cols = append(cols, c)
			set = append(set, fmt.Sprintf("%s = COALESCE(u.%s, c.%s)", c, c, c))
		}
	}
	if len(w.f.custom) > 0 {
		c := contact.FieldCustomFields
		cols = append(cols, c)
		set = append(set, fmt.Sprintf("%s = COALESCE(u.%s, c.%s)", c, c, c))
	}
	set = append(set, contact.FieldUpdatedAt+" = ?")
	// order lists the changed rows (by index in plan.changed) in the
	// order of their contacts' IDs.
	order := make([]int32, changed)
	for i := range order {
		order[i] = int32(i)
	}
	target := func(i int32) string { return w.plan.target[w.plan.changed[i]] }
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(target(a), target(b)) })

	pg := w.dialect == dialect.Postgres
	var stmts []string
	create := "CREATE TEMPORARY TABLE " + changesTable
	if pg {
		create += " ON COMMIT DROP"
	} else {
		stmts = append(stmts, "DROP TABLE IF EXISTS temp."+changesTable)
	}
	stmts = append(stmts, create+" AS SELECT "+strings.Join(cols, ", ")+" FROM "+contact.Table+" WHERE 1 = 0")
	if err := w.exec(ctx, stmts...); err != nil {
		return 0, err
	}
	err := store.BulkInsert(ctx, w.tx, w.dialect, changesTable, cols, changed, func(i int, d []any) {
		w.changedValues(int(order[i]), d)
	})
	if err != nil {
		return 0, fmt.Errorf("contactimport: updating contacts: %w", err)
	}
	if pg {
		err := w.exec(ctx, "ALTER TABLE "+changesTable+" ADD PRIMARY KEY (id)", "ANALYZE "+changesTable,
			"SET LOCAL enable_hashjoin = off")
		if err != nil {
			return 0, err
		}
	}
	res, err := w.tx.ExecContext(ctx, store.Rebind(w.dialect,
		"UPDATE "+contact.Table+" AS c SET "+strings.Join(set, ", ")+
			" FROM "+changesTable+" AS u WHERE c.id = u.id AND c.organization_id = ?"), w.now, w.org)
	if err != nil {
		return 0, fmt.Errorf("contactimport: updating contacts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("contactimport: updating contacts: %w", err)
	}
	if !pg {
		err = w.exec(ctx, "DROP TABLE temp."+changesTable)
	}
	return int(n), err
}

// exec runs statements in the import's transaction.
func (w *writer) exec(ctx context.Context, stmts ...string) error {
	for _, q := range stmts {
		if _, err := w.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("contactimport: updating contacts: %w", err)
		}
	}
	return nil
}

// changedValues fills d with the i-th changed row: its contact's ID, the
// fields the file has (NULL where the row does not give them), and the
// contact's merged custom fields when they change.
func (w *writer) changedValues(i int, d []any) {
	row := int(w.plan.changed[i])
	d[0] = w.plan.target[row]
	k := 1
	for fd := range fieldCount {
		if !w.f.has(fd) {
			continue
		}
		if v := w.f.given(row, fd); len(v) > 0 {
			d[k] = valueOf(fd, v)
		}
		k++
	}
	if len(w.f.custom) > 0 {
		start := uint32(0)
		if i > 0 {
			start = w.plan.customEnd[i-1]
		}
		if end := w.plan.customEnd[i]; end > start {
			d[k] = json.RawMessage(w.plan.custom[start:end])
		}
	}
}
