package contactimport

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/audit"
	"github.com/headlesscrm/crm/internal/crm"
	"github.com/headlesscrm/crm/internal/pulid"
)

// AuditRecordType is the record type of the audit entry of an import.
const AuditRecordType = "ContactImport"

// recordImport writes the audit entry of an import within tx, through ent
// (its defaults, checks and tenant hook), as the purchase import records
// itself (audit.RecordImport): the file's name and the import's counts. The
// contacts it created and updated carry its time, now, as their created_at
// and updated_at. It returns the import's ID.
func recordImport(ctx context.Context, tx *sql.Tx, dialectName, source string, rep *Report, now time.Time) (pulid.ID, error) {
	client := ent.NewClient(ent.Driver(entsql.NewDriver(dialectName, entsql.Conn{ExecQuerier: tx})))
	crm.Register(client, dialectName)
	id, err := audit.RecordImport(ctx, client, AuditRecordType, map[string]any{
		"file":      source,
		"rows":      rep.Rows,
		"created":   rep.Created,
		"updated":   rep.Updated,
		"unchanged": rep.Unchanged,
	}, now)
	if err != nil {
		return "", fmt.Errorf("contactimport: writing the audit entry: %w", err)
	}
	return id, nil
}
