package crm

import (
	"context"
	"fmt"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/hook"
)

// contactHasValue gives every contact created through the client its row of
// value figures (zeros until its first valuation) in the same transaction,
// so that lists sorted or filtered by value find it at once. Bulk loads
// that bypass the client call store.EnsureContactValues instead.
var contactHasValue = hook.On(func(next ent.Mutator) ent.Mutator {
	return hook.ContactFunc(func(ctx context.Context, m *ent.ContactMutation) (ent.Value, error) {
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		c, ok := v.(*ent.Contact)
		if !ok {
			return v, fmt.Errorf("crm: creating a contact returned %T", v)
		}
		err = m.Client().ContactValue.Create().
			SetContactID(c.ID).
			SetOrganizationID(c.OrganizationID).
			Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("crm: creating the value figures of contact %s: %w", c.ID, err)
		}
		return v, nil
	})
}, ent.OpCreate)
