package eval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"go/ast"
	"math"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Assign assigns the value of expression src to the variable or member
// named by target (an expression that names an object in memory) in frame
// f, and returns the variable as it is now.
// Integers, characters, bools, floats, enums (by name or number) and
// pointers can be set.
func Assign(f Frame, target, src string) (Var, error) {
	var out Var
	err := inFrame(f, target, func(ev *evaluator, dst value) error {
		if dst.obj == nil || !dst.obj.InMem {
			return fmt.Errorf("%s is not a variable in memory; it cannot be set", target)
		}
		t := dst.obj.Type.Resolve()
		var nv value
		if t.Kind == symbols.KindEnum {
			for _, e := range t.Enumerators {
				if e.Name == strings.TrimSpace(src) {
					nv = value{kind: symbols.KindInt, i: e.Value}
				}
			}
		}
		if nv.kind == 0 {
			se, err := ParseExpr(src)
			if err != nil {
				return err
			}
			v, err := ev.eval(se)
			if err == nil {
				nv, err = ev.scalar(v)
			}
			if err != nil {
				return err
			}
		}
		b, err := encodeScalar(t, nv)
		if err != nil {
			return fmt.Errorf("cannot assign %s to %s (%s): %v", src, target, dst.obj.Type, err)
		}
		if _, err := ev.d.WriteAt(b, dst.obj.Addr); err != nil {
			return err
		}
		out = ev.d.present(target, dst.obj)
		return nil
	})
	return out, err
}

// encodeScalar converts v to the bytes of a value of type t.
func encodeScalar(t *symbols.Type, v value) ([]byte, error) {
	size := t.Size
	if size <= 0 || size > 8 {
		return nil, errors.New("only scalar values can be assigned")
	}
	var u uint64
	switch t.Kind {
	case symbols.KindFloat:
		f := toFloat(v)
		switch size {
		case 4:
			u = uint64(math.Float32bits(float32(f)))
		case 8:
			u = math.Float64bits(f)
		default:
			return nil, errors.New("long double is not supported")
		}
	case symbols.KindInt, symbols.KindUint, symbols.KindChar, symbols.KindEnum, symbols.KindBool, symbols.KindPointer:
		if v.kind == symbols.KindFloat {
			if t.Kind == symbols.KindPointer {
				return nil, errors.New("a floating-point value is not an address")
			}
			v = value{kind: symbols.KindInt, i: int64(v.f)}
		}
		u = toUint(v)
		if t.Kind == symbols.KindBool && u != 0 {
			u = 1
		}
	default:
		return nil, errors.New("only scalar values can be assigned")
	}
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, u)
	return b[:size], nil
}

// RegisterName returns the register an expression names alone ("$rax"
// gives "rax"), for a client that assigns to it.
func RegisterName(expr string) (string, bool) {
	e, err := ParseExpr(expr)
	if err != nil {
		return "", false
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return "", false
	}
	return strings.CutPrefix(id.Name, regPrefix)
}

// RegisterValue evaluates src in frame f as a value for register name.
func RegisterValue(f Frame, name, src string) (uint64, error) {
	e, err := ParseExpr(src)
	if err != nil {
		return 0, err
	}
	ev := newEvaluator(f)
	v, err := ev.eval(e)
	if err == nil {
		v, err = ev.scalar(v)
	}
	if err != nil {
		return 0, err
	}
	if v.kind == symbols.KindFloat {
		return 0, fmt.Errorf("cannot assign %s to %s: a register takes an integer", src, name)
	}
	return toUint(v), nil
}

// Place finds what expression expr (a variable, member, element or
// dereference) names in frame f: its address, size and type. It must live
// in memory (for a data breakpoint, say).
func Place(f Frame, expr string) (addr uint64, size int64, typ string, err error) {
	err = inFrame(f, expr, func(ev *evaluator, v value) error {
		if v.obj == nil || !v.obj.InMem {
			return fmt.Errorf("%s is not in memory (a register or a computed value cannot be watched)", expr)
		}
		addr, size, typ = v.obj.Addr, v.obj.Type.Resolve().Size, v.obj.Type.String()
		return nil
	})
	return addr, size, typ, err
}
