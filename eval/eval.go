package eval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// Expressions are C-like: names, literals, arithmetic, comparison and
// logical operators, . and ->, [i], * and &, casts, sizeof(x) and
// sizeof(type), string literals compared with == and !=, and registers as
// $rip. They are parsed with go/parser (after turning -> into . and $ into
// a name prefix, and casts into calls, see cast.go): the operators a watch
// expression or a condition uses are spelt alike in C and Go.

// cToGo turns C's member and register syntax into Go's for go/parser;
// built once, as building a Replacer costs more than using it.
var cToGo = strings.NewReplacer("->", ".", "$", regPrefix)

// ParseExpr parses an expression once, for reuse (conditions are parsed
// when the breakpoint is set).
func ParseExpr(src string) (ast.Expr, error) {
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, errors.New("empty expression")
	}
	s = outsideQuotes(s, cToGo.Replace)
	s, err := rewriteCasts(s)
	if err != nil {
		return nil, err
	}
	e, err := parser.ParseExpr(s)
	if err != nil {
		return nil, fmt.Errorf("cannot parse %q: %s", src, strings.TrimPrefix(err.Error(), "1:"))
	}
	return e, nil
}

const regPrefix = "__reg_"

// value is an evaluated expression: an object in the program (with a type,
// possibly in memory) or a computed number.
type value struct {
	obj  *Object
	kind symbols.TypeKind // of a computed number: KindInt, KindUint, KindFloat, KindBool, KindPointer
	i    int64
	u    uint64
	f    float64
	elem *symbols.Type // pointee of a computed pointer
	// isStr marks a string literal, str its text: only == and != take one.
	isStr bool
	str   string
}

// evaluator evaluates expressions in one frame.
type evaluator struct {
	d    *reader
	fr   *frameCtx
	vars []symbols.Variable // locals and arguments, innermost first
	fb   []byte
}

func newEvaluator(f Frame) *evaluator {
	fr := newFrameCtx(f)
	ev := &evaluator{d: fr.d, fr: fr}
	if fr.mod != nil {
		ev.vars, ev.fb, _ = f.Locals()
	}
	return ev
}

// Evaluate evaluates expr in frame f.
func Evaluate(f Frame, expr string) (Var, error) {
	var out Var
	err := inFrame(f, expr, func(ev *evaluator, v value) error {
		out = ev.present(expr, v)
		return nil
	})
	return out, err
}

// inFrame evaluates expr in frame f and hands the result to do with the
// evaluator (for further evaluation).
func inFrame(f Frame, expr string, do func(*evaluator, value) error) error {
	e, err := ParseExpr(expr)
	if err != nil {
		return err
	}
	ev := newEvaluator(f)
	v, err := ev.eval(e)
	if err != nil {
		return err
	}
	return do(ev, v)
}

func (ev *evaluator) present(name string, v value) Var {
	if v.obj != nil {
		return ev.d.present(name, v.obj)
	}
	out := Var{Name: name, Value: formatNumber(v), Type: numberType(v)}
	if v.kind == symbols.KindPointer && v.u != 0 {
		// &x and other computed addresses: their memory is the pointee's,
		// as for a pointer variable.
		out.Addr, out.HasAddr = v.u, true
	}
	return out
}

func formatNumber(v value) string {
	switch v.kind {
	case symbols.KindBool:
		if v.i != 0 {
			return "true"
		}
		return "false"
	case symbols.KindUint:
		return strconv.FormatUint(v.u, 10)
	case symbols.KindFloat:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	case symbols.KindPointer:
		return fmt.Sprintf("0x%x", v.u)
	}
	return strconv.FormatInt(v.i, 10)
}

func numberType(v value) string {
	switch v.kind {
	case symbols.KindBool:
		return "bool"
	case symbols.KindUint:
		return "unsigned long"
	case symbols.KindFloat:
		return "double"
	case symbols.KindPointer:
		if v.elem != nil {
			return v.elem.String() + " *"
		}
		return "void *"
	}
	return "long"
}

