package segment

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/predicate"
	"github.com/headlesscrm/crm/ent/segment"
	"github.com/headlesscrm/crm/ent/segmentmembership"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
	"github.com/headlesscrm/crm/internal/txn"
)

const (
	// batchSize is how many memberships one statement inserts or deletes
	// (4 parameters a row stays far below SQLite's parameter limit).
	batchSize = 500
	// MaxPreviewSample is the largest sample Preview returns.
	MaxPreviewSample = 100
)

// RuleOf returns the validated rule of a saved segment. A segment of kind
// RFM stores the rule {"field": {"field": "RFM_SEGMENT", "op": "EQ",
// "value": "CHAMPIONS"}} like any other.
func RuleOf(seg *ent.Segment) (*Rule, error) {
	r, err := ParseRule(seg.Rule)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("segment %s: stored rule is invalid: %w", seg.ID, err)
	}
	if seg.Kind == segment.KindRFM && (r.Field == nil || r.Field.Field != FieldRFMSegment || r.Field.Op != OpEQ) {
		return nil, fmt.Errorf("segment %s: an RFM segment's rule must be RFM_SEGMENT EQ a segment", seg.ID)
	}
	return r, nil
}

// notFound is the error for a segment outside the context's organization.
func notFound() error { return &errs.Error{Code: errs.NotFound, Message: "no such segment"} }

// sameOrganization refuses a segment of another organization than the
// context's (a system context may touch any).
func sameOrganization(ctx context.Context, seg *ent.Segment) error {
	if seg == nil {
		return notFound()
	}
	if org, ok := tenant.OrganizationID(ctx); ok && pulid.ID(org) != seg.OrganizationID {
		return notFound()
	}
	return nil
}

// Refresh evaluates the segment's rule as of now and makes the stored
// members match: contacts that match and are not members enter (with
// entered_at = now), members that no longer match exit. The diff is
// written in one transaction, in batches, with the segment's size and
// refreshed_at. It returns the IDs of the contacts that entered and exited,
// each in ID order, and updates seg's Size and RefreshedAt.
//
// When the segment had been materialized before (its refreshed_at was set),
// Refresh also raises, in the same transaction, one SEGMENT_ENTERED event
// per contact that entered and one SEGMENT_EXITED per contact that exited
// (subject the contact; data segmentId and segmentName; actor the
// context's viewer, if any). The first materialization of a segment — a
// segment just created, or a built-in one created by EnsureBuiltins —
// raises none, so that it does not flood subscribers with a segment's
// whole membership; a rule change of a materialized segment does raise
// the difference.
//
// Only contacts of the segment's organization are considered, whatever the
// context; a context scoped to another organization gets NOT_FOUND.
// Concurrent refreshes of one segment are serialized by the row lock the
// first statement (an update of the segment's row) takes. When client is
// already transactional, Refresh runs in that transaction.
func Refresh(ctx context.Context, client *ent.Client, seg *ent.Segment, now time.Time) (entered, exited []pulid.ID, err error) {
	if err := sameOrganization(ctx, seg); err != nil {
		return nil, nil, err
	}
	rule, err := RuleOf(seg)
	if err != nil {
		return nil, nil, err
	}
	pred, err := rule.Predicate(now)
	if err != nil {
		return nil, nil, err
	}
	org := seg.OrganizationID
	size := 0
	err = txn.Run(ctx, client, func(ctx context.Context, tx *ent.Client) error {
		entered, exited, size = nil, nil, 0
		// Lock the segment's row (a no-op update), then read when it was
		// last refreshed.
		n, err := tx.Segment.Update().
			Where(segment.ID(seg.ID), segment.OrganizationID(org)).
			AddSize(0).
			Save(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound()
		}
		prev, err := tx.Segment.Query().
			Where(segment.ID(seg.ID), segment.OrganizationID(org)).
			Select(segment.FieldRefreshedAt).
			Only(ctx)
		if err != nil {
			return err
		}
		ids, err := tx.SegmentMembership.Query().
			Where(segmentmembership.SegmentID(seg.ID), segmentmembership.OrganizationID(org)).
			Select(segmentmembership.FieldContactID).
			Strings(ctx)
		if err != nil {
			return err
		}
		current := make(map[pulid.ID]bool, len(ids))
		for _, id := range ids {
			current[pulid.ID(id)] = true
		}
		matching, err := matchingIDs(ctx, tx, org, rule, pred, now)
		if err != nil {
			return err
		}
		size = len(matching)
		for _, id := range matching {
			if current[id] {
				delete(current, id)
			} else {
				entered = append(entered, id)
			}
		}
		for id := range current {
			exited = append(exited, id)
		}
		slices.Sort(exited)
		for b := range slices.Chunk(exited, batchSize) {
			_, err := tx.SegmentMembership.Delete().
				Where(
					segmentmembership.SegmentID(seg.ID),
					segmentmembership.OrganizationID(org),
					segmentmembership.ContactIDIn(b...),
				).
				Exec(ctx)
			if err != nil {
				return err
			}
		}
		// The rows are created under a system context only to skip the
		// generic per-row check that attached records belong to the tenant
		// (two COUNT queries a row): the segment was just updated within
		// org, and the contacts were read from org.
		sys := tenant.WithSystem(ctx)
		for b := range slices.Chunk(entered, batchSize) {
			builders := make([]*ent.SegmentMembershipCreate, len(b))
			for i, id := range b {
				builders[i] = tx.SegmentMembership.Create().
					SetSegmentID(seg.ID).
					SetContactID(id).
					SetOrganizationID(org).
					SetEnteredAt(now)
			}
			if err := tx.SegmentMembership.CreateBulk(builders...).Exec(sys); err != nil {
				return err
			}
		}
		if prev.RefreshedAt != nil {
			if err := raiseMembershipEvents(ctx, tx, seg, entered, exited); err != nil {
				return err
			}
		}
		return tx.Segment.Update().
			Where(segment.ID(seg.ID), segment.OrganizationID(org)).
			SetSize(size).
			SetRefreshedAt(now).
			Exec(ctx)
	})
	if err != nil {
		return nil, nil, err
	}
	seg.Size = size
	seg.RefreshedAt = &now
	return entered, exited, nil
}

