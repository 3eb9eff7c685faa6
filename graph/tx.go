package graph

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headlesscrm/crm/ent"
)

// inTx runs a change in a transaction, so that the change, its audit entry
// and the events it raises commit together or not at all. The change gets a
// context carrying the transaction, so that what it raises can act once it
// commits. The record
// returned is detached from the finished transaction.
func inTx[T interface{ Unwrap() T }](ctx context.Context, client *ent.Client, change func(context.Context, *ent.Client) (T, error)) (T, error) {
	var zero T
	tx, err := client.Tx(ctx)
	if err != nil {
		return zero, err
	}
	v, err := change(ent.NewTxContext(ctx, tx), tx.Client())
	if err != nil {
		return zero, errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return zero, err
	}
	return v.Unwrap(), nil
}

// deleteInTx deletes a record in a transaction, with its audit entry and
// events.
func deleteInTx(ctx context.Context, client *ent.Client, del func(context.Context, *ent.Client) error) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := del(ent.NewTxContext(ctx, tx), tx.Client()); err != nil {
		return errors.Join(err, rollback(tx))
	}
	return tx.Commit()
}

// rollback undoes a failed transaction.
func rollback(tx *ent.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}
