package store

import (
	"context"
	"fmt"
)

// ensureContactValuesQuery gives the contacts without a contact_values row
// one, holding the figures of their customer_metrics row when they have
// one and zeros otherwise. Its ? is the organization, or NULL for all. A
// row another transaction gave the contact meanwhile (two servers
// migrating one database at once) is left as it is.
const ensureContactValuesQuery = `INSERT INTO contact_values (contact_id, organization_id, predicted_clv, probability_alive, value_score, value_tier, rfm_segment)
SELECT c.id, c.organization_id, COALESCE(m.predicted_clv, 0), COALESCE(m.probability_alive, 0), COALESCE(m.value_score, 0), m.value_tier, m.rfm_segment
FROM contacts c LEFT JOIN customer_metrics m ON m.contact_id = c.id
WHERE (CAST(? AS TEXT) IS NULL OR c.organization_id = ?)
AND NOT EXISTS (SELECT 1 FROM contact_values v WHERE v.contact_id = c.id)
ON CONFLICT (contact_id) DO NOTHING`

// EnsureContactValues gives every contact of the organization (of every
// organization when org is empty) that lacks its row of value figures
// one: the figures of its customer_metrics row, or zeros for a contact not
// yet valued. Contacts created through the ent client get theirs from a
// hook; bulk loads that write contacts with COPY or INSERT call this once
// after, in the same transaction; Migrate calls it for the contacts of
// databases written before contact_values existed.
func EnsureContactValues(ctx context.Context, ex Execer, dialectName, org string) error {
	var arg any
	if org != "" {
		arg = org
	}
	if _, err := ex.ExecContext(ctx, Rebind(dialectName, ensureContactValuesQuery), arg, arg); err != nil {
		return fmt.Errorf("store: giving contacts their value figures: %w", err)
	}
	return nil
}
