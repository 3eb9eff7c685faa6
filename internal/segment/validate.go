package segment

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/headlesscrm/crm/internal/errs"
)

// Problem is one thing wrong with a rule: where, as a path from the rule's
// root such as "rule.and[1].field.value", and what, for a human.
type Problem struct {
	// Path locates the offending input: "rule", "rule.and[1]",
	// "rule.not.related.withinDays", "rule.field.values[2]", ….
	Path string `json:"path"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// Problems is every problem of a rule. As an error it lists them all; it
// is the cause (Err) of the *errs.Error that Validate returns, so callers
// can recover the list with errors.As.
type Problems []Problem

// Error lists every problem as "path: message; path: message".
func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Path + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

// Err returns the problems as a BAD_USER_INPUT error whose Field is the
// path of the first problem and whose Message is the first problem's
// message followed by the others ("path: message"), or nil when there are
// none.
func (ps Problems) Err() *errs.Error {
	if len(ps) == 0 {
		return nil
	}
	e := errs.Input(ps[0].Path, "%s", ps[0].Message)
	if len(ps) > 1 {
		e.Message += "; " + ps[1:].Error()
	}
	e.Err = ps
	return e
}

// Validate checks the rule and returns nil or an *errs.Error (code
// BAD_USER_INPUT) whose Field is the path of the first problem, such as
// "rule.and[1].field.value", whose Message lists every problem, and whose
// cause is the Problems; see Problems for the list.
func (r *Rule) Validate() error {
	return r.ValidateAt("rule")
}

// ValidateAt is Validate with paths starting at root instead of "rule",
// e.g. "input.rule".
func (r *Rule) ValidateAt(root string) error {
	if e := r.ProblemsAt(root).Err(); e != nil {
		return e
	}
	return nil
}

// Problems returns every problem of the rule, with paths from "rule", in
// the order they appear; nil when the rule is valid.
func (r *Rule) Problems() Problems { return r.ProblemsAt("rule") }

// ProblemsAt is Problems with paths starting at root.
func (r *Rule) ProblemsAt(root string) Problems {
	v := &validator{}
	v.node(r, root, 1)
	if v.nodes > MaxNodes {
		v.problems = append(Problems{{Path: root, Message: fmt.Sprintf("a rule may have at most %d nodes; this one has %d", MaxNodes, v.nodes)}}, v.problems...)
	}
	return v.problems
}

type validator struct {
	problems Problems
	nodes    int
}

// maxProblems bounds the list of problems of one rule.
const maxProblems = 50

func (v *validator) add(path, format string, args ...any) {
	if len(v.problems) >= maxProblems {
		return
	}
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) node(r *Rule, path string, depth int) {
	if r == nil {
		v.add(path, "a rule is required")
		return
	}
	v.nodes++
	if depth > MaxDepth {
		v.add(path, "rules may nest at most %d levels deep", MaxDepth)
		return
	}
	set := 0
	for _, b := range []bool{r.And != nil, r.Or != nil, r.Not != nil, r.Field != nil, r.Related != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		v.add(path, "a node needs exactly one of and, or, not, field, related")
		return
	}
	switch {
	case r.And != nil:
		v.list(r.And, path+".and", "and", depth)
	case r.Or != nil:
		v.list(r.Or, path+".or", "or", depth)
	case r.Not != nil:
		v.node(r.Not, path+".not", depth+1)
	case r.Field != nil:
		v.field(r.Field, path+".field")
	case r.Related != nil:
		v.related(r.Related, path+".related")
	}
}

func (v *validator) list(rules []*Rule, path, name string, depth int) {
	if len(rules) == 0 {
		v.add(path, "%s needs at least one rule", name)
		return
	}
	for i, c := range rules {
		v.node(c, fmt.Sprintf("%s[%d]", path, i), depth+1)
	}
}

func (v *validator) field(c *FieldCondition, path string) {
	sp, ok := specs[c.Field]
	if !ok {
		v.add(path+".field", "%q is not a field; use one of %s", c.Field, strings.Join(SegmentField("").Values(), ", "))
		return
	}
	if !c.Op.IsValid() {
		v.add(path+".op", "%q is not a comparison; use one of %s", c.Op, strings.Join(ComparisonOp("").Values(), ", "))
		return
	}
	if !slices.Contains(sp.ops, c.Op) {
		v.add(path+".op", "%s cannot be compared with %s; use one of %s", c.Field, c.Op, strings.Join(stringsOf(sp.ops), ", "))
		return
	}
	// Any valid time parses the same whatever now is: use a fixed one.
	now := time.Unix(0, 0)
	switch c.Op {
	case OpIn, OpNotIn:
		if c.Value != nil {
			v.add(path+".value", "%s takes values, not value", c.Op)
		}
		if len(c.Values) == 0 {
			v.add(path+".values", "%s needs values", c.Op)
			return
		}
		if len(c.Values) > MaxValues {
			v.add(path+".values", "%s takes at most %d values", c.Op, MaxValues)
			return
		}
		for i, s := range c.Values {
			if _, msg := parseValue(c.Field, sp, s, now); msg != "" {
				v.add(fmt.Sprintf("%s.values[%d]", path, i), "%s", msg)
			}
		}
	case OpIsSet, OpIsNotSet:
		if c.Value != nil {
			v.add(path+".value", "%s takes no value", c.Op)
		}
		if c.Values != nil {
			v.add(path+".values", "%s takes no values", c.Op)
		}
	default:
		if c.Values != nil {
			v.add(path+".values", "%s takes value, not values", c.Op)
		}
		if c.Value == nil {
			v.add(path+".value", "%s needs a value", c.Op)
			return
		}
		if _, msg := parseValue(c.Field, sp, *c.Value, now); msg != "" {
			v.add(path+".value", "%s", msg)
		}
	}
}

// scoreRange is the range of scores of a LATEST_ relation's survey kind.
func scoreRange(r Relation) (lo, hi int) {
	if r == RelationLatestCSAT {
		return 1, 5
	}
	return 0, 10
}

func (v *validator) related(c *RelatedCondition, path string) {
	if !c.Relation.IsValid() {
		v.add(path+".relation", "%q is not a relation; use one of %s", c.Relation, strings.Join(Relation("").Values(), ", "))
		return
	}
	if c.WithinDays != nil && (*c.WithinDays < 1 || *c.WithinDays > MaxWithinDays) {
		v.add(path+".withinDays", "withinDays must be between 1 and %d", MaxWithinDays)
	}
	campaignRel := c.Relation == RelationAttendedCampaign || c.Relation == RelationRespondedToCampaign
	latest := c.Relation == RelationLatestNPS || c.Relation == RelationLatestCSAT
	if c.Channel != nil {
		switch {
		case !campaignRel:
			v.add(path+".channel", "channel applies only to ATTENDED_CAMPAIGN and RESPONDED_TO_CAMPAIGN")
		case !slices.Contains(channels, *c.Channel):
			v.add(path+".channel", "channel must be one of %s", strings.Join(channels, ", "))
		}
	}
	if c.MinCount != nil {
		switch {
		case latest:
			v.add(path+".minCount", "minCount does not apply to %s", c.Relation)
		case *c.MinCount < 1 || *c.MinCount > MaxMinCount:
			v.add(path+".minCount", "minCount must be between 1 and %d", MaxMinCount)
		}
	}
	if !latest {
		if c.ScoreAtMost != nil {
			v.add(path+".scoreAtMost", "scoreAtMost applies only to LATEST_NPS and LATEST_CSAT")
		}
		if c.ScoreAtLeast != nil {
			v.add(path+".scoreAtLeast", "scoreAtLeast applies only to LATEST_NPS and LATEST_CSAT")
		}
		return
	}
	if c.ScoreAtMost == nil && c.ScoreAtLeast == nil {
		v.add(path+".scoreAtMost", "%s needs scoreAtMost or scoreAtLeast", c.Relation)
		return
	}
	lo, hi := scoreRange(c.Relation)
	kind := strings.TrimPrefix(string(c.Relation), "LATEST_")
	ok := true
	if c.ScoreAtMost != nil && (*c.ScoreAtMost < lo || *c.ScoreAtMost > hi) {
		v.add(path+".scoreAtMost", "scoreAtMost must be between %d and %d for %s", lo, hi, kind)
		ok = false
	}
	if c.ScoreAtLeast != nil && (*c.ScoreAtLeast < lo || *c.ScoreAtLeast > hi) {
		v.add(path+".scoreAtLeast", "scoreAtLeast must be between %d and %d for %s", lo, hi, kind)
		ok = false
	}
	if ok && c.ScoreAtMost != nil && c.ScoreAtLeast != nil && *c.ScoreAtLeast > *c.ScoreAtMost {
		v.add(path+".scoreAtLeast", "scoreAtLeast must not be greater than scoreAtMost")
	}
}
