package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/headlesscrm/crm/internal/errs"
)

// The size limits of one operation. Each is measured with fragments
// expanded where they are spread, and a query over any of them is refused
// with COMPLEXITY_LIMIT_EXCEEDED, naming the limit, before anything is
// resolved.
const (
	// MaxQueryDepth is how deeply selections may nest, counting fields:
	// `{ contacts { edges { node { id } } } }` is 4 deep. Introspection
	// (__schema, __type) counts as one level: it never reaches the database,
	// and gqlparser's MaxIntrospectionDepth rule bounds it.
	MaxQueryDepth = 12
	// MaxQueryFields is how many fields an operation may select.
	MaxQueryFields = 2000
	// MaxQueryAliases is how many fields may be renamed with an alias.
	MaxQueryAliases = 30
	// MaxQueryDirectives is how many directives an operation may use.
	MaxQueryDirectives = 50
	// MaxQueryCost is the budget of an operation: every field costs 1, and
	// a connection multiplies the cost of its selection by its page size.
	// A page of 100 contacts with their account and 5 deals each costs
	// about 4,000; a connection nested three deep at 100 a page, a million.
	MaxQueryCost = 25000
)

// saturation caps every measure, so that a fragment bomb's astronomical
// size neither overflows nor takes long to add up.
const saturation = int64(1) << 50

// querySize is the measure of a selection set, fragments expanded.
type querySize struct {
	depth      int64
	fields     int64
	aliases    int64
	directives int64
	cost       int64
}

// add sums the measures of sibling selections.
func (q *querySize) add(o querySize) {
	q.depth = max(q.depth, o.depth)
	q.fields = satAdd(q.fields, o.fields)
	q.aliases = satAdd(q.aliases, o.aliases)
	q.directives = satAdd(q.directives, o.directives)
	q.cost = satAdd(q.cost, o.cost)
}

func satAdd(a, b int64) int64 { return min(a+b, saturation) }

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > saturation/b {
		return saturation
	}
	return min(a*b, saturation)
}

// sizer measures an operation. Each fragment is measured once and
// remembered, so a document of fragments spreading one another costs time
// in proportion to its length, not to its expansion.
type sizer struct {
	vars  map[string]any
	known bool // whether vars are the request's
	memo  map[string]querySize
	busy  map[string]bool
	// nullPage is the first connection whose first and last are both null
	// (by literal or by variable), which would read every record.
	nullPage string
}

// measureOperation returns the size of the operation with the variables of
// the request, and the first connection asked for a null page size, if
// any. Before the variables are known (known false), a page size set by a
// variable counts as MaxPageSize.
func measureOperation(op *ast.OperationDefinition, vars map[string]any, known bool) (querySize, string) {
	s := &sizer{vars: vars, known: known, memo: map[string]querySize{}, busy: map[string]bool{}}
	q := s.set(op.SelectionSet)
	d := int64(len(op.Directives))
	for _, v := range op.VariableDefinitions {
		d += int64(len(v.Directives))
	}
	q.directives = satAdd(q.directives, d)
	return q, s.nullPage
}

func (s *sizer) set(set ast.SelectionSet) querySize {
	var q querySize
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			q.add(s.field(x))
		case *ast.InlineFragment:
			sub := s.set(x.SelectionSet)
			sub.directives = satAdd(sub.directives, int64(len(x.Directives)))
			q.add(sub)
		case *ast.FragmentSpread:
			sub := s.fragment(x.Name, x.Definition)
			sub.directives = satAdd(sub.directives, int64(len(x.Directives)))
			q.add(sub)
		}
	}
	return q
}

func (s *sizer) fragment(name string, def *ast.FragmentDefinition) querySize {
	if q, ok := s.memo[name]; ok {
		return q
	}
	if def == nil || s.busy[name] {
		// Unknown and cyclic fragments fail validation; never loop here.
		return querySize{}
	}
	s.busy[name] = true
	q := s.set(def.SelectionSet)
	q.directives = satAdd(q.directives, int64(len(def.Directives)))
	delete(s.busy, name)
	s.memo[name] = q
	return q
}

func (s *sizer) field(f *ast.Field) querySize {
	kids := s.set(f.SelectionSet)
	q := querySize{
		depth:      kids.depth + 1,
		fields:     satAdd(kids.fields, 1),
		aliases:    kids.aliases,
		directives: satAdd(kids.directives, int64(len(f.Directives))),
	}
	if f.Alias != "" && f.Alias != f.Name {
		q.aliases = satAdd(q.aliases, 1)
	}
	if f.Name == "__schema" || f.Name == "__type" {
		q.depth = 1
	}
	n := int64(1)
	if isConnectionField(f) {
		n = s.pageSize(f)
	}
	q.cost = satAdd(1, satMul(n, kids.cost))
	return q
}

// pageSize is the larger of a connection's first and last. An argument
// whose value is unknown or null counts as MaxPageSize; checkPageSizes has
// already refused values over it.
func (s *sizer) pageSize(f *ast.Field) int64 {
	var n int64
	found, allNull := false, true
	for _, name := range []string{"first", "last"} {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		found = true
		size := int64(MaxPageSize)
		if v, err := a.Value.Value(s.vars); err == nil && v != nil {
			allNull = false
			if i, ok := asInt(v); ok {
				size = max(i, 0)
			}
		}
		n = max(n, size)
	}
	if !found {
		return DefaultPageSize
	}
	if allNull && s.known && s.nullPage == "" {
		s.nullPage = f.Alias
	}
	return n
}

// checkQuerySize refuses an operation over any of the size limits, the
// cost with the request's page-size variables, and one that asks a
// connection for a null page. (guardedMergeRule has checked the limits
// that do not depend on variables while validating; checking them again
// here costs microseconds.)
func checkQuerySize(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil {
		return next(ctx)
	}
	q, nullPage := measureOperation(oc.Operation, oc.Variables, true)
	if nullPage != "" {
		// The default page size is set where first and last are left out
		// (defaultPageSizeRule); null, by literal or by an unset variable,
		// would page through every record.
		return errorResponse(errs.Input(nullPage+".first", "%s: first and last are both null, which would read every record; give first (at most %d), or leave both out for %d", nullPage, MaxPageSize, DefaultPageSize))
	}
	if v := sizeViolation(q, true); v != nil {
		e := &gqlerror.Error{Message: v.message}
		v.extensions(e)
		e.Extensions["code"] = errs.TooComplex
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
	}
	return next(ctx)
}

// count writes a measure, saturated ones as "over" the cap.
func count(n int64) string {
	if n >= saturation {
		return fmt.Sprintf("over %d", saturation)
	}
	return fmt.Sprint(n)
}

// codeSizeErrors gives the errors of the size limits found while parsing
// and validating the code COMPLEXITY_LIMIT_EXCEEDED, which every size limit
// answers with: the parser's "exceeded token limit", which it also
// rewords, and guardedMergeRule's, which name their limit in extensions.
func codeSizeErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	for _, e := range resp.Errors {
		if e == nil || e.Extensions == nil {
			continue
		}
		switch code := e.Extensions["code"]; {
		case code == errcode.ParseFailed && strings.HasPrefix(e.Message, "exceeded token limit"):
			e.Message = fmt.Sprintf("the query has more than %d tokens; the limit is %d", ParserTokenLimit, ParserTokenLimit)
			e.Extensions["code"] = errs.TooComplex
			e.Extensions["limit"] = "tokens"
			e.Extensions["maximum"] = ParserTokenLimit
		case code == errcode.ValidationFailed && e.Extensions["limit"] != nil:
			e.Extensions["code"] = errs.TooComplex
		}
	}
	return resp
}
