package proc

import (
	"os"

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
	Func   string
	File   string
	Line   int
	Column int
	Module string
	Offset uint64 // PC minus the symbol's address, when Func came from ELF symbols
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
		calls := d.inlinedAt(f.Look())
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
	if m := c.d.moduleAt(pc); m != nil && m.sym != nil {
		return m.frameRules(pc - m.bias)
	}
	return nil
}

func (c code) Prologue(pc uint64) (unwind.Prologue, bool) {
	fn, m := c.d.funcAt(pc)
	if fn == nil {
		return unwind.Prologue{}, false
	}
	return c.d.prologue(m, fn), true
}

func (c code) Mapped(addr uint64) bool { return c.d.moduleAt(addr) != nil }

func (c code) IsRet(pc uint64) bool {
	ins, ok := c.d.decodeAt(pc)
	return ok && ins.Op == x86asm.RET
}

// describe names the code at pc; call sites are looked up at pc-1.
func (d *Debugger) describe(pc uint64, caller bool) Frame {
	f := Frame{PC: pc}
	look := pc
	if caller {
		look--
	}
	m := d.moduleAt(look)
	if m == nil {
		return f
	}
	f.Module = m.name
	if m.sym == nil {
		f.Offset = look - m.start
		return f
	}
	d.ensureIndexed(m)
	if fn := m.sym.FuncAt(look - m.bias); fn != nil {
		f.Func = fn.DisplayName()
		if !fn.HasLines {
			f.Offset = pc - (fn.Low + m.bias)
		}
	} else if name, off, ok := m.sym.SymbolAt(look - m.bias); ok {
		f.Func, f.Offset = name, off+(pc-look)
	} else {
		f.Offset = pc - m.start
	}
	if le, ok := m.sym.LineAt(look - m.bias); ok && le.Line > 0 && d.haveSource(le.File) {
		f.File, f.Line, f.Column = d.local(le.File), le.Line, le.Column
	}
	return f
}

// prologue decodes the start of fn (cached per function).
func (d *Debugger) prologue(m *module, fn *symbols.Function) unwind.Prologue {
	p := d.p
	low := fn.Low + m.bias
	if pi, ok := p.prologues[low]; ok {
		return pi
	}
	var b [32]byte
	n, _ := p.mem.ReadAt(b[:], low)
	p.bps.shadow(b[:n], low)
	pi := unwind.DecodePrologue(b[:n], low)
	if p.prologues == nil {
		p.prologues = map[uint64]unwind.Prologue{}
	}
	p.prologues[low] = pi
	return pi
}

// funcAt finds the function at a runtime address and its module.
func (d *Debugger) funcAt(pc uint64) (*symbols.Function, *module) {
	m := d.moduleAt(pc)
	if m == nil || m.sym == nil {
		return nil, nil
	}
	fn := m.sym.FuncAt(pc - m.bias)
	if fn == nil {
		return nil, nil
	}
	return fn, m
}

// lineAt returns the line-table row covering a runtime address, with its
// PC made a runtime address too.
func (d *Debugger) lineAt(pc uint64) (symbols.LineEntry, bool) {
	m := d.moduleAt(pc)
	if m == nil || m.sym == nil {
		return symbols.LineEntry{}, false
	}
	le, ok := m.sym.LineAt(pc - m.bias)
	if !ok || le.Line == 0 {
		return le, false
	}
	le.PC += m.bias
	return le, true
}

// frameRules returns the CFI rules at a link-time pc, nil without any. They
// are cached per pc for the life of the module: a deep recursion asks for
// the same few pcs a thousand times per walk.
func (m *module) frameRules(pc uint64) *unwind.Row {
	if r, ok := m.frames[pc]; ok {
		return r
	}
	var row *unwind.Row
	if r, err := m.sym.FrameAt(pc); err == nil && r != nil {
		row = unwind.NewRow(r)
	}
	if m.frames == nil {
		m.frames = map[uint64]*unwind.Row{}
	}
	m.frames[pc] = row
	return row
}

// haveSource says whether a source file is on this machine. Code whose
// source is not (libc with Debian's detached debug information, say) is
// presented and stepped like code without line information: a person can
// read its disassembly, not a file the editor cannot open.
func (d *Debugger) haveSource(file string) bool {
	if file == "" {
		return false
	}
	p := d.p
	if ok, seen := p.sources[file]; seen {
		return ok
	}
	_, err := os.Stat(d.local(file))
	if p.sources == nil {
		p.sources = map[string]bool{}
	}
	p.sources[file] = err == nil
	return err == nil
}

// sourceAt says whether pc has a line whose source file is here.
func (d *Debugger) sourceAt(pc uint64) bool {
	le, ok := d.lineAt(pc)
	return ok && d.haveSource(le.File)
}

// slowDebugInfo is the size of .debug_info (as stored) from which reading
// it takes long enough to tell the client: libc's is 2.3 MB, a test
// program's a few KB.
const slowDebugInfo = 1 << 20

// ensureIndexed reads a module's debug information, if not done yet,
// telling the client: it takes a second for libc with its detached debug
// information, and an editor would otherwise look frozen.
func (d *Debugger) ensureIndexed(m *module) {
	if m.sym == nil || !m.sym.HasDWARF() || m.sym.Indexed() {
		return
	}
	if m.sym.DebugInfoSize() < slowDebugInfo {
		_ = m.sym.DWARFError()
		return
	}
	d.ln.Progress("Reading the debug information of " + m.name)
	_ = m.sym.DWARFError() // builds the index
	d.ln.Progress("")
}
