package proc

import (
	"encoding/binary"
	"errors"
	"os"

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
	var u unwinder
	u.init(&regs)
	u.mem = &pageCache{mem: d.p.mem}
	out := make([]rawFrame, 0, 64)
	exact := true
	for i := 0; i < MaxFrames; i++ {
		pc := u.r[symbols.DwarfRA]
		look := pc
		if !exact {
			look--
		}
		calls := d.inlinedAt(look)
		ok, signal := d.unwindOne(&u, !exact, i == 0)
		for k := 0; k <= len(calls); k++ {
			out = append(out, rawFrame{pc: pc, cfa: u.cfa, exact: exact, inl: int32(k), phys: int32(i), calls: calls})
		}
		if !ok {
			break
		}
		exact = signal
	}
	return out
}

// frameCFA returns the CFA of thread tid's innermost frame.
func (d *Debugger) frameCFA(tid int) uint64 {
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return 0
	}
	return d.unwind(regs, 1, false)[0].CFA
}

// unwindRegs walks a stack: with the CFI of each frame's code (.eh_frame or
// .debug_frame) where there is some, which covers optimised code without
// frame pointers, libc, and signal frames; else with frame pointers, reading
// the function's prologue to know whether its frame is set up yet. It stops
// at the first frame it cannot unwind; the frames so far are returned.
func (d *Debugger) unwindRegs(regs ptrace.Regs, max int) []Frame {
	return d.unwind(regs, max, true)
}

// unwind walks like unwindRegs; without describe, frames carry only their
// PC and CFA: what stepping needs, without looking up (and, the first
// time, indexing) the symbols of every module the stack passes through.
func (d *Debugger) unwind(regs ptrace.Regs, max int, describe bool) []Frame {
	var u unwinder
	u.init(&regs)
	u.mem = &pageCache{mem: d.p.mem}
	var frames []Frame
	exact := true // frame 0's pc is where it is, not a return address
	for i := 0; i < max; i++ {
		pc := u.r[symbols.DwarfRA]
		f := Frame{PC: pc}
		if describe {
			f = d.describe(pc, !exact)
		}
		f.exact = exact
		ok, signal := d.unwindOne(&u, !exact, i == 0)
		f.CFA = u.cfa
		frames = append(frames, f)
		if !ok {
			break
		}
		exact = signal
	}
	return frames
}

// unwinder holds the registers of the frame being unwound, by DWARF number
// (16 is the pc), and which of them are known.
type unwinder struct {
	r     [17]uint64
	known [17]bool
	cfa   uint64
	mem   *pageCache
}

// pageCache reads the stack a page at a time for one walk: a frame needs a
// word or two, and a thousand frames in a few pages cost a few system calls
// instead of thousands.
type pageCache struct {
	mem   *ptrace.Mem
	pages map[uint64][]byte
	// The page read last: consecutive frames are mostly on one page.
	lastBase uint64
	last     []byte
}

const cachePage = 4096

func (c *pageCache) Uint64(addr uint64) (uint64, error) {
	base := addr &^ (cachePage - 1)
	if addr-base > cachePage-8 {
		return c.mem.Uint64(addr) // straddles two pages
	}
	pg, ok := c.last, c.last != nil && c.lastBase == base
	if !ok {
		pg, ok = c.pages[base]
	}
	if !ok {
		pg = make([]byte, cachePage)
		n, _ := c.mem.ReadAt(pg, base)
		pg = pg[:n]
		if c.pages == nil {
			c.pages = map[uint64][]byte{}
		}
		c.pages[base] = pg
	}
	c.last, c.lastBase = pg, base
	off := addr - base
	if off+8 > uint64(len(pg)) {
		return 0, &ptrace.MemError{Addr: addr, Op: "read", Err: errUnmapped}
	}
	return binary.LittleEndian.Uint64(pg[off:]), nil
}

func (c *pageCache) ReadAt(b []byte, addr uint64) (int, error) {
	if len(b) == 8 {
		v, err := c.Uint64(addr)
		if err != nil {
			return 0, err
		}
		binary.LittleEndian.PutUint64(b, v)
		return 8, nil
	}
	return c.mem.ReadAt(b, addr)
}

