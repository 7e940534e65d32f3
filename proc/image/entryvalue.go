package image

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// EntryValue computes DW_OP_entry_value(block) for the frame whose walk
// caller continues (a copy of the walk that yielded the frame): the value
// a register had when the frame's function was entered, as the caller's call site
// describes it (DW_AT_call_value), evaluated in the caller's frame. gcc
// describes it with the caller's callee-saved registers, its frame or
// constants, all of which unwinding recovers.
func (im *Image) EntryValue(caller unwind.Iterator, block []byte) (uint64, error) {
	it := caller // a copy: the frame's walk goes on from it
	if !it.Next() {
		return 0, errors.New("no calling frame")
	}
	c := it.Frame()
	ret := c.PC()
	m := im.ModuleAt(ret - 1)
	if m == nil || m.Sym == nil || !m.Sym.HasDWARF() {
		return 0, errors.New("the caller has no debug information")
	}
	expr, ok, err := m.Sym.CallSiteValue(ret-m.Bias, block)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errors.New("the call site does not record it")
	}
	fb, err := m.Sym.FrameBaseAt(ret - 1 - m.Bias)
	if err != nil {
		return 0, err
	}
	ctx := symbols.LocContext{
		Regs:      c.Get,
		CFA:       c.CFA,
		FrameBase: fb,
		Read:      im.mem.ReadAt,
		Bias:      m.Bias,
	}
	pieces, err := symbols.EvalLocation(expr, ctx, 8)
	if err != nil {
		return 0, err
	}
	if len(pieces) != 1 {
		return 0, fmt.Errorf("a call value in %d pieces", len(pieces))
	}
	// The expression computes the value itself: its result is what a
	// location would call an address.
	switch p := pieces[0]; {
	case p.InReg:
		v, ok := ctx.Regs(p.Reg)
		if !ok {
			return 0, errors.New("the caller's register is not known")
		}
		return v, nil
	case p.IsValue:
		var b [8]byte
		copy(b[:], p.Value)
		return binary.LittleEndian.Uint64(b[:]), nil
	case p.Missing:
		return 0, errors.New("optimized out in the caller")
	default:
		return p.Addr, nil
	}
}
