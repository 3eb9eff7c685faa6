package purchases

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/internal/pulid"
)

// An import writes its rows past ent (see BulkInsert in package store), so
// it sets every column ent would set when creating the record through its
// builder, with the same values: the fields the import sets, the schema's
// defaults (taken from the generated package, never repeated here), the
// organization that the tenant hook would set, and times in UTC. The value
// figures of the new contacts, which ent's hook would create, are given
// them by store.EnsureContactValues once all are written.

// leadSource is the lead source of the contacts an import creates.
const leadSource = "import"

// contactColumns are the columns of a new contact, in contactValues' order.
var contactColumns = []string{
	contact.FieldID, contact.FieldOrganizationID, contact.FieldFirstName, contact.FieldLastName,
	contact.FieldEmail, contact.FieldExternalID, contact.FieldLifecycleStage, contact.FieldLeadSource,
	contact.FieldNewsletterOptIn, contact.FieldTags, contact.FieldCreatedAt, contact.FieldUpdatedAt,
}

// dealColumns are the columns of a new purchase, in dealValues' order.
var dealColumns = []string{
	deal.FieldID, deal.FieldOrganizationID, deal.FieldName, deal.FieldAmount, deal.FieldCost,
	deal.FieldCurrency, deal.FieldStatus, deal.FieldClosedAt, deal.FieldExternalID, deal.FieldContactID,
	deal.FieldCreatedAt, deal.FieldUpdatedAt,
}

// rowWriter turns a log's customers and purchases into rows. The values
// that repeat from row to row are boxed once.
type rowWriter struct {
	log      *Log
	ids      []pulid.ID // the contact of each customer
	org, now any
	contact  []any            // the values every new contact shares
	deal     []any            // the values every new purchase shares
	days     map[int32][2]any // the name and close time of a purchase, by day
	buf      []byte
}

func newRowWriter(l *Log, org pulid.ID, now time.Time, ids []pulid.ID) *rowWriter {
	tags, err := json.Marshal(contact.DefaultTags)
	if err != nil {
		panic("purchases: the default tags are not JSON: " + err.Error())
	}
	w := &rowWriter{log: l, ids: ids, org: string(org), now: now.UTC(), days: map[int32][2]any{}}
	// The shared values, at their columns' places in contactColumns and
	// dealColumns; contactValues and dealValues fill in the rest.
	c := make([]any, len(contactColumns))
	c[1], c[3], c[6], c[7] = w.org, contact.DefaultLastName, string(contact.LifecycleStageCUSTOMER), leadSource
	c[8], c[9], c[10], c[11] = contact.DefaultNewsletterOptIn, json.RawMessage(tags), w.now, w.now
	d := make([]any, len(dealColumns))
	d[1], d[5], d[6], d[10], d[11] = w.org, deal.DefaultCurrency, string(deal.StatusWON), w.now, w.now
	w.contact, w.deal = c, d
	return w
}

// contactValues fills d with customer c as a new CUSTOMER contact from the
// import: one named by email gets the email and, as first name, what comes
// before the @; one named by external ID gets that.
func (w *rowWriter) contactValues(c int32, d []any) {
	copy(d, w.contact)
	key := w.log.customers[c].key
	d[0], d[2] = string(w.ids[c]), contact.DefaultFirstName
	if email, ok := strings.CutPrefix(key, "email:"); ok {
		first, _, _ := strings.Cut(email, "@")
		d[2], d[4] = first, email
	} else {
		d[5] = strings.TrimPrefix(key, "ext:")
	}
}

// dealValues fills d with purchase i as a new WON deal closed on its day.
func (w *rowWriter) dealValues(i int32, d []any) {
	copy(d, w.deal)
	p := w.log.purchases[i]
	day, ok := w.days[p.day]
	if !ok {
		day = [2]any{string(appendDay([]byte("Purchase of "), p.day)), dayTime(p.day)}
		w.days[p.day] = day
	}
	w.buf = w.log.purchaseID(w.buf[:0], int(i))
	d[0], d[2], d[3], d[7], d[8], d[9] = string(deal.DefaultID()), day[0], p.amount.Cents(), day[1], string(w.buf), string(w.ids[p.customer])
	if p.cost != noCost {
		d[4] = p.cost.Cents()
	}
}