// matchingIDs returns the IDs of the contacts of the organization that
// match the rule (compiled to pred) as of now, in ID order. A rule that
// compares the value figures only — such as an RFM segment's — is
// evaluated on contact_values alone (valueMembers), unless the context
// sees only its user's own contacts.
func matchingIDs(ctx context.Context, tx *ent.Client, org pulid.ID, rule *Rule, pred predicate.Contact, now time.Time) ([]pulid.ID, error) {
	vp, ok, err := valuesOnly(ctx, rule, now)
	if err != nil {
		return nil, err
	}
	if ok {
		return valueMembers(ctx, tx, org, vp)
	}
	return tx.Contact.Query().
		Where(contact.OrganizationID(org), pred).
		Order(contact.ByID()).
		IDs(ctx)
}

// valuesOnly returns the rule compiled for contact_values alone
// (Rule.valuePredicate) when it reads value figures only and the context
// sees every contact of its organization; ok is false otherwise, and the
// rule must be evaluated on contacts.
func valuesOnly(ctx context.Context, rule *Rule, now time.Time) (vp predicate.ContactValue, ok bool, err error) {
	if _, limited := tenant.OwnRecordsOnly(ctx); limited {
		return nil, false, nil
	}
	return rule.valuePredicate(now)
}

// countMatching returns how many contacts of the context's organization
// match the rule (compiled to pred) as of now: a rule that compares value
// figures only is counted on contact_values alone, through the
// (organization_id, column, contact_id) indexes, when the context names one
// organization.
func countMatching(ctx context.Context, client *ent.Client, rule *Rule, pred predicate.Contact, now time.Time) (int, error) {
	if org, scoped := tenant.OrganizationID(ctx); scoped {
		vp, ok, err := valuesOnly(ctx, rule, now)
		if err != nil {
			return 0, err
		}
		if ok {
			return client.ContactValue.Query().Where(contactvalue.OrganizationID(pulid.ID(org)), vp).Count(ctx)
		}
	}
	return client.Contact.Query().Where(pred).Count(ctx)
}

// valueMembers returns the IDs of the organization's contacts whose value
// figures satisfy vp, in ID order, read from contact_values alone: the
// members of an RFM segment come from its (organization_id, rfm_segment,
// contact_id) index in ID order. Every contact has one row there, of its
// own organization, so these are the contacts the rule selects — without
// the join to contacts, which at a million contacts cost PostgreSQL a scan
// of the organization's contacts (or a lookup per member) for each
// segment.
func valueMembers(ctx context.Context, tx *ent.Client, org pulid.ID, vp predicate.ContactValue) ([]pulid.ID, error) {
	ids, err := tx.ContactValue.Query().
		Where(contactvalue.OrganizationID(org), vp).
		Order(contactvalue.ByContactID()).
		Select(contactvalue.FieldContactID).
		Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the contacts by their value figures: %w", err)
	}
	out := make([]pulid.ID, len(ids))
	for i, id := range ids {
		out[i] = pulid.ID(id)
	}
	return out, nil
}

