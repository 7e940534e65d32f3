package proc

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// Software watchpoints, for machines whose debug registers do not fire
// (see ptrace.HardwareWatchpoints) and for watches beyond the four registers.
//
// The page that holds a watched word is made read-only (no access at all
// for a read-write watch) in the tracee, by an mprotect(2) the tracee runs:
// we write a `syscall` instruction over its current instruction, set its
// registers, single-step it and put everything back. Any write to the page
// then stops the writing thread with a SIGSEGV (SEGV_ACCERR, si_addr on the
// page) before the write happens. We open the page, single-step the
// faulting instruction with the signal suppressed, close the page again and
// compare the watched values with what they were: a watched word written
// (or changed) stops the program as a data breakpoint, a write to a
// neighbour goes on unseen. The page is open only while that one thread
// steps: the others are stopped first (all-stop), so none of them writes
// the watched word unseen meanwhile.
//
// A page that cannot be protected (no longer mapped, mprotect refused) is
// watched by single-stepping every thread and comparing the values after
// each instruction: slow, the last resort.
//
// Known limits, documented in the README: the kernel's own writes into a
// protected page in a system call (read(2) into a buffer there) fail with
// EFAULT instead of faulting, and a signal handler cannot run on a thread
// whose stack page is protected (watching a local variable).

// softBit in thread.watchBits says that software watches saw accesses by
// that thread, listed in softWatches.hits.
const softBit = 1 << 63

// pageSize is the x86-64 page: the unit of protection.
const pageSize = 4096

// segvAccErr is SEGV_ACCERR: a fault on a mapped page it may not access.
const segvAccErr = 2

// softWatches is the software side of a process's data breakpoints.
type softWatches struct {
	watches []*watch
	pages   map[uint64]*softPage // by page address: the protected ones
	hits    map[int][]watchHit   // by thread id: accesses not yet reported
	// stepping: some watch is on a page that could not be protected, so
	// every thread runs one instruction at a time.
	stepping bool
	// mode is what the launch asked for: "" (automatic), "page" or "step"
	// (software watchpoints forced, by page protection or by stepping).
	mode string
	told bool // the method in use was told to the client
}

// softPage is a page protected for watches.
type softPage struct {
	orig int // its protection as the program mapped it
	prot int // while watched
}

// SetWatchMode forces software watchpoints for this process: "page" (page
// protection, single-stepping where that fails), "step" (single-stepping
// only), or "" to use the debug registers where they work. The
// environment variable DAP_PTRACE_SOFT_WATCH does the same for every
// session of the adapter.
func (d *Debugger) SetWatchMode(mode string) error {
	switch mode {
	case "", "page", "step":
	default:
		return fmt.Errorf("software watchpoints: %q is not \"page\" or \"step\"", mode)
	}
	return d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		d.softState().mode = mode
		return nil
	})
}

// WatchMethod says how data breakpoints are watched in this session, for
// dataBreakpointInfo. It may run the hardware probe.
func (d *Debugger) WatchMethod() string {
	var mode string
	_ = d.do(func() error {
		if d.p != nil && d.p.soft != nil {
			mode = d.p.soft.mode
		}
		return nil
	})
	if forced := forcedMode(mode); forced != "" {
		return "software watchpoints forced (" + forced + ")"
	}
	if works, detail := ptrace.HardwareWatchpoints(); !works {
		return detail
	}
	return "hardware watchpoints (debug registers; beyond four, page protection)"
}

// forcedMode is the software method the launch or the environment forces,
// "" for none.
func forcedMode(mode string) string {
	if mode == "" {
		mode = os.Getenv("DAP_PTRACE_SOFT_WATCH")
	}
	switch strings.ToLower(mode) {
	case "1", "true", "yes", "page":
		return "page"
	case "step":
		return "step"
	}
	return ""
}

func (d *Debugger) softState() *softWatches {
	p := d.p
	if p.soft == nil {
		p.soft = &softWatches{pages: map[uint64]*softPage{}, hits: map[int][]watchHit{}}
	}
	return p.soft
}

