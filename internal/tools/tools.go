//go:build tools

// Package tools pins the code generators run by go generate, so that
// go.mod records their versions.
package tools

import (
	_ "entgo.io/contrib/entgql"
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/lib/pq"
	_ "gonum.org/v1/gonum/optimize"
	_ "modernc.org/sqlite"
)
