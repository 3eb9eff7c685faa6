package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// ConnectionArgs parses the arguments of a connection field (typeName's
// field named field.Name) exactly as its resolver would receive them: first
// as *int, after and before as *entgql.Cursor, orderBy as the entity's
// *ent.…Order and where as its *ent.…WhereInput. ok is false for a field
// that is not one of the connections answered in SQL (package
// graph/sqljson); err is the argument error gqlgen would report.
func ConnectionArgs(ctx context.Context, es graphql.ExecutableSchema, typeName string, field *ast.Field, vars map[string]any) (args map[string]any, ok bool, err error) {
	s, isOurs := es.(*executableSchema)
	if !isOurs {
		return nil, false, nil
	}
	ec := newExecutionContext(graphql.GetOperationContext(ctx), s, nil)
	raw := field.ArgumentMap(vars)
	var parse func(context.Context, map[string]any) (map[string]any, error)
	switch typeName + "." + field.Name {
	case "Query.contacts":
		parse = ec.field_Query_contacts_args
	case "Query.accounts":
		parse = ec.field_Query_accounts_args
	case "Query.deals":
		parse = ec.field_Query_deals_args
	case "Contact.deals":
		parse = ec.field_Contact_deals_args
	case "Contact.referrals":
		parse = ec.field_Contact_referrals_args
	case "Account.contacts":
		parse = ec.field_Account_contacts_args
	case "Account.deals":
		parse = ec.field_Account_deals_args
	case "Stage.deals":
		parse = ec.field_Stage_deals_args
	case "Pipeline.stages":
		parse = ec.field_Pipeline_stages_args
	default:
		return nil, false, nil
	}
	args, err = parse(ctx, raw)
	return args, true, err
}
