package server

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/headlesscrm/crm/internal/errs"
)

// Page sizes of every connection.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// defaultPageSizeRule gives every connection field that names neither
// first nor last an explicit first: DefaultPageSize, at validation time,
// before the parsed document is cached. Nested connections are loaded from
// the document's arguments, so the default must live in the document: a
// connection is never loaded unbounded.
var defaultPageSizeRule = core.Rule{
	Name: "DefaultPageSize",
	RuleFunc: func(observers *core.Events, _ core.AddErrFunc) {
		observers.OnField(func(_ *core.Walker, f *ast.Field) {
			if !isConnectionField(f) || f.Arguments.ForName("first") != nil || f.Arguments.ForName("last") != nil {
				return
			}
			def := f.Definition.Arguments.ForName("first")
			f.Arguments = append(f.Arguments, &ast.Argument{
				Name:     "first",
				Position: f.Position,
				Value: &ast.Value{
					Kind:         ast.IntValue,
					Raw:          strconv.Itoa(DefaultPageSize),
					Position:     f.Position,
					ExpectedType: def.Type,
				},
			})
		})
	},
}

func isConnectionField(f *ast.Field) bool {
	return f.Definition != nil &&
		f.Definition.Arguments.ForName("first") != nil &&
		f.Definition.Arguments.ForName("last") != nil
}

// validationRules are the standard rules plus the page-size default.
func validationRules() *rules.Rules {
	r := rules.NewDefaultRules()
	r.AddRule(defaultPageSizeRule.Name, defaultPageSizeRule.RuleFunc)
	return r
}

// checkPageSizes refuses an operation that asks any connection for more than
// MaxPageSize records, whether by literal or by variable, with BAD_USER_INPUT
// naming the field, before anything is resolved.
func checkPageSizes(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil {
		seen := map[string]bool{}
		if err := walkPageSizes(oc.Operation.SelectionSet, oc, seen); err != nil {
			return errorResponse(err)
		}
	}
	return next(ctx)
}

func walkPageSizes(set ast.SelectionSet, oc *graphql.OperationContext, seen map[string]bool) *errs.Error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if isConnectionField(s) {
				for _, name := range []string{"first", "last"} {
					a := s.Arguments.ForName(name)
					if a == nil {
						continue
					}
					v, err := a.Value.Value(oc.Variables)
					if err != nil {
						continue
					}
					n, ok := asInt(v)
					if !ok {
						continue
					}
					if n > MaxPageSize || n < 0 {
						return errs.Input(s.Alias+"."+name, "%s.%s must be between 0 and %d", s.Alias, name, MaxPageSize)
					}
				}
			}
			if err := walkPageSizes(s.SelectionSet, oc, seen); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := walkPageSizes(s.SelectionSet, oc, seen); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if seen[s.Name] || s.Definition == nil {
				continue
			}
			seen[s.Name] = true
			if err := walkPageSizes(s.Definition.SelectionSet, oc, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}