// hardwareWatch says whether watches go into the debug registers, and why
// not. The probe runs only once a watch is actually set.
func (d *Debugger) hardwareWatch(setting bool) (bool, string) {
	if !setting {
		return true, ""
	}
	if forced := forcedMode(d.softState().mode); forced != "" {
		return false, "software watchpoints forced (" + forced + ")"
	}
	return ptrace.HardwareWatchpoints()
}

// setSoft makes ws the software watches, protecting the pages they need
// and opening those no longer needed. Every thread is stopped.
func (d *Debugger) setSoft(ws []*watch, hw bool, why string) {
	p := d.p
	s := d.softState()
	if len(ws) > 0 && !s.told {
		s.told = true
		if !hw {
			d.ln.Output("console", "data breakpoints: "+why+"\n")
		}
	}
	step := forcedMode(s.mode) == "step"
	maps, _ := p.img.Maps()
	want := map[uint64]int{}
	orig := map[uint64]int{}
	var unprotectable []*watch
	for _, w := range ws {
		for pg := w.addr &^ (pageSize - 1); pg < w.addr+uint64(w.size); pg += pageSize {
			o, ok := s.origProt(pg, maps)
			if !ok || step {
				unprotectable = append(unprotectable, w)
				continue
			}
			prot := o &^ unix.PROT_WRITE
			if w.access == AccessReadWrite {
				prot = unix.PROT_NONE
			}
			if cur, seen := want[pg]; seen {
				prot &= cur
			}
			want[pg], orig[pg] = prot, o
		}
	}
	for pg, sp := range s.pages {
		if prot, ok := want[pg]; !ok || prot != sp.prot {
			if err := d.mprotect(pg, sp.orig); err != nil {
				d.ln.Output("important", fmt.Sprintf("data breakpoints: cannot restore the protection of page %#x: %v\n", pg, err))
			}
			delete(s.pages, pg)
		}
	}
	for pg, prot := range want {
		if s.pages[pg] != nil {
			continue
		}
		if err := d.mprotect(pg, prot); err != nil {
			for _, w := range ws {
				if w.addr&^(pageSize-1) == pg || (w.addr+uint64(w.size)-1)&^(pageSize-1) == pg {
					unprotectable = append(unprotectable, w)
				}
			}
			continue
		}
		s.pages[pg] = &softPage{orig: orig[pg], prot: prot}
	}
	for _, w := range ws {
		w.bp.Message = "software watchpoint (page protection): " + why
	}
	s.watches = s.watches[:0]
	for _, w := range ws {
		if slices.Contains(unprotectable, w) {
			if w.access == AccessReadWrite {
				// Comparing values after each instruction sees writes only.
				w.bp.Verified, w.bp.Addrs = false, nil
				w.bp.Message = "a read cannot be watched here: its page cannot be protected (" + why + "); watch writes only"
				continue
			}
			w.bp.Message = "software watchpoint (single-stepping: slow): " + why
		}
		s.watches = append(s.watches, w)
	}
	clear(s.hits)
	s.stepping = len(s.watches) > 0 && len(unprotectable) > 0
}

// origProt is the protection the program gave page pg: ours if we protect
// it already, else from /proc/PID/maps.
func (s *softWatches) origProt(pg uint64, maps []image.Mapping) (int, bool) {
	if sp := s.pages[pg]; sp != nil {
		return sp.orig, true
	}
	for _, m := range maps {
		if pg >= m.Start && pg < m.End {
			if strings.HasPrefix(m.Path, "[v") { // [vvar], [vdso], [vsyscall]
				return 0, false
			}
			prot := 0
			if strings.Contains(m.Perms, "r") {
				prot |= unix.PROT_READ
			}
			if strings.Contains(m.Perms, "w") {
				prot |= unix.PROT_WRITE
			}
			if strings.Contains(m.Perms, "x") {
				prot |= unix.PROT_EXEC
			}
			return prot, true
		}
	}
	return 0, false
}

