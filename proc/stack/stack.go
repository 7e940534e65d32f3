// Package stack turns a stopped thread's registers into the frames a user
// sees: machine frames from package unwind, each expanded into the
// inlined calls at its pc, named from the process's image. It also maps
// between the two counts (a frame level a client names, the machine frame
// that holds its registers) and gives a frame what reading its variables
// needs (Context).
//
// A Walker reads through the Memory and Image it is given and keeps no
// state; it runs on the core's owner, like everything that reads the
// process, and what it returns stays valid until the process runs.
package stack

import (
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
	"golang.org/x/arch/x86/x86asm"
)

// Frame is one frame of a thread's stack.
type Frame struct {
	PC  uint64 // the frame's current address (a return address above frame 0)
	CFA uint64 // canonical frame address: the caller's stack pointer after return
	// What is known of the code at PC (looked up at PC-1 above frame 0, so a
	// call's own line is shown, not the next one).
	image.Location
	// Without a source file, the disassembly listing of the code instead
	// (ListingText's key), its name and the frame's line in it.
	Listing     uint64
	ListingName string
	ListingLine int

	// Exact says PC is where the frame is, not a return address.
	Exact bool
	// calls are the inlined calls at the frame's pc, innermost first; the
	// frame is calls[inl], or the function they sit in when inl is
	// len(calls).
	calls []symbols.InlinedCall
	inl   int
}

// Look is the address to look the frame's code up at: PC, or PC-1 for a
// return address, so a call's own line and function are found.
func (f Frame) Look() uint64 {
	if f.Exact {
		return f.PC
	}
	return f.PC - 1
}

// MaxFrames bounds a stack walk: a corrupt stack can loop.
const MaxFrames = 100000

// Walker walks the stacks of one process.
type Walker struct {
	Img *image.Image
	Mem unwind.Memory
	// Saved says the registers are a saved context (a parked goroutine's
	// gobuf), of which only rip, rsp and rbp are known.
	Saved bool
}

// Walked is one thread's stack for one stop: every frame walked, the
// frames asked for named.
type Walked struct {
	raw   []rawFrame
	names []*Frame // by index into raw, once named
}

// rawFrame is a frame as walked: enough to count it and to name it later,
// in a third of a Frame's size (a deep stack is walked at every stop).
type rawFrame struct {
	pc, cfa uint64
	exact   bool
	inl     int32
	calls   []symbols.InlinedCall
}

// Walk walks a whole stack: the frames a user sees, an inlined call being
// a frame of its own, the first hide of them (inlined calls a stop hides)
// left out. It names none of them: naming a frame in a library may first
// index its debug information, and a client usually shows the top 20.
func (w Walker) Walk(regs ptrace.Regs, hide int) *Walked {
	it := w.Iterator(regs)
	out := make([]rawFrame, 0, 64)
	for i := 0; i < MaxFrames && it.Next(); i++ {
		f := it.Frame()
		calls := w.Img.InlinedAt(f.Look())
		for k := 0; k <= len(calls); k++ {
			out = append(out, rawFrame{pc: f.PC(), cfa: f.CFA, exact: f.Exact, inl: int32(k), calls: calls})
		}
	}
	return &Walked{raw: out[min(hide, len(out)-1):]}
}

// Len is the number of frames walked.
func (s *Walked) Len() int { return len(s.raw) }

// Frame returns frame i of s, naming it the first time.
func (w Walker) Frame(s *Walked, i int) Frame {
	if s.names == nil {
		s.names = make([]*Frame, len(s.raw))
	}
	if f := s.names[i]; f != nil {
		return *f
	}
	r := &s.raw[i]
	f := &Frame{PC: r.pc, CFA: r.cfa, Exact: r.exact, calls: r.calls, inl: int(r.inl)}
	f.Location = w.Img.DescribeInlined(f.PC, f.Exact, f.calls, f.inl)
	if f.File == "" {
		f.Listing, f.ListingName, f.ListingLine = w.Img.ListingLine(f.PC)
	}
	s.names[i] = f
	return *f
}

