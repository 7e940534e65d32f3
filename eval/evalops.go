package eval

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
	if r, ok, err := arith(op, a, b); ok || err != nil {
		return value{kind: symbols.KindInt, i: r}, err
	}
	return compare(op, sign(a, b))
}

func uintOp(op token.Token, a, b uint64) (value, error) {
	if r, ok, err := arith(op, a, b); ok || err != nil {
		return value{kind: symbols.KindUint, u: r}, err
	}
	return compare(op, sign(a, b))
}

// arith applies an arithmetic or bitwise op to signed or unsigned integers
// alike; ok is false for an op it does not know (a comparison).
func arith[T int64 | uint64](op token.Token, a, b T) (r T, ok bool, err error) {
	switch op {
	case token.ADD:
		return a + b, true, nil
	case token.SUB:
		return a - b, true, nil
	case token.MUL:
		return a * b, true, nil
	case token.QUO, token.REM:
		if b == 0 {
			return 0, true, errDivZero
		}
		if op == token.QUO {
			return a / b, true, nil
		}
		return a % b, true, nil
	case token.SHL:
		return a << uint64(b), true, nil
	case token.SHR:
		return a >> uint64(b), true, nil
	case token.AND:
		return a & b, true, nil
	case token.OR:
		return a | b, true, nil
	case token.XOR:
		return a ^ b, true, nil
	}
	return 0, false, nil
}

// sign is -1, 0 or 1 as a is below, equal to or above b.
func sign[T int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
		c := sign(a, b)
		if op == token.EQL || op == token.NEQ || op == token.LSS || op == token.GTR || op == token.LEQ || op == token.GEQ {
			return compare(op, c)
		}
		return value{}, fmt.Errorf("operator %s does not apply to floating-point values", op)
	}
	return r, nil
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
