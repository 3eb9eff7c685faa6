// Package crm holds the CRM's record rules and bulk operations over the
// data layer: the hooks that keep records consistent and inside their
// tenant, and the keyed upserts that integrations use to sync records.
package crm

import (
	"context"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/headlesscrm/crm/ent"
	"github.com/headlesscrm/crm/ent/deal"
	"github.com/headlesscrm/crm/ent/hook"
	"github.com/headlesscrm/crm/ent/survey"
	"github.com/headlesscrm/crm/internal/errs"
	"github.com/headlesscrm/crm/internal/pulid"
	"github.com/headlesscrm/crm/internal/tenant"
)

// Register installs the record rules on a client of the given dialect.
func Register(client *ent.Client, dialect string) {
	client.Use(timesInUTC)
	client.Use(textWithoutNUL)
	client.Use(edgesWithinTenant(dialect))
	client.SurveyResponse.Use(scoreWithinSurveyRange)
	client.Deal.Use(dealFollowsStage)
	client.Contact.Use(contactHasValue)
}

// timesInUTC stores every time in UTC, so that times compare and sort the
// same in SQL on every database, whatever zone the caller used.
func timesInUTC(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if t, ok := v.(time.Time); ok && t.Location() != time.UTC {
				if err := m.SetField(name, t.UTC()); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// textWithoutNUL refuses text containing a NUL character, which
// PostgreSQL cannot store, as bad input on every database.
func textWithoutNUL(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if s, ok := v.(string); ok && strings.ContainsRune(s, 0) {
				return nil, errs.Input(errs.GraphQLName(name), "%s must not contain NUL characters", errs.GraphQLName(name))
			}
		}
		return next.Mutate(ctx, m)
	})
}

type trustedKey struct{}

// WithTrustedReferences returns a context whose mutations skip the check
// that attached records belong to the organization. Only audited bulk paths
// that resolve every reference themselves within the tenant use it: the
// purchase import and the demo data generator.
func WithTrustedReferences(ctx context.Context) context.Context {
	return context.WithValue(ctx, trustedKey{}, true)
}

// edgesWithinTenant refuses a mutation that attaches a record of another
// organization (or one that does not exist) with NOT_FOUND, so a caller can
// neither link nor probe another tenant's records.
func edgesWithinTenant(dialect string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			org, ok := tenant.OrganizationID(ctx)
			if !ok || ctx.Value(trustedKey{}) != nil {
				return next.Mutate(ctx, m)
			}
			byTable := map[string][]any{}
			fieldOf := map[string]string{}
			for _, e := range m.AddedEdges() {
				if e == "organization" {
					continue
				}
				for _, v := range m.AddedIDs(e) {
					id, ok := v.(pulid.ID)
					if !ok {
						continue
					}
					table, ok := ent.TableOfID(id)
					if !ok {
						return nil, errs.Input(errs.GraphQLName(e)+"ID", "no such record")
					}
					byTable[table] = append(byTable[table], string(id))
					fieldOf[table] = errs.GraphQLName(e) + "ID"
				}
			}
			if len(byTable) == 0 {
				return next.Mutate(ctx, m)
			}
			c, ok := m.(interface{ Client() *ent.Client })
			if !ok {
				return next.Mutate(ctx, m)
			}
			tables := make([]string, 0, len(byTable))
			for t := range byTable {
				tables = append(tables, t)
			}
			sort.Strings(tables)
			for _, t := range tables {
				ids := dedupe(byTable[t])
				q, args := sql.Dialect(dialect).
					Select(sql.Count("*")).From(sql.Table(t)).
					Where(sql.And(sql.In("id", ids...), sql.EQ("organization_id", org))).
					Query()
				n, err := count(ctx, c.Client(), q, args)
				if err != nil {
					return nil, err
				}
				if n != len(ids) {
					return nil, &errs.Error{Code: errs.NotFound, Field: fieldOf[t], Message: fieldOf[t] + ": no such record"}
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

func count(ctx context.Context, c *ent.Client, q string, args []any) (int, error) {
	rows, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

func dedupe(ids []any) []any {
	seen := map[any]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ScoreRange returns the inclusive range of scores of a survey kind.
func ScoreRange(k survey.Kind) (lo, hi int) {
	switch k {
	case survey.KindNPS:
		return 0, 10
	case survey.KindCSAT:
		return 1, 5
	case survey.KindCES:
		return 1, 7
	}
	return 0, 100
}

// scoreWithinSurveyRange refuses a response whose score is outside its
// survey kind's range: NPS 0–10, CSAT 1–5, CES 1–7, CUSTOM 0–100.
var scoreWithinSurveyRange = hook.On(func(next ent.Mutator) ent.Mutator {
	return hook.SurveyResponseFunc(func(ctx context.Context, m *ent.SurveyResponseMutation) (ent.Value, error) {
		score, set := m.Score()
		if !set {
			return next.Mutate(ctx, m)
		}
		surveyID, ok := m.SurveyID()
		if !ok {
			id, err := m.IDs(ctx)
			if err != nil || len(id) != 1 {
				return next.Mutate(ctx, m)
			}
			r, err := m.Client().SurveyResponse.Get(ctx, id[0])
			if err != nil {
				return nil, err
			}
			surveyID = r.SurveyID
		}
		s, err := m.Client().Survey.Get(ctx, surveyID)
		if err != nil {
			if ent.IsNotFound(err) {
				return nil, &errs.Error{Code: errs.NotFound, Field: "surveyID", Message: "surveyID: no such survey"}
			}
			return nil, err
		}
		if lo, hi := ScoreRange(s.Kind); score < lo || score > hi {
			return nil, errs.Input("score", "score must be between %d and %d for a %s survey", lo, hi, s.Kind)
		}
		return next.Mutate(ctx, m)
	})
}, ent.OpCreate|ent.OpUpdateOne)

// dealFollowsStage keeps a deal's status in line with its stage: moving a
// deal to a won or lost stage closes it as WON or LOST, and closing a deal
// records when it closed unless the caller says when.
var dealFollowsStage = hook.On(func(next ent.Mutator) ent.Mutator {
	return hook.DealFunc(func(ctx context.Context, m *ent.DealMutation) (ent.Value, error) {
		// A deal in a won or lost stage is WON or LOST. The stage is looked
		// up only when the status does not already say the deal is closed.
		status, set := m.Status()
		if stageID, ok := m.StageID(); ok && (!set || status == deal.StatusOPEN) {
			st, err := m.Client().Stage.Get(ctx, stageID)
			if err != nil {
				if ent.IsNotFound(err) {
					return nil, &errs.Error{Code: errs.NotFound, Field: "stageID", Message: "stageID: no such stage"}
				}
				return nil, err
			}
			switch {
			case st.IsWon:
				m.SetStatus(deal.StatusWON)
			case st.IsLost:
				m.SetStatus(deal.StatusLOST)
			}
		}
		if status, ok := m.Status(); ok && status != deal.StatusOPEN {
			if _, set := m.ClosedAt(); !set {
				closed := false
				if m.Op().Is(ent.OpUpdateOne) {
					if old, err := m.OldClosedAt(ctx); err == nil && old != nil {
						closed = true
					}
				}
				if !closed {
					m.SetClosedAt(time.Now())
				}
			}
		}
		if status, ok := m.Status(); ok && status == deal.StatusOPEN && m.Op().Is(ent.OpUpdateOne) {
			if _, set := m.ClosedAt(); !set {
				m.ClearClosedAt()
			}
		}
		return next.Mutate(ctx, m)
	})
}, ent.OpCreate|ent.OpUpdateOne)
