package contactimport

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/auditentry"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/changes"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/pulid"
)

// AuditRecordType is the record type of the audit entry of an import.
const AuditRecordType = "ContactImport"

// importPrefix starts the ID naming an import in its audit entry.
const importPrefix = "imp"

// recordImport writes the audit entry of an import within tx, through ent
// (its defaults, checks and tenant hook): a CREATE of a ContactImport by
// the caller in ctx (the system for the command line), whose changes are
// the file's name and the import's counts, as the purchase import records
// itself. It is the import's one record: the contacts it writes raise no
// events and have no audit entries of their own; those it created and
// updated carry its time, now, as their created_at and updated_at. It
// returns the import's ID.
func recordImport(ctx context.Context, tx *sql.Tx, dialectName, source string, rep *Report, now time.Time) (pulid.ID, error) {
	client := ent.NewClient(ent.Driver(entsql.NewDriver(dialectName, entsql.Conn{ExecQuerier: tx})))
	crm.Register(client, dialectName)
	id := pulid.NewAt(importPrefix, now)
	created := func(v any) changes.Field { return changes.Field{New: v} }
	fields, err := changes.Plain(map[string]changes.Field{
		"file":      created(source),
		"rows":      created(rep.Rows),
		"created":   created(rep.Created),
		"updated":   created(rep.Updated),
		"unchanged": created(rep.Unchanged),
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
		return "", fmt.Errorf("contactimport: writing the audit entry: %w", err)
	}
	return id, nil
}
