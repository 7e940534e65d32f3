package proc

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
	"github.com/dap-ptrace/dap-ptrace/proc/watch"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// Software watchpoints (see package watch): the faults on the pages they
// protect, the step that completes each access, and the single-stepping
// that keeps a watch on a page that cannot be protected.

// segvAccErr is SEGV_ACCERR: a fault on a mapped page it may not access.
const segvAccErr = 2

// WatchMethod says how data breakpoints are watched in this session, for
// dataBreakpointInfo. It may run the hardware probe.
func (d *Debugger) WatchMethod() string {
	var method string
	_ = d.do(func() error {
		var none watch.Set[*Breakpoint]
		if d.p == nil {
			method = none.Method()
			return nil
		}
		method = d.p.watches.Method()
		return nil
	})
	return method
}

// mprotectIn changes the protection of one page of the tracee, run by
// stopped thread th.
func (d *Debugger) mprotectIn(th *thread, pg uint64, prot int) error {
	if th == nil {
		return errors.New("no stopped thread to run mprotect")
	}
	ret, err := d.inject(th, unix.SYS_MPROTECT, pg, watch.PageSize, uint64(prot))
	if err != nil {
		return err
	}
	if e := int64(ret); e < 0 && e > -4096 {
		return fmt.Errorf("mprotect: %w", syscall.Errno(-e))
	}
	return nil
}

// injector picks the stopped thread that runs our system calls.
func (d *Debugger) injector() *thread {
	p := d.p
	if th := p.threads[p.current]; th != nil && th.stopped && !th.exiting {
		return th
	}
	for _, th := range p.threads {
		if th.stopped && !th.exiting && !th.fresh {
			return th
		}
	}
	return nil
}

// errThreadGone: the thread we ran something in ended meanwhile; its end
// is queued for the owner.
var errThreadGone = errors.New("the thread ended")

// inject runs system call nr with args in stopped thread th and returns
// what it returned, leaving th's registers and code as they were.
func (d *Debugger) inject(th *thread, nr uint64, args ...uint64) (uint64, error) {
	tid := th.tid
	return ptrace.InjectSyscall(d.tr, d.p.mem, tid, func() (ptrace.Event, error) {
		ev, err := d.stepWait(tid)
		if err == nil && !ev.Stopped() {
			d.box.Requeue(ev)
			return ev, errThreadGone
		}
		return ev, err
	}, func(sig syscall.Signal) {
		if th.sig == 0 {
			th.sig = sig
		}
	}, nr, args...)
}

// stepWait waits for the end of a single step of tid that we made. A step
// that runs mprotect takes longer than waitTid's spin on a paravirtualised
// MMU (each protection change is a call to the hypervisor), and sleeping
// until the waiter hands the stop over costs more than the step: watch
// for it a little longer first, reaping it ourselves.
func (d *Debugger) stepWait(tid int) (ptrace.Event, error) {
	if ev, ok := d.spin(stepSpin, tid); ok {
		return ev, nil
	}
	return d.waitTid(tid, collectTimeout)
}

// stepSpin bounds stepWait's busy wait.
const stepSpin = time.Millisecond

// softFault says whether th's SIGSEGV is an access to a page we protect,
// and where.
func (d *Debugger) softFault(th *thread) (uint64, bool) {
	return d.p.watches.Fault(d.watchHost(), th.tid)
}

// softStep completes the access th faulted on at addr (watch.Set.Complete);
// on the program's own fault, th is to receive its SIGSEGV.
func (d *Debugger) softStep(th *thread, addr uint64) error {
	err := d.p.watches.Complete(d.watchHost(), th.tid, addr)
	if errors.Is(err, watch.ErrProgramFault) {
		th.sig = unix.SIGSEGV
	}
	return err
}

