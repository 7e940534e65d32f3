package eval

import (
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// C casts have no Go spelling, so ParseExpr rewrites them before go/parser
// sees the text: (T)operand becomes castPrefix+hex(T)+"(operand)", a call
// the evaluator recognises, and sizeof(T) becomes sizeof(typePrefix+hex(T)).
// The operand is found as C binds it (prefix operators, a primary, then
// postfix . [] and calls), so (char *)p + 1 is pointer arithmetic on a
// char * and (long)p->next casts the member. The type travels in the name
// because a parsed condition is kept and evaluated many times.
const (
	castPrefix = "__cast_"
	typePrefix = "__type_"
)

var (
	cBaseWords = map[string]bool{"void": true, "char": true, "short": true, "int": true, "long": true,
		"float": true, "double": true, "signed": true, "unsigned": true, "_Bool": true, "bool": true}
	cQualWords = map[string]bool{"const": true, "volatile": true, "restrict": true}
	cTagWords  = map[string]bool{"struct": true, "union": true, "enum": true, "class": true}
)

// ctok is one token of an expression, with its byte span.
type ctok struct {
	tok      token.Token
	lit      string
	pos, end int
}

func scanTokens(src string) []ctok {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, 0) // errors are go/parser's to report
	var out []ctok
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // inserted by the scanner, not in the text
		}
		off := file.Offset(pos)
		n := len(lit)
		if lit == "" {
			n = len(tok.String())
		}
		out = append(out, ctok{tok: tok, lit: lit, pos: off, end: off + n})
	}
}

// word is token k as a word (an identifier or a Go keyword such as
// struct or const), or "".
func word(ts []ctok, k int) string {
	if k < len(ts) && (ts[k].tok == token.IDENT || ts[k].tok.IsKeyword()) {
		return ts[k].lit
	}
	return ""
}

// typeName reads a C type name from token i up to its closing parenthesis:
// "unsigned char", "struct point *", "myint". strong reports that it
// cannot be anything but a type (a keyword, or a pointer declarator);
// a lone identifier may also be a parenthesised variable.
func typeName(ts []ctok, i int) (spec string, next int, strong, ok bool) {
	for cQualWords[word(ts, i)] {
		i, strong = i+1, true
	}
	var words []string
	switch w := word(ts, i); {
	case cTagWords[w]:
		if i+1 >= len(ts) || ts[i+1].tok != token.IDENT {
			return "", 0, false, false
		}
		words, i, strong = []string{w, ts[i+1].lit}, i+2, true
	case cBaseWords[w]:
		for cBaseWords[word(ts, i)] || cQualWords[word(ts, i)] {
			if w := word(ts, i); cBaseWords[w] {
				words = append(words, w)
			}
			i++
		}
		strong = true
	case w != "" && ts[i].tok == token.IDENT && !strings.HasPrefix(w, castPrefix) && !strings.HasPrefix(w, typePrefix):
		words, i = []string{w}, i+1
	default:
		return "", 0, false, false
	}
	stars := 0
	for i < len(ts) && (ts[i].tok == token.MUL || cQualWords[word(ts, i)]) {
		if ts[i].tok == token.MUL {
			stars++
		}
		i++
	}
	if i >= len(ts) || ts[i].tok != token.RPAREN {
		return "", 0, false, false
	}
	spec = strings.Join(words, " ")
	if stars > 0 {
		spec += " " + strings.Repeat("*", stars)
	}
	return spec, i + 1, strong || stars > 0, true
}

// closing returns the index of the bracket closing the one at i, or -1.
func closing(ts []ctok, i int) int {
	depth := 0
	for k := i; k < len(ts); k++ {
		switch ts[k].tok {
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK:
			if depth--; depth == 0 {
				return k
			}
		}
	}
	return -1
}

// castAt reports whether the parenthesis at i opens a cast, and where its
// type name ends. A lone identifier in parentheses is a cast only where a
// variable could not be: right before an operand, as in (myint)v or
// (myint)(x + 1); (a)-b stays a subtraction.
func castAt(ts []ctok, i int) (spec string, next int, ok bool) {
	if i > 0 && (ts[i-1].tok == token.IDENT || ts[i-1].tok == token.RBRACK || ts[i-1].tok == token.PERIOD) {
		return "", 0, false // a call or sizeof, or Go's x.(T), not a cast
	}
	spec, next, strong, ok := typeName(ts, i+1)
	if !ok || strong {
		return spec, next, ok
	}
	if next < len(ts) {
		switch ts[next].tok {
		case token.IDENT, token.INT, token.FLOAT, token.CHAR, token.STRING, token.LPAREN, token.NOT, token.TILDE:
			return spec, next, true
		}
	}
	return "", 0, false
}

