package crm

import (
	"context"
	"strings"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/account"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
)

// MaxUpsertBatch is the most records one upsert call takes.
const MaxUpsertBatch = 100

// UpsertStatus says what an upsert did with one record.
type UpsertStatus string

// The outcomes of upserting one record.
const (
	Created UpsertStatus = "CREATED"
	Updated UpsertStatus = "UPDATED"
	Failed  UpsertStatus = "FAILED"
)

// UpsertResult is the outcome of upserting one record of a batch.
type UpsertResult[T any] struct {
	// Index is the record's position in the input, from 0.
	Index int
	// Status says whether it was created, updated or refused.
	Status UpsertStatus
	// Record is the record as saved; nil when refused.
	Record T
	// Err says why the record was refused; nil otherwise.
	Err *errs.Error
}

// UpsertContacts creates or updates contacts keyed by email, each in its own
// transaction: a refused record writes nothing and does not stop the others.
func UpsertContacts(ctx context.Context, client *ent.Client, inputs []*ent.CreateContactInput) ([]UpsertResult[*ent.Contact], error) {
	if len(inputs) > MaxUpsertBatch {
		return nil, errs.Input("inputs", "at most %d records per call", MaxUpsertBatch)
	}
	keys := make([]string, 0, len(inputs))
	for _, in := range inputs {
		if in.Email != nil {
			e := strings.ToLower(strings.TrimSpace(*in.Email))
			in.Email = &e
			keys = append(keys, e)
		}
	}
	existing, err := client.Contact.Query().Where(contact.EmailIn(keys...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[string]pulid.ID{}
	for _, c := range existing {
		byKey[*c.Email] = c.ID
	}
	out := make([]UpsertResult[*ent.Contact], len(inputs))
	for i, in := range inputs {
		out[i] = upsertOne(ctx, client, i, in.Email, "email", byKey,
			func(tx *ent.Tx) (*ent.Contact, error) { return tx.Contact.Create().SetInput(*in).Save(ctx) },
			func(tx *ent.Tx, id pulid.ID) (*ent.Contact, error) {
				u := tx.Contact.UpdateOneID(id)
				in.Mutate(u.Mutation())
				return u.Save(ctx)
			})
		if out[i].Status == Created {
			byKey[*in.Email] = out[i].Record.ID
		}
	}
	return out, nil
}

// UpsertAccounts creates or updates accounts keyed by domain, each in its
// own transaction.
func UpsertAccounts(ctx context.Context, client *ent.Client, inputs []*ent.CreateAccountInput) ([]UpsertResult[*ent.Account], error) {
	if len(inputs) > MaxUpsertBatch {
		return nil, errs.Input("inputs", "at most %d records per call", MaxUpsertBatch)
	}
	keys := make([]string, 0, len(inputs))
	for _, in := range inputs {
		if in.Domain != nil {
			d := strings.ToLower(strings.TrimSpace(*in.Domain))
			in.Domain = &d
			keys = append(keys, d)
		}
	}
	existing, err := client.Account.Query().Where(account.DomainIn(keys...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[string]pulid.ID{}
	for _, a := range existing {
		byKey[*a.Domain] = a.ID
	}
	out := make([]UpsertResult[*ent.Account], len(inputs))
	for i, in := range inputs {
		out[i] = upsertOne(ctx, client, i, in.Domain, "domain", byKey,
			func(tx *ent.Tx) (*ent.Account, error) { return tx.Account.Create().SetInput(*in).Save(ctx) },
			func(tx *ent.Tx, id pulid.ID) (*ent.Account, error) {
				u := tx.Account.UpdateOneID(id)
				in.Mutate(u.Mutation())
				return u.Save(ctx)
			})
		if out[i].Status == Created {
			byKey[*in.Domain] = out[i].Record.ID
		}
	}
	return out, nil
}

// unwrap detaches a record from its committed transaction, so that its
// edges can still be queried.
func unwrap[T any](rec T) T {
	if u, ok := any(rec).(interface{ Unwrap() T }); ok {
		return u.Unwrap()
	}
	return rec
}

// upsertOne creates or updates one record in its own transaction.
func upsertOne[T any](ctx context.Context, client *ent.Client, i int, key *string, keyField string, byKey map[string]pulid.ID,
	create func(*ent.Tx) (T, error), update func(*ent.Tx, pulid.ID) (T, error)) UpsertResult[T] {
	res := UpsertResult[T]{Index: i, Status: Failed}
	if key == nil || *key == "" {
		res.Err = errs.Input(keyField, "%s is required: records are matched by it", keyField)
		return res
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		res.Err = errs.From(err)
		return res
	}
	var rec T
	status := Created
	if id, ok := byKey[*key]; ok {
		status = Updated
		rec, err = update(tx, id)
	} else {
		rec, err = create(tx)
	}
	if err == nil {
		err = tx.Commit()
	} else {
		_ = tx.Rollback()
	}
	if err != nil {
		res.Err = errs.From(err)
		return res
	}
	res.Status, res.Record = status, unwrap(rec)
	return res
}
