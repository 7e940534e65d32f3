package proc

import (
	"fmt"
	"slices"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
	"golang.org/x/arch/x86/x86asm"
	"golang.org/x/sys/unix"
)

// StepKind is the DAP step request.
type StepKind int

// The step requests.
const (
	StepOver StepKind = iota // next
	StepIn
	StepOut
	stepEntry // run to main for stopOnEntry
)

// stepper is a step in progress. Stepping is built from temporary
// breakpoints wherever the thread may run freely (next, stepOut, calls that
// stepIn does not enter), and single steps only where the next stop is a few
// instructions away (stepIn, instruction granularity).
type stepper struct {
	tid  int
	kind StepKind
	// The frame the step started in: its canonical frame address tells a
	// recursive call's frame from this one.
	cfa       uint64
	startLine int
	startFile string
	// calleeCFA is set while running to a return address: the hit counts
	// only once the stack is above the callee's frame.
	retAddr   uint64
	calleeCFA uint64
	// entries are the first-line addresses of the functions a stepIn may
	// enter.
	entries map[uint64]bool
	// loop: the free-running phase ran over a call for stepInLoop, which
	// single-steps on when it returns.
	loop bool
	// inlineOut: a stepOut of an inlined call, which ends at the caller's
	// next statement in the same machine frame rather than at a return.
	inlineOut bool
	// from is the frame the step started in, as the inlined calls it is
	// in (none: the function itself); fromSet says it was taken. The stop
	// shows that frame or a caller, hiding calls that begin at its pc.
	from        []symbols.InlinedCall
	fromSet     bool
	instruction bool
	// keepHide is the hide of a stop that stepIn makes by entering an
	// inlined call that begins at the pc, without running.
	keepHide int
	keepSet  bool
	// g is the goroutine being stepped, in a Go program (see sameStepper).
	g uint64
}

// returnedTo says whether a temporary breakpoint hit at addr with stack
// pointer rsp ends the free-running phase of this step. cfa computes the
// hitting frame's CFA, only when needed.
func (st *stepper) returnedTo(addr, rsp uint64, cfa func() uint64) bool {
	if st.kind == stepEntry {
		return true
	}
	if addr == st.retAddr {
		return rsp >= st.calleeCFA
	}
	if st.entries[addr] {
		return true // stepIn: the first line of a function called from the line
	}
	// next and stepIn: a statement of the starting function, in the starting
	// frame, not in a deeper recursion of the same function.
	return (st.kind == StepOver || st.kind == StepIn || st.inlineOut) && cfa() == st.cfa
}

// Step runs one step of thread tid. instruction selects instruction
// granularity. Like Continue it does not wait: the resulting stop arrives
// through the Listener.
func (d *Debugger) Step(tid int, kind StepKind, instruction bool) error {
	return d.step(tid, kind, instruction, 0)
}

// StepInto is stepIn into one function the current line calls (a
// StepInTargets address): it stops at that function's first line, or, if
// the line does not call it after all, where next would.
func (d *Debugger) StepInto(tid int, target uint64) error {
	return d.step(tid, StepIn, false, target)
}

func (d *Debugger) step(tid int, kind StepKind, instruction bool, only uint64) error {
	if err := d.CheckStopped(tid); err != nil {
		return err
	}
	d.post(func() {
		p := d.p
		var th *thread
		if d.needStopped() == nil {
			th, _ = d.threadFor(tid)
		}
		if th == nil || th.exiting {
			d.ln.Output("important", "cannot step: the thread or process is gone\n")
			return
		}
		p.running = true
		p.stacks, p.gview = nil, nil
		p.entry = false
		if th.parked != nil {
			d.stepParked(th, kind)
			return
		}
		d.startStep(th, kind, instruction, only)
	})
	return nil
}

