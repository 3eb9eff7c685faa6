//go:build ignore

// Command entc generates the data layer in ent/ and the GraphQL schema of the
// entities in ent.graphql from the schema in ent/schema.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("../gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("../ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(describe),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeatureModifier,
			gen.FeatureUpsert,
			gen.FeatureLock,
			gen.FeatureNamedEdges,
			gen.FeatureExecQuery,
			gen.FeatureIntercept,
		},
		Templates: []*gen.Template{
			gen.MustParse(gen.NewTemplate("prefix").ParseFiles("template/prefix.tmpl")),
			gen.MustParse(gen.NewTemplate("haswith").ParseFiles("template/haswith.tmpl")),
			gen.MustParse(gen.NewTemplate("dialect").ParseFiles("template/dialect.tmpl")),
		},
	}, entc.Extensions(ex, paginateOverride{}))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// paginateOverride replaces entgql's pagination (gql_pagination.go) with
// the copy in template/pagination.tmpl, which finds aliased connection
// fields, and its pagination helper with the one in template/paginate.tmpl.
// It is an extension of its own so that its templates are added after
// entgql's, and win.
type paginateOverride struct{ entc.DefaultExtension }

// Templates of paginateOverride.
func (paginateOverride) Templates() []*gen.Template {
	return []*gen.Template{
		gen.MustParse(gen.NewTemplate("pagination").Funcs(entgql.TemplateFuncs).ParseFiles("template/pagination.tmpl")),
		gen.MustParse(gen.NewTemplate("paginate").Funcs(entgql.TemplateFuncs).ParseFiles("template/paginate.tmpl")),
	}
}
