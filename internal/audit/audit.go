// Package audit keeps the audit log: who (a user or an API token) changed
// which record, when, and which fields from what to what. Entries are
// written by a changes.Recorder in the transaction of the change, and read
// through the auditLog query by ADMINs and OWNERs.
package audit

import (
	"context"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Record writes the audit entry of a change.
func Record(ctx context.Context, client *ent.Client, c *changes.Change) error {
	fields, err := changes.Plain(c.Fields)
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
		SetActorKind(auditentry.ActorKind(c.Actor.ActorKind())).
		SetActorID(c.Actor.Actor()).
		SetAction(action(c)).
		SetRecordType(c.Type).
		SetRecordID(c.ID.String()).
		SetChanges(fields).
		Exec(ctx)
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
