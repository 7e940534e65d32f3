package session

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// The DAP error ids of this package are unique and stay clear of the dap
// package's range.
func TestErrorIDsUnique(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.INT {
			return true
		}
		v, _ := strconv.ParseInt(lit.Value, 0, 64)
		name := vs.Names[0].Name
		if prev, dup := seen[v]; dup {
			t.Errorf("%s and %s share DAP error id %d", prev, name, v)
		}
		if v >= 1000 && v < 1100 {
			t.Errorf("%s = %d is in the dap package's range", name, v)
		}
		seen[v] = name
		return true
	})
	if len(seen) < 5 {
		t.Fatalf("found only %d error ids in errors.go", len(seen))
	}
}