func (ev *evaluator) eval(e ast.Expr) (value, error) {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return ev.eval(e.X)
	case *ast.BasicLit:
		return literal(e)
	case *ast.Ident:
		return ev.ident(e.Name)
	case *ast.StarExpr:
		return ev.deref(e.X)
	case *ast.UnaryExpr:
		return ev.unary(e)
	case *ast.BinaryExpr:
		return ev.binary(e)
	case *ast.SelectorExpr:
		// "io/fs".ErrNotExist: a Go package-level variable by its
		// package's full import path, as Delve writes it.
		if lit, ok := e.X.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			path, _ := strconv.Unquote(lit.Value)
			if v, found := ev.global(path + "." + e.Sel.Name); found {
				return ev.locate(v, nil)
			}
			return value{}, fmt.Errorf("no package-level variable %s in package %q", e.Sel.Name, path)
		}
		x, err := ev.eval(e.X)
		if err != nil {
			// pkg.name: a Go package-level variable named from anywhere,
			// pkg as Go code names its package (fs for io/fs).
			if id, ok := e.X.(*ast.Ident); ok {
				if v, found := ev.global(id.Name + "." + e.Sel.Name); found {
					return ev.locate(v, nil)
				}
				if v, found := ev.goGlobal(id.Name, e.Sel.Name); found {
					return ev.locate(v, nil)
				}
			}
			return value{}, err
		}
		return ev.member(x, e.Sel.Name)
	case *ast.IndexExpr:
		return ev.index(e)
	case *ast.TypeAssertExpr:
		return ev.goAssert(e)
	case *ast.CallExpr:
		if v, ok, err := ev.castCall(e); ok {
			return v, err
		}
		if v, ok, err := ev.goConvert(e); ok {
			return v, err
		}
		if v, ok, err := ev.goBuiltin(e); ok {
			return v, err
		}
		if id, ok := e.Fun.(*ast.Ident); ok && id.Name == "sizeof" && len(e.Args) == 1 {
			if v, ok, err := ev.sizeofType(e.Args[0]); ok {
				return v, err
			}
			x, err := ev.eval(e.Args[0])
			if id, isIdent := e.Args[0].(*ast.Ident); err != nil && isIdent {
				if t, terr := ev.typeOf(id.Name); terr == nil { // sizeof(myint)
					return value{kind: symbols.KindUint, u: uint64(t.Resolve().Size)}, nil
				}
			}
			if err != nil {
				return value{}, err
			}
			if x.obj == nil {
				return value{kind: symbols.KindUint, u: 8}, nil
			}
			return value{kind: symbols.KindUint, u: uint64(x.obj.Type.Resolve().Size)}, nil
		}
		return value{}, errors.New("function calls are not supported in expressions")
	}
	return value{}, fmt.Errorf("unsupported expression")
}

func literal(e *ast.BasicLit) (value, error) {
	switch e.Kind {
	case token.INT:
		if u, err := strconv.ParseUint(e.Value, 0, 64); err == nil {
			if u <= math.MaxInt64 {
				return value{kind: symbols.KindInt, i: int64(u)}, nil
			}
			return value{kind: symbols.KindUint, u: u}, nil
		}
		return value{}, fmt.Errorf("bad number %s", e.Value)
	case token.FLOAT:
		f, err := strconv.ParseFloat(e.Value, 64)
		if err != nil {
			return value{}, fmt.Errorf("bad number %s", e.Value)
		}
		return value{kind: symbols.KindFloat, f: f}, nil
	case token.CHAR:
		s, err := strconv.Unquote(e.Value)
		if err != nil || len(s) == 0 {
			return value{}, fmt.Errorf("bad character %s", e.Value)
		}
		return value{kind: symbols.KindInt, i: int64(s[0])}, nil
	case token.STRING:
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			return value{}, fmt.Errorf("bad string %s", e.Value)
		}
		return value{isStr: true, str: s}, nil
	}
	return value{}, fmt.Errorf("bad literal %s", e.Value)
}