// softTrap handles th's fault on a page we protect while the process runs.
func (d *Debugger) softTrap(th *thread, addr uint64) {
	others := d.othersRunning(th)
	if others {
		d.stopWorld()
		if d.p == nil {
			return
		}
	}
	err := d.softStep(th, addr)
	if d.p == nil || errors.Is(err, errThreadGone) {
		return
	}
	switch {
	case errors.Is(err, watch.ErrProgramFault):
		d.report(d.exceptionStop(th.tid, unix.SIGSEGV))
		return
	case err != nil:
		d.ln.Output("important", fmt.Sprintf("data breakpoints: %v\n", err))
	}
	if d.p.watches.Fired(th.tid) {
		if st := d.watchStop(th); st != nil {
			d.report(*st)
			return
		}
	}
	if !others {
		d.cont(th)
		return
	}
	d.resumeFrom(th)
}

// resumeFrom resumes the stopped world, th standing on the instruction
// after one it executed alone: that one may hold a breakpoint for it to
// hit, which the resume must not step over.
func (d *Debugger) resumeFrom(th *thread) {
	th.rehit = true
	if err := d.resume(); err != nil {
		d.ln.Output("important", "cannot continue: "+err.Error()+"\n")
	}
}

// singleStepFault completes, inside a single step of th (stepping over a
// breakpoint, stepIn), an access that faulted on a page we protect, and
// returns the event the step would have ended with.
func (d *Debugger) singleStepFault(th *thread, ev ptrace.Event) (ptrace.Event, error) {
	th.stopped = true
	addr, ok := d.softFault(th)
	if !ok {
		return ev, nil
	}
	err := d.softStep(th, addr)
	switch {
	case errors.Is(err, watch.ErrProgramFault):
		return ev, nil
	case err != nil:
		return ev, err
	}
	ev.Signal = unix.SIGTRAP
	return ev, nil
}

// softStepping says whether threads run one instruction at a time for a
// watch on a page that could not be protected.
func (d *Debugger) softStepping() bool {
	return d.p != nil && d.p.watches.Stepping()
}

// run restarts threads: PTRACE_CONT, or one instruction each while a watch
// is kept by single-stepping.
func (d *Debugger) run(rs ...ptrace.Resume) error {
	if !d.softStepping() {
		return d.tr.Cont(rs...)
	}
	for _, r := range rs {
		if err := d.tr.SingleStep(r.Tid, r.Signal); err != nil && !errors.Is(err, unix.ESRCH) {
			return err
		}
	}
	return nil
}

// softSyscallStep says whether a SIGTRAP that is neither a breakpoint nor
// a plain step is a single step that ran a system call, while
// single-stepping keeps a watch: x86 reports those as TRAP_BRKPT, with no
// breakpoint.Int3 behind the pc.
func (d *Debugger) softSyscallStep(th *thread) bool {
	if !d.softStepping() {
		return false
	}
	si, err := d.tr.GetSigInfo(th.tid)
	if err != nil || si.Code != ptrace.TrapBrkpt {
		return false
	}
	regs, err := d.tr.GetRegs(th.tid)
	if err != nil {
		return false
	}
	var b [1]byte
	_, err = d.p.mem.ReadAt(b[:], regs.Rip-1)
	return err == nil && b[0] != breakpoint.Int3
}

// softStepCheck compares the watched values after a single step of th
// while single-stepping keeps a watch; it reports whether a watch saw it.
func (d *Debugger) softStepCheck(th *thread) bool {
	if !d.softStepping() {
		return false
	}
	return d.p.watches.Compare(d.watchHost(), th.tid, 0, 0)
}

// softForkChild gives a forked child, stopped at its first stop and about
// to run undebugged, its pages' own protection back: a copy of ours would
// kill it at its first write there.
func (d *Debugger) softForkChild(child int, mem *ptrace.Mem, wait func() (ptrace.Event, error)) {
	d.p.watches.Pages(func(pg uint64, orig int) {
		_, _ = ptrace.InjectSyscall(d.tr, mem, child, wait, func(syscall.Signal) {}, unix.SYS_MPROTECT, pg, watch.PageSize, uint64(orig))
	})
}
