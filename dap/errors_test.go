package dap

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestErrorIDsUnique reads the ErrID constants from the source, so an id
// added later is checked without anyone remembering to list it here.
func TestErrorIDsUnique(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "ErrID") {
					continue
				}
				var lit *ast.BasicLit
				if i < len(vs.Values) {
					lit, _ = vs.Values[i].(*ast.BasicLit)
				}
				if lit == nil || lit.Kind != token.INT {
					t.Errorf("%s: want an integer literal, so the id cannot shift", name.Name)
					continue
				}
				id, _ := strconv.Atoi(lit.Value)
				if other, dup := seen[id]; dup {
					t.Errorf("%s and %s share id %d", other, name.Name, id)
				}
				seen[id] = name.Name
			}
		}
	}
	if len(seen) < 4 {
		t.Errorf("found %d ErrID constants, want at least 4", len(seen))
	}
}