// ident resolves a name: a register, a local or argument (innermost
// first), a global of this unit or of the program.
func (ev *evaluator) ident(name string) (value, error) {
	switch name {
	case "true":
		return value{kind: symbols.KindBool, i: 1}, nil
	case "false":
		return value{kind: symbols.KindBool}, nil
	case "NULL", "nullptr":
		return value{kind: symbols.KindPointer}, nil
	}
	if reg, ok := strings.CutPrefix(name, regPrefix); ok {
		for i, n := range cfi.RegNames {
			if v, known := ev.fr.reg(uint64(i)); n == reg && known {
				// Typed as an untyped pointer: shown in hex, usable in
				// arithmetic and comparisons like a number.
				return value{kind: symbols.KindPointer, u: v}, nil
			}
		}
		return value{}, fmt.Errorf("no register $%s in this frame", reg)
	}
	m := ev.fr.mod
	for _, v := range ev.vars {
		if v.Name == name {
			return ev.locate(v, ev.fb)
		}
	}
	if m != nil && m.sym != nil {
		if gs, err := m.sym.GlobalsAt(ev.fr.look - m.bias); err == nil {
			for _, v := range gs {
				if v.Name == name {
					return ev.locate(v, nil)
				}
			}
		}
		if v, ok := m.sym.LookupGlobal(name); ok {
			return ev.locate(v, nil)
		}
		// In Go, a package-level variable by its short name inside its
		// package: DWARF names it main.counter.
		if pkg := goPackage(m.sym, ev.fr.look-m.bias); pkg != "" {
			if v, ok := m.sym.LookupGlobal(pkg + "." + name); ok {
				return ev.locate(v, nil)
			}
		}
	}
	return value{}, fmt.Errorf("no variable named %q in this frame", name)
}

// global finds a package-level variable by its full name in the frame's
// module or the executable.
func (ev *evaluator) global(name string) (symbols.Variable, bool) {
	for _, m := range []*module{ev.fr.mod, moduleOf(ev.d.Exe())} {
		if m != nil {
			if v, ok := m.sym.LookupGlobal(name); ok {
				return v, true
			}
		}
	}
	return symbols.Variable{}, false
}

// goGlobal finds a Go package-level variable by its package's name (the
// last element of its import path) in the frame's module or the
// executable.
func (ev *evaluator) goGlobal(pkg, name string) (symbols.Variable, bool) {
	for _, m := range []*module{ev.fr.mod, moduleOf(ev.d.Exe())} {
		if m != nil {
			if v, ok := m.sym.LookupGoGlobal(pkg, name); ok {
				return v, true
			}
		}
	}
	return symbols.Variable{}, false
}

// goPackage is the import path of the Go package whose function holds
// link-time pc: what a Go function's name begins with, up to the first
// dot after the last slash (main.main, net/http.(*Server).Serve). A C
// function has no dot in its name, or gcc's (f.part.0), which names no
// variable, so asking costs a failed lookup at worst.
func goPackage(sym *symbols.File, pc uint64) string {
	fn := sym.FuncAt(pc)
	if fn == nil {
		return ""
	}
	name := fn.Name
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return ""
	}
	return name[:slash+1+dot]
}

// locate turns a variable into an object.
func (ev *evaluator) locate(v symbols.Variable, fb []byte) (value, error) {
	obj, err := ev.d.objectOf(ev.fr, v, fb)
	if err != nil {
		return value{}, fmt.Errorf("%s is %v", v.Name, err)
	}
	return value{obj: obj}, nil
}