func (d *Debugger) startStep(th *thread, kind StepKind, instruction bool, only uint64) {
	p := d.p
	regs, err := d.tr.GetRegs(th.tid)
	if err != nil {
		d.stopped(Stop{Reason: "step", Tid: th.tid})
		return
	}
	frames := d.unwind(regs, 2)
	st := &stepper{tid: th.tid, kind: kind, cfa: frames[0].CFA, instruction: instruction, g: d.goroutineOf(th.tid)}
	// The frame the user steps in is the first inlined call at the pc that
	// the stop does not hide, or the function: next must not stop inside
	// calls inlined into it, and stepOut of it ends in its caller, in the
	// same machine frame.
	calls := d.p.img.InlinedAt(regs.Rip)
	hide := min(th.hide, len(calls))
	st.from, st.fromSet = calls[hide:], true
	if loc, ok := d.p.img.LineAt(regs.Rip); ok && !instruction && d.p.img.HaveSource(loc.File) {
		st.startLine, st.startFile = loc.Line, loc.File
		if hide > 0 {
			st.startLine, st.startFile = calls[hide-1].CallLine, calls[hide-1].CallFile
		}
	}
	p.step = st
	switch {
	case kind == StepIn && !instruction && hide > 0:
		// Into the inlined call that begins here: nothing runs.
		st.keepHide, st.keepSet = hide-1, true
		d.stopped(Stop{Reason: "step", Tid: th.tid})
	case kind == StepOut && !instruction && len(st.from) > 0:
		pcs := slices.DeleteFunc(d.walker().Reachable(d.p.img.FuncStmts(regs.Rip), st.from, true), func(a uint64) bool { return a == regs.Rip })
		if len(pcs) > 0 {
			st.inlineOut = true
			d.runTo(st, retOf(frames), frames[0].CFA, pcs)
			return
		}
		if len(frames) < 2 || frames[1].PC == 0 {
			d.stepInstruction(th)
			return
		}
		d.runTo(st, frames[1].PC, frames[0].CFA, nil)
	case kind == StepOut:
		if len(frames) < 2 || frames[1].PC == 0 {
			// Nothing to return to that we can find: one instruction.
			d.stepInstruction(th)
			return
		}
		d.runTo(st, frames[1].PC, frames[0].CFA, nil)
	case instruction && kind == StepIn:
		d.stepInstruction(th)
	case instruction:
		// Over a call, as a person means it; otherwise one instruction.
		if ins, ok := d.p.img.DecodeAt(regs.Rip); ok && ins.Op == x86asm.CALL {
			d.runTo(st, regs.Rip+uint64(ins.Len), regs.Rsp, nil)
			return
		}
		d.stepInstruction(th)
	case st.startLine == 0:
		// No line information here (libc, a system call): run until the
		// first caller that has some, as gdb does for "step until exit
		// from function which has no line number information".
		up := d.unwind(regs, 256)
		for k := 1; k < len(up); k++ {
			if d.p.img.SourceAt(up[k].PC - 1) {
				d.runTo(st, up[k].PC, up[k-1].CFA, nil)
				return
			}
		}
		d.stepInstruction(th)
	case kind == StepOver:
		d.runTo(st, retOf(frames), frames[0].CFA, d.walker().Reachable(d.p.img.OtherLines(regs.Rip, st.startLine), st.from, false))
	case kind == StepIn:
		// Breakpoints on the other lines of this function (as next), and on
		// the first line of every function with line information the rest
		// of this line calls directly. An indirect call leaves only single
		// steps to know where it goes.
		entries, ok := d.p.img.Callees(regs.Rip, st.startLine)
		if only != 0 {
			entries, ok = []uint64{only}, true
		}
		if !ok {
			d.stepInLoop(st)
			return
		}
		st.entries = map[uint64]bool{}
		for _, e := range entries {
			st.entries[e] = true
		}
		d.runTo(st, retOf(frames), frames[0].CFA, append(d.p.img.OtherLines(regs.Rip, st.startLine), entries...))
	default:
		d.stepInLoop(st)
	}
}

// runTo lets the process run until the stepping thread reaches ret with its
// stack above calleeCFA, or one of pcs in the starting frame.
func (d *Debugger) runTo(st *stepper, ret, calleeCFA uint64, pcs []uint64) {
	p := d.p
	st.retAddr, st.calleeCFA = ret, calleeCFA
	if ret != 0 {
		if err := p.bps.AddTemp(p.mem, ret); err != nil {
			st.retAddr = 0
		}
	}
	for _, pc := range pcs {
		_ = p.bps.AddTemp(p.mem, pc)
	}
	p.running = false
	if err := d.resume(); err != nil {
		if st.tid > 0 {
			p.current = st.tid
		}
		d.stopped(Stop{Reason: "step", Tid: p.current})
	}
}

// stepOn continues a step after its free-running phase ended with the
// stepping thread at a temporary breakpoint and the world stopped.
func (d *Debugger) stepOn(st *stepper) {
	p := d.p
	p.bps.ClearTemp(p.mem)
	switch st.kind {
	case stepEntry:
		d.stopped(Stop{Reason: "entry", Tid: st.tid})
	case StepIn:
		if st.loop && st.startLine != 0 {
			st.loop = false
			p.running = true
			d.stepInLoop(st)
			return
		}
		d.stopped(Stop{Reason: "step", Tid: st.tid})
	default:
		d.stopped(Stop{Reason: "step", Tid: st.tid})
	}
}

