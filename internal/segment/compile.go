package segment

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqljson"

	"github.com/headlesscrm/crm/ent/campaign"
	"github.com/headlesscrm/crm/ent/campaignmember"
	"github.com/headlesscrm/crm/ent/contact"
	"github.com/headlesscrm/crm/ent/contactvalue"
	"github.com/headlesscrm/crm/ent/customermetrics"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/predicate"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/ent/surveyresponse"
	"github.com/headlesscrm/crm/ent/ticket"
)

// columnOrganization is the tenant column of every CRM table.
const columnOrganization = "organization_id"

// Predicate validates the rule and compiles it to one predicate on
// contacts, evaluated as of now: "within the last N days" means at or after
// now minus N days, and relative times ("-30d") are resolved against now.
// The predicate is a single WHERE clause — field comparisons, and
// correlated EXISTS / COUNT subqueries for the contact's value figures
// (on contact_values) and related records — that runs the same on SQLite
// and PostgreSQL. Every subquery is correlated on the contact's id and
// organization, so it never looks outside the contact's organization; the
// contacts themselves are confined by the tenant scope of the query the
// predicate is used in.
//
// An invalid rule returns the error of Validate.
func (r *Rule) Predicate(now time.Time) (predicate.Contact, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	c := compiler{now: now.UTC()}
	return c.node(r)
}

type compiler struct {
	now time.Time
	// onValues compiles for a query of contact_values instead of
	// contacts: the value figures are columns of the selector itself.
	onValues bool
}

// valuePredicate compiles a rule that compares the contact's value figures
// only to one predicate on contact_values, evaluated as of now, for a
// query that reads the figures without joining contacts; ok is false for
// any other rule. An invalid rule returns the error of Validate.
func (r *Rule) valuePredicate(now time.Time) (p predicate.ContactValue, ok bool, err error) {
	if !r.readsOnlyValues() {
		return nil, false, nil
	}
	if err := r.Validate(); err != nil {
		return nil, false, err
	}
	c := compiler{now: now.UTC(), onValues: true}
	cp, err := c.node(r)
	if err != nil {
		return nil, false, err
	}
	return predicate.ContactValue(cp), true, nil
}

// readsOnlyValues reports whether every condition of the rule compares one
// of the contact's value figures.
func (r *Rule) readsOnlyValues() bool {
	switch {
	case r == nil:
		return false
	case r.Field != nil:
		return specs[r.Field.Field].value
	case r.Not != nil:
		return r.Not.readsOnlyValues()
	case r.And != nil:
		return allReadOnlyValues(r.And)
	case r.Or != nil:
		return allReadOnlyValues(r.Or)
	}
	return false
}

// allReadOnlyValues reports whether each of the rules reads only value
// figures.
func allReadOnlyValues(rs []*Rule) bool {
	return len(rs) > 0 && !slices.ContainsFunc(rs, func(r *Rule) bool { return !r.readsOnlyValues() })
}

func (c compiler) node(r *Rule) (predicate.Contact, error) {
	switch {
	case r.And != nil:
		ps, err := c.nodes(r.And)
		if err != nil {
			return nil, err
		}
		return contact.And(ps...), nil
	case r.Or != nil:
		ps, err := c.nodes(r.Or)
		if err != nil {
			return nil, err
		}
		return contact.Or(ps...), nil
	case r.Not != nil:
		p, err := c.node(r.Not)
		if err != nil {
			return nil, err
		}
		return contact.Not(p), nil
	case r.Field != nil:
		return c.field(r.Field)
	case r.Related != nil:
		return c.related(r.Related), nil
	}
	return nil, fmt.Errorf("segment: empty rule node")
}

