package target

import (
	"errors"
	"fmt"
	"go/token"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// The arithmetic of the expression evaluator, on C's usual conversions
// simplified: float if either side is, else unsigned if either side is
// (or a pointer), else signed 64-bit.

func toFloat(v value) float64 {
	switch v.kind {
	case symbols.KindFloat:
		return v.f
	case symbols.KindUint, symbols.KindPointer:
		return float64(v.u)
	}
	return float64(v.i)
}

func toUint(v value) uint64 {
	if v.kind == symbols.KindUint || v.kind == symbols.KindPointer {
		return v.u
	}
	return uint64(v.i)
}

var errDivZero = errors.New("division by zero")

func intOp(op token.Token, a, b int64) (value, error) {
	r := value{kind: symbols.KindInt}
	switch op {
	case token.ADD:
		r.i = a + b
	case token.SUB:
		r.i = a - b
	case token.MUL:
		r.i = a * b
	case token.QUO, token.REM:
		if b == 0 {
			return value{}, errDivZero
		}
		if op == token.QUO {
			r.i = a / b
		} else {
			r.i = a % b
		}
	case token.SHL:
		r.i = a << uint64(b)
	case token.SHR:
		r.i = a >> uint64(b)
	case token.AND:
		r.i = a & b
	case token.OR:
		r.i = a | b
	case token.XOR:
		r.i = a ^ b
	default:
		return compare(op, cmpInt(a, b))
	}
	return r, nil
}

func uintOp(op token.Token, a, b uint64) (value, error) {
	r := value{kind: symbols.KindUint}
	switch op {
	case token.ADD:
		r.u = a + b
	case token.SUB:
		r.u = a - b
	case token.MUL:
		r.u = a * b
	case token.QUO, token.REM:
		if b == 0 {
			return value{}, errDivZero
		}
		if op == token.QUO {
			r.u = a / b
		} else {
			r.u = a % b
		}
	case token.SHL:
		r.u = a << b
	case token.SHR:
		r.u = a >> b
	case token.AND:
		r.u = a & b
	case token.OR:
		r.u = a | b
	case token.XOR:
		r.u = a ^ b
	default:
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		return compare(op, c)
	}
	return r, nil
}

func floatOp(op token.Token, a, b float64) (value, error) {
	r := value{kind: symbols.KindFloat}
	switch op {
	case token.ADD:
		r.f = a + b
	case token.SUB:
		r.f = a - b
	case token.MUL:
		r.f = a * b
	case token.QUO:
		if b == 0 {
			return value{}, errDivZero
		}
		r.f = a / b
	default:
		c := 0
		if a < b {
			c = -1
		} else if a > b {
			c = 1
		}
		if op == token.EQL || op == token.NEQ || op == token.LSS || op == token.GTR || op == token.LEQ || op == token.GEQ {
			return compare(op, c)
		}
		return value{}, fmt.Errorf("operator %s does not apply to floating-point values", op)
	}
	return r, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(op token.Token, c int) (value, error) {
	var t bool
	switch op {
	case token.EQL:
		t = c == 0
	case token.NEQ:
		t = c != 0
	case token.LSS:
		t = c < 0
	case token.GTR:
		t = c > 0
	case token.LEQ:
		t = c <= 0
	case token.GEQ:
		t = c >= 0
	default:
		return value{}, fmt.Errorf("operator %s is not supported", op)
	}
	return value{kind: symbols.KindBool, i: b2i(t)}, nil
}
