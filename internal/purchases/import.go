package purchases

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/store"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Report says what an import did.
type Report struct {
	// ID names the import in its audit entry.
	ID pulid.ID
	// Rows is the number of rows read.
	Rows int
	// ContactsCreated is the number of customers that were new.
	ContactsCreated int
	// PurchasesCreated is the number of won deals added.
	PurchasesCreated int
	// PurchasesSkipped is the number of rows already imported before.
	PurchasesSkipped int
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

// Load writes the log's rows as WON deals of the organization in ctx,
// creating the contacts it does not have, in one transaction of s: on any
// error nothing is written. A customer is the contact with its email, or
// else with its external ID; a row already imported (same customer, day,
// amount and occurrence in the file) is skipped, so re-importing a file is
// harmless. The import is recorded by one audit entry naming source, the
// file. On PostgreSQL the rows go in with COPY, and the tables' statistics
// are refreshed afterwards when the import added many rows.
func Load(ctx context.Context, s *store.Store, l *Log, source string) (*Report, error) {
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, tenant.ErrNoTenant
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("purchases: starting a transaction: %w", err)
	}
	// An ent client within the transaction, for the audit entry.
	client := ent.NewClient(ent.Driver(entsql.NewDriver(s.Dialect, entsql.Conn{ExecQuerier: tx})))
	crm.Register(client, s.Dialect)
	t := txn{
		dialect: s.Dialect,
		org:     pulid.ID(org),
		client:  client,
		query:   tx.QueryContext,
		exec:    tx,
		insert: func(ctx context.Context, table string, columns []string, n int, row func(int, []any)) error {
			return store.BulkInsert(ctx, tx, s.Dialect, table, columns, n, row)
		},
	}
	rep, err := l.write(ctx, t, source)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	start := time.Now()
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("purchases: committing: %w", err)
	}
	rep.phase("commit", start)
	if s.Dialect == dialect.Postgres && rep.ContactsCreated+rep.PurchasesCreated >= analyzeAfter {
		start := time.Now()
		if _, err := s.DB.ExecContext(ctx, "ANALYZE "+contact.Table+", "+contactvalue.Table+", "+deal.Table); err != nil {
			return nil, fmt.Errorf("purchases: analyzing: %w", err)
		}
		rep.phase("analyze contacts, their values and deals", start)
	}
	return rep, nil
}

// analyzeAfter is how many new rows make an import refresh PostgreSQL's
// statistics of contacts, their values and deals, which a bulk load leaves
// stale until autovacuum comes by: queries right after a large first
// import would be planned for empty tables.
const analyzeAfter = 100_000

// Import is Load for callers that hold an ent client rather than the
// store: it reads rows into a Log and writes it in a transaction of client,
// with multi-row INSERTs; its audit entry names no file. Rows with
// problems are refused as Errors.
func Import(ctx context.Context, client *ent.Client, rows []Row) (*Report, error) {
	l, err := NewLog(rows)
	if err != nil {
		return nil, err
	}
	org, ok := tenant.OrganizationID(ctx)
	if !ok {
		return nil, tenant.ErrNoTenant
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	d := client.Dialect()
	t := txn{
		dialect: d,
		org:     pulid.ID(org),
		client:  tx.Client(),
		query:   tx.QueryContext,
		exec:    tx,
		insert: func(ctx context.Context, table string, columns []string, n int, row func(int, []any)) error {
			return store.InsertRows(ctx, tx, d, table, columns, n, row)
		},
	}
	rep, err := l.write(ctx, t, "")
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("purchases: committing: %w", err)
	}
	return rep, nil
}

// txn is what an import needs of its transaction: reading rows, writing
// them in bulk, running a statement, and an ent client for the audit
// entry, in the organization org.
type txn struct {
	dialect string
	org     pulid.ID
	client  *ent.Client
	query   func(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	exec    store.Execer
	insert  func(ctx context.Context, table string, columns []string, n int, row func(int, []any)) error
}

// write imports the log within t: it matches the customers and purchases
// the organization has already, then writes the new contacts and the new
// purchases, in the log's order, which follows the keys of the indexes
// they go into, and the import's audit entry.
func (l *Log) write(ctx context.Context, t txn, source string) (*Report, error) {
	rep := &Report{Rows: l.rows}
	now := time.Now()
	start := now
	ids := make([]pulid.ID, len(l.customers))
	if err := l.matchContacts(ctx, t, ids); err != nil {
		return nil, err
	}
	imported := make([]bool, len(l.purchases))
	if err := l.matchPurchases(ctx, t, imported); err != nil {
		return nil, err
	}
	rep.phase("match existing contacts and purchases", start)

	start = time.Now()
	var newContacts []int32
	for c := range ids {
		if ids[c] == "" {
			ids[c] = contact.DefaultID()
			newContacts = append(newContacts, int32(c))
		}
	}
	w := newRowWriter(l, t.org, now, ids)
	err := t.insert(ctx, contact.Table, contactColumns, len(newContacts), func(i int, d []any) {
		w.contactValues(newContacts[i], d)
	})
	if err != nil {
		return nil, fmt.Errorf("purchases: creating contacts: %w", err)
	}
	rep.ContactsCreated = len(newContacts)
	rep.phase("write contacts", start)
	if len(newContacts) > 0 {
		start = time.Now()
		// One statement for all the new contacts, never one per contact.
		if err := store.EnsureContactValues(ctx, t.exec, t.dialect, string(t.org)); err != nil {
			return nil, fmt.Errorf("purchases: creating contacts: %w", err)
		}
		rep.phase("give new contacts their value figures", start)
	}

	start = time.Now()
	newPurchases := make([]int32, 0, len(l.purchases))
	for i := range l.purchases {
		if !imported[i] {
			newPurchases = append(newPurchases, int32(i))
		}
	}
	err = t.insert(ctx, deal.Table, dealColumns, len(newPurchases), func(i int, d []any) {
		w.dealValues(newPurchases[i], d)
	})
	if err != nil {
		return nil, fmt.Errorf("purchases: adding purchases: %w", err)
	}
	rep.PurchasesCreated = len(newPurchases)
	rep.PurchasesSkipped = len(l.purchases) - len(newPurchases)
	rep.phase("write purchases", start)
	if rep.ID, err = recordImport(ctx, t.client, source, rep, now); err != nil {
		return nil, err
	}
	return rep, nil
}

func (r *Report) phase(name string, start time.Time) {
	r.Phases = append(r.Phases, Phase{Name: name, Took: time.Since(start)})
}