// Unwind walks up to max machine frames; they carry only their PC and
// CFA: what stepping needs, without looking up (and, the first time,
// indexing) the symbols of every module the stack passes through.
func (w Walker) Unwind(regs ptrace.Regs, max int) []Frame {
	it := w.Iterator(regs)
	var frames []Frame
	for len(frames) < max && it.Next() {
		f := it.Frame()
		frames = append(frames, Frame{PC: f.PC(), CFA: f.CFA, Exact: f.Exact})
	}
	return frames
}

// Iterator starts a walk of the machine frames of a thread stopped at
// regs.
func (w Walker) Iterator(regs ptrace.Regs) *unwind.Iterator {
	r := unwind.AllKnown([unwind.NumRegs]uint64{regs.Rax, regs.Rdx, regs.Rcx, regs.Rbx, regs.Rsi, regs.Rdi, regs.Rbp, regs.Rsp,
		regs.R8, regs.R9, regs.R10, regs.R11, regs.R12, regs.R13, regs.R14, regs.R15, regs.Rip})
	if w.Saved {
		r.Known = [unwind.NumRegs]bool{}
		r.Known[cfi.DwarfRBP], r.Known[cfi.DwarfRSP], r.Known[cfi.DwarfRA] = true, true, true
	}
	return unwind.New(r, w.Mem, code{w.Img})
}

// code is what the unwinder asks of the process's code.
type code struct{ img *image.Image }

func (c code) Rules(pc uint64) *unwind.Row {
	if m := c.img.ModuleAt(pc); m != nil && m.Sym != nil {
		return m.FrameRules(pc - m.Bias)
	}
	return nil
}

func (c code) Prologue(pc uint64) (unwind.Prologue, bool) {
	fn, m := c.img.FuncAt(pc)
	if fn == nil {
		return unwind.Prologue{}, false
	}
	return c.img.Prologue(m, fn), true
}

func (c code) Mapped(addr uint64) bool { return c.img.ModuleAt(addr) != nil }

func (c code) IsRet(pc uint64) bool {
	ins, ok := c.img.DecodeAt(pc)
	return ok && ins.Op == x86asm.RET
}

// redZone is the x86-64 System V red zone's size: a leaf function keeps
// its locals in the 128 bytes below the stack pointer.
const redZone = 128

// LocalFrame finds whether addr is a local of a thread stopped at regs (on
// its stack, at or above its stack pointer, red zone included) and
// returns the frame holding it: the innermost one whose CFA is above addr,
// by its CFA and its function's entry. Zeros for anything else.
func (w Walker) LocalFrame(regs ptrace.Regs, addr uint64) (cfa, fn uint64) {
	if addr+redZone < regs.Rsp {
		return 0, 0
	}
	for _, f := range w.Unwind(regs, 4096) {
		if f.CFA > addr {
			return f.CFA, w.funcEntry(f)
		}
	}
	return 0, 0
}

// FrameLive says whether the stack of a thread stopped at regs still holds
// the frame LocalFrame found: the same CFA in the same function (the next
// call at the same depth has the same CFA, but maybe another function).
func (w Walker) FrameLive(regs ptrace.Regs, cfa, fn uint64) bool {
	if regs.Rsp >= cfa+redZone {
		return false
	}
	for _, f := range w.Unwind(regs, 4096) {
		if f.CFA == cfa && w.funcEntry(f) == fn {
			return true
		}
		if f.CFA > cfa {
			break
		}
	}
	return false
}

// funcEntry is the runtime entry of the function frame f is in, 0 if not
// known.
func (w Walker) funcEntry(f Frame) uint64 {
	if fn, m := w.Img.FuncAt(f.Look()); fn != nil {
		return fn.Low + m.Bias
	}
	return 0
}

// registerOrder is how a frame's registers are listed: the pc, the stack
// and frame pointers, the callee-saved ones, then the rest.
var registerOrder = []uint64{16, 7, 6, 3, 12, 13, 14, 15, 0, 2, 1, 4, 5, 8, 9, 10, 11}

// Registers lists the registers unwinding recovered for frame f (above
// frame 0: the pc, the stack pointer and what the code saved).
func Registers(f unwind.Frame) []ptrace.Register {
	var out []ptrace.Register
	for _, r := range registerOrder {
		if f.Known[r] {
			out = append(out, ptrace.Register{Name: cfi.RegNames[r], Value: f.R[r]})
		}
	}
	return out
}
