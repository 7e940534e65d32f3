package symbols

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
	"github.com/dap-ptrace/dap-ptrace/symbols/dwarfsec"
	"github.com/go-delve/delve/pkg/dwarf/op"
)

// LocContext is what evaluating a location expression may need to know
// about one stack frame of the running program.
type LocContext struct {
	// Regs returns the frame's registers in DWARF numbering (0 rax, 1 rdx,
	// 2 rcx, 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 rip,
	// 17-32 xmm0-15 low 64 bits); false for one that is unknown.
	Regs func(dwarfReg uint64) (uint64, bool)
	// CFA is the frame's canonical frame address (DW_OP_call_frame_cfa).
	CFA uint64
	// FrameBase is the function's DW_AT_frame_base expression, as returned
	// by LocalsAt; needed for DW_OP_fbreg.
	FrameBase []byte
	// Read reads the program's memory (DW_OP_deref); nil forbids it.
	Read func(buf []byte, addr uint64) (int, error)
	// Bias is the load bias added to DW_OP_addr operands.
	Bias uint64
	// EntryValue computes DW_OP_entry_value: the value the expression
	// block (usually one DW_OP_regN) had when the function was entered.
	// Nil, or an error, leaves the variable without a value.
	EntryValue func(block []byte) (uint64, error)
}

// ErrNoEntryValue reports a DW_OP_entry_value that could not be computed:
// the variable is, to the user, optimized out.
var ErrNoEntryValue = errors.New("value at function entry not recoverable")

// Piece is one part of a variable's storage. Exactly one of InReg, IsValue
// and Missing is true, or none for memory at Addr.
type Piece struct {
	Size    int64  // bytes
	InReg   bool   // in DWARF register Reg
	Reg     uint64 //
	Addr    uint64 // in memory at Addr (when not InReg, IsValue or Missing)
	IsValue bool   // not stored anywhere: the bytes are Value (DW_OP_stack_value, DW_OP_implicit_value)
	Value   []byte // little-endian
	Missing bool   // optimized out: DW_OP_piece with an empty location
}

// ErrOptimizedOut reports a variable without a location (nil expression).
var ErrOptimizedOut = errors.New("optimized out")

// maxRegs is how many DWARF registers EvalLocation offers the evaluator.
const maxRegs = 33

// EvalLocation evaluates a location expression (Variable.Loc) for a
// variable of size bytes: the result is one Piece covering the variable,
// or several when the expression uses DW_OP_piece. Evaluation uses Delve's
// DWARF stack machine; DW_OP_entry_value, TLS and bit pieces are not
// supported and give an error. A nil expression gives ErrOptimizedOut.
func EvalLocation(expr []byte, ctx LocContext, size int64) (pieces []Piece, err error) {
	if len(expr) == 0 {
		return nil, fmt.Errorf("symbols: %w", ErrOptimizedOut)
	}
	expr, err = substEntryValues(expr, ctx.EntryValue)
	if err != nil {
		return nil, err
	}
	defer func() {
		// Delve's evaluator can panic on hostile input (DW_OP_div by 0).
		if r := recover(); r != nil {
			pieces, err = nil, fmt.Errorf("symbols: evaluating location % x: %v", expr, r)
		}
	}()
	vals := make([]*op.DwarfRegister, maxRegs)
	if ctx.Regs != nil {
		for i := range vals {
			if v, ok := ctx.Regs(uint64(i)); ok {
				vals[i] = op.DwarfRegisterFromUint64(v)
			}
		}
	}
	regs := op.NewDwarfRegisters(ctx.Bias, vals, binary.LittleEndian, cfi.DwarfRA, cfi.DwarfRSP, cfi.DwarfRBP, 0)
	regs.CFA = int64(ctx.CFA)
	var mem op.ReadMemoryFunc
	if ctx.Read != nil {
		mem = func(buf []byte, addr uint64) (int, error) { return ctx.Read(buf, addr) }
	}
	if len(ctx.FrameBase) > 0 {
		fb, _, err := op.ExecuteStackProgram(*regs, ctx.FrameBase, 8, mem)
		if err != nil {
			return nil, fmt.Errorf("symbols: evaluating frame base % x: %w", ctx.FrameBase, err)
		}
		regs.FrameBase = fb
	}
	v, dps, err := op.ExecuteStackProgram(*regs, expr, 8, mem)
	if err != nil {
		return nil, fmt.Errorf("symbols: evaluating location % x: %w", expr, err)
	}
	if dps == nil {
		return []Piece{{Size: size, Addr: uint64(v)}}, nil
	}
	empty := emptyPieces(expr)
	for i, dp := range dps {
		p := Piece{Size: int64(dp.Size)}
		if len(dps) == 1 && p.Size == 0 {
			p.Size = size
		}
		switch dp.Kind {
		case op.AddrPiece:
			p.Addr = dp.Val
		case op.RegPiece:
			p.InReg, p.Reg = true, dp.Val
		case op.ImmPiece:
			switch {
			case i < len(empty) && empty[i]:
				p.Missing = true
			case dp.Bytes != nil:
				p.IsValue, p.Value = true, dp.Bytes
			default:
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], dp.Val)
				n := p.Size
				if n <= 0 || n > 8 {
					n = 8
				}
				p.IsValue, p.Value = true, b[:n]
			}
		}
		pieces = append(pieces, p)
	}
	return pieces, nil
}

