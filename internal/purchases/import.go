package purchases

import (
	"context"
	"fmt"
	"strings"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Report says what an import did.
type Report struct {
	// Rows is the number of rows read.
	Rows int
	// ContactsCreated is the number of customers that were new.
	ContactsCreated int
	// PurchasesCreated is the number of won deals added.
	PurchasesCreated int
	// PurchasesSkipped is the number of rows already imported before.
	PurchasesSkipped int
}

// batch is how many rows go into one INSERT.
const batch = 500

// Import writes the rows as WON deals of the organization in ctx, creating
// missing contacts, in one transaction: on any error nothing is written. A
// row already imported (same customer, day, amount and occurrence) is
// skipped, so re-importing a file is harmless.
func Import(ctx context.Context, client *ent.Client, rows []Row) (*Report, error) {
	rep := &Report{Rows: len(rows)}
	ctx = crm.WithTrustedReferences(ctx)
	tx, err := client.Tx(ctx)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Report, error) {
		_ = tx.Rollback()
		return nil, err
	}
	contacts, created, err := resolveContacts(ctx, tx, rows)
	if err != nil {
		return fail(fmt.Errorf("purchases: creating contacts: %w", err))
	}
	rep.ContactsCreated = created

	// The external ID of a purchase: its customer, day, amount and the
	// occurrence of that triple in the file.
	seen := map[string]int{}
	ext := make([]string, len(rows))
	for i, r := range rows {
		k := fmt.Sprintf("purchase:%s:%s:%d", r.key(), r.Date.Format("2006-01-02"), r.Amount.Cents())
		seen[k]++
		ext[i] = fmt.Sprintf("%s:%d", k, seen[k])
	}
	existing := map[string]bool{}
	for start := 0; start < len(ext); start += batch {
		end := min(start+batch, len(ext))
		found, err := tx.Deal.Query().Where(deal.ExternalIDIn(ext[start:end]...)).Select(deal.FieldExternalID).Strings(ctx)
		if err != nil {
			return fail(err)
		}
		for _, e := range found {
			existing[e] = true
		}
	}
	builders := make([]*ent.DealCreate, 0, batch)
	flush := func() error {
		if len(builders) == 0 {
			return nil
		}
		err := tx.Deal.CreateBulk(builders...).Exec(ctx)
		builders = builders[:0]
		return err
	}
	for i, r := range rows {
		if existing[ext[i]] {
			rep.PurchasesSkipped++
			continue
		}
		b := tx.Deal.Create().
			SetName("Purchase of " + r.Date.Format("2006-01-02")).
			SetAmount(r.Amount).
			SetNillableCost(r.Cost).
			SetStatus(deal.StatusWON).
			SetClosedAt(r.Date).
			SetExternalID(ext[i]).
			SetContactID(contacts[r.key()])
		builders = append(builders, b)
		rep.PurchasesCreated++
		if len(builders) == batch {
			if err := flush(); err != nil {
				return fail(fmt.Errorf("purchases: line %d: %w", r.Line, err))
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return rep, nil
}

// resolveContacts maps each customer key of the rows to a contact ID,
// creating the contacts that do not exist.
func resolveContacts(ctx context.Context, tx *ent.Tx, rows []Row) (map[string]pulid.ID, int, error) {
	ids := map[string]pulid.ID{}
	var emails, exts []string
	firstSeen := map[string]Row{}
	var order []string
	for _, r := range rows {
		k := r.key()
		if _, ok := firstSeen[k]; ok {
			continue
		}
		firstSeen[k] = r
		order = append(order, k)
		if r.Email != "" {
			emails = append(emails, r.Email)
		} else {
			exts = append(exts, r.ExternalID)
		}
	}
	for start := 0; start < len(emails); start += batch {
		cs, err := tx.Contact.Query().Where(contact.EmailIn(emails[start:min(start+batch, len(emails))]...)).
			Select(contact.FieldID, contact.FieldEmail).All(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, c := range cs {
			ids["email:"+*c.Email] = c.ID
		}
	}
	for start := 0; start < len(exts); start += batch {
		cs, err := tx.Contact.Query().Where(contact.ExternalIDIn(exts[start:min(start+batch, len(exts))]...)).
			Select(contact.FieldID, contact.FieldExternalID).All(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, c := range cs {
			ids["ext:"+*c.ExternalID] = c.ID
		}
	}
	builders := make([]*ent.ContactCreate, 0, batch)
	keys := make([]string, 0, batch)
	created := 0
	flush := func() error {
		if len(builders) == 0 {
			return nil
		}
		cs, err := tx.Contact.CreateBulk(builders...).Save(ctx)
		if err != nil {
			return err
		}
		for i, c := range cs {
			ids[keys[i]] = c.ID
		}
		created += len(cs)
		builders, keys = builders[:0], keys[:0]
		return nil
	}
	for _, k := range order {
		if _, ok := ids[k]; ok {
			continue
		}
		r := firstSeen[k]
		b := tx.Contact.Create().SetLifecycleStage(contact.LifecycleStageCUSTOMER).SetLeadSource("import")
		if r.Email != "" {
			b.SetEmail(r.Email)
			if name, _, ok := strings.Cut(r.Email, "@"); ok {
				b.SetFirstName(name)
			}
		} else {
			b.SetExternalID(r.ExternalID)
		}
		builders = append(builders, b)
		keys = append(keys, k)
		if len(builders) == batch {
			if err := flush(); err != nil {
				return nil, 0, fmt.Errorf("line %d: %w", r.Line, err)
			}
		}
	}
	if err := flush(); err != nil {
		return nil, 0, err
	}
	return ids, created, nil
}