// operandEnd returns the index just past the operand of a cast that
// starts at token j (C's cast-expression), or false if none starts there.
func operandEnd(ts []ctok, j int) (int, bool) {
	for j < len(ts) {
		switch ts[j].tok {
		case token.SUB, token.ADD, token.NOT, token.TILDE, token.XOR, token.MUL, token.AND:
			j++
			continue
		case token.LPAREN:
			if _, k, ok := castAt(ts, j); ok {
				j = k
				continue
			}
			if j = closing(ts, j); j < 0 {
				return 0, false
			}
		case token.IDENT, token.INT, token.FLOAT, token.CHAR, token.STRING:
		default:
			return 0, false
		}
		j++
		for j < len(ts) { // postfix: .member, [index], (call)
			switch {
			case ts[j].tok == token.PERIOD && j+1 < len(ts) && ts[j+1].tok == token.IDENT:
				j += 2
			case ts[j].tok == token.LBRACK || ts[j].tok == token.LPAREN:
				k := closing(ts, j)
				if k < 0 {
					return 0, false
				}
				j = k + 1
			default:
				return j, true
			}
		}
		return j, true
	}
	return 0, false
}

// rewriteCasts turns C casts and sizeof(type) into calls and names that
// go/parser accepts, one at a time from the left (the operand of a cast
// may hold casts of its own, rewritten in later rounds).
func rewriteCasts(src string) (string, error) {
	for round := 0; round < 64; round++ {
		ts := scanTokens(src)
		changed := false
		for i := 0; i < len(ts) && !changed; i++ {
			if ts[i].tok != token.LPAREN {
				continue
			}
			if i > 0 && word(ts, i-1) == "sizeof" {
				if spec, next, strong, ok := typeName(ts, i+1); ok && strong {
					src = src[:ts[i].pos] + "(" + typePrefix + hex.EncodeToString([]byte(spec)) + ")" + src[ts[next-1].end:]
					changed = true
				}
				continue
			}
			spec, next, ok := castAt(ts, i)
			if !ok {
				continue
			}
			end, ok := operandEnd(ts, next)
			if !ok {
				return "", fmt.Errorf("the cast to %s needs a value after it", spec)
			}
			operand := src[ts[next].pos:ts[end-1].end]
			src = src[:ts[i].pos] + castPrefix + hex.EncodeToString([]byte(spec)) + "(" + operand + ")" + src[ts[end-1].end:]
			changed = true
		}
		if !changed {
			return src, nil
		}
	}
	return "", errors.New("too many casts")
}

// specOf decodes the type name carried by a rewritten cast or sizeof.
func specOf(name, prefix string) (string, bool) {
	h, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return "", false
	}
	b, err := hex.DecodeString(h)
	return string(b), err == nil
}

// castCall evaluates a rewritten cast; ok is false for other calls.
func (ev *evaluator) castCall(e *ast.CallExpr) (v value, ok bool, err error) {
	id, isIdent := e.Fun.(*ast.Ident)
	if !isIdent || len(e.Args) != 1 {
		return value{}, false, nil
	}
	spec, ok := specOf(id.Name, castPrefix)
	if !ok {
		return value{}, false, nil
	}
	t, err := ev.typeOf(spec)
	if err != nil {
		return value{}, true, err
	}
	x, err := ev.eval(e.Args[0])
	if err != nil {
		return value{}, true, err
	}
	v, err = ev.cast(t, x)
	return v, true, err
}

// typeOf finds the type a cast names: DWARF's types of the frame's
// module, then of the executable, by the name as written ("uint8_t",
// "struct point", "int"), then C's base types by their keywords
// ("unsigned long"), then pointer levels over it.
func (ev *evaluator) typeOf(spec string) (*symbols.Type, error) {
	name := strings.TrimRight(spec, " *")
	stars := strings.Count(spec[len(name):], "*")
	var t *symbols.Type
	for _, m := range []*module{ev.fr.mod, moduleOf(ev.d.Exe())} {
		if m != nil && m.sym != nil {
			if found, ok := m.sym.CType(name); ok {
				t = found
				break
			}
		}
	}
	if t == nil {
		base, err := cBaseType(name)
		if err != nil {
			return nil, err
		}
		t = base
	}
	for i := 0; i < stars; i++ {
		n := t.Name + " *"
		if t.Kind == symbols.KindPointer {
			n = t.Name + "*"
		}
		t = &symbols.Type{Kind: symbols.KindPointer, Size: 8, Elem: t, Name: n}
	}
	return t, nil
}

