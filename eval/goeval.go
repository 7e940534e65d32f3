package eval

// Go in expressions: indexing slices, strings and maps, len and cap, and
// members reached through interfaces.

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// goIndex evaluates x[index] for Go slices, strings and maps (a map by
// a key written as a literal or an expression: the entry whose key reads
// the same); ok is false when x is none of those.
func (ev *evaluator) goIndex(x value, index ast.Expr) (v value, ok bool, err error) {
	if x.obj == nil {
		return value{}, false, nil
	}
	d := ev.d
	kind, gt := goKindOf(x.obj.Type)
	switch kind {
	case symbols.GoSlice, symbols.GoString:
	case symbols.GoMap:
		want, err := ev.goKeyText(index)
		if err != nil {
			return value{}, true, err
		}
		var found *Object
		err = d.goMapEach(x.obj, gt, func(key, elem *Object) bool {
			if d.goSub("", key, 1).Value == want {
				found = elem
			}
			return found == nil
		})
		if err == nil && found == nil {
			err = fmt.Errorf("no key %s in %s", want, x.obj.Type)
		}
		return value{obj: found}, true, err
	default:
		return value{}, false, nil
	}
	n, err := ev.intOf(index)
	if err != nil {
		return value{}, true, err
	}
	if kind == symbols.GoString {
		w, err := d.words(x.obj, 2)
		if err != nil {
			return value{}, true, err
		}
		if n < 0 || n >= int64(w[1]) {
			return value{}, true, fmt.Errorf("index %d out of range [0, %d)", n, int64(w[1]))
		}
		var b [1]byte
		if _, err := d.ReadAt(b[:], w[0]+uint64(n)); err != nil {
			return value{}, true, fmt.Errorf("<unreadable at %#x>", w[0]+uint64(n))
		}
		return value{kind: symbols.KindUint, u: uint64(b[0])}, true, nil
	}
	ptr, length, _, err := d.sliceHeader(x.obj)
	if err != nil {
		return value{}, true, err
	}
	elem := sliceElem(gt)
	if elem == nil {
		return value{}, true, errors.New("slice without an element type")
	}
	if n < 0 || n >= length {
		return value{}, true, fmt.Errorf("index %d out of range [0, %d)", n, length)
	}
	return value{obj: &Object{Type: elem, Addr: ptr + uint64(n*elem.Resolve().Size), InMem: true, mod: x.obj.mod}}, true, nil
}

// intOf evaluates an index expression to an integer.
func (ev *evaluator) intOf(e ast.Expr) (int64, error) {
	iv, err := ev.eval(e)
	if err == nil {
		iv, err = ev.scalar(iv)
	}
	if err != nil {
		return 0, err
	}
	switch iv.kind {
	case symbols.KindUint, symbols.KindPointer:
		return int64(iv.u), nil
	case symbols.KindFloat:
		return 0, errors.New("an index must be an integer")
	}
	return iv.i, nil
}

// goKeyText is a map key as the variables view names it: a Go string
// literal quoted as Go quotes it, anything else as it evaluates.
func (ev *evaluator) goKeyText(e ast.Expr) (string, error) {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return "", fmt.Errorf("bad string %s", lit.Value)
		}
		return strconv.Quote(s), nil
	}
	k, err := ev.eval(e)
	if err != nil {
		return "", err
	}
	return ev.present("", k).Value, nil
}

// goBuiltin evaluates len(x) and cap(x) of Go strings, slices, maps,
// channels and arrays; ok is false for other calls.
func (ev *evaluator) goBuiltin(call *ast.CallExpr) (v value, ok bool, err error) {
	id, isIdent := call.Fun.(*ast.Ident)
	if !isIdent || (id.Name != "len" && id.Name != "cap") || len(call.Args) != 1 {
		return value{}, false, nil
	}
	x, err := ev.eval(call.Args[0])
	if err != nil {
		return value{}, true, err
	}
	if x.obj == nil {
		return value{}, true, fmt.Errorf("%s of a number", id.Name)
	}
	d := ev.d
	n := func(u uint64) (value, bool, error) { return value{kind: symbols.KindInt, i: int64(u)}, true, nil }
	kind, gt := goKindOf(x.obj.Type)
	switch {
	case kind == symbols.GoString && id.Name == "len":
		w, err := d.words(x.obj, 2)
		if err != nil {
			return value{}, true, err
		}
		return n(w[1])
	case kind == symbols.GoSlice:
		_, l, c, err := d.sliceHeader(x.obj)
		if err != nil {
			return value{}, true, err
		}
		if id.Name == "cap" {
			return n(uint64(c))
		}
		return n(uint64(l))
	case kind == symbols.GoMap && id.Name == "len":
		_, used, _, _, err := d.goMapHeader(x.obj, gt)
		if err != nil {
			return value{}, true, err
		}
		return n(used)
	case kind == symbols.GoChan:
		w, err := d.words(x.obj, 1)
		if err != nil || w[0] == 0 {
			return value{kind: symbols.KindInt}, true, err
		}
		hchan := gt.Resolve().Elem
		field := "qcount"
		if id.Name == "cap" {
			field = "dataqsiz"
		}
		u, err := d.word(w[0] + uint64(fieldOffset(hchan, field, 0)))
		if err != nil {
			return value{}, true, err
		}
		return n(u)
	}
	if t := x.obj.Type.Resolve(); t.Kind == symbols.KindArray && t.Count >= 0 {
		return n(uint64(t.Count))
	}
	return value{}, true, fmt.Errorf("invalid argument for %s: %s", id.Name, x.obj.Type)
}

