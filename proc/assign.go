package proc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// SetVariable assigns the value of expression src to the variable or
// member named by target (an expression that names an object in memory) in
// frame level of thread tid, and returns the variable as it is now.
// Integers, characters, bools, floats, enums (by name or number) and
// pointers can be set.
func (d *Debugger) SetVariable(tid, level int, target, src string) (Var, error) {
	var out Var
	err := d.inFrame(tid, level, target, func(ev *evaluator, dst value) error {
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
		if _, err := d.p.mem.WriteAt(b, dst.obj.Addr); err != nil {
			return err
		}
		out = d.present(target, dst.obj)
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

// WriteMemory writes data at addr (through read-only mappings too) and
// returns how many bytes were written. Breakpoints in the range keep
// working: their saved bytes take the new values.
func (d *Debugger) WriteMemory(addr uint64, data []byte) (int, error) {
	var n int
	err := d.do(func() error {
		p := d.p
		if p == nil {
			return ErrNoProcess
		}
		buf := append([]byte(nil), data...)
		for a, s := range p.bps.sites {
			if s.inserted && a >= addr && a < addr+uint64(len(buf)) {
				s.orig = buf[a-addr]
				buf[a-addr] = int3
			}
		}
		var err error
		n, err = p.mem.WriteAt(buf, addr)
		return err
	})
	return n, err
}
