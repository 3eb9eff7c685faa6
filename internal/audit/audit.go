// Package audit keeps the audit log: who (a user or an API token) changed
// which record, when, and which fields from what to what. Entries are
// written by a changes.Recorder in the transaction of the change, and read
// through the auditLog query by ADMINs and OWNERs.
package audit

import (
	"context"
	"encoding/json"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Record writes the audit entry of a change.
func Record(ctx context.Context, client *ent.Client, c *changes.Change) error {
	kind, id := Actor(c.Actor)
	fields, err := asJSON(c.Fields)
	if err != nil {
		return err
	}
	create := client.AuditEntry.Create()
	if c.Actor != nil && c.Actor.OrganizationID != "" {
		// The caller's organization, also where a change runs in a system
		// context on the caller's behalf.
		create.SetOrganizationID(pulid.ID(c.Actor.OrganizationID))
	}
	return create.
		SetActorKind(kind).
		SetActorID(id).
		SetAction(action(c)).
		SetRecordType(c.Type).
		SetRecordID(c.ID.String()).
		SetChanges(fields).
		Exec(ctx)
}

// Actor returns how the audit log names the author of a change.
func Actor(v *auth.Viewer) (auditentry.ActorKind, string) {
	switch {
	case v == nil:
		return auditentry.ActorKindSYSTEM, ""
	case v.IsToken():
		return auditentry.ActorKindTOKEN, v.TokenID
	case v.IsUser():
		return auditentry.ActorKindUSER, v.UserID
	}
	return auditentry.ActorKindSYSTEM, ""
}

func action(c *changes.Change) auditentry.Action {
	switch {
	case c.IsCreate():
		return auditentry.ActionCREATE
	case c.IsDelete():
		return auditentry.ActionDELETE
	}
	return auditentry.ActionUPDATE
}

// asJSON turns the field changes into plain JSON values, the form they are
// stored and shown in.
func asJSON(fields map[string]changes.Field) (map[string]any, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(b, &out)
}