// stepInstruction single-steps th alone and reports the result.
func (d *Debugger) stepInstruction(th *thread) {
	ev, err := d.singleStep(th)
	if err != nil {
		d.stopped(Stop{Reason: "step", Tid: th.tid})
		return
	}
	if !d.stepEventOK(ev) {
		return
	}
	d.stopped(Stop{Reason: "step", Tid: th.tid})
}

// stepEventOK checks the event that ended a single step; anything but the
// step's own trap is dealt with (reported, or the exit handled) and false
// returned.
func (d *Debugger) stepEventOK(ev ptrace.Event) bool {
	if !ev.Stopped() {
		d.gone(ev)
		return false
	}
	th := d.p.threads[ev.Tid]
	if ev.Kind == ptrace.SignalStop && ev.Signal == unix.SIGTRAP {
		// A watch that saw the stepped instruction ends the step as a
		// data breakpoint stop.
		if th != nil && d.p.watches.Watching() {
			d.takeDR6(th)
			if d.p.watches.Fired(th.tid) {
				if st := d.watchStop(th); st != nil {
					d.stopped(*st)
					return false
				}
			}
		}
		return true
	}
	if ev.Kind == ptrace.SignalStop && th != nil {
		th.stopped = true
		th.sig = ev.Signal
		if reportable(ev.Signal) {
			d.stopped(d.exceptionStop(th.tid, ev.Signal))
			return false
		}
		// An ordinary signal arrived: it is delivered when the thread runs
		// on; this step stops here rather than wander into its handler.
		return true
	}
	if th != nil {
		th.stopped = true
		if ev.Kind == ptrace.ExitStop {
			th.exiting = true
		}
	}
	return true
}

// stepInLoop single-steps until a new line starts, entering functions that
// have line information and running over those that do not.
func (d *Debugger) stepInLoop(st *stepper) {
	p := d.p
	th := p.threads[st.tid]
	for n := 0; n < 1<<20 && th != nil; n++ {
		regs, err := d.tr.GetRegs(th.tid)
		if err != nil {
			break
		}
		ins, _ := d.p.img.DecodeAt(regs.Rip)
		ev, err := d.singleStep(th)
		if err != nil || !d.stepEventOK(ev) {
			if err != nil {
				break
			}
			return
		}
		if d.p == nil {
			return
		}
		now, err := d.tr.GetRegs(th.tid)
		if err != nil {
			break
		}
		if now.Rsp >= st.cfa {
			break // returned from the starting frame: stop in the caller
		}
		if ins.Op == x86asm.CALL {
			fn, m := d.p.img.FuncAt(now.Rip)
			if fn != nil && fn.HasLines && d.p.img.SourceAt(m.Sym.PrologueEnd(fn)+m.Bias) {
				if pe := m.Sym.PrologueEnd(fn) + m.Bias; pe != now.Rip {
					// Run through the prologue to the first line.
					st.startLine, st.cfa = 0, now.Rsp+8
					d.runTo(st, pe, 0, nil)
					return
				}
				break
			}
			// No line information (a PLT stub, libc): run until it returns,
			// then single-step on.
			st.loop = true
			d.runTo(st, regs.Rip+uint64(ins.Len), now.Rsp, nil)
			return
		}
		if loc, ok := d.p.img.LineAt(now.Rip); ok && loc.PC == now.Rip && loc.IsStmt && d.p.img.HaveSource(loc.File) && (loc.Line != st.startLine || loc.File != st.startFile) {
			break
		}
	}
	if d.p != nil {
		d.stopped(Stop{Reason: "step", Tid: st.tid})
	}
}