var errUnmapped = errors.New("unmapped")

func (u *unwinder) init(regs *ptrace.Regs) {
	vals := [17]uint64{regs.Rax, regs.Rdx, regs.Rcx, regs.Rbx, regs.Rsi, regs.Rdi, regs.Rbp, regs.Rsp,
		regs.R8, regs.R9, regs.R10, regs.R11, regs.R12, regs.R13, regs.R14, regs.R15, regs.Rip}
	u.r = vals
	for i := range u.known {
		u.known[i] = true
	}
}

// unwindOne replaces u's registers by the caller's. ok is false at the
// outermost frame or when nothing tells how to unwind; signal says the
// frame was a signal trampoline, so the caller's pc is exact.
func (d *Debugger) unwindOne(u *unwinder, caller, top bool) (ok, signal bool) {
	pc := u.r[symbols.DwarfRA]
	look := pc
	if caller {
		look--
	}
	m := d.moduleAt(look)
	if m != nil && m.sym != nil {
		if rules := m.frameRules(look - m.bias); rules != nil {
			return d.unwindCFI(u, rules), rules.Signal
		}
	}
	cfa, ret, rbp, ok := d.frameStep(pc, u.r[symbols.DwarfRSP], u.r[symbols.DwarfRBP], top)
	u.cfa = cfa
	if !ok || ret == 0 || cfa <= u.r[symbols.DwarfRSP] {
		return false, false
	}
	u.r[symbols.DwarfRA], u.r[symbols.DwarfRSP], u.r[symbols.DwarfRBP] = ret, cfa, rbp
	return true, false
}

// cfiRow is one pc's CFI rules with the register rules in an array: a
// stack walk applies them to every frame, and a map lookup per register
// was a tenth of a deep walk.
type cfiRow struct {
	*symbols.FrameRules
	regs [17]symbols.Rule
	has  [17]bool
}

// unwindCFI applies one frame's CFI rules. It runs for every frame of
// every walk, so the common rules are applied without closures.
func (d *Debugger) unwindCFI(u *unwinder, rules *cfiRow) bool {
	if rules.CFAExpr != nil {
		cfa, err := symbols.EvalExpr(rules.CFAExpr, u.get, u.mem.ReadAt)
		if err != nil {
			return false
		}
		u.cfa = cfa
	} else {
		if rules.CFAReg >= uint64(len(u.r)) || !u.known[rules.CFAReg] {
			return false
		}
		u.cfa = uint64(int64(u.r[rules.CFAReg]) + rules.CFAOffset)
	}
	var next unwinder
	for reg := range u.r {
		if !rules.has[reg] {
			continue // undefined in the caller
		}
		next.r[reg], next.known[reg] = u.applyRule(reg, &rules.regs[reg])
	}
	if !rules.has[symbols.DwarfRSP] {
		next.r[symbols.DwarfRSP], next.known[symbols.DwarfRSP] = u.cfa, true
	}
	if !next.known[symbols.DwarfRA] || next.r[symbols.DwarfRA] == 0 {
		return false // the outermost frame (_start, clone) leaves it undefined
	}
	u.r, u.known = next.r, next.known
	return true
}

// get is a register's value for DWARF expressions (0 when unknown).
func (u *unwinder) get(reg uint64) uint64 {
	if reg < uint64(len(u.r)) {
		return u.r[reg]
	}
	return 0
}

