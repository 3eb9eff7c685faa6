package purchases

import (
	"context"
	"fmt"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/pulid"
)

// AuditRecordType is the record type of the audit entry of a purchase
// import.
const AuditRecordType = "PurchaseImport"

// importPrefix starts the ID naming an import in its audit entry.
const importPrefix = "imp"

// recordImport writes the audit entry of an import through client, within
// the import's transaction: a CREATE of a PurchaseImport by the caller (the
// system for the command line), whose changes are the file's name and the
// import's counts. It is the import's one record: the contacts and
// purchases it writes raise no events and have no audit entries of their
// own. It returns the import's ID.
func recordImport(ctx context.Context, client *ent.Client, source string, rep *Report, now time.Time) (pulid.ID, error) {
	id := pulid.NewAt(importPrefix, now)
	created := func(v any) changes.Field { return changes.Field{New: v} }
	fields, err := changes.Plain(map[string]changes.Field{
		"file":             created(source),
		"rows":             created(rep.Rows),
		"contactsCreated":  created(rep.ContactsCreated),
		"purchasesCreated": created(rep.PurchasesCreated),
		"purchasesSkipped": created(rep.PurchasesSkipped),
	})
	if err != nil {
		return "", err
	}
	actor, _ := auth.FromContext(ctx)
	err = client.AuditEntry.Create().
		SetActorKind(auditentry.ActorKind(actor.ActorKind())).
		SetActorID(actor.Actor()).
		SetAction(auditentry.ActionCREATE).
		SetRecordType(AuditRecordType).
		SetRecordID(id.String()).
		SetChanges(fields).
		SetCreatedAt(now).
		SetUpdatedAt(now).
		Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("purchases: writing the audit entry: %w", err)
	}
	return id, nil
}
