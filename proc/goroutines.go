package proc

import (
	"fmt"
	"slices"
	"sort"

	"github.com/dap-ptrace/dap-ptrace/proc/goroutine"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// In a Go program the client's threads are its goroutines, as in Delve: a
// thread id is a goroutine id, which stays while the goroutine moves from
// one OS thread to another, and a parked goroutine is listed with its
// stack, walked from where it will resume. A thread that runs no goroutine
// (an idle one, the runtime's monitor) keeps its OS thread id. Everything
// that takes a thread id from the client goes through threadFor, and every
// id we report through clientID.

// goView is the goroutines of one stop, read once.
type goView = goroutine.View

// goLayout is the runtime layout of a Go program; nil for another program,
// or a Go program whose runtime cannot be read (no DWARF).
func (p *process) goLayout() *goroutine.Layout {
	if exe := p.img.Exe; !p.goKnown && exe != nil {
		p.goKnown = true
		if exe.Sym != nil {
			if _, ok := exe.Sym.LookupSymbol("runtime.main"); ok {
				p.goProgram = true
				p.gLayout, _ = goroutine.NewLayout(exe.Sym, exe.Bias)
			}
		}
	}
	return p.gLayout
}

// isGo says whether the program is a Go program.
func (p *process) isGo() bool {
	p.goLayout()
	return p.goProgram
}

// goView reads the goroutines of the current stop, once (while the
// program runs, afresh each time); nil when the threads are OS threads
// (not Go, or its runtime cannot be read).
func (d *Debugger) goView() *goView {
	p := d.p
	if p.gview != nil {
		return p.gview
	}
	l := p.goLayout()
	if l == nil {
		return nil
	}
	v, err := l.NewView(p.mem, func(tid int) bool { return p.threads[tid] != nil })
	if err != nil || len(v.List) == 0 {
		return nil
	}
	if !p.running {
		p.gview = v
	}
	return v
}

// clientID is the id the client knows thread tid by.
func (d *Debugger) clientID(tid int) int {
	if v := d.goView(); v != nil {
		if id, ok := v.IDOf[tid]; ok {
			return id
		}
	}
	return tid
}

// threadFor resolves a client's thread id: the thread itself, the thread
// running that goroutine, or for a parked goroutine a stopped thread of
// its own kind (tid 0, parked set) that can be read but not run.
func (d *Debugger) threadFor(id int) (*thread, error) {
	p := d.p
	if v := d.goView(); v != nil {
		if g := v.ByID[id]; g != nil {
			if tid, ok := v.TidOf[id]; ok {
				return p.threads[tid], nil
			}
			return &thread{parked: g, stopped: true}, nil
		}
	}
	if th := p.threads[id]; th != nil {
		return th, nil
	}
	return nil, &ThreadError{Tid: id}
}

// regsOf returns the registers th's frame 0 has: a thread's, or what a
// parked goroutine's gobuf saved (pc, stack and frame pointers).
func (d *Debugger) regsOf(th *thread) (ptrace.Regs, error) {
	if g := th.parked; g != nil {
		return ptrace.Regs{Rip: g.PC, Rsp: g.SP, Rbp: g.BP}, nil
	}
	return d.tr.GetRegs(th.tid)
}

// running checks that th is a thread that can be run or changed.
func running(th *thread) error {
	if g := th.parked; g != nil {
		return fmt.Errorf("goroutine %d is not running on a thread: only the goroutines running when the program stopped can be moved or have their registers changed", g.ID)
	}
	return nil
}

// goThreads lists the goroutines as threads (goroutine.Layout.Names), and
// the thread of the stop if it runs none.
func (d *Debugger) goThreads(v *goView) []Thread {
	p := d.p
	frame0 := func(tid int) (uint64, uint64, bool) {
		regs, err := d.tr.GetRegs(tid)
		return regs.Rip, regs.Rbp, err == nil
	}
	var out []Thread
	for _, g := range p.gLayout.Names(p.mem, v, frame0, p.img.FuncName, p.hideSystem) {
		out = append(out, Thread(g))
	}
	if th := p.threads[p.current]; th != nil && v.IDOf[p.current] == 0 {
		out = append(out, Thread{ID: th.tid, Name: "thread " + p.names.Names(p.pid, []int{th.tid})[0] + " (no goroutine)"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// goroutineOf returns the address of the goroutine thread tid runs in a Go
// program (its user goroutine when it is on the system stack), 0 if none.
func (d *Debugger) goroutineOf(tid int) uint64 {
	l := d.p.goLayout()
	if l == nil {
		return 0
	}
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return 0
	}
	_, g := l.Current(d.p.mem, regs.Fs_base)
	return g
}

// sameStepper says whether a trap by th belongs to step st: th is the
// stepping thread, or in a Go program runs the stepping goroutine, which
// the scheduler may have moved to another thread meanwhile.
func (d *Debugger) sameStepper(st *stepper, th *thread) bool {
	if st.tid == th.tid {
		return true
	}
	return st.g != 0 && d.goroutineOf(th.tid) == st.g
}

// threadEvent tells the client that thread tid started or exited; not in
// a Go program, whose client threads are goroutines, which come and go
// unseen (clients ask for the list at each stop, as with Delve).
func (d *Debugger) threadEvent(tid int, started bool) {
	if d.p.isGo() {
		return
	}
	d.threadNews = append(d.threadNews, ThreadChange{Tid: tid, Started: started})
	if len(d.threadNews) >= 1024 { // a program that starts threads without pause
		d.tellThreads()
	}
}

// tellThreads tells the client the thread changes held back since it was
// last told: at the end of each batch of events (publish) and before
// anything that must come after them (a stop, the exit).
func (d *Debugger) tellThreads() {
	if len(d.threadNews) > 0 {
		d.ln.Threads(d.threadNews)
		d.threadNews = nil
	}
}

// stepParked steps a goroutine that is not on a thread, as Delve does: its
// first frame of the program's own (past the runtime's, where it waits)
// runs on, the whole program with it, to its next line (next, stepIn) or
// to its caller (stepOut) when the scheduler runs it again; the step's
// breakpoints stop only that goroutine.
func (d *Debugger) stepParked(th *thread, kind StepKind) {
	regs, _ := d.regsOf(th)
	frames := d.walkerFor(th).Unwind(regs, 64)
	k := slices.IndexFunc(frames, func(f Frame) bool { return goroutine.User(d.p.img.FuncName(f.Look())) })
	// No thread yet (tid 0): the goroutine alone is the stepper.
	st := &stepper{kind: StepOver, g: th.parked.Addr}
	d.p.step = st
	if k < 0 || k+1 >= len(frames) {
		d.stopped(Stop{Reason: "step", Tid: d.p.current}) // nothing of the program's to step in
		return
	}
	st.cfa = frames[k].CFA
	var pcs []uint64
	if loc, ok := d.p.img.LineAt(frames[k].Look()); ok && kind != StepOut {
		st.startLine, st.startFile = loc.Line, loc.File
		pcs = d.p.img.OtherLines(frames[k].Look(), loc.Line)
	}
	d.runTo(st, frames[k+1].PC, frames[k].CFA, pcs)
}
