// Package unwind walks a thread's stack, one machine frame at a time: with
// the CFI of each frame's code (.eh_frame, .debug_frame) where there is
// some, which covers optimised code without frame pointers, libc and
// signal frames; else with frame pointers, from the function's prologue.
//
// It knows no process: memory and what is known of the code come through
// Memory and Code, so a walk can be tested on bytes alone. An Iterator is
// used by one goroutine; it is cheap to copy, and a copy continues the walk
// on its own (to look one frame further without losing one's place).
package unwind

import (
	"errors"
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// NumRegs is how many registers a frame tracks: DWARF numbers 0 to 15 and
// the return-address column 16, which stands for the pc.
const NumRegs = 17

// Regs are a frame's registers by DWARF number, and which are known: above
// frame 0 only those the code saved, and the pc and stack pointer.
type Regs struct {
	R     [NumRegs]uint64
	Known [NumRegs]bool
}

// AllKnown makes Regs of a stopped thread's registers (frame 0).
func AllKnown(r [NumRegs]uint64) Regs {
	var g Regs
	g.R = r
	for i := range g.Known {
		g.Known[i] = true
	}
	return g
}

// PC is the frame's pc: where it is at frame 0 and above a signal frame,
// a return address elsewhere.
func (g *Regs) PC() uint64 { return g.R[cfi.DwarfRA] }

// Get returns register r (DWARF number) when known.
func (g *Regs) Get(r uint64) (uint64, bool) {
	if r < NumRegs && g.Known[r] {
		return g.R[r], true
	}
	return 0, false
}

// get is a register's value for DWARF expressions (0 when unknown).
func (g *Regs) get(r uint64) uint64 {
	if r < NumRegs {
		return g.R[r]
	}
	return 0
}

// Memory is the traced process's memory.
type Memory interface {
	ReadAt(b []byte, addr uint64) (int, error)
}

// Code is what the walk asks of the code at a runtime address.
type Code interface {
	// Rules returns the CFI row covering pc, nil when there is none.
	Rules(pc uint64) *Row
	// Prologue returns how the function containing pc sets up its frame
	// pointer; ok is false when no function is known there.
	Prologue(pc uint64) (p Prologue, ok bool)
	// Mapped says whether addr lies in a loaded object: whether a word
	// on the stack can be a return address.
	Mapped(addr uint64) bool
	// IsRet says whether the instruction at pc is a return.
	IsRet(pc uint64) bool
}

// Frame is one machine frame.
type Frame struct {
	Regs
	// CFA is the canonical frame address: the caller's stack pointer
	// after the return.
	CFA uint64
	// Exact says the pc is where the frame is (frame 0, or above a
	// signal frame), not a return address: look code up at PC, not PC-1.
	Exact bool
	// Index is the frame's number, 0 innermost.
	Index int
}

// Look is where the frame's code is looked up: a call's own address above
// frame 0, so a call at the end of a function is not taken for the next.
func (f *Frame) Look() uint64 {
	if f.Exact {
		return f.PC()
	}
	return f.PC() - 1
}

// ErrNoRules is the walk's error when a frame's code has neither CFI nor a
// known function to read a prologue from.
var ErrNoRules = errors.New("nothing tells how to unwind the frame")

// Error is a walk that stopped before the outermost frame.
type Error struct {
	PC  uint64
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("cannot unwind the frame at %#x: %v", e.PC, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Iterator walks a stack from frame 0 outwards.
type Iterator struct {
	mem   *pageCache
	code  Code
	cur   Regs // the next frame's registers
	cfa   uint64
	exact bool
	n     int
	done  bool
	err   error
	frame Frame
}

// New starts a walk at a stopped thread's registers.
func New(regs Regs, mem Memory, code Code) *Iterator {
	return &Iterator{mem: &pageCache{mem: mem}, code: code, cur: regs, exact: true}
}

// Next unwinds to the next frame; false when there is none. Err then says
// whether the walk reached the outermost frame (nil) or stopped short.
func (it *Iterator) Next() bool {
	if it.done {
		return false
	}
	f := Frame{Regs: it.cur, Exact: it.exact, Index: it.n}
	ok, signal, err := it.step(&it.cur, !it.exact, it.n == 0)
	f.CFA = it.cfa
	it.frame = f
	it.n++
	if !ok {
		it.done = true
		if err != nil {
			it.err = &Error{PC: f.PC(), Err: err}
		}
	}
	it.exact = signal
	return true
}

// Frame is the frame Next moved to.
func (it *Iterator) Frame() Frame { return it.frame }

// Err is why the walk ended early; nil when it reached the outermost frame
// (or has not ended).
func (it *Iterator) Err() error { return it.err }

// Walk returns up to max frames from regs on.
func Walk(regs Regs, mem Memory, code Code, max int) ([]Frame, error) {
	it := New(regs, mem, code)
	var out []Frame
	for len(out) < max && it.Next() {
		out = append(out, it.Frame())
	}
	return out, it.Err()
}

// step replaces u's registers by the caller's and sets it.cfa to the
// frame's CFA. ok is false at the outermost frame (err nil) or when the
// frame cannot be unwound (err says why); signal says the frame was a
// signal trampoline, so the caller's pc is exact.
func (it *Iterator) step(u *Regs, caller, top bool) (ok, signal bool, err error) {
	pc := u.PC()
	look := pc
	if caller {
		look--
	}
	if rules := it.code.Rules(look); rules != nil {
		ok, err := it.applyCFI(u, rules)
		return ok, rules.Signal, err
	}
	cfa, ret, rbp, err := it.frameStep(pc, u.R[cfi.DwarfRSP], u.R[cfi.DwarfRBP], top)
	it.cfa = cfa
	switch {
	case err != nil:
		return false, false, err
	case ret == 0:
		return false, false, nil // the end of the frame-pointer chain
	case cfa <= u.R[cfi.DwarfRSP]:
		return false, false, fmt.Errorf("the caller's frame at %#x is not above the stack pointer %#x", cfa, u.R[cfi.DwarfRSP])
	}
	u.R[cfi.DwarfRA], u.R[cfi.DwarfRSP], u.R[cfi.DwarfRBP] = ret, cfa, rbp
	return true, false, nil
}

// Row is one pc's CFI rules with the register rules in an array: a stack
// walk applies them to every frame, and a map lookup per register was a
// tenth of a deep walk.
type Row struct {
	*cfi.FrameRules
	regs [NumRegs]cfi.Rule
	has  [NumRegs]bool
}

// NewRow prepares r for applying.
func NewRow(r *cfi.FrameRules) *Row {
	row := &Row{FrameRules: r}
	for reg, rule := range r.Regs {
		if reg < NumRegs {
			row.regs[reg], row.has[reg] = rule, true
		}
	}
	return row
}

// applyCFI applies one frame's CFI rules. It runs for every frame of every
// walk, so the common rules are applied without closures.
func (it *Iterator) applyCFI(u *Regs, rules *Row) (bool, error) {
	if rules.CFAExpr != nil {
		cfa, err := cfi.EvalExpr(rules.CFAExpr, u.get, it.mem.ReadAt)
		if err != nil {
			return false, fmt.Errorf("its CFA expression: %w", err)
		}
		it.cfa = cfa
	} else {
		if rules.CFAReg >= NumRegs || !u.Known[rules.CFAReg] {
			return false, fmt.Errorf("its CFA is in register %d, which is not known", rules.CFAReg)
		}
		it.cfa = uint64(int64(u.R[rules.CFAReg]) + rules.CFAOffset)
	}
	var next Regs
	for reg := range u.R {
		if !rules.has[reg] {
			continue // undefined in the caller
		}
		next.R[reg], next.Known[reg] = it.applyRule(u, reg, &rules.regs[reg])
	}
	if !rules.has[cfi.DwarfRSP] {
		next.R[cfi.DwarfRSP], next.Known[cfi.DwarfRSP] = it.cfa, true
	}
	if !next.Known[cfi.DwarfRA] || next.R[cfi.DwarfRA] == 0 {
		return false, nil // the outermost frame (_start, clone) leaves it undefined
	}
	*u = next
	return true, nil
}

// applyRule recovers the caller's value of register reg.
func (it *Iterator) applyRule(u *Regs, reg int, rule *cfi.Rule) (uint64, bool) {
	switch rule.Kind {
	case cfi.RuleSameValue:
		return u.R[reg], u.Known[reg]
	case cfi.RuleOffset:
		v, err := it.mem.Uint64(uint64(int64(it.cfa) + rule.Offset))
		return v, err == nil
	case cfi.RuleValOffset:
		return uint64(int64(it.cfa) + rule.Offset), true
	case cfi.RuleRegister:
		if rule.Reg < NumRegs {
			return u.R[rule.Reg], u.Known[rule.Reg]
		}
	case cfi.RuleCFA:
		return it.cfa, true
	case cfi.RuleExpression, cfi.RuleValExpression:
		// DWARF pushes the CFA before evaluating; the expressions compilers
		// and glibc emit address from registers instead (DW_OP_bregN), which
		// is what is evaluated here.
		v, err := cfi.EvalExpr(rule.Expr, u.get, it.mem.ReadAt)
		if err != nil {
			return 0, false
		}
		if rule.Kind == cfi.RuleValExpression {
			return v, true
		}
		w, err := it.mem.Uint64(v)
		return w, err == nil
	}
	return 0, false
}
