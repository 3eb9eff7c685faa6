package graph_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headlesscrm/crm/graph"
)

// TestEveryTypeAndFieldIsDescribed walks the schema SPA developers read in
// GraphiQL: every type, field, argument and enum value has a description.
func TestEveryTypeAndFieldIsDescribed(t *testing.T) {
	s := graph.NewSchema(nil, nil).Schema()
	var missing []string
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if strings.TrimSpace(def.Description) == "" {
			missing = append(missing, name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				missing = append(missing, name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					missing = append(missing, name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				missing = append(missing, name+"."+v.Name)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d schema elements have no description, e.g. %v", len(missing), missing[:min(len(missing), 20)])
	}
}

// TestNoResolverIsAStub guards against gqlgen's generated placeholders.
func TestNoResolverIsAStub(t *testing.T) {
	files, _ := filepath.Glob("*.resolvers.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "not implemented") {
			t.Errorf("%s has an unimplemented resolver", f)
		}
	}
}
