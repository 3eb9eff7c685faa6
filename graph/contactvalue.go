package graph

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/predicate"
	"github.com/headlesscrm/crm/internal/pulid"
)

// The filters of contact lists by the contact's value figures, which are
// fields of its ContactValue row rather than of the contact: each adds to
// the contact filter a predicate on that row, as entgql's filters of the
// contact's own fields do, with the same meaning for absent values.

// valueFilter filters by p(v) when v is given.
func valueFilter[T any](w *ent.ContactWhereInput, v *T, p func(T) predicate.ContactValue) error {
	if v != nil {
		w.AddPredicates(contact.HasValueWith(p(*v)))
	}
	return nil
}

// valueFilterIn filters by p(vs...) when vs has values.
func valueFilterIn[T any](w *ent.ContactWhereInput, vs []T, p func(...T) predicate.ContactValue) error {
	if len(vs) > 0 {
		w.AddPredicates(contact.HasValueWith(p(vs...)))
	}
	return nil
}

// valueFilterIf filters by p when on is true.
func valueFilterIf(w *ent.ContactWhereInput, on *bool, p predicate.ContactValue) error {
	if on != nil && *on {
		w.AddPredicates(contact.HasValueWith(p))
	}
	return nil
}

// nestedContacts answers a contact list nested in another record (an
// account's contacts, a contact's referrals, a segment's members): by the
// generated edge resolver, which serves the list entgql eager-loaded, but
// when the list is ordered by a value figure, whose order the eager load
// cannot read from the raw arguments, by paging the edge's query itself.
func nestedContacts(
	ctx context.Context,
	edge func(context.Context, *entgql.Cursor[pulid.ID], *int, *entgql.Cursor[pulid.ID], *int, *ent.ContactOrder, *ent.ContactWhereInput) (*ent.ContactConnection, error),
	query func() *ent.ContactQuery,
	after *entgql.Cursor[pulid.ID], first *int, before *entgql.Cursor[pulid.ID], last *int, orderBy *ent.ContactOrder, where *ent.ContactWhereInput,
) (*ent.ContactConnection, error) {
	if orderBy != nil {
		if _, byValue := ent.ContactValueColumn(orderBy.Field); byValue {
			return query().Paginate(ctx, after, first, before, last, ent.WithContactOrder(orderBy), ent.WithContactFilter(where.Filter))
		}
	}
	return edge(ctx, after, first, before, last, orderBy, where)
}
