package segment

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/segment"
	"github.com/headlesscrm/crm/ent/segmentmembership"
	"github.com/headlesscrm/crm/internal/analytics"
	"github.com/headlesscrm/crm/internal/pulid"
)

// Preset is a ready-made segment rule: one of the lists marketing and
// sales teams ask for most.
type Preset struct {
	// Key identifies the preset in code and URLs.
	Key string
	// Name is the segment's name.
	Name string
	// Description says who is in the segment and how it is defined.
	Description string
	// Rule is the segment's rule.
	Rule *Rule
}

// Preset keys.
const (
	PresetLapsedVIPs             = "lapsed-vips"
	PresetSubscribersNeverBought = "subscribers-open-deal-never-bought"
	PresetNoRecentSeminar        = "no-seminar-12-months"
	PresetMostProfitable         = "most-profitable"
)

// Presets returns the ready-made segments:
//
//   - VIP customers with no purchase in the last 6 months: VALUE_TIER IN
//     (VIP, HIGH) and not WON_DEAL within 182 days. The two top tiers (the
//     top 20% by value score) stand for "VIP" here: the score weighs
//     predicted CLV, which falls as a customer goes quiet, so a lapsed
//     customer seldom stays in the top 5% — yet is exactly who this list
//     is for.
//   - Newsletter subscribers with an open deal who never bought:
//     NEWSLETTER_OPT_IN EQ true and OPEN_DEAL and not ANY_PURCHASE.
//   - Contacts who have not attended a seminar in the last 12 months: not
//     ATTENDED_CAMPAIGN on channel SEMINAR within 365 days (contacts who
//     never attended one included).
//   - Most profitable customers: VALUE_TIER IN (VIP, HIGH) and NET_VALUE GT
//     0 and ANY_PURCHASE — the top 20% by value score (tiers are assigned
//     by rank, so they are never empty once values are computed) who have
//     bought and whose net value to date (gross margin less cost to serve
//     and acquisition cost) is positive. A fixed money threshold would
//     depend on each organization's prices and currency; a rank does not.
func Presets() []Preset {
	return []Preset{
		{
			Key:         PresetLapsedVIPs,
			Name:        "VIP customers with no purchase in the last 6 months",
			Description: "Contacts in the VIP or HIGH value tiers (the top 20% by value score) who have not made a purchase in the last 182 days: win them back before they churn.",
			Rule: And(
				Cond(FieldValueTier, OpIn, string(analytics.TierVIP), string(analytics.TierHigh)),
				Not(Has(RelatedCondition{Relation: RelationWonDeal, WithinDays: Ptr(182)})),
			),
		},
		{
			Key:         PresetSubscribersNeverBought,
			Name:        "Newsletter subscribers with an open deal who never bought",
			Description: "Contacts who opted in to the newsletter and have an open deal but no purchase yet: nurture them to a first purchase.",
			Rule: And(
				Cond(FieldNewsletterOptIn, OpEQ, "true"),
				Has(RelatedCondition{Relation: RelationOpenDeal}),
				Not(Has(RelatedCondition{Relation: RelationAnyPurchase})),
			),
		},
		{
			Key:         PresetNoRecentSeminar,
			Name:        "Contacts who have not attended a seminar in the last 12 months",
			Description: "Contacts with no seminar attendance (status ATTENDED or CONVERTED) in the last 365 days, including those who never attended one: invite them to the next seminar.",
			Rule: Not(Has(RelatedCondition{
				Relation:   RelationAttendedCampaign,
				Channel:    Ptr("SEMINAR"),
				WithinDays: Ptr(365),
			})),
		},
		{
			Key:         PresetMostProfitable,
			Name:        "Most profitable customers",
			Description: "Customers in the VIP or HIGH value tier (the top 20% by value score) who have made a purchase and whose net value to date is positive.",
			Rule: And(
				Cond(FieldValueTier, OpIn, string(analytics.TierVIP), string(analytics.TierHigh)),
				Cond(FieldNetValue, OpGT, "0"),
				Has(RelatedCondition{Relation: RelationAnyPurchase}),
			),
		},
	}
}

// EnsurePresets creates, in the context's organization, the preset
// segments (kind RULE) that do not exist yet, by name. It is idempotent and
// does not refresh them.
func EnsurePresets(ctx context.Context, client *ent.Client) error {
	names, err := client.Segment.Query().Select(segment.FieldName).Strings(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	for _, p := range Presets() {
		if have[p.Name] {
			continue
		}
		if err := p.Rule.Validate(); err != nil {
			return fmt.Errorf("preset %s: %w", p.Key, err)
		}
		m, err := p.Rule.Map()
		if err != nil {
			return err
		}
		err = client.Segment.Create().
			SetName(p.Name).
			SetDescription(p.Description).
			SetKind(segment.KindRULE).
			SetRule(m).
			Exec(ctx)
		if err != nil && !ent.IsConstraintError(err) { // lost a race: it exists
			return fmt.Errorf("creating segment %q: %w", p.Name, err)
		}
	}
	return nil
}

// CSVHeader is the header row of ExportCSV.
var CSVHeader = []string{"id", "email", "first_name", "last_name", "predicted_clv", "value_tier", "rfm_segment"}

// exportPage is how many members ExportCSV reads per query.
const exportPage = 1000

// ExportCSV writes the segment's current members as CSV: the CSVHeader
// row, then one row per member in ID order, read in pages of 1,000 by ID
// (keyset) with their value figures (one more query a page, by contact
// ID), each flushed to w before the next is read, so memory stays bounded
// whatever the size. predicted_clv has two decimals; value_tier and
// rfm_segment are empty when not computed. Text that a spreadsheet would
// take for a formula (starting with =, +, -, @, tab or carriage return) is
// prefixed with a single quote.
func ExportCSV(ctx context.Context, client *ent.Client, seg *ent.Segment, w io.Writer) error {
	if err := sameOrganization(ctx, seg); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	var after pulid.ID
	for {
		q := client.Contact.Query().Where(
			contact.OrganizationID(seg.OrganizationID),
			contact.HasSegmentMembershipsWith(segmentmembership.SegmentID(seg.ID)),
		)
		if after != "" {
			q.Where(contact.IDGT(after))
		}
		page, err := q.Order(contact.ByID()).
			Limit(exportPage).
			Select(contact.FieldID, contact.FieldEmail, contact.FieldFirstName, contact.FieldLastName).
			WithValue(func(q *ent.ContactValueQuery) {
				q.Select(contactvalue.FieldContactID, contactvalue.FieldPredictedClv,
					contactvalue.FieldValueTier, contactvalue.FieldRfmSegment)
			}).
			All(ctx)
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := cw.Write(csvRow(c)); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(page) < exportPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// csvRow returns the CSV row of a contact read with its value figures: a
// contact without them (which should not happen) shows none, as one not
// yet valued.
func csvRow(c *ent.Contact) []string {
	v := c.Edges.Value
	if v == nil {
		v = &ent.ContactValue{}
	}
	return []string{
		string(c.ID),
		safeCell(deref(c.Email)),
		safeCell(c.FirstName),
		safeCell(c.LastName),
		strconv.FormatFloat(v.PredictedClv, 'f', 2, 64),
		string(deref(v.ValueTier)),
		string(deref(v.RfmSegment)),
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// safeCell defuses CSV formula injection.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