// scalar reads a value as a number.
func (ev *evaluator) scalar(v value) (value, error) {
	if v.isStr {
		return value{}, errors.New("a string is not a number (strings can only be compared with == and !=)")
	}
	if v.obj == nil {
		return v, nil
	}
	t := v.obj.Type.Resolve()
	b, err := ev.d.bytesOf(v.obj, max(t.Size, 0))
	if err != nil {
		return value{}, err
	}
	u := binary.LittleEndian.Uint64(pad8(b))
	shift := 64 - 8*uint(min(len(b), 8))
	s := int64(u<<shift) >> shift
	switch t.Kind {
	case symbols.KindInt, symbols.KindEnum:
		return value{kind: symbols.KindInt, i: s}, nil
	case symbols.KindChar:
		if t.Signed {
			return value{kind: symbols.KindInt, i: s}, nil
		}
		return value{kind: symbols.KindInt, i: int64(u)}, nil
	case symbols.KindUint:
		return value{kind: symbols.KindUint, u: u}, nil
	case symbols.KindBool:
		return value{kind: symbols.KindBool, i: int64(u & 1)}, nil
	case symbols.KindFloat:
		if len(b) == 4 {
			return value{kind: symbols.KindFloat, f: float64(math.Float32frombits(uint32(u)))}, nil
		}
		return value{kind: symbols.KindFloat, f: math.Float64frombits(u)}, nil
	case symbols.KindPointer:
		return value{kind: symbols.KindPointer, u: u, elem: t.Elem}, nil
	case symbols.KindArray:
		if v.obj.InMem { // an array decays to a pointer to its first element
			return value{kind: symbols.KindPointer, u: v.obj.Addr, elem: t.Elem}, nil
		}
	}
	return value{}, fmt.Errorf("a %s is not a number", v.obj.Type.String())
}

func (ev *evaluator) deref(x ast.Expr) (value, error) {
	v, err := ev.eval(x)
	if err != nil {
		return value{}, err
	}
	p, err := ev.scalar(v)
	if err != nil {
		return value{}, err
	}
	if p.kind != symbols.KindPointer || p.elem == nil {
		return value{}, errors.New("* needs a pointer")
	}
	if p.u == 0 {
		return value{}, errors.New("dereferencing a NULL pointer")
	}
	return value{obj: &Object{Type: p.elem, Addr: p.u, InMem: true, mod: ev.fr.mod}}, nil
}

func (ev *evaluator) member(x value, name string) (value, error) {
	if x.obj == nil {
		return value{}, fmt.Errorf("no member %s in a number", name)
	}
	x = ev.goUnbox(x)
	t := x.obj.Type.Resolve()
	if t.Kind == symbols.KindPointer {
		p, err := ev.scalar(x)
		if err != nil {
			return value{}, err
		}
		if p.u == 0 {
			return value{}, errors.New("dereferencing a NULL pointer")
		}
		x = value{obj: &Object{Type: t.Elem, Addr: p.u, InMem: true, mod: x.obj.mod}}
		t = t.Elem.Resolve()
	}
	if t.Kind != symbols.KindStruct && t.Kind != symbols.KindUnion {
		return value{}, fmt.Errorf("%s has no members", x.obj.Type.String())
	}
	if obj := ev.d.field(x.obj, t, name); obj != nil {
		return value{obj: obj}, nil
	}
	return value{}, fmt.Errorf("%s has no member %s", x.obj.Type.String(), name)
}

func (ev *evaluator) index(e *ast.IndexExpr) (value, error) {
	x, err := ev.eval(e.X)
	if err != nil {
		return value{}, err
	}
	if v, ok, err := ev.goIndex(x, e.Index); ok {
		return v, err
	}
	iv, err := ev.eval(e.Index)
	if err != nil {
		return value{}, err
	}
	i, err := ev.scalar(iv)
	if err != nil {
		return value{}, err
	}
	n := i.i
	if i.kind == symbols.KindUint {
		n = int64(i.u)
	}
	if x.obj != nil {
		if t := x.obj.Type.Resolve(); t.Kind == symbols.KindArray {
			if t.Count >= 0 && (n < 0 || n >= t.Count) {
				return value{}, fmt.Errorf("index %d out of range [0, %d)", n, t.Count)
			}
			return value{obj: ev.d.sub(x.obj, t.Elem, n*t.Elem.Resolve().Size)}, nil
		}
	}
	p, err := ev.scalar(x)
	if err != nil || p.kind != symbols.KindPointer || p.elem == nil {
		return value{}, errors.New("[] needs an array or a pointer")
	}
	return value{obj: &Object{Type: p.elem, Addr: p.u + uint64(n*p.elem.Resolve().Size), InMem: true, mod: ev.fr.mod}}, nil
}

