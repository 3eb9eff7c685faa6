// Package txn runs changes in database transactions, so that a change and
// what it records (audit entries, events, webhook deliveries) commit
// together or not at all.
package txn

import (
	"context"
	"database/sql"
	"errors"

	"github.com/headlesscrm/crm/ent"
)

// Run runs fn in a new transaction, committed when fn returns nil and
// rolled back when it fails or panics; when client already belongs to a
// transaction, fn joins it. The context fn gets carries the transaction
// (ent.NewTxContext), so that what fn raises can act once it commits.
func Run(ctx context.Context, client *ent.Client, fn func(ctx context.Context, tx *ent.Client) error) (err error) {
	tx, err := client.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return fn(ctx, client)
	}
	if err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			_ = tx.Rollback()
			panic(v)
		}
	}()
	if err := fn(ent.NewTxContext(ctx, tx), tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}