// emptyPieces tells, for each DW_OP_piece of expr in order, whether the
// location before it was empty (the piece is optimized out). Delve reports
// such a piece like a zero value, so it has to be found here. An opcode it
// cannot step over ends the scan; pieces after it count as not empty.
func emptyPieces(expr []byte) []bool {
	r := dwarfsec.Reader{Data: expr}
	var out []bool
	empty := true
	for r.Off < uint64(len(expr)) && r.Err == nil {
		o := r.U8()
		if o == 0x93 { // DW_OP_piece
			r.Uleb()
			out = append(out, empty)
			empty = true
			continue
		}
		empty = false
		if !skipOperands(&r, o) {
			break
		}
	}
	return out
}

// skipOperands steps over the operands of opcode o, reporting false for an
// opcode it does not know.
func skipOperands(r *dwarfsec.Reader, o byte) bool {
	switch {
	case o >= 0x30 && o <= 0x6f: // litN, regN
	case o >= 0x70 && o <= 0x8f: // bregN
		r.Sleb()
	case o == 0x03: // addr
		r.U64()
	case o == 0x08, o == 0x09, o == 0x15, o == 0x94, o == 0x95: // const1, pick, deref_size
		r.U8()
	case o == 0x0a, o == 0x0b, o == 0x2f, o == 0x28, o == 0x98: // const2, skip, bra, call2
		r.Skip(2)
	case o == 0x0c, o == 0x0d, o == 0x99, o == 0x9a: // const4, call4, call_ref
		r.Skip(4)
	case o == 0x0e, o == 0x0f: // const8
		r.U64()
	case o == 0x10, o == 0x23, o == 0x90, o == 0xa1, o == 0xa2, o == 0xa8, o == 0xa9: // constu, plus_uconst, regx, addrx, constx, convert, reinterpret
		r.Uleb()
	case o == 0x11, o == 0x91: // consts, fbreg
		r.Sleb()
	case o == 0x92, o == 0x9d: // bregx, bit_piece
		r.Uleb()
		r.Sleb()
	case o == 0x9e, o == 0xa3, o == 0xf3: // implicit_value, entry_value, GNU_entry_value
		r.Block()
	case o <= 0x2f && o >= 0x06, o >= 0x96 && o <= 0x9c, o == 0x9f, o == 0xe0: // no-operand arithmetic, nop, push_object_address, call_frame_cfa, stack_value, form_tls, GNU_push_tls
	default:
		return false
	}
	return r.Err == nil
}

// substEntryValues replaces each DW_OP_entry_value (and gcc's older
// DW_OP_GNU_entry_value) of expr by a constant computed by ev, because
// Delve's evaluator does not know the operation. Expressions that branch
// are left alone when they hold one: the rewrite moves the targets.
func substEntryValues(expr []byte, ev func([]byte) (uint64, error)) ([]byte, error) {
	if bytes.IndexByte(expr, 0xa3) < 0 && bytes.IndexByte(expr, 0xf3) < 0 {
		return expr, nil // fast path: the byte is in no opcode or operand
	}
	r := dwarfsec.Reader{Data: expr}
	var out []byte
	found, branches := false, false
	for r.Off < uint64(len(expr)) && r.Err == nil {
		start := r.Off
		o := r.U8()
		switch o {
		case 0xa3, 0xf3:
			block := r.Block()
			if r.Err != nil {
				return expr, nil
			}
			found = true
			if ev == nil {
				return nil, fmt.Errorf("symbols: %w", ErrNoEntryValue)
			}
			v, err := ev(block)
			if err != nil {
				return nil, fmt.Errorf("symbols: %w: %v", ErrNoEntryValue, err)
			}
			out = append(out, 0x0e) // DW_OP_const8u
			out = binary.LittleEndian.AppendUint64(out, v)
			continue
		case 0x2f, 0x28: // DW_OP_skip, DW_OP_bra
			branches = true
		}
		if !skipOperands(&r, o) {
			return expr, nil
		}
		out = append(out, expr[start:r.Off]...)
	}
	if !found || r.Err != nil {
		return expr, nil
	}
	if branches {
		return nil, fmt.Errorf("symbols: %w: the expression branches", ErrNoEntryValue)
	}
	return out, nil
}
