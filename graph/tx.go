package graph

import (
	"context"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/txn"
)

// inTx runs a change in a transaction (txn.Run), so that the change, its
// audit entry and the events it raises commit together or not at all. The
// record returned is detached from the finished transaction.
func inTx[T interface{ Unwrap() T }](ctx context.Context, client *ent.Client, change func(context.Context, *ent.Client) (T, error)) (T, error) {
	var v T
	err := txn.Run(ctx, client, func(ctx context.Context, tx *ent.Client) (err error) {
		v, err = change(ctx, tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v.Unwrap(), nil
}
