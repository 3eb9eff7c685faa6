package purchases

import (
	"context"
	"fmt"
	"time"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/audit"
	"github.com/headlesscrm/crm/internal/pulid"
)

// AuditRecordType is the record type of the audit entry of a purchase
// import.
const AuditRecordType = "PurchaseImport"

// recordImport writes the audit entry of an import through client, within
// the import's transaction (audit.RecordImport): the file's name and the
// import's counts. It returns the import's ID.
func recordImport(ctx context.Context, client *ent.Client, source string, rep *Report, now time.Time) (pulid.ID, error) {
	id, err := audit.RecordImport(ctx, client, AuditRecordType, map[string]any{
		"file":             source,
		"rows":             rep.Rows,
		"contactsCreated":  rep.ContactsCreated,
		"purchasesCreated": rep.PurchasesCreated,
		"purchasesSkipped": rep.PurchasesSkipped,
	}, now)
	if err != nil {
		return "", fmt.Errorf("purchases: writing the audit entry: %w", err)
	}
	return id, nil
}