// applyRule recovers the caller's value of register reg.
func (u *unwinder) applyRule(reg int, rule *symbols.Rule) (uint64, bool) {
	switch rule.Kind {
	case symbols.RuleSameValue:
		return u.r[reg], u.known[reg]
	case symbols.RuleOffset:
		v, err := u.mem.Uint64(uint64(int64(u.cfa) + rule.Offset))
		return v, err == nil
	case symbols.RuleValOffset:
		return uint64(int64(u.cfa) + rule.Offset), true
	case symbols.RuleRegister:
		if rule.Reg < uint64(len(u.r)) {
			return u.r[rule.Reg], u.known[rule.Reg]
		}
	case symbols.RuleCFA:
		return u.cfa, true
	case symbols.RuleExpression, symbols.RuleValExpression:
		// DWARF pushes the CFA before evaluating; the expressions compilers
		// and glibc emit address from registers instead (DW_OP_bregN), which
		// is what is evaluated here.
		v, err := symbols.EvalExpr(rule.Expr, u.get, u.mem.ReadAt)
		if err != nil {
			return 0, false
		}
		if rule.Kind == symbols.RuleValExpression {
			return v, true
		}
		w, err := u.mem.Uint64(v)
		return w, err == nil
	}
	return 0, false
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

// frameStep computes a frame's CFA and its caller's pc and rbp.
func (d *Debugger) frameStep(pc, rsp, rbp uint64, top bool) (cfa, ret, callerRBP uint64, ok bool) {
	p := d.p
	word := func(a uint64) (uint64, bool) {
		var b [8]byte
		if _, err := p.mem.ReadAt(b[:], a); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint64(b[:]), true
	}
	fn, m := d.funcAt(pc)
	if fn == nil {
		if top {
			// Unknown code, innermost frame: most likely a call just
			// landed here; the return address is on top of the stack.
			r, ok := word(rsp)
			return rsp + 8, r, rbp, ok && d.moduleAt(r) != nil
		}
		return rsp, 0, 0, false
	}
	pro := d.prologue(m, fn)
	switch {
	case !pro.pushes:
		if !top {
			return rsp, 0, 0, false
		}
		r, ok := word(rsp)
		return rsp + 8, r, rbp, ok && pc == fn.Low+m.bias
	case pc < pro.afterPush:
		r, ok := word(rsp)
		return rsp + 8, r, rbp, ok
	case pc < pro.afterMov:
		r, ok1 := word(rsp + 8)
		b, ok2 := word(rsp)
		return rsp + 16, r, b, ok1 && ok2
	}
	if ins, ok := d.decodeAt(pc); ok && ins.Op == x86asm.RET {
		r, ok := word(rsp)
		return rsp + 8, r, rbp, ok
	}
	r, ok1 := word(rbp + 8)
	b, ok2 := word(rbp)
	return rbp + 16, r, b, ok1 && ok2
}

// prologueInfo says where a function sets up its frame pointer.
type prologueInfo struct {
	pushes              bool   // push %rbp; mov %rsp,%rbp
	afterPush, afterMov uint64 // runtime addresses just after each
}

// prologue decodes the start of fn (cached per function).
func (d *Debugger) prologue(m *module, fn *symbols.Function) prologueInfo {
	p := d.p
	low := fn.Low + m.bias
	if p.prologues == nil {
		p.prologues = map[uint64]prologueInfo{}
	}
	if pi, ok := p.prologues[low]; ok {
		return pi
	}
	var pi prologueInfo
	var b [32]byte
	n, _ := p.mem.ReadAt(b[:], low)
	p.bps.shadow(b[:n], low)
	off := 0
	for k := 0; k < 4 && off < n; k++ {
		ins, err := x86asm.Decode(b[off:n], 64)
		if err != nil {
			break
		}
		next := low + uint64(off+ins.Len)
		switch {
		case ins.Op == x86asm.PUSH && ins.Args[0] == x86asm.RBP:
			pi.afterPush = next
		case ins.Op == x86asm.MOV && ins.Args[0] == x86asm.RBP && ins.Args[1] == x86asm.RSP && pi.afterPush != 0:
			pi.afterMov, pi.pushes = next, true
		}
		off += ins.Len
		if pi.pushes {
			break
		}
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
func (m *module) frameRules(pc uint64) *cfiRow {
	if r, ok := m.frames[pc]; ok {
		return r
	}
	var row *cfiRow
	if r, err := m.sym.FrameAt(pc); err == nil && r != nil {
		row = &cfiRow{FrameRules: r}
		for reg, rule := range r.Regs {
			if reg < uint64(len(row.regs)) {
				row.regs[reg], row.has[reg] = rule, true
			}
		}
	}
	if m.frames == nil {
		m.frames = map[uint64]*cfiRow{}
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
