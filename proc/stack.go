package proc

import (
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
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

	exact bool // PC is where the frame is, not a return address
	phys  int  // the machine frame this frame is part of
	// calls are the inlined calls at the frame's pc, innermost first; the
	// frame is calls[inl], or the function they sit in when inl is
	// len(calls).
	calls []symbols.InlinedCall
	inl   int
}

// MaxFrames bounds a stack walk: a corrupt stack can loop.
const MaxFrames = 100000

// Stack returns frames [start, start+levels) of thread tid (levels 0: all)
// and the total number of frames. The walk is done once per stop and cached
// until the process runs again, so paging costs a slice.
func (d *Debugger) Stack(tid, start, levels int) ([]Frame, int, error) {
	var out []Frame
	var total int
	err := d.onStopped(tid, func(th *thread) error {
		p := d.p
		w, ok := p.stacks[tid]
		if !ok {
			regs, err := d.tr.GetRegs(tid)
			if err != nil {
				return err
			}
			// Walk it all (totalFrames is exact), but name only the frames
			// asked for: naming a frame in a library may first index its
			// debug information, and a client usually shows the top 20.
			w = &walked{raw: d.walkStack(regs)}
			// Inlined calls the stop hides are frame 0's innermost ones.
			w.raw = w.raw[min(th.hide, len(w.raw)-1):]
			if p.stacks == nil {
				p.stacks = map[int]*walked{}
			}
			p.stacks[tid] = w
		}
		total = len(w.raw)
		start = min(start, total)
		end := total
		if levels > 0 && start+levels < end {
			end = start + levels
		}
		for i := start; i < end; i++ {
			out = append(out, d.named(w, i))
		}
		return nil
	})
	return out, total, err
}

// walked is one thread's stack for one stop: every frame walked, the
// frames asked for named.
type walked struct {
	raw   []rawFrame
	names []*Frame // by index into raw, once named
}

// rawFrame is a frame as walked: enough to count it and to name it later,
// in a third of a Frame's size (a deep stack is walked at every stop).
type rawFrame struct {
	pc, cfa uint64
	exact   bool
	inl     int32
	phys    int32
	calls   []symbols.InlinedCall
}

// named returns frame i of w, naming it the first time.
func (d *Debugger) named(w *walked, i int) Frame {
	if w.names == nil {
		w.names = make([]*Frame, len(w.raw))
	}
	if f := w.names[i]; f != nil {
		return *f
	}
	r := &w.raw[i]
	f := &Frame{PC: r.pc, CFA: r.cfa, exact: r.exact, phys: int(r.phys), calls: r.calls, inl: int(r.inl)}
	d.describeLogical(f)
	w.names[i] = f
	return *f
}

// walkStack walks a whole stack for Stack: the frames a user sees, an
// inlined call being a frame of its own.
func (d *Debugger) walkStack(regs ptrace.Regs) []rawFrame {
	it := d.unwinder(regs)
	out := make([]rawFrame, 0, 64)
	for i := 0; i < MaxFrames && it.Next(); i++ {
		f := it.Frame()
		calls := d.p.img.InlinedAt(f.Look())
		for k := 0; k <= len(calls); k++ {
			out = append(out, rawFrame{pc: f.PC(), cfa: f.CFA, exact: f.Exact, inl: int32(k), phys: int32(i), calls: calls})
		}
	}
	return out
}

// frameCFA returns the CFA of thread tid's innermost frame.
func (d *Debugger) frameCFA(tid int) uint64 {
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return 0
	}
	return d.unwind(regs, 1)[0].CFA
}

// unwind walks up to max frames; they carry only their PC and CFA: what
// stepping needs, without looking up (and, the first time, indexing) the
// symbols of every module the stack passes through.
func (d *Debugger) unwind(regs ptrace.Regs, max int) []Frame {
	it := d.unwinder(regs)
	var frames []Frame
	for len(frames) < max && it.Next() {
		f := it.Frame()
		frames = append(frames, Frame{PC: f.PC(), CFA: f.CFA, exact: f.Exact})
	}
	return frames
}

// unwinder starts a walk of the stack of a thread stopped at regs.
func (d *Debugger) unwinder(regs ptrace.Regs) *unwind.Iterator {
	return unwind.New(unwind.AllKnown([unwind.NumRegs]uint64{regs.Rax, regs.Rdx, regs.Rcx, regs.Rbx, regs.Rsi, regs.Rdi, regs.Rbp, regs.Rsp,
		regs.R8, regs.R9, regs.R10, regs.R11, regs.R12, regs.R13, regs.R14, regs.R15, regs.Rip}), d.p.mem, code{d})
}

// code is what the unwinder asks of the process's code.
type code struct{ d *Debugger }

func (c code) Rules(pc uint64) *unwind.Row {
	if m := c.d.p.img.ModuleAt(pc); m != nil && m.Sym != nil {
		return m.FrameRules(pc - m.Bias)
	}
	return nil
}

func (c code) Prologue(pc uint64) (unwind.Prologue, bool) {
	fn, m := c.d.p.img.FuncAt(pc)
	if fn == nil {
		return unwind.Prologue{}, false
	}
	return c.d.p.img.Prologue(m, fn), true
}

func (c code) Mapped(addr uint64) bool { return c.d.p.img.ModuleAt(addr) != nil }

func (c code) IsRet(pc uint64) bool {
	ins, ok := c.d.p.img.DecodeAt(pc)
	return ok && ins.Op == x86asm.RET
}
