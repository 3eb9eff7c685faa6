// Package changes works out what a mutation made on behalf of a caller did
// to each record it touched — which fields changed from what to what — and
// hands that to recorders (the audit log, the event outbox) inside the
// mutation's own transaction, so a change and its records commit together.
package changes

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Change is what one mutation did to one record.
type Change struct {
	// Op is what was done: ent.OpCreate, ent.OpUpdateOne, ent.OpUpdate,
	// ent.OpDeleteOne or ent.OpDelete.
	Op ent.Op
	// Type is the GraphQL type of the record, such as "Contact".
	Type string
	// ID is the record's ID.
	ID pulid.ID
	// Fields maps the GraphQL name of each field set by the mutation to its
	// old value (updates of one record only) and new value. Secrets and
	// bookkeeping fields are left out.
	Fields map[string]Field
	// Record is the record after the change, for creates and single
	// updates; nil otherwise.
	Record ent.Value
	// Actor is who made the change.
	Actor *auth.Viewer
}

// Field is the old and new value of one field.
type Field struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// IsCreate, IsUpdate and IsDelete classify the change.
func (c *Change) IsCreate() bool { return c.Op.Is(ent.OpCreate) }

// IsUpdate reports whether the change updated the record.
func (c *Change) IsUpdate() bool { return c.Op.Is(ent.OpUpdate | ent.OpUpdateOne) }

// IsDelete reports whether the change deleted the record.
func (c *Change) IsDelete() bool { return c.Op.Is(ent.OpDelete | ent.OpDeleteOne) }

// Changed reports whether the change set the field (by GraphQL name) to a
// different value, and returns it.
func (c *Change) Changed(field string) (Field, bool) {
	f, ok := c.Fields[field]
	return f, ok
}

// Object returns the record after the change as a JSON object keyed by
// GraphQL field names, without secrets; nil when the record is not known.
func (c *Change) Object() map[string]any {
	if c.Record == nil {
		return nil
	}
	b, err := json.Marshal(c.Record)
	if err != nil {
		return nil
	}
	var raw map[string]any
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		if k == "edges" || secret(k) {
			continue
		}
		out[errs.GraphQLName(k)] = v
	}
	return out
}

// Plain turns a value into plain JSON values (a JSON object), the form
// changes and payloads are stored and shown in; nil is an empty object.
func Plain(v any) (map[string]any, error) {
	out := map[string]any{}
	if v == nil {
		return out, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return out, json.Unmarshal(b, &out)
}

// A Recorder keeps a record of a change. It runs in the mutation's
// transaction (when there is one) through client; an error aborts the
// mutation.
type Recorder func(ctx context.Context, client *ent.Client, c *Change) error

// ignoredTypes are records that are themselves records of changes, or
// derived by the CRM rather than changed by anyone.
var ignoredTypes = []string{
	"AuditEntry", "Event", "WebhookDelivery", "RefreshToken",
	"CustomerMetrics", "CLVModel", "SegmentMembership",
}

// ignoredFields are bookkeeping fields never worth recording.
var ignoredFields = []string{
	"created_at", "updated_at", "organization_id", "last_used_at",
	"last_login_at", "failed_logins", "locked_until",
}

func secret(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "hash") || strings.Contains(n, "secret") || strings.Contains(n, "password")
}

// Hook returns an ent hook that, for every mutation made on behalf of an
// authenticated caller, works out its changes and passes each to the
// recorders after the mutation succeeded. Mutations without a caller (the
// CRM's own computations, imports, seeding) are not recorded; mutations
// that change only bookkeeping fields are not either.
func Hook(recorders ...Recorder) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			actor, ok := auth.FromContext(ctx)
			if !ok || slices.Contains(ignoredTypes, m.Type()) {
				return next.Mutate(ctx, m)
			}
			fields, err := fieldsOf(ctx, m)
			if err != nil {
				return nil, err
			}
			if m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && len(fields) == 0 {
				return next.Mutate(ctx, m)
			}
			var ids []pulid.ID
			if !m.Op().Is(ent.OpCreate) {
				if ids, err = idsOf(ctx, m); err != nil {
					return nil, err
				}
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return nil, err
			}
			if m.Op().Is(ent.OpCreate) {
				if id, ok := idOf(m); ok {
					ids = []pulid.ID{id}
				}
			}
			client := clientOf(m)
			for _, id := range ids {
				c := &Change{Op: m.Op(), Type: m.Type(), ID: id, Fields: fields, Actor: actor}
				if m.Op().Is(ent.OpCreate | ent.OpUpdateOne) {
					c.Record = v
				}
				for _, r := range recorders {
					if err := r(ctx, client, c); err != nil {
						return nil, err
					}
				}
			}
			return v, nil
		})
	}
}

// fieldsOf returns the fields the mutation sets, with their old values for
// an update of one record. Fields set to the value they had are left out.
func fieldsOf(ctx context.Context, m ent.Mutation) (map[string]Field, error) {
	out := map[string]Field{}
	add := func(name string, v any) error {
		if slices.Contains(ignoredFields, name) || secret(name) {
			return nil
		}
		f := Field{New: v}
		if m.Op().Is(ent.OpUpdateOne) {
			old, err := m.OldField(ctx, name)
			if err != nil {
				return err
			}
			if same(old, v) {
				return nil
			}
			f.Old = old
		}
		out[errs.GraphQLName(name)] = f
		return nil
	}
	for _, name := range m.Fields() {
		v, _ := m.Field(name)
		if err := add(name, v); err != nil {
			return nil, err
		}
	}
	for _, name := range m.ClearedFields() {
		if err := add(name, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// same compares two field values by their JSON form, which also equates a
// nil pointer with a nil value and a pointer with what it points to.
func same(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

type identified interface {
	ID() (pulid.ID, bool)
}

type multiIdentified interface {
	IDs(context.Context) ([]pulid.ID, error)
}

type clientOwner interface {
	Client() *ent.Client
}

func idOf(m ent.Mutation) (pulid.ID, bool) {
	if im, ok := m.(identified); ok {
		return im.ID()
	}
	return "", false
}

// idsOf returns the records an update or delete will touch, before it runs.
func idsOf(ctx context.Context, m ent.Mutation) ([]pulid.ID, error) {
	if m.Op().Is(ent.OpUpdateOne | ent.OpDeleteOne) {
		if id, ok := idOf(m); ok {
			return []pulid.ID{id}, nil
		}
	}
	if mm, ok := m.(multiIdentified); ok {
		return mm.IDs(ctx)
	}
	return nil, nil
}

func clientOf(m ent.Mutation) *ent.Client {
	return m.(clientOwner).Client()
}