// goUnbox replaces a Go interface value by its dynamic value, so that
// err.Op reaches a member of the error behind err as Go's type assertion
// would; other values, and interfaces whose dynamic value cannot be found,
// are returned as they are.
func (ev *evaluator) goUnbox(x value) value {
	if x.obj == nil {
		return x
	}
	if kind, _ := goKindOf(x.obj.Type); kind != symbols.GoInterface {
		return x
	}
	if dyn, _, err := ev.d.goDynamic(x.obj); err == nil && dyn != nil {
		return value{obj: dyn}
	}
	return x
}

// goAssert evaluates a Go type assertion x.(T): x's dynamic value when its
// dynamic type is T (written as Go prints types: int, *main.Point,
// main.Point), else Go's own error.
func (ev *evaluator) goAssert(e *ast.TypeAssertExpr) (value, error) {
	if e.Type == nil {
		return value{}, errors.New("x.(type) is only for type switches")
	}
	x, err := ev.eval(e.X)
	if err != nil {
		return value{}, err
	}
	want := types.ExprString(e.Type)
	if x.obj == nil {
		return value{}, fmt.Errorf("%s is not an interface", types.ExprString(e.X))
	}
	if k, _ := goKindOf(x.obj.Type); k != symbols.GoInterface {
		return value{}, fmt.Errorf("%s (%s) is not an interface", types.ExprString(e.X), x.obj.Type)
	}
	dyn, name, err := ev.d.goDynamic(x.obj)
	if err != nil {
		return value{}, err
	}
	switch {
	case name == "":
		return value{}, fmt.Errorf("interface conversion: %s is nil, not %s", x.obj.Type, want)
	case name != want:
		return value{}, fmt.Errorf("interface conversion: %s is %s, not %s", x.obj.Type, name, want)
	case dyn == nil:
		return value{}, fmt.Errorf("the %s in %s cannot be read", name, types.ExprString(e.X))
	}
	return value{obj: dyn}, nil
}

// goNumeric are Go's numeric types as conversions name them.
var goNumeric = map[string]symbols.Type{
	"int": {Kind: symbols.KindInt, Size: 8, Signed: true}, "int8": {Kind: symbols.KindInt, Size: 1, Signed: true},
	"int16": {Kind: symbols.KindInt, Size: 2, Signed: true}, "int32": {Kind: symbols.KindInt, Size: 4, Signed: true},
	"int64": {Kind: symbols.KindInt, Size: 8, Signed: true}, "rune": {Kind: symbols.KindInt, Size: 4, Signed: true},
	"uint": {Kind: symbols.KindUint, Size: 8}, "uint8": {Kind: symbols.KindUint, Size: 1}, "byte": {Kind: symbols.KindUint, Size: 1},
	"uint16": {Kind: symbols.KindUint, Size: 2}, "uint32": {Kind: symbols.KindUint, Size: 4}, "uint64": {Kind: symbols.KindUint, Size: 8},
	"uintptr": {Kind: symbols.KindUint, Size: 8}, "float32": {Kind: symbols.KindFloat, Size: 4}, "float64": {Kind: symbols.KindFloat, Size: 8},
}

// goConvert evaluates a Go conversion between numeric types, int64(x) or
// float64(n); ok is false for other calls.
func (ev *evaluator) goConvert(call *ast.CallExpr) (v value, ok bool, err error) {
	id, isIdent := call.Fun.(*ast.Ident)
	if !isIdent || len(call.Args) != 1 {
		return value{}, false, nil
	}
	t, known := goNumeric[id.Name]
	if !known {
		return value{}, false, nil
	}
	t.Name = id.Name
	x, err := ev.eval(call.Args[0])
	if err != nil {
		return value{}, true, err
	}
	v, err = ev.cast(&t, x)
	return v, true, err
}
