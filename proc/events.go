package proc

import (
	"fmt"
	"slices"
	"sort"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// collectTimeout bounds how long stopping the world may take: a thread that
// neither stops nor exits within it is considered lost.
const collectTimeout = 10 * time.Second

// handle processes one waiter event while the process runs.
func (d *Debugger) handle(ev ptrace.Event) {
	if d.p == nil {
		return
	}
	th, done := d.bookkeep(ev, true)
	if done {
		return
	}
	if ev.Signal == unix.SIGTRAP {
		d.trap(th)
		return
	}
	if ev.Signal == unix.SIGSEGV {
		if addr, ok := d.softFault(th); ok {
			d.softTrap(th, addr) // a software watchpoint's page
			return
		}
	}
	if _, err := d.tr.GetSigInfo(th.tid); err == ptrace.ErrGroupStop {
		d.cont(th)
		return
	}
	if reportable(ev.Signal) {
		th.sig = ev.Signal
		d.report(d.exceptionStop(th.tid, ev.Signal))
		return
	}
	th.sig = ev.Signal
	d.cont(th)
}

// bookkeep does what an event means for the thread table, the same whether
// the process runs (running: a thread stopped only for that is let go) or
// the world is being stopped (it stays stopped). It returns the stopped
// thread and whether the event needs nothing more: otherwise it is a
// signal-delivery stop for the caller to judge.
func (d *Debugger) bookkeep(ev ptrace.Event, running bool) (*thread, bool) {
	p := d.p
	if ev.Pid != p.pid {
		return nil, true
	}
	if !ev.Stopped() {
		d.gone(ev)
		return nil, true
	}
	let := func(th *thread) {
		if running {
			d.cont(th)
		}
	}
	th := p.threads[ev.Tid]
	if th == nil || th.fresh {
		// A new thread's first stop: announce it.
		d.initialStop(ev)
		let(p.threads[ev.Tid])
		return nil, true
	}
	th.stopped = true
	switch ev.Kind {
	case ptrace.CloneStop:
		d.cloned(th)
		let(th)
		return th, true
	case ptrace.ForkStop:
		d.forked(th, ev.VFork)
		let(th)
		return th, true
	case ptrace.ExitStop:
		th.exiting = true
		d.cont(th) // it is leaving: let it, whatever the rest do
		return th, true
	case ptrace.ExecStop:
		d.execed()
		let(p.threads[p.pid])
		return p.threads[p.pid], true
	case ptrace.SyscallStop:
		let(th)
		return th, true
	case ptrace.EventStop:
		// An interrupt we asked for, or a group-stop: neither is news.
		th.stopReq = false
		let(th)
		return th, true
	}
	if ev.Signal == unix.SIGSTOP && th.stopReq {
		th.stopReq = false
		let(th)
		return th, true
	}
	return th, false
}

// trap handles a SIGTRAP stop of a running thread: a breakpoint of ours, a
// stepping breakpoint, or the program's own trap.
func (d *Debugger) trap(th *thread) {
	cause, site, rsp := d.trapCause(th)
	if cause == trapOwn && d.softSyscallStep(th) {
		cause = trapStep
	}
	switch cause {
	case trapBreakpoint:
		d.breakpointHit(th, site, rsp)
	case trapWatch:
		if st := d.watchStop(th); st != nil {
			d.report(*st)
			return
		}
		d.cont(th)
	case trapStep, trapUnreadable:
		if cause == trapStep && d.softStepCheck(th) {
			if st := d.watchStop(th); st != nil {
				d.report(*st)
				return
			}
		}
		// A single-step nobody waits for any more (a cancelled step), or a
		// thread we cannot read: let it go.
		d.cont(th)
	default:
		// The program's own breakpoint.Int3 or raise(SIGTRAP): report it, never pass
		// it on (the default action would kill the program).
		d.report(d.exceptionStop(th.tid, unix.SIGTRAP))
	}
}

// Why a thread stopped with SIGTRAP.
const (
	trapOwn        = iota // the program's own breakpoint.Int3 or raise(SIGTRAP)
	trapBreakpoint        // one of our breakpoints; the PC is rewound onto it
	trapStep              // a finished single step
	trapUnreadable        // its siginfo or registers could not be read
	trapWatch             // a data breakpoint fired (Set.Fired)
)

// trapCause tells why th stopped with SIGTRAP. For a breakpoint of ours it
// rewinds the PC onto the breakpoint (execution resumes there: the original
// instruction runs once the breakpoint is stepped over) and returns the
// site and the stack pointer.
func (d *Debugger) trapCause(th *thread) (int, *site, uint64) {
	si, err := d.tr.GetSigInfo(th.tid)
	if err != nil {
		return trapUnreadable, nil, 0
	}
	if d.p.watches.Watching() && (si.Code == ptrace.TrapHwBkpt || si.Code == ptrace.TrapTrace) {
		// A watch that fires during a single step is reported as the step.
		d.takeDR6(th)
	}
	if d.p.watches.Fired(th.tid) {
		return trapWatch, nil, 0
	}
	switch si.Code {
	case ptrace.TrapTrace:
		return trapStep, nil, 0
	case ptrace.SIKernel, ptrace.TrapBrkpt:
		regs, err := d.tr.GetRegs(th.tid)
		if err != nil {
			return trapUnreadable, nil, 0
		}
		if s := d.p.bps.Sites[regs.Rip-1]; s != nil {
			if err := d.tr.SetPC(th.tid, s.Addr); err != nil {
				return trapUnreadable, nil, 0
			}
			th.hitAt = s.Addr
			return trapBreakpoint, s, regs.Rsp
		}
	}
	return trapOwn, nil, 0
}

// breakpointHit decides what a hit on site by th means.
func (d *Debugger) breakpointHit(th *thread, site *site, rsp uint64) {
	p := d.p
	if site.Loader {
		d.scanModules()
	}
	if st := p.step; st != nil && (st.kind == stepEntry || d.sameStepper(st, th)) && site.Temp > 0 &&
		st.returnedTo(site.Addr, rsp, func() uint64 { return d.frameCFA(th.tid) }) {
		st.tid = th.tid
		d.stopWorld()
		d.stepOn(st)
		return
	}
	redo := th.redo == site.Addr // this hit again: no second report, count or log
	th.redo = 0
	if !redo {
		if ids := d.shouldStop(th, site.Addr); len(ids) > 0 {
			d.report(d.bpStop(th.tid, site.Addr, ids))
			return
		}
	}
	// Nothing to report (a false condition, a logpoint, a step's
	// breakpoint hit by another thread or a deeper recursion, or the hit a
	// step over it did not finish): step over it and go on. The byte is out
	// while it steps, so another thread coming through the same code then
	// would pass unseen (the hit whose condition holds, the stepping
	// goroutine): with other threads running, the world stops first, as
	// gdb and lldb do.
	if !redo && d.othersRunning(th) {
		d.stopWorld()
		if d.p == nil {
			return
		}
		if ev, ok := d.stepOver(th); !ok {
			d.handleAfterStep(ev)
			if d.p == nil || !d.p.running {
				return
			}
		}
		d.resumeFrom(th)
		return
	}
	if ev, ok := d.stepOver(th); !ok {
		d.handle(ev)
		return
	}
	d.cont(th)
}

// cont resumes one stopped thread with its pending signal.
func (d *Debugger) cont(th *thread) {
	if th == nil || !th.stopped {
		return
	}
	sig := th.sig
	th.sig, th.stopped, th.hitAt = 0, false, 0
	d.resumed = true
	_ = d.run(ptrace.Resume{Tid: th.tid, Signal: sig})
}

// initialStop records the first stop of a new thread.
func (d *Debugger) initialStop(ev ptrace.Event) {
	p := d.p
	th := p.threads[ev.Tid]
	if th == nil {
		th = p.addThread(ev.Tid)
		ptrace.AddThread(p.pid, ev.Tid)
		d.threadEvent(ev.Tid, true)
	}
	if p.watches.Watching() {
		_ = p.watches.Apply(d.watchHost(), ev.Tid) // debug registers are not inherited
	}
	th.fresh = false
	th.stopped = true
}

// cloned records the thread a clone event announces; its first stop may
// already have arrived.
func (d *Debugger) cloned(parent *thread) {
	p := d.p
	msg, err := d.tr.GetEventMsg(parent.tid)
	if err != nil {
		return
	}
	tid := int(msg)
	if _, ok := p.threads[tid]; ok {
		return
	}
	if !ptrace.InThreadGroup(p.pid, tid) && ptrace.Tgid(tid) != 0 {
		// clone(2) without CLONE_THREAD: a process, not a thread of ours.
		d.release(tid, true)
		return
	}
	th := p.addThread(tid)
	th.fresh = true
	ptrace.AddThread(p.pid, tid)
	d.threadEvent(tid, true)
}

// gone handles a thread's or the process's end.
func (d *Debugger) gone(ev ptrace.Event) {
	p := d.p
	if ev.Tid != p.pid {
		if _, ok := p.threads[ev.Tid]; ok {
			delete(p.threads, ev.Tid)
			p.watches.Forget(ev.Tid)
			delete(p.stacks, ev.Tid)
			d.threadEvent(ev.Tid, false)
		}
		return
	}
	for tid := range p.threads {
		if tid != p.pid {
			d.threadEvent(tid, false)
		}
	}
	p.threads = map[int]*thread{}
	d.forget()
	d.publish()
	if p.output != nil {
		d.box.Cool() // no waiter held back meanwhile
		p.output.Wait(2 * time.Second)
	}
	code, sig := ev.ExitCode, ""
	if ev.Kind == ptrace.Signaled {
		code, sig = 128+int(ev.Signal), ptrace.SignalName(ev.Signal)
	}
	d.tellThreads()
	d.ln.Exited(code, sig)
}

// reportable says whether a signal stops the program in the debugger (the
// ones that mean a crash); others are passed on silently.
func reportable(sig syscall.Signal) bool {
	switch sig {
	case unix.SIGSEGV, unix.SIGBUS, unix.SIGILL, unix.SIGFPE, unix.SIGABRT, unix.SIGTRAP, unix.SIGSYS:
		return true
	}
	return false
}

func (d *Debugger) exceptionStop(tid int, sig syscall.Signal) Stop {
	desc := fmt.Sprintf("Signal %s (%s)", ptrace.SignalName(sig), sig.String())
	if si, err := d.tr.GetSigInfo(tid); err == nil && syscall.Signal(si.Signo) == sig {
		desc = ptrace.SignalDetail(sig, si)
	}
	return Stop{Reason: "exception", Tid: tid, Description: desc, Text: ptrace.SignalName(sig)}
}

// report stops every thread and tells the client about st.
func (d *Debugger) report(st Stop) {
	if late := d.stopWorld(); len(late) > 0 {
		st.Running = late
		d.ln.Output("important", fmt.Sprintf("threads %v did not stop within %v: they keep running and are not shown stopped\n", late, collectTimeout))
	}
	p := d.p
	if p == nil {
		return // the process ended while we stopped it
	}
	if st.Reason != "exception" {
		// A thread that stopped for our breakpoint must not also carry the
		// stop as a pending one.
		if th := p.threads[st.Tid]; th != nil {
			th.rehit = false
		}
	}
	d.stopped(st)
}

// stopped records st as the current stop and tells the client.
func (d *Debugger) stopped(st Stop) {
	p := d.p
	if th := p.threads[st.Tid]; th != nil && th.stopped && p.watches.Watching() {
		d.takeDR6(th) // DR6 is sticky: a watch that fired during a step
	}
	for _, th := range p.threads {
		th.hide = 0
		p.watches.Forget(th.tid) // fired during a step the user sees anyway
	}
	d.pruneWatches()
	d.refreshWatches()
	if th := p.threads[st.Tid]; th != nil {
		if regs, err := d.tr.GetRegs(st.Tid); err == nil {
			th.hide = d.hiddenFrames(regs.Rip, st, p.step)
		}
	}
	p.running = false
	if p.step != nil {
		// Another stop ended the step (a data breakpoint, another thread's
		// breakpoint): its temporary breakpoints go with it.
		p.bps.ClearTemp(p.mem)
	}
	p.step = nil
	p.current = st.Tid
	p.stacks, p.gview = nil, nil
	// The client knows threads by their ids, goroutines' in a Go program.
	st.Tid = d.clientID(st.Tid)
	st.Running = slices.Clone(st.Running)
	for i, tid := range st.Running {
		st.Running[i] = d.clientID(tid)
	}
	d.publish()
	if p.output != nil {
		p.output.Flush()
	}
	d.tellThreads()
	d.ln.Stopped(st)
}

// stopWorld brings every thread to a stop, keeping any stop of their own
// that they had meanwhile for later. It returns the threads that did not
// stop within collectTimeout, which the stop must not claim are stopped.
func (d *Debugger) stopWorld() []int {
	p := d.p
	for _, th := range p.threads {
		if th.stopped || th.fresh || th.exiting || th.stopReq {
			continue
		}
		th.stopReq = true
		if p.seized {
			_ = d.tr.Interrupt(th.tid)
		} else {
			_ = ptrace.Stop(p.pid, th.tid)
		}
	}
	var late []int
	if err := d.collect(); err != nil && d.p != nil {
		for tid, th := range d.p.threads {
			if !th.stopped && !th.exiting {
				late = append(late, tid)
			}
		}
		sort.Ints(late)
	}
	if d.p != nil {
		d.p.running = false
	}
	return late
}

// collect waits until no thread is running. Each event is taken for what it
// is: breakpoint hits are rewound to be hit again, crashes are kept as
// pending stops, signals are kept for delivery.
func (d *Debugger) collect() error {
	deadline := time.Now().Add(collectTimeout)
	for {
		p := d.p
		if p == nil {
			return nil
		}
		waiting := false
		for _, th := range p.threads {
			if !th.stopped && !th.exiting {
				waiting = true
				break
			}
		}
		if !waiting {
			return nil
		}
		ev, err := d.nextEvent(time.Until(deadline))
		if err != nil {
			return fmt.Errorf("stopping the process: %w", err)
		}
		d.collectOne(ev)
	}
}

func (d *Debugger) collectOne(ev ptrace.Event) {
	p := d.p
	th, done := d.bookkeep(ev, false)
	if done {
		return
	}
	if ev.Signal == unix.SIGTRAP {
		cause, site, _ := d.trapCause(th)
		if cause == trapOwn && d.softSyscallStep(th) {
			cause = trapStep
		}
		switch cause {
		case trapBreakpoint:
			th.rehit = true
			// A hit of a client's breakpoint is kept, to be reported at the
			// next resume (if the breakpoint is still there then) instead of
			// racing the other threads to hit it again.
			if ids := p.bps.IDsAt(site.Addr); len(ids) > 0 && p.bps.Plain(site.Addr) {
				st := d.bpStop(th.tid, site.Addr, ids)
				th.pending = &st
				th.pendingAt = site.Addr
			}
		case trapWatch:
			// The access is done: the stop is kept, or it would be lost.
			if st := d.watchStop(th); st != nil {
				th.pending = st
			}
		case trapStep:
			if d.softStepCheck(th) {
				if st := d.watchStop(th); st != nil {
					th.pending = st
				}
			}
		default:
			st := d.exceptionStop(th.tid, unix.SIGTRAP)
			th.pending = &st
		}
		return
	}
	if _, err := d.tr.GetSigInfo(th.tid); err == ptrace.ErrGroupStop {
		return
	}
	if _, ok := d.softFault(th); ev.Signal == unix.SIGSEGV && ok {
		return // a software watchpoint's page: it faults again when resumed
	}
	th.sig = ev.Signal
	if reportable(ev.Signal) {
		st := d.exceptionStop(th.tid, ev.Signal)
		th.pending = &st
	}
}

// Continue resumes every thread. If a thread had a stop of its own while
// the world was being stopped, that stop is reported instead.
//
// Continue does not wait for the owner: what follows (the resume, then a
// stop or an exit) is told through the Listener, failures as "important"
// output. It returns at once the errors the state snapshot already shows.
func (d *Debugger) Continue() error {
	if err := d.CheckStopped(0); err != nil {
		return err
	}
	d.post(func() {
		if err := d.needStopped(); err != nil {
			d.ln.Output("important", "cannot continue: "+err.Error()+"\n")
			return
		}
		if err := d.resume(); err != nil {
			d.ln.Output("important", "cannot continue: "+err.Error()+"\n")
		}
	})
	return nil
}

func (d *Debugger) needStopped() error {
	if d.p == nil {
		return ErrNoProcess
	}
	if d.p.running {
		return ErrRunning
	}
	return nil
}

// onStopped runs f on the owner for a request about the client's thread
// id (see threadFor), which needs the process stopped and the thread
// known.
func (d *Debugger) onStopped(id int, f func(*thread) error) error {
	return d.do(func() error {
		if err := d.needStopped(); err != nil {
			return err
		}
		th, err := d.threadFor(id)
		if err != nil {
			return err
		}
		return f(th)
	})
}

// resume lets the whole process run.
func (d *Debugger) resume() error {
	p := d.p
	if p.entry {
		p.entry = false
		if err := d.runToMain(); err == nil {
			return nil
		}
	}
	for _, th := range p.threads {
		th.hide = 0
		if th.pending == nil {
			continue
		}
		st, at := *th.pending, th.pendingAt
		th.pending, th.pendingAt = nil, 0
		if at != 0 {
			if st.BreakpointIDs = p.bps.IDsAt(at); len(st.BreakpointIDs) == 0 {
				continue // removed since: the thread runs on through it
			}
			th.rehit = false // reported: step over it when resuming
		}
		d.stopped(st)
		return nil
	}
	// A thread sitting on a breakpoint it already reported executes the
	// original instruction first, alone.
	p.running = true
	for _, th := range p.threads {
		if !th.stopped || th.rehit || th.exiting || th.hitAt == 0 {
			continue
		}
		if ev, ok := d.stepOver(th); !ok {
			d.handleAfterStep(ev)
			if d.p == nil || !d.p.running {
				return nil // it was reported, or the process ended
			}
		}
	}
	p.stacks, p.gview = nil, nil
	d.resumed = true
	var rs []ptrace.Resume
	for _, th := range p.threads {
		if th.stopped {
			rs = append(rs, ptrace.Resume{Tid: th.tid, Signal: th.sig})
			th.sig, th.stopped, th.rehit, th.hitAt = 0, false, false, 0
		}
	}
	return d.run(rs...)
}

// handleAfterStep handles an event that interrupted a step over a
// breakpoint (a crash in the stepped instruction, an exit): the other
// threads are still stopped, so it is reported as is.
func (d *Debugger) handleAfterStep(ev ptrace.Event) {
	if !ev.Stopped() {
		d.gone(ev)
		return
	}
	d.handle(ev)
}

// othersRunning says whether a thread other than th runs.
func (d *Debugger) othersRunning(th *thread) bool {
	for _, o := range d.p.threads {
		if o != th && !o.stopped && !o.exiting {
			return true
		}
	}
	return false
}
