package contactimport

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Report says what an import did.
type Report struct {
	// ID names the import in the audit log.
	ID pulid.ID
	// Rows is the number of rows of the file.
	Rows int
	// Created, Updated and Unchanged count the rows that created a
	// contact, changed an existing one, and gave only values their
	// contact had already.
	Created, Updated, Unchanged int
	// Phases are the steps of the import in order, with how long each took.
	Phases []Phase
}

// Phase is one step of an import.
type Phase struct {
	// Name says what the step did.
	Name string
	// Took is how long it took.
	Took time.Duration
}

func (r *Report) phase(name string, start time.Time) {
	r.Phases = append(r.Phases, Phase{Name: name, Took: time.Since(start)})
}

// Load writes the file's contacts into the organization in ctx, in one
// transaction of s: on any error nothing is written. A row updates the
// organization's contact with its email, or else with its external ID,
// setting the fields the row gives (custom fields are merged into the
// contact's); the other rows create contacts, with the data model's
// defaults for the fields they do not give. Contacts whose fields the rows
// give already are left as they are. A row whose email and external ID
// name two contacts, or two rows naming one contact, are refused as
// Errors.
//
// source names the file in the import's audit entry. On PostgreSQL the
// rows go in with COPY, and the statistics of the contacts table and of
// their value figures are refreshed afterwards when the import wrote many
// rows.
func Load(ctx context.Context, s *store.Store, f *File, source string) (*Report, error) {
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, tenant.ErrNoTenant
	}
	rep := &Report{Rows: f.rows}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("contactimport: starting a transaction: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	start := time.Now()
	p, err := f.match(ctx, tx, s.Dialect, org)
	if err != nil {
		return nil, err
	}
	rep.phase("match existing contacts", start)

	w := &writer{f: f, plan: p, tx: tx, dialect: s.Dialect, org: org, now: time.Now().UTC()}
	start = time.Now()
	if rep.Created, err = w.create(ctx); err != nil {
		return nil, err
	}
	rep.phase("create contacts", start)
	if rep.Created > 0 {
		start = time.Now()
		if err := w.giveValues(ctx); err != nil {
			return nil, err
		}
		rep.phase("give new contacts their value figures", start)
	}

	start = time.Now()
	if rep.Updated, err = w.update(ctx); err != nil {
		return nil, err
	}
	rep.Unchanged = p.matched - rep.Updated
	rep.phase("update contacts", start)

	start = time.Now()
	if rep.ID, err = recordImport(ctx, tx, s.Dialect, source, rep, w.now); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("contactimport: committing: %w", err)
	}
	rep.phase("commit", start)

	if s.Dialect == dialect.Postgres && rep.Created+rep.Updated >= analyzeAfter {
		start := time.Now()
		if _, err := s.DB.ExecContext(ctx, "ANALYZE "+contact.Table+", "+contactvalue.Table); err != nil {
			return nil, fmt.Errorf("contactimport: analyzing: %w", err)
		}
		rep.phase("analyze contacts and their values", start)
	}
	return rep, nil
}

// analyzeAfter is how many written rows make an import refresh
// PostgreSQL's statistics of the contacts and contact_values tables, which
// a bulk load leaves stale until autovacuum comes by: queries right after
// a large first import would be planned for empty tables.
const analyzeAfter = 100_000
