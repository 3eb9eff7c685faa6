package segment

import (
	"context"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/internal/auth"
	"github.com/headlesscrm/crm/internal/events"
	"github.com/headlesscrm/crm/internal/eventtype"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// raiseMembershipEvents raises, through tx, SEGMENT_ENTERED for each
// contact that entered the segment and SEGMENT_EXITED for each that
// exited, written in batches by the outbox.
func raiseMembershipEvents(ctx context.Context, tx *ent.Client, seg *ent.Segment, entered, exited []pulid.ID) error {
	if len(entered)+len(exited) == 0 {
		return nil
	}
	actor, _ := auth.FromContext(ctx)
	data := map[string]any{"segmentId": seg.ID.String(), "segmentName": seg.Name}
	es := make([]events.Event, 0, len(entered)+len(exited))
	add := func(t eventtype.Type, ids []pulid.ID) {
		for _, id := range ids {
			es = append(es, events.Event{Type: t, SubjectType: "Contact", SubjectID: id, Actor: actor, Data: data})
		}
	}
	add(eventtype.SegmentEntered, entered)
	add(eventtype.SegmentExited, exited)
	octx := tenant.WithOrganization(ctx, seg.OrganizationID.String())
	return events.RaiseAll(octx, tx, es)
}