func (c compiler) nodes(rs []*Rule) ([]predicate.Contact, error) {
	out := make([]predicate.Contact, len(rs))
	for i, r := range rs {
		p, err := c.node(r)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// where returns a predicate built from the qualified column of the field:
// a column of the contact selector it is applied to, or, for a value
// figure, a column of the contact's row of contact_values.
func where(sp spec, f func(col string) *sql.Predicate) predicate.Contact {
	cond := func(s *sql.Selector) { s.Where(f(s.C(sp.column))) }
	if sp.value {
		return valueWhere(cond)
	}
	return cond
}

// valueWhere returns "the contact's row of contact_values satisfies cond":
//
//	EXISTS (SELECT … FROM contact_values seg_value
//	        WHERE seg_value.contact_id = contacts.id
//	          AND seg_value.organization_id = contacts.organization_id AND cond)
//
// Every contact has exactly one such row, so the EXISTS is true exactly
// when cond holds for it, and NOT of it exactly when cond does not: the
// comparisons are as two-valued as they were on contacts. PostgreSQL turns
// the EXISTS on the unique contact_id into a plain join, which reads the
// matching rows through the (organization_id, column, contact_id) indexes.
func valueWhere(cond func(*sql.Selector)) predicate.Contact {
	return related(contactvalue.Table, "seg_value", contactvalue.FieldContactID, 1, cond)
}

func (c compiler) field(fc *FieldCondition) (predicate.Contact, error) {
	sp := specs[fc.Field]
	if c.onValues {
		sp.value = false // a column of the contact_values selector
	}
	one := func() (value, error) {
		v, msg := parseValue(fc.Field, sp, *fc.Value, c.now)
		if msg != "" {
			return value{}, fmt.Errorf("segment: %s", msg)
		}
		return v, nil
	}
	many := func() ([]value, error) {
		out := make([]value, len(fc.Values))
		for i, s := range fc.Values {
			v, msg := parseValue(fc.Field, sp, s, c.now)
			if msg != "" {
				return nil, fmt.Errorf("segment: %s", msg)
			}
			out[i] = v
		}
		return out, nil
	}
	var single value
	var list []value
	var err error
	switch fc.Op {
	case OpIn, OpNotIn:
		list, err = many()
	case OpIsSet, OpIsNotSet:
	default:
		single, err = one()
	}
	if err != nil {
		return nil, err
	}
	switch sp.kind {
	case kindString:
		return textPredicate(sp, fc.Op, single.s, list), nil
	case kindEnum:
		return enumPredicate(fc.Field, sp, fc.Op, single.s, list), nil
	case kindBool:
		v := single.b
		if fc.Op == OpNEQ {
			v = !v
		}
		return contact.NewsletterOptIn(v), nil
	case kindTags:
		return tagsPredicate(sp, fc.Op, single.s, list), nil
	case kindTime:
		return timePredicate(sp, fc.Op, single.t.UTC()), nil
	case kindFloat:
		return where(sp, func(col string) *sql.Predicate { return compare(col, fc.Op, single.f) }), nil
	case kindMoney:
		return moneyPredicate(sp, fc.Op, single), nil
	}
	return nil, fmt.Errorf("segment: %s cannot be compared", fc.Field)
}

// compare returns col op v for the ordering comparisons and EQ / NEQ.
func compare(col string, op ComparisonOp, v any) *sql.Predicate {
	switch op {
	case OpEQ:
		return sql.EQ(col, v)
	case OpNEQ:
		return sql.NEQ(col, v)
	case OpGT:
		return sql.GT(col, v)
	case OpGTE:
		return sql.GTE(col, v)
	case OpLT:
		return sql.LT(col, v)
	case OpLTE:
		return sql.LTE(col, v)
	}
	return sql.False()
}

// present and absent make a comparison on a nullable column two-valued:
// present(p) is false, not NULL, when the column is NULL, and absent(p) is
// true. Without them, "not" of a comparison would drop contacts whose
// column is NULL.
func present(sp spec, col string, p *sql.Predicate) *sql.Predicate {
	if !sp.nullable {
		return p
	}
	return sql.And(sql.NotNull(col), p)
}

func absent(sp spec, col string, p *sql.Predicate) *sql.Predicate {
	if !sp.nullable {
		return p
	}
	return sql.Or(sql.IsNull(col), p)
}

// lower compares LOWER(col) with the lower-cased values: text comparisons
// are case-insensitive.
func lower(col string, op sql.Op, vs ...string) *sql.Predicate {
	return sql.P(func(b *sql.Builder) {
		b.WriteString("LOWER(").Ident(col).WriteByte(')').WriteOp(op)
		args := make([]any, len(vs))
		for i, v := range vs {
			args[i] = strings.ToLower(v)
		}
		if op == sql.OpIn || op == sql.OpNotIn {
			b.Wrap(func(b *sql.Builder) { b.Args(args...) })
			return
		}
		b.Arg(args[0])
	})
}

func strs(vs []value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.s
	}
	return out
}

func anys(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// textPredicate compares a text column, ignoring case. IS_SET means not
// NULL and not empty.
func textPredicate(sp spec, op ComparisonOp, v string, list []value) predicate.Contact {
	return where(sp, func(col string) *sql.Predicate {
		switch op {
		case OpEQ:
			return present(sp, col, lower(col, sql.OpEQ, v))
		case OpNEQ:
			return absent(sp, col, lower(col, sql.OpNEQ, v))
		case OpIn:
			return present(sp, col, lower(col, sql.OpIn, strs(list)...))
		case OpNotIn:
			return absent(sp, col, lower(col, sql.OpNotIn, strs(list)...))
		case OpContains:
			return present(sp, col, sql.ContainsFold(col, v))
		case OpIsSet:
			return sql.And(sql.NotNull(col), sql.NEQ(col, ""))
		case OpIsNotSet:
			return sql.Or(sql.IsNull(col), sql.EQ(col, ""))
		}
		return sql.False()
	})
}

// tierRank orders the value tiers: VIP 4, HIGH 3, MEDIUM 2, LOW 1.
func tierRank(t string) int {
	for i, x := range tiers {
		if x == t {
			return len(tiers) - i
		}
	}
	return 0
}

// enumPredicate compares an enum column. Value tiers also compare by rank
// (VIP > HIGH > MEDIUM > LOW), so "VALUE_TIER GTE HIGH" is VIP or HIGH.
func enumPredicate(f SegmentField, sp spec, op ComparisonOp, v string, list []value) predicate.Contact {
	return where(sp, func(col string) *sql.Predicate {
		switch op {
		case OpEQ:
			return present(sp, col, sql.EQ(col, v))
		case OpNEQ:
			return absent(sp, col, sql.NEQ(col, v))
		case OpIn:
			return present(sp, col, sql.In(col, anys(strs(list))...))
		case OpNotIn:
			return absent(sp, col, sql.NotIn(col, anys(strs(list))...))
		case OpIsSet:
			return sql.NotNull(col)
		case OpIsNotSet:
			return sql.IsNull(col)
		case OpGT, OpGTE, OpLT, OpLTE:
			if f != FieldValueTier {
				return sql.False()
			}
			r := tierRank(v)
			var in []any
			for _, t := range tiers {
				tr := tierRank(t)
				if op == OpGT && tr > r || op == OpGTE && tr >= r || op == OpLT && tr < r || op == OpLTE && tr <= r {
					in = append(in, t)
				}
			}
			if len(in) == 0 {
				return sql.False()
			}
			return present(sp, col, sql.In(col, in...))
		}
		return sql.False()
	})
}

// tagsPredicate tests the JSON array of tags: CONTAINS a tag, IN (has any
// of the tags), NOT_IN (has none of them), IS_SET (has at least one tag).
// Tags compare exactly.
func tagsPredicate(sp spec, op ComparisonOp, v string, list []value) predicate.Contact {
	has := func(col string, tags ...string) *sql.Predicate {
		ps := make([]*sql.Predicate, len(tags))
		for i, t := range tags {
			ps[i] = sqljson.ValueContains(col, t)
		}
		if len(ps) == 1 {
			return sql.And(sql.NotNull(col), ps[0])
		}
		return sql.And(sql.NotNull(col), sql.Or(ps...))
	}
	nonEmpty := func(col string) *sql.Predicate {
		return sql.And(sql.NotNull(col), sql.P(func(b *sql.Builder) {
			if b.Dialect() == dialect.Postgres {
				// Never an error, even on a JSON null or scalar.
				b.Ident(col).WriteString(" @> '[]'::jsonb AND ").Ident(col).WriteString(" <> '[]'::jsonb")
				return
			}
			// SQLite: 0 for an empty array and for a non-array.
			b.WriteString("JSON_ARRAY_LENGTH(").Ident(col).WriteString(") > 0")
		}))
	}
	return where(sp, func(col string) *sql.Predicate {
		switch op {
		case OpContains:
			return has(col, v)
		case OpIn:
			return has(col, strs(list)...)
		case OpNotIn:
			return sql.Not(has(col, strs(list)...))
		case OpIsSet:
			return nonEmpty(col)
		case OpIsNotSet:
			return sql.Not(nonEmpty(col))
		}
		return sql.False()
	})
}

// timePredicate compares a time column; times are compared in UTC.
func timePredicate(sp spec, op ComparisonOp, t time.Time) predicate.Contact {
	return where(sp, func(col string) *sql.Predicate {
		switch op {
		case OpIsSet:
			return sql.NotNull(col)
		case OpIsNotSet:
			return sql.IsNull(col)
		}
		return present(sp, col, compare(col, op, t))
	})
}

// moneyPredicate compares a column of the contact's customer metrics. A
// contact without metrics matches no comparison but NEQ; IS_SET means the
// contact has metrics.
func moneyPredicate(sp spec, op ComparisonOp, v value) predicate.Contact {
	metrics := func(preds ...func(*sql.Selector)) predicate.Contact {
		return related(customermetrics.Table, "seg_metrics", customermetrics.FieldContactID, 1, preds...)
	}
	cmp := func(op ComparisonOp) func(*sql.Selector) {
		return func(s *sql.Selector) { s.Where(compare(s.C(sp.column), op, v.m)) }
	}
	switch op {
	case OpIsSet:
		return metrics()
	case OpIsNotSet:
		return contact.Not(metrics())
	case OpNEQ:
		return contact.Not(metrics(cmp(OpEQ)))
	}
	return metrics(cmp(op))
}

// selectors turns generated predicates of any entity into plain selector
// functions, to apply them to a subquery of that entity's table.
func selectors[P ~func(*sql.Selector)](ps ...P) []func(*sql.Selector) {
	out := make([]func(*sql.Selector), len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out
}

// related returns "the contact has at least min rows of table matching
// preds", with table's fk column pointing to the contact: a correlated
// EXISTS for min ≤ 1 and a correlated COUNT(*) ≥ min otherwise. The
// subquery is correlated on the contact's id and organization, which both
// confines it to the contact's organization and lets it use the
// (organization_id, contact_id, …) indexes. alias names the subquery's
// table, so that a table may be queried inside itself (referrals).
func related(table, alias, fk string, min int, preds ...func(*sql.Selector)) predicate.Contact {
	return func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		t := b.Table(table).As(alias)
		q := b.Select(t.C(fk)).From(t)
		q.Where(sql.And(
			sql.ColumnsEQ(t.C(fk), s.C(contact.FieldID)),
			sql.ColumnsEQ(t.C(columnOrganization), s.C(columnOrganization)),
		))
		for _, p := range preds {
			p(q)
		}
		if min <= 1 {
			s.Where(sql.Exists(q))
			return
		}
		q.Select(sql.Count("*"))
		s.Where(sql.P(func(b *sql.Builder) {
			b.Wrap(func(b *sql.Builder) { b.Join(q) }).WriteOp(sql.OpGTE).Arg(min)
		}))
	}
}

func (c compiler) related(rc *RelatedCondition) predicate.Contact {
	var cut *time.Time
	if rc.WithinDays != nil {
		t := c.now.AddDate(0, 0, -*rc.WithinDays)
		cut = &t
	}
	min := 1
	if rc.MinCount != nil {
		min = *rc.MinCount
	}
	var channel *campaign.Channel
	if rc.Channel != nil {
		ch := campaign.Channel(*rc.Channel)
		channel = &ch
	}
	switch rc.Relation {
	case RelationWonDeal, RelationAnyPurchase, RelationLostDeal:
		status := deal.StatusWON
		if rc.Relation == RelationLostDeal {
			status = deal.StatusLOST
		}
		ps := []predicate.Deal{deal.StatusEQ(status)}
		if cut != nil {
			ps = append(ps, deal.ClosedAtGTE(*cut))
		}
		return related(deal.Table, "seg_deals", deal.FieldContactID, min, selectors(ps...)...)
	case RelationOpenDeal:
		ps := []predicate.Deal{deal.StatusEQ(deal.StatusOPEN)}
		if cut != nil {
			ps = append(ps, deal.CreatedAtGTE(*cut))
		}
		return related(deal.Table, "seg_deals", deal.FieldContactID, min, selectors(ps...)...)
	case RelationAttendedCampaign:
		ps := []predicate.CampaignMember{campaignmember.StatusIn(campaignmember.StatusATTENDED, campaignmember.StatusCONVERTED)}
		if channel != nil {
			ps = append(ps, campaignmember.HasCampaignWith(campaign.ChannelEQ(*channel)))
		}
		if cut != nil {
			ps = append(ps, campaignmember.Or(
				campaignmember.RespondedAtGTE(*cut),
				campaignmember.And(
					campaignmember.RespondedAtIsNil(),
					campaignmember.HasCampaignWith(campaign.StartsAtGTE(*cut)),
				),
			))
		}
		return related(campaignmember.Table, "seg_campaign_members", campaignmember.FieldContactID, min, selectors(ps...)...)
	case RelationRespondedToCampaign:
		ps := []predicate.CampaignMember{campaignmember.RespondedAtNotNil()}
		if channel != nil {
			ps = append(ps, campaignmember.HasCampaignWith(campaign.ChannelEQ(*channel)))
		}
		if cut != nil {
			ps = append(ps, campaignmember.RespondedAtGTE(*cut))
		}
		return related(campaignmember.Table, "seg_campaign_members", campaignmember.FieldContactID, min, selectors(ps...)...)
	case RelationLatestNPS:
		return latestScore(survey.KindNPS, cut, rc.ScoreAtMost, rc.ScoreAtLeast)
	case RelationLatestCSAT:
		return latestScore(survey.KindCSAT, cut, rc.ScoreAtMost, rc.ScoreAtLeast)
	case RelationOpenTicket:
		ps := []predicate.Ticket{ticket.StatusIn(ticket.StatusOPEN, ticket.StatusPENDING)}
		if cut != nil {
			ps = append(ps, ticket.OpenedAtGTE(*cut))
		}
		return related(ticket.Table, "seg_tickets", ticket.FieldContactID, min, selectors(ps...)...)
	case RelationReferredContact:
		var ps []predicate.Contact
		if cut != nil {
			ps = append(ps, contact.CreatedAtGTE(*cut))
		}
		return related(contact.Table, "seg_referrals", contact.FieldReferredByID, min, selectors(ps...)...)
	}
	return func(s *sql.Selector) { s.Where(sql.False()) }
}

// latestScore returns "the contact's most recent response to a survey of
// kind was submitted at or after cut and scored within [atLeast, atMost]":
//
//	EXISTS (SELECT … FROM survey_responses lr JOIN surveys ls ON …
//	        WHERE lr.contact_id = contacts.id AND lr.organization_id = contacts.organization_id
//	          AND ls.kind = ? AND lr.submitted_at >= ? AND lr.score <= ? AND lr.score >= ?
//	          AND NOT EXISTS (a later response of the same kind by the same contact))
//
// Responses submitted at the same time are ordered by id.
func latestScore(kind survey.Kind, cut *time.Time, atMost, atLeast *int) predicate.Contact {
	return func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		lr := b.Table(surveyresponse.Table).As("seg_latest")
		ls := b.Table(survey.Table).As("seg_latest_survey")
		nr := b.Table(surveyresponse.Table).As("seg_newer")
		ns := b.Table(survey.Table).As("seg_newer_survey")
		newer := b.Select(nr.C(surveyresponse.FieldID)).From(nr).
			Join(ns).On(nr.C(surveyresponse.FieldSurveyID), ns.C(survey.FieldID))
		newer.Where(sql.And(
			sql.ColumnsEQ(nr.C(surveyresponse.FieldContactID), lr.C(surveyresponse.FieldContactID)),
			sql.ColumnsEQ(nr.C(columnOrganization), lr.C(columnOrganization)),
			sql.EQ(ns.C(survey.FieldKind), string(kind)),
			sql.Or(
				sql.ColumnsOp(nr.C(surveyresponse.FieldSubmittedAt), lr.C(surveyresponse.FieldSubmittedAt), sql.OpGT),
				sql.And(
					sql.ColumnsEQ(nr.C(surveyresponse.FieldSubmittedAt), lr.C(surveyresponse.FieldSubmittedAt)),
					sql.ColumnsOp(nr.C(surveyresponse.FieldID), lr.C(surveyresponse.FieldID), sql.OpGT),
				),
			),
		))
		conds := []*sql.Predicate{
			sql.ColumnsEQ(lr.C(surveyresponse.FieldContactID), s.C(contact.FieldID)),
			sql.ColumnsEQ(lr.C(columnOrganization), s.C(columnOrganization)),
			sql.EQ(ls.C(survey.FieldKind), string(kind)),
		}
		if cut != nil {
			conds = append(conds, sql.GTE(lr.C(surveyresponse.FieldSubmittedAt), *cut))
		}
		if atMost != nil {
			conds = append(conds, sql.LTE(lr.C(surveyresponse.FieldScore), *atMost))
		}
		if atLeast != nil {
			conds = append(conds, sql.GTE(lr.C(surveyresponse.FieldScore), *atLeast))
		}
		conds = append(conds, sql.Not(sql.Exists(newer)))
		q := b.Select(lr.C(surveyresponse.FieldID)).From(lr).
			Join(ls).On(lr.C(surveyresponse.FieldSurveyID), ls.C(survey.FieldID))
		q.Where(sql.And(conds...))
		s.Where(sql.Exists(q))
	}
}
