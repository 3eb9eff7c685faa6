package audit

import (
	"context"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/pulid"
)

// importPrefix starts the ID naming a bulk import in its audit entry.
const importPrefix = "imp"

// RecordImport writes the audit entry of a bulk import through client,
// within the import's transaction: a CREATE of a recordType (such as
// "ContactImport") by the caller in ctx (the system for the command line),
// at now, whose changes are the import's figures, each a new value. It is
// the import's one record: the rows it writes raise no events and have no
// audit entries of their own. It returns the ID naming the import.
func RecordImport(ctx context.Context, client *ent.Client, recordType string, figures map[string]any, now time.Time) (pulid.ID, error) {
	id := pulid.NewAt(importPrefix, now)
	created := make(map[string]changes.Field, len(figures))
	for name, v := range figures {
		created[name] = changes.Field{New: v}
	}
	fields, err := changes.Plain(created)
	if err != nil {
		return "", err
	}
	actor, _ := auth.FromContext(ctx)
	err = client.AuditEntry.Create().
		SetActorKind(auditentry.ActorKind(actor.ActorKind())).
		SetActorID(actor.Actor()).
		SetAction(auditentry.ActionCREATE).
		SetRecordType(recordType).
		SetRecordID(id.String()).
		SetChanges(fields).
		SetCreatedAt(now).
		SetUpdatedAt(now).
		Exec(ctx)
	return id, err
}
