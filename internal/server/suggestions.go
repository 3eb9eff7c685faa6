package server

import (
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// quietRules are gqlparser's rules that append `Did you mean "email"?` to
// their errors, each with its twin that makes the same check without the
// suggestion. A suggestion names fields, arguments, types and enum values
// the caller did not type, so with introspection off it would hand out the
// schema one typo at a time. The other rules name only what the query
// itself says. (gqlgen's SetDisableSuggestion swaps the first and last of
// these only.)
var quietRules = []struct {
	name  string
	quiet core.Rule
}{
	{"FieldsOnCorrectType", rules.FieldsOnCorrectTypeRuleWithoutSuggestions}, // fields, and types to use in an inline fragment
	{"KnownArgumentNames", rules.KnownArgumentNamesRuleWithoutSuggestions},   // arguments of fields and directives
	{"KnownTypeNames", rules.KnownTypeNamesRuleWithoutSuggestions},           // fragment type conditions
	{"ValuesOfCorrectType", rules.ValuesOfCorrectTypeRuleWithoutSuggestions}, // enum values and input object fields
	{"ScalarLeafs", rules.ScalarLeafsRuleWithoutSuggestions},                 // "Did you mean \"contacts { ... }\"?"
}

// validationRulesWithoutSuggestions are validationRules with every rule that
// suggests names swapped for its quiet twin. The server must also call
// SetDisableSuggestion(true), or gqlgen swaps two of them back.
func validationRulesWithoutSuggestions() *rules.Rules {
	r := validationRules()
	for _, q := range quietRules {
		r.RemoveRule(q.name)
		r.AddRule(q.quiet.Name, q.quiet.RuleFunc)
	}
	return r
}