// cBaseType builds a C base type from its keywords, with x86-64's sizes,
// for the names DWARF spells otherwise ("long" is DWARF's "long int") or
// not at all (the program never uses the type).
func cBaseType(name string) (*symbols.Type, error) {
	unknown := fmt.Errorf("no type named %q in this program", name)
	var unsigned, signed bool
	var longs, shorts int
	base := ""
	for _, w := range strings.Fields(name) {
		switch w {
		case "unsigned":
			unsigned = true
		case "signed":
			signed = true
		case "long":
			longs++
		case "short":
			shorts++
		case "int", "char", "float", "double", "void", "bool", "_Bool":
			if base != "" {
				return nil, unknown
			}
			base = w
		default:
			return nil, unknown
		}
	}
	sized := unsigned || signed || longs > 0 || shorts > 0
	if unsigned && signed || longs > 2 || shorts > 1 || longs > 0 && shorts > 0 {
		return nil, fmt.Errorf("%q is not a C type", name)
	}
	switch base {
	case "void", "bool", "_Bool", "float":
		if sized {
			return nil, fmt.Errorf("%q is not a C type", name)
		}
		switch base {
		case "void":
			return &symbols.Type{Kind: symbols.KindVoid, Name: "void"}, nil
		case "float":
			return &symbols.Type{Kind: symbols.KindFloat, Size: 4, Name: "float"}, nil
		}
		return &symbols.Type{Kind: symbols.KindBool, Size: 1, Name: base}, nil
	case "double":
		if longs > 0 {
			return nil, errors.New("long double is not supported in casts")
		}
		if sized {
			return nil, fmt.Errorf("%q is not a C type", name)
		}
		return &symbols.Type{Kind: symbols.KindFloat, Size: 8, Name: "double"}, nil
	case "char":
		if longs > 0 || shorts > 0 {
			return nil, fmt.Errorf("%q is not a C type", name)
		}
		n := "char"
		switch {
		case unsigned:
			n = "unsigned char"
		case signed:
			n = "signed char"
		}
		return &symbols.Type{Kind: symbols.KindChar, Size: 1, Signed: !unsigned, Name: n}, nil
	}
	t := &symbols.Type{Kind: symbols.KindInt, Size: 4, Signed: true, Name: "int"}
	switch {
	case shorts > 0:
		t.Size, t.Name = 2, "short"
	case longs == 1:
		t.Size, t.Name = 8, "long"
	case longs == 2:
		t.Size, t.Name = 8, "long long"
	}
	if unsigned {
		t.Kind, t.Signed, t.Name = symbols.KindUint, false, "unsigned "+t.Name
	}
	return t, nil
}

// cast converts v to type t as C does: numbers and pointers are converted
// (truncated, sign-extended, made float) into a value that lives nowhere;
// a struct, union or array type views v's memory as that type, which only
// a value in memory has.
func (ev *evaluator) cast(t *symbols.Type, v value) (value, error) {
	rt := t.Resolve()
	switch rt.Kind {
	case symbols.KindStruct, symbols.KindUnion, symbols.KindArray:
		if rt.Incomplete {
			return value{}, fmt.Errorf("cannot cast to %s: it is only declared, its members are unknown", t)
		}
		if v.obj == nil || !v.obj.InMem {
			return value{}, fmt.Errorf("cannot cast %s to %s: only a value in memory can be viewed as a %s (for an address, write *(%s *)addr)",
				describe(v), t, rt.Kind, t)
		}
		return value{obj: &Object{Type: t, Addr: v.obj.Addr, InMem: true, mod: ev.fr.mod}}, nil
	case symbols.KindInt, symbols.KindUint, symbols.KindChar, symbols.KindBool, symbols.KindFloat,
		symbols.KindEnum, symbols.KindPointer:
	default:
		return value{}, fmt.Errorf("cannot cast to %s", t)
	}
	sv, err := ev.scalar(v)
	if err != nil {
		return value{}, fmt.Errorf("cannot cast %s to %s: %v", describe(v), t, err)
	}
	if rt.Kind == symbols.KindBool {
		sv = value{kind: symbols.KindInt, i: b2i(truth(sv))}
	}
	b, err := encodeScalar(rt, sv)
	if err != nil {
		return value{}, fmt.Errorf("cannot cast %s to %s: %v", describe(v), t, err)
	}
	return value{obj: &Object{Type: t, Bytes: b, mod: ev.fr.mod}}, nil
}

// describe names what a value is, for error messages.
func describe(v value) string {
	switch {
	case v.obj != nil:
		return "a " + v.obj.Type.String()
	case v.isStr:
		return "a string"
	}
	return "a " + numberType(v)
}

// sizeofType evaluates sizeof(T) as rewritten; ok is false for sizeof(x).
func (ev *evaluator) sizeofType(e ast.Expr) (v value, ok bool, err error) {
	id, isIdent := e.(*ast.Ident)
	if !isIdent {
		return value{}, false, nil
	}
	spec, ok := specOf(id.Name, typePrefix)
	if !ok {
		return value{}, false, nil
	}
	t, err := ev.typeOf(spec)
	if err != nil {
		return value{}, true, err
	}
	return value{kind: symbols.KindUint, u: uint64(t.Resolve().Size)}, true, nil
}
