package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/headlesscrm/crm/internal/errs"
)

// MaxMergeWork bounds the comparisons gqlparser's
// OverlappingFieldsCanBeMerged rule may make for one document. The rule
// compares every pair of fields that share a response name, and the
// selections under every such pair, so its time grows with the square of
// the repetitions: `{ __typename __typename … }` 7,000 times over, well
// within the parser's token limit, takes seconds to validate, and a query
// that differs by a space each time is never cached. Ordinary queries need a
// few thousand comparisons; this budget keeps the worst document to
// milliseconds.
const MaxMergeWork = 100_000

// MaxFragmentWork bounds fragment definitions times selections in a
// document. gqlparser's validator walks every fragment definition on its
// own, through every fragment it spreads, calling every rule at each
// selection, so a document of many fragments spreading one another takes
// time in proportion to the product: a chain of 1,000 fragments, well
// within the token limit, takes half a second, and over 5 ms per 50,000.
// Ordinary documents stay in the thousands.
const MaxFragmentWork = 50_000

// fragmentGuard refuses documents over MaxFragmentWork before they are
// parsed, from a scan of their tokens that costs microseconds for an
// ordinary query.
type fragmentGuard struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = fragmentGuard{}

func (fragmentGuard) ExtensionName() string                   { return "FragmentGuard" }
func (fragmentGuard) Validate(graphql.ExecutableSchema) error { return nil }

func (fragmentGuard) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	defs, sels := countFragments(p.Query)
	if work := defs * sels; work > MaxFragmentWork {
		v := &violation{limit: "fragments", value: int64(work), maximum: MaxFragmentWork}
		e := &gqlerror.Error{Message: fmt.Sprintf("the query has too many fragments for its size: %d fragment definitions × %d selections = %d; the limit is %d", defs, sels, work, MaxFragmentWork)}
		v.extensions(e)
		e.Extensions["code"] = errs.TooComplex
		return e
	}
	return nil
}

// countFragments counts, up to the parser's token limit, the fragment
// definitions of a document and (from above) its selections: the names
// inside selection sets but outside arguments. A document it cannot read
// is left to the parser.
func countFragments(query string) (defs, sels int) {
	lx := lexer.New(&ast.Source{Input: query})
	braces, parens := 0, 0
	for range ParserTokenLimit + 1 {
		t, err := lx.ReadToken()
		if err != nil || t.Kind == lexer.EOF {
			break
		}
		switch t.Kind {
		case lexer.BraceL:
			braces++
		case lexer.BraceR:
			braces--
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.Name:
			switch {
			case braces == 0 && parens == 0 && t.Value == "fragment":
				defs++
			case braces > 0 && parens == 0:
				sels++
			}
		}
	}
	return defs, sels
}

// guardedMergeRule replaces OverlappingFieldsCanBeMerged (and a rule set
// without it is left so). Once the whole document has been walked, it first
// applies the size limits that do not depend on variables (depth, fields,
// aliases, directives) and estimates the merge rule's work; a document over
// any of them is refused with an error naming the limit, which
// codeSizeErrors turns into COMPLEXITY_LIMIT_EXCEEDED. Only a document
// within them is handed to the original rule, walked again on its own.
func guardedMergeRule(r *rules.Rules) {
	orig, ok := r.GetInner()[rules.OverlappingFieldsCanBeMergedRule.Name]
	if !ok {
		return
	}
	r.RemoveRule(rules.OverlappingFieldsCanBeMergedRule.Name)
	r.AddRule("OverlappingFieldsCanBeMergedWithinBudget", func(observers *core.Events, addError core.AddErrFunc) {
		seen := 0
		done := func(w *core.Walker) {
			// The walker visits every operation, then every fragment
			// definition: the last of these events ends the document.
			seen++
			if seen != len(w.Document.Operations)+len(w.Document.Fragments) {
				return
			}
			if refuseOversized(w.Document, addError) {
				return
			}
			inner := &core.Events{}
			orig(inner, addError)
			core.Walk(w.Schema, w.Document, inner)
		}
		observers.OnOperation(func(w *core.Walker, _ *ast.OperationDefinition) { done(w) })
		observers.OnFragment(func(w *core.Walker, _ *ast.FragmentDefinition) { done(w) })
	})
}

