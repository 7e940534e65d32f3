package cfi

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/go-delve/delve/pkg/dwarf/op"
)

// EvalCFAExpr evaluates a DWARF expression that computes a CFA (such as
// FrameRules.CFAExpr) with Delve's DWARF stack machine. regs supplies the
// current values of the DWARF registers 0 to 16 (x86-64: 0 rax, 1 rdx,
// 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 rip); it is
// called once for each of them before evaluation starts.
//
// The expression may not read memory (DW_OP_deref fails): that covers the
// PLT expression gcc's linker emits, which is
//
//	DW_OP_breg7 (rsp) 8; DW_OP_breg16 (rip) 0; DW_OP_lit15; DW_OP_and;
//	DW_OP_lit11; DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus
//
// i.e. rsp+8, plus 8 more once rip is past the push in the PLT entry.
func EvalCFAExpr(expr []byte, regs func(dwarfReg uint64) uint64) (cfa uint64, err error) {
	return EvalExpr(expr, regs, nil)
}

// EvalExpr is EvalCFAExpr with memory: read (when not nil) serves
// DW_OP_deref, which the CFI of glibc's signal trampoline needs to find the
// interrupted frame's registers in the signal frame.
func EvalExpr(expr []byte, regs func(dwarfReg uint64) uint64, read func(buf []byte, addr uint64) (int, error)) (cfa uint64, err error) {
	vals := make([]*op.DwarfRegister, DwarfRA+1)
	for i := range vals {
		vals[i] = op.DwarfRegisterFromUint64(regs(uint64(i)))
	}
	dregs := op.NewDwarfRegisters(0, vals, binary.LittleEndian, DwarfRA, DwarfRSP, DwarfRBP, 0)
	defer func() {
		// Delve's evaluator can panic on hostile input (DW_OP_div by 0).
		if r := recover(); r != nil {
			cfa, err = 0, fmt.Errorf("cfi: evaluating CFA expression % x: %v", expr, r)
		}
	}()
	var mem op.ReadMemoryFunc
	if read != nil {
		mem = func(buf []byte, addr uint64) (int, error) { return read(buf, addr) }
	}
	v, pieces, err := op.ExecuteStackProgram(*dregs, expr, 8, mem)
	if err != nil {
		return 0, fmt.Errorf("cfi: evaluating CFA expression % x: %w", expr, err)
	}
	if pieces != nil {
		return 0, fmt.Errorf("cfi: CFA expression % x: %w", expr, errors.New("names a location, not a value"))
	}
	return uint64(v), nil
}
