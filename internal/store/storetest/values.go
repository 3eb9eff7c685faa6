package storetest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/headlesscrm/crm/internal/store"
)

// Figures are a contact's value figures as contact_values holds them.
type Figures struct {
	// Rows is the number of rows of figures the contact has, in its own
	// organization: 1 when all is well.
	Rows int
	// PredictedCLV, ProbabilityAlive and ValueScore are the figures.
	PredictedCLV, ProbabilityAlive, ValueScore float64
	// ValueTier and RFMSegment are the tier and segment, "" for none.
	ValueTier, RFMSegment string
}

// Unvalued are the figures of a contact not yet valued: one row of zeros,
// without tier or segment.
var Unvalued = Figures{Rows: 1}

// contactFiguresQuery reads the figures of every contact of an
// organization, with a count of its rows of figures (a contact with more
// than one gets the largest of each).
const contactFiguresQuery = `SELECT c.id, COUNT(v.id), COALESCE(MAX(v.predicted_clv), 0), COALESCE(MAX(v.probability_alive), 0),
	COALESCE(MAX(v.value_score), 0), COALESCE(MAX(v.value_tier), ''), COALESCE(MAX(v.rfm_segment), '')
FROM contacts c LEFT JOIN contact_values v ON v.contact_id = c.id AND v.organization_id = c.organization_id
WHERE c.organization_id = ?
GROUP BY c.id`

// ContactFigures returns the value figures of every contact of the
// organization org in db, of dialect dialectName, by contact ID.
func ContactFigures(t testing.TB, db *sql.DB, dialectName, org string) map[string]Figures {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), store.Rebind(dialectName, contactFiguresQuery), org)
	if err != nil {
		t.Fatalf("storetest: reading value figures: %v", err)
	}
	defer rows.Close()
	out := map[string]Figures{}
	for rows.Next() {
		var id string
		var f Figures
		if err := rows.Scan(&id, &f.Rows, &f.PredictedCLV, &f.ProbabilityAlive, &f.ValueScore, &f.ValueTier, &f.RFMSegment); err != nil {
			t.Fatalf("storetest: reading value figures: %v", err)
		}
		out[id] = f
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("storetest: reading value figures: %v", err)
	}
	return out
}

// CheckUnvalued fails the test unless every contact of the organization
// has exactly one row of value figures, of zeros, and reports how many
// contacts the organization has.
func CheckUnvalued(t testing.TB, db *sql.DB, dialectName, org string) int {
	t.Helper()
	figures := ContactFigures(t, db, dialectName, org)
	for id, f := range figures {
		if f != Unvalued {
			t.Errorf("contact %s has value figures %+v; want one row of zeros", id, f)
		}
	}
	return len(figures)
}

// SetFigures sets the value figures of a contact in db, of dialect
// dialectName, as a refresh does.
func SetFigures(t testing.TB, db *sql.DB, dialectName, contactID string, f Figures) {
	t.Helper()
	_, err := db.ExecContext(context.Background(), store.Rebind(dialectName, `UPDATE contact_values SET predicted_clv = ?, probability_alive = ?, value_score = ?,
		value_tier = ?, rfm_segment = ? WHERE contact_id = ?`),
		f.PredictedCLV, f.ProbabilityAlive, f.ValueScore, f.ValueTier, f.RFMSegment, contactID)
	if err != nil {
		t.Fatal(err)
	}
}