// singleStep executes one instruction of th with the other threads
// stopped, lifting a breakpoint under it for that instruction.
func (d *Debugger) singleStep(th *thread) (ptrace.Event, error) {
	p := d.p
	regs, err := d.tr.GetRegs(th.tid)
	if err != nil {
		return ptrace.Event{}, err
	}
	s := p.bps.Sites[regs.Rip]
	if s != nil && s.Inserted {
		if _, err := p.mem.WriteAt([]byte{s.Orig}, s.Addr); err != nil {
			return ptrace.Event{}, err
		}
	}
	sig := th.sig
	th.sig, th.stopped, th.rehit, th.hitAt = 0, false, false, 0
	err = d.tr.SingleStep(th.tid, sig)
	var ev ptrace.Event
	if err == nil {
		ev, err = d.waitTid(th.tid, collectTimeout)
	}
	if err == nil && ev.Kind == ptrace.SignalStop && ev.Signal == unix.SIGSEGV {
		ev, err = d.singleStepFault(th, ev) // a software watchpoint's page
	} else if err == nil && ev.Kind == ptrace.SignalStop && ev.Signal == unix.SIGTRAP {
		th.stopped = true
		d.softStepCheck(th)
	}
	if s != nil && s.Inserted {
		if _, werr := p.mem.WriteAt([]byte{breakpoint.Int3}, s.Addr); werr != nil {
			// The user must know: the breakpoint is gone from the code.
			s.Inserted = false
			d.ln.Output("important", fmt.Sprintf("the breakpoint at %#x could not be put back after stepping over it (%v): it will not stop the program again\n", s.Addr, werr))
		}
	}
	if err == nil && ev.Stopped() {
		th.stopped = true
	}
	return ev, err
}

// stepOver executes the original instruction under a breakpoint th sits
// on, if any. ok is false when something other than the step's trap came
// back; that event is returned for the caller to handle.
func (d *Debugger) stepOver(th *thread) (ptrace.Event, bool) {
	regs, err := d.tr.GetRegs(th.tid)
	if err != nil {
		return ptrace.Event{}, true
	}
	if s := d.p.bps.Sites[regs.Rip]; s == nil || !s.Inserted {
		return ptrace.Event{}, true
	}
	// A signal that arrives as the step starts (Go's runtime preempts
	// threads with SIGURG all the time) stops the thread before the
	// instruction runs: step again, keeping the signal for the resume, or
	// the breakpoint would be hit, and reported, a second time.
	// A signal the thread already has waits for the resume too: delivered
	// now, its handler would return onto the breakpoint.
	pending := th.sig
	th.sig = 0
	defer func() {
		if pending != 0 && th.sig == 0 {
			th.sig = pending
		}
	}()
	for try := 0; ; try++ {
		ev, err := d.singleStep(th)
		if err != nil {
			return ptrace.Event{}, true
		}
		if ev.Kind == ptrace.SignalStop && ev.Signal == unix.SIGTRAP {
			if d.p.watches.Watching() {
				// The instruction stepped over may be the write a data
				// breakpoint waits for: then the trap is that stop.
				d.takeDR6(th)
				if d.p.watches.Fired(th.tid) {
					return ev, false
				}
			}
			return ev, true
		}
		if ev.Kind != ptrace.SignalStop || reportable(ev.Signal) {
			return ev, false
		}
		pending = ev.Signal
		now, err := d.tr.GetRegs(th.tid)
		if err == nil && now.Rip == regs.Rip && try == 16 {
			// Signals keep coming faster than a step (a 50 µs timer):
			// the thread goes on with them and will trap here again,
			// which is this same hit, not a new one.
			th.redo = regs.Rip
		}
		if err != nil || now.Rip != regs.Rip || try == 16 {
			return ev, true
		}
	}
}

// runToMain places the entry stop at main's first line and resumes.
func (d *Debugger) runToMain() error {
	p := d.p
	m := p.img.Exe
	fn := m.Sym.LookupFunc("main")
	if fn == nil {
		fn = m.Sym.LookupFunc("main.main")
	}
	if fn == nil {
		d.stopped(Stop{Reason: "entry", Tid: p.current})
		return nil
	}
	pc := m.Sym.PrologueEnd(fn) + m.Bias
	if err := p.bps.AddTemp(p.mem, pc); err != nil {
		return fmt.Errorf("cannot stop at main: %w", err)
	}
	p.step = &stepper{tid: -1, kind: stepEntry}
	return d.resume()
}

// retOf is the return address of the innermost frame, 0 if unknown.
func retOf(frames []Frame) uint64 {
	if len(frames) >= 2 {
		return frames[1].PC
	}
	return 0
}

// StepTarget is a function a stepIn from the current line may enter.
type StepTarget = image.StepTarget

// StepInTargets lists the functions with line information that the
// current line of thread tid calls directly, in call order, each once.
func (d *Debugger) StepInTargets(tid int) ([]StepTarget, error) {
	var out []StepTarget
	err := d.onStopped(tid, func(th *thread) error {
		regs, err := d.regsOf(th)
		if err != nil {
			return err
		}
		out = d.p.img.StepTargets(regs.Rip, th.hide)
		return nil
	})
	return out, err
}
