package eval

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// stringCompare evaluates x == "lit" and x != "lit" (either side the
// literal) against a C string (char *, char array) or a Go string, as a
// breakpoint condition would: name == "square". ok is false when neither
// side is a string literal.
func (ev *evaluator) stringCompare(e *ast.BinaryExpr) (v value, ok bool, err error) {
	lit, other := e.Y, e.X
	if !isStringLit(lit) {
		lit, other = e.X, e.Y
		if !isStringLit(lit) {
			return value{}, false, nil
		}
	}
	if e.Op != token.EQL && e.Op != token.NEQ {
		return value{}, true, fmt.Errorf("operator %s does not apply to strings (only == and !=)", e.Op)
	}
	l, err := ev.eval(lit)
	if err != nil {
		return value{}, true, err
	}
	o, err := ev.eval(other)
	if err != nil {
		return value{}, true, err
	}
	s, err := ev.stringOf(o, len(l.str))
	if err != nil {
		return value{}, true, err
	}
	return value{kind: symbols.KindBool, i: b2i((s == l.str) == (e.Op == token.EQL))}, true, nil
}

func isStringLit(e ast.Expr) bool {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

// stringOf reads v as a string, at most n+1 bytes of it: enough to tell
// whether it equals a literal of length n. A NULL char * reads as a string
// no literal equals.
func (ev *evaluator) stringOf(v value, n int) (string, error) {
	if v.isStr {
		return v.str, nil
	}
	if v.obj == nil {
		return "", fmt.Errorf("cannot compare %s with a string", describe(v))
	}
	d := ev.d
	if kind, _ := goKindOf(v.obj.Type); kind == symbols.GoString {
		w, err := d.words(v.obj, 2)
		if err != nil {
			return "", err
		}
		length := min(int64(w[1]), int64(n)+1)
		if length <= 0 {
			return "", nil
		}
		b := make([]byte, length)
		if _, err := d.ReadAt(b, w[0]); err != nil {
			return "", fmt.Errorf("<unreadable at %#x>", w[0])
		}
		return string(b), nil
	}
	t := v.obj.Type.Resolve()
	var addr uint64
	limit := n + 1
	switch {
	case t.Kind == symbols.KindArray && t.Elem.Resolve().Kind == symbols.KindChar && t.Elem.Resolve().Size == 1:
		b, err := d.bytesOf(v.obj, min(max(t.Count, 0), int64(limit)))
		if err != nil {
			return "", err
		}
		s, _, _ := strings.Cut(string(b), "\x00")
		return s, nil
	case t.Kind == symbols.KindPointer && t.Elem != nil && t.Elem.Resolve().Kind == symbols.KindChar:
		p, err := ev.scalar(v)
		if err != nil {
			return "", err
		}
		addr = p.u
	default:
		return "", fmt.Errorf("cannot compare %s with a string (only char *, char arrays and Go strings)", v.obj.Type)
	}
	if addr == 0 {
		return "\x00<NULL>", nil // equal to no literal
	}
	b := make([]byte, limit)
	m, _ := d.ReadAt(b, addr)
	if m == 0 {
		return "", errors.New("the string is unreadable")
	}
	s, _, _ := strings.Cut(string(b[:m]), "\x00")
	return s, nil
}

// outsideQuotes applies f to the parts of src outside string and
// character literals, so that name == "a->b" keeps its text.
func outsideQuotes(src string, f func(string) string) string {
	var sb strings.Builder
	start := 0
	for i := 0; i < len(src); i++ {
		q := src[i]
		if q != '"' && q != '\'' {
			continue
		}
		sb.WriteString(f(src[start:i]))
		j := i + 1
		for j < len(src) && src[j] != q {
			if src[j] == '\\' {
				j++
			}
			j++
		}
		j = min(j+1, len(src))
		sb.WriteString(src[i:j])
		start, i = j, j-1
	}
	sb.WriteString(f(src[start:]))
	return sb.String()
}