// refuseOversized reports the first size limit the document breaks, if
// any.
func refuseOversized(doc *ast.QueryDocument, addError core.AddErrFunc) bool {
	for _, op := range doc.Operations {
		q, _ := measureOperation(op, nil, false)
		if v := sizeViolation(q, false); v != nil {
			addError(core.Message("%s", v.message), core.At(op.Position), v.extensions)
			return true
		}
	}
	if work, over := estimateMergeWork(doc, MaxMergeWork); over {
		msg := fmt.Sprintf("the query repeats fields too often: checking that they merge would take over %d comparisons, the limit; select each field once per selection set", MaxMergeWork)
		addError(core.Message("%s", msg), (&violation{limit: "merge", value: work, maximum: MaxMergeWork}).extensions)
		return true
	}
	return false
}

// mergeEstimator bounds the work of OverlappingFieldsCanBeMerged from
// above: for each selection set, with inline fragments and fragment
// spreads expanded, the square of its field count, plus the same for the
// merged selections of the fields that share each response name. Every
// field it expands adds at least one to the estimate, so it stops, at a
// cost in proportion to the budget, as soon as the budget is exceeded.
type mergeEstimator struct {
	frags  map[string]*ast.FragmentDefinition
	budget int64
	work   int64
	over   bool
	stack  map[string]bool
}

func estimateMergeWork(doc *ast.QueryDocument, budget int64) (int64, bool) {
	e := &mergeEstimator{frags: map[string]*ast.FragmentDefinition{}, budget: budget, stack: map[string]bool{}}
	for _, f := range doc.Fragments {
		if _, ok := e.frags[f.Name]; !ok {
			e.frags[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		e.sets([]ast.SelectionSet{op.SelectionSet})
	}
	for _, f := range doc.Fragments {
		e.sets([]ast.SelectionSet{f.SelectionSet})
	}
	return e.work, e.over
}

// sets estimates the comparisons within selection sets merged into one.
func (e *mergeEstimator) sets(sets []ast.SelectionSet) {
	if e.over {
		return
	}
	groups := map[string][]ast.SelectionSet{}
	var order []string
	var n int64
	// A field reached through a fragment spread counts twice: the rule
	// compares fragments with each other and with the fields around them as
	// well, at about twice the cost of a pair of fields.
	var collect func(set ast.SelectionSet, weight int64)
	collect = func(set ast.SelectionSet, weight int64) {
		for _, sel := range set {
			if e.over {
				return
			}
			switch s := sel.(type) {
			case *ast.Field:
				n += weight
				if e.work+n*n > e.budget {
					e.work, e.over = e.budget+1, true
					return
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if _, ok := groups[key]; !ok {
					order = append(order, key)
				}
				if len(s.SelectionSet) > 0 {
					groups[key] = append(groups[key], s.SelectionSet)
				} else if groups[key] == nil {
					groups[key] = []ast.SelectionSet{}
				}
			case *ast.InlineFragment:
				collect(s.SelectionSet, weight)
			case *ast.FragmentSpread:
				def := e.frags[s.Name]
				if def == nil || e.stack[s.Name] {
					continue
				}
				e.stack[s.Name] = true
				collect(def.SelectionSet, 2)
				delete(e.stack, s.Name)
			}
		}
	}
	for _, set := range sets {
		collect(set, 1)
	}
	if e.over {
		return
	}
	e.work += n * n
	for _, key := range order {
		if kids := groups[key]; len(kids) > 0 {
			e.sets(kids)
		}
	}
}

// violation is a size limit a query breaks.
type violation struct {
	limit          string
	value, maximum int64
	message        string
}

// extensions sets the error's extensions to name the limit.
func (v *violation) extensions(err *gqlerror.Error) {
	err.Extensions = map[string]any{"limit": v.limit, "value": v.value, "maximum": v.maximum}
}

// sizeViolation returns the first limit the measure breaks, the cost
// only when withCost (it depends on the variables), or nil.
func sizeViolation(q querySize, withCost bool) *violation {
	limits := []struct {
		name       string
		value, max int64
		what       string
	}{
		{"depth", q.depth, MaxQueryDepth, "the query nests %s levels deep; the limit is %s"},
		{"fields", q.fields, MaxQueryFields, "the query selects %s fields once its fragments are expanded; the limit is %s"},
		{"aliases", q.aliases, MaxQueryAliases, "the query uses %s aliases; the limit is %s"},
		{"directives", q.directives, MaxQueryDirectives, "the query uses %s directives; the limit is %s"},
	}
	if withCost {
		limits = append(limits, struct {
			name       string
			value, max int64
			what       string
		}{"cost", q.cost, MaxQueryCost, "the query costs %s (1 a field, times the page size of each connection above it); the limit is %s: ask for smaller pages or fewer nested connections"})
	}
	for _, l := range limits {
		if l.value > l.max {
			return &violation{limit: l.name, value: l.value, maximum: l.max, message: fmt.Sprintf(l.what, count(l.value), count(l.max))}
		}
	}
	return nil
}