func (ev *evaluator) unary(e *ast.UnaryExpr) (value, error) {
	if e.Op == token.AND {
		x, err := ev.eval(e.X)
		if err != nil {
			return value{}, err
		}
		if x.obj == nil || !x.obj.InMem {
			return value{}, errors.New("& needs a variable in memory")
		}
		return value{kind: symbols.KindPointer, u: x.obj.Addr, elem: x.obj.Type}, nil
	}
	x, err := ev.eval(e.X)
	if err == nil {
		x, err = ev.scalar(x)
	}
	if err != nil {
		return value{}, err
	}
	switch e.Op {
	case token.SUB:
		switch x.kind {
		case symbols.KindFloat:
			x.f = -x.f
		case symbols.KindUint:
			x.u = -x.u
		default:
			x.kind, x.i = symbols.KindInt, -x.i
		}
		return x, nil
	case token.ADD:
		return x, nil
	case token.NOT:
		return value{kind: symbols.KindBool, i: b2i(!truth(x))}, nil
	case token.XOR, token.TILDE:
		if x.kind == symbols.KindUint {
			return value{kind: symbols.KindUint, u: ^x.u}, nil
		}
		return value{kind: symbols.KindInt, i: ^x.i}, nil
	}
	return value{}, fmt.Errorf("operator %s is not supported", e.Op)
}

func truth(v value) bool {
	switch v.kind {
	case symbols.KindFloat:
		return v.f != 0
	case symbols.KindUint, symbols.KindPointer:
		return v.u != 0
	}
	return v.i != 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (ev *evaluator) binary(e *ast.BinaryExpr) (value, error) {
	if v, ok, err := ev.stringCompare(e); ok {
		return v, err
	}
	x, err := ev.eval(e.X)
	if err == nil {
		x, err = ev.scalar(x)
	}
	if err != nil {
		return value{}, err
	}
	if e.Op == token.LAND || e.Op == token.LOR {
		if (e.Op == token.LAND) != truth(x) { // short circuit
			return value{kind: symbols.KindBool, i: b2i(truth(x))}, nil
		}
		y, err := ev.eval(e.Y)
		if err == nil {
			y, err = ev.scalar(y)
		}
		if err != nil {
			return value{}, err
		}
		return value{kind: symbols.KindBool, i: b2i(truth(y))}, nil
	}
	y, err := ev.eval(e.Y)
	if err == nil {
		y, err = ev.scalar(y)
	}
	if err != nil {
		return value{}, err
	}
	if x.kind == symbols.KindPointer && (e.Op == token.ADD || e.Op == token.SUB) && y.kind != symbols.KindPointer && x.elem != nil {
		n := y.i
		if y.kind == symbols.KindUint {
			n = int64(y.u)
		}
		if e.Op == token.SUB {
			n = -n
		}
		x.u += uint64(n * x.elem.Resolve().Size)
		return x, nil
	}
	switch {
	case x.kind == symbols.KindFloat || y.kind == symbols.KindFloat:
		return floatOp(e.Op, toFloat(x), toFloat(y))
	case x.kind == symbols.KindUint || y.kind == symbols.KindUint || x.kind == symbols.KindPointer || y.kind == symbols.KindPointer:
		return uintOp(e.Op, toUint(x), toUint(y))
	}
	return intOp(e.Op, x.i, y.i)
}

// Expr is a parsed expression, evaluated again and again (a breakpoint's
// condition at every hit).
type Expr struct{ e ast.Expr }

// Compile parses src once.
func Compile(src string) (*Expr, error) {
	e, err := ParseExpr(src)
	if err != nil {
		return nil, err
	}
	return &Expr{e}, nil
}

// Truth evaluates x in frame f as a condition: true when not zero.
func (x *Expr) Truth(f Frame) (bool, error) {
	ev := newEvaluator(f)
	v, err := ev.eval(x.e)
	if err == nil {
		v, err = ev.scalar(v)
	}
	if err != nil {
		return false, err
	}
	return truth(v), nil
}

// Text evaluates x in frame f and formats its value as a variable's.
func (x *Expr) Text(f Frame) (string, error) {
	ev := newEvaluator(f)
	v, err := ev.eval(x.e)
	if err != nil {
		return "", err
	}
	return ev.present("", v).Value, nil
}