// mprotect changes the protection of one page of the tracee, run by one of
// its stopped threads.
func (d *Debugger) mprotect(pg uint64, prot int) error {
	return d.mprotectIn(d.injector(), pg, prot)
}

// mprotectIn is mprotect run by thread th.
func (d *Debugger) mprotectIn(th *thread, pg uint64, prot int) error {
	if th == nil {
		return errors.New("no stopped thread to run mprotect")
	}
	ret, err := d.inject(th, unix.SYS_MPROTECT, pg, pageSize, uint64(prot))
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
			d.requeue(ev)
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
	end := time.Now().Add(stepSpin)
	for d.queued.Load() == 0 && time.Now().Before(end) {
		if ev, ok := ptrace.Reap(tid); ok {
			if ev.Pid == 0 {
				ev.Pid = d.p.pid
			}
			return ev, nil
		}
	}
	return d.waitTid(tid, collectTimeout)
}

// stepSpin bounds stepWait's busy wait.
const stepSpin = time.Millisecond

// requeue puts an event taken out of turn back at the head of the queue.
func (d *Debugger) requeue(ev ptrace.Event) {
	d.mu.Lock()
	d.queue = append([]ptrace.Event{ev}, d.queue...)
	d.queued.Store(int32(len(d.queue)))
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// softFault says whether th's SIGSEGV is an access to a page we protect,
// and where.
func (d *Debugger) softFault(th *thread) (uint64, bool) {
	s := d.p.soft
	if s == nil || len(s.pages) == 0 {
		return 0, false
	}
	si, err := d.tr.GetSigInfo(th.tid)
	if err != nil || si.Signo != int32(unix.SIGSEGV) || si.Code != segvAccErr {
		return 0, false
	}
	if s.pages[si.Addr&^(pageSize-1)] == nil {
		return 0, false
	}
	return si.Addr, true
}

// errProgramFault: the instruction faults for a reason of its own once our
// page is open (it also touches an unmapped page): the program's SIGSEGV.
var errProgramFault = errors.New("the program's own fault")

// softStep completes the access th faulted on at addr: the page opened,
// the instruction stepped with every other thread stopped, the page closed
// again; then the watched values are compared and the accesses recorded in
// s.hits (th.watchBits gets softBit).
func (d *Debugger) softStep(th *thread, addr uint64) error {
	p := d.p
	s := p.soft
	regs, err := d.tr.GetRegs(th.tid)
	if err != nil {
		return err
	}
	n := 1
	if ins, ok := d.p.img.DecodeAt(regs.Rip); ok && ins.MemBytes > 0 {
		n = ins.MemBytes
	}
	var opened []uint64
	defer func() {
		for _, pg := range opened {
			if sp := s.pages[pg]; sp != nil {
				if err := d.mprotectIn(th, pg, sp.prot); err != nil && d.p != nil {
					d.ln.Output("important", fmt.Sprintf("data breakpoints: cannot protect page %#x again: %v\n", pg, err))
				}
			}
		}
	}()
	open := func(a uint64) error {
		pg := a &^ (pageSize - 1)
		if err := d.mprotectIn(th, pg, s.pages[pg].orig); err != nil {
			return err
		}
		opened = append(opened, pg)
		return nil
	}
	if err := open(addr); err != nil {
		return err
	}
	for try := 0; ; try++ {
		if try == 16 {
			return errors.New("the faulting instruction never completed")
		}
		th.stopped = false
		if err := d.tr.SingleStep(th.tid, 0); err != nil {
			th.stopped = true
			return err
		}
		ev, err := d.stepWait(th.tid)
		if err != nil {
			return err
		}
		if !ev.Stopped() {
			d.requeue(ev)
			return errThreadGone
		}
		th.stopped = true
		if ev.Kind != ptrace.SignalStop {
			if ev.Kind == ptrace.ExitStop {
				th.exiting = true
			}
			return fmt.Errorf("stepping the faulting instruction: %v", ev)
		}
		if ev.Signal == unix.SIGTRAP {
			break
		}
		if ev.Signal == unix.SIGSEGV {
			// It reaches into a second watched page (a write across the
			// boundary), or faults for a reason of its own.
			if a2, ok := d.softFault(th); ok {
				if err := open(a2); err != nil {
					return err
				}
				continue
			}
			th.sig = unix.SIGSEGV
			return errProgramFault
		}
		if th.sig == 0 {
			th.sig = ev.Signal // delivered when the thread runs on
		}
	}
	if len(p.watches) > 0 {
		d.takeDR6(th)
	}
	d.softCompare(th, addr, n)
	return nil
}

// softCompare reads every software watch and records as hits, for th, the
// ones whose value changed and the ones the access [addr, addr+n) touched
// (a write to a read-only page; any access to a no-access page for a
// read-write watch). addr 0: no access known (a single step).
func (d *Debugger) softCompare(th *thread, addr uint64, n int) {
	s := d.p.soft
	var writeOnly bool
	if sp := s.pages[addr&^(pageSize-1)]; addr != 0 && sp != nil {
		writeOnly = sp.prot&unix.PROT_READ != 0
	}
	for _, w := range s.watches {
		v, err := d.readWatch(w)
		if err != nil {
			continue
		}
		touched := addr != 0 && addr < w.addr+uint64(w.size) && w.addr < addr+uint64(n) &&
			(writeOnly || w.access == AccessReadWrite)
		if v != w.old || touched {
			s.hits[th.tid] = append(s.hits[th.tid], watchHit{w: w, old: w.old, new: v})
			th.watchBits |= softBit
		}
		w.old = v
	}
}

// softTrap handles th's fault on a page we protect while the process runs.
func (d *Debugger) softTrap(th *thread, addr uint64) {
	p := d.p
	others := false
	for _, o := range p.threads {
		if o != th && !o.stopped && !o.exiting {
			others = true
		}
	}
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
	case errors.Is(err, errProgramFault):
		d.report(d.exceptionStop(th.tid, unix.SIGSEGV))
		return
	case err != nil:
		d.ln.Output("important", fmt.Sprintf("data breakpoints: %v\n", err))
	}
	if th.watchBits != 0 {
		if st := d.watchStop(th); st != nil {
			d.report(*st)
			return
		}
	}
	if !others {
		d.cont(th)
		return
	}
	// It stands on the next instruction, which may hold a breakpoint to
	// hit: the resume must not step over it.
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
	case errors.Is(err, errProgramFault):
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
	return d.p != nil && d.p.soft != nil && d.p.soft.stepping && len(d.p.soft.watches) > 0
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
	d.softCompare(th, 0, 0)
	return th.watchBits&softBit != 0
}

// softClear opens every protected page (before a detach: the program must
// not fault on our protection once we are gone).
func (d *Debugger) softClear() {
	s := d.p.soft
	if s == nil {
		return
	}
	for pg, sp := range s.pages {
		_ = d.mprotect(pg, sp.orig)
		delete(s.pages, pg)
	}
	s.watches, s.stepping = nil, false
	clear(s.hits)
}

// softExeced forgets the software watches of the old image: its pages
// are gone, and the addresses mean nothing in the new program.
func (d *Debugger) softExeced() {
	s := d.p.soft
	if s == nil {
		return
	}
	s.watches, s.stepping = nil, false
	clear(s.pages)
	clear(s.hits)
}

// softForkChild gives a forked child, stopped at its first stop and about
// to run undebugged, its pages' own protection back: a copy of ours would
// kill it at its first write there.
func (d *Debugger) softForkChild(child int, mem *ptrace.Mem, wait func() (ptrace.Event, error)) {
	s := d.p.soft
	if s == nil {
		return
	}
	for pg, sp := range s.pages {
		_, _ = ptrace.InjectSyscall(d.tr, mem, child, wait, func(syscall.Signal) {}, unix.SYS_MPROTECT, pg, pageSize, uint64(sp.orig))
	}
}