// Preview evaluates a rule as of now without saving anything: how many
// contacts of the context's organization match, and up to limit of them
// (at most MaxPreviewSample), the highest value score first. An invalid
// rule returns the error of Validate.
func Preview(ctx context.Context, client *ent.Client, rule *Rule, now time.Time, limit int) (count int, sample []*ent.Contact, err error) {
	pred, err := rule.Predicate(now)
	if err != nil {
		return 0, nil, err
	}
	count, err = countMatching(ctx, client, rule, pred, now)
	if err != nil {
		return 0, nil, err
	}
	limit = min(limit, MaxPreviewSample)
	if limit <= 0 || count == 0 {
		return count, nil, nil
	}
	sample, err = client.Contact.Query().
		Where(pred).
		Order(ent.ContactByValue(contactvalue.FieldValueScore, sql.OrderDesc()), contact.ByID()).
		Limit(limit).
		All(ctx)
	if err != nil {
		return 0, nil, err
	}
	return count, sample, nil
}

// BuiltinName returns the name of the built-in segment of an RFM segment,
// such as "RFM: Champions".
func BuiltinName(s analytics.RFMSegment) string { return "RFM: " + s.Label() }

// builtinDescriptions describe the built-in RFM segments, after the R×F
// grid of analytics.RFMSegmentFor.
var builtinDescriptions = map[analytics.RFMSegment]string{
	analytics.SegmentChampions:          "Bought very recently and buy most often: reward them, ask for reviews and referrals.",
	analytics.SegmentLoyal:              "Buy often and fairly recently: offer loyalty programs and upsell.",
	analytics.SegmentPotentialLoyalists: "Recent customers with a few purchases: offer membership or recommendations to make them loyal.",
	analytics.SegmentNewCustomers:       "Bought very recently, for the first time: onboard them and build the relationship.",
	analytics.SegmentPromising:          "Recent customers with a single purchase: create brand awareness and offer trials.",
	analytics.SegmentNeedAttention:      "Average recency and frequency: limited-time offers and personal recommendations.",
	analytics.SegmentAboutToSleep:       "Below-average recency and frequency: reactivate them before they lapse.",
	analytics.SegmentAtRisk:             "Bought often but long ago: win them back with personal outreach.",
	analytics.SegmentCantLose:           "Used to buy the most but have not returned for a long time: win them back, talk to them.",
	analytics.SegmentHibernating:        "Last bought long ago and rarely: re-engage with relevant offers or let them rest.",
}

// BuiltinRule returns the rule of the built-in segment of an RFM segment.
func BuiltinRule(s analytics.RFMSegment) *Rule {
	return Cond(FieldRFMSegment, OpEQ, string(s))
}

// EnsureBuiltins creates, in the context's organization, the ten built-in
// RFM segments ("RFM: Champions" …, kind RFM) that do not exist yet. A
// built-in exists when an RFM segment has its rule, whatever its name, or
// any segment has its name. It is idempotent and does not refresh them.
func EnsureBuiltins(ctx context.Context, client *ent.Client) error {
	segs, err := client.Segment.Query().All(ctx)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	covered := map[string]bool{}
	for _, s := range segs {
		names[s.Name] = true
		if s.Kind == segment.KindRFM {
			if r, err := ParseRule(s.Rule); err == nil && r.Field != nil && r.Field.Value != nil {
				covered[*r.Field.Value] = true
			}
		}
	}
	for _, rs := range analytics.AllRFMSegments() {
		name := BuiltinName(rs)
		if covered[string(rs)] || names[name] {
			continue
		}
		m, err := BuiltinRule(rs).Map()
		if err != nil {
			return err
		}
		err = client.Segment.Create().
			SetName(name).
			SetDescription(builtinDescriptions[rs]).
			SetKind(segment.KindRFM).
			SetRule(m).
			Exec(ctx)
		if err != nil && !ent.IsConstraintError(err) { // lost a race: it exists
			return fmt.Errorf("creating segment %q: %w", name, err)
		}
	}
	return nil
}
