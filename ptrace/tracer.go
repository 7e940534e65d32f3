package ptrace

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrClosed is returned by every Tracer method after Close.
var ErrClosed = errors.New("ptrace: tracer closed")

// Tracer owns one OS thread and runs every ptrace request of its tracees on
// it. All methods are safe for concurrent use; requests run one at a time.
type Tracer struct {
	reqs chan func()
	quit chan struct{}
	done chan struct{}
	tid  int // the tracer thread's id, set before the first request runs
}

// NewTracer starts the tracer thread. Close ends it.
func NewTracer() *Tracer {
	t := &Tracer{reqs: make(chan func()), quit: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan struct{})
	go t.loop(ready)
	<-ready // t.tid is set: run may read it without a lock
	return t
}

func (t *Tracer) loop(ready chan<- struct{}) {
	// Never unlocked: if this goroutine ends while locked, Go retires the
	// thread instead of reusing it, so no other goroutine ever inherits a
	// thread that the kernel considers a tracer.
	runtime.LockOSThread()
	t.tid = unix.Gettid()
	close(ready)
	defer close(t.done)
	for {
		select {
		case f := <-t.reqs:
			f()
		case <-t.quit:
			return
		}
	}
}

// Close ends the tracer thread. Tracees still attached stay attached until
// the adapter process exits (PTRACE_O_EXITKILL then kills launched ones), so
// callers detach or kill first.
func (t *Tracer) Close() {
	select {
	case <-t.quit:
	default:
		close(t.quit)
	}
	<-t.done
}

// Exec runs f on the tracer thread and returns when f does. Inside f, every
// Tracer method is a direct call, with no hand-off between threads: a
// debugger core that runs its whole owner loop this way pays nothing per
// ptrace request, which is what makes a breakpoint hit cheap. Other
// goroutines' requests wait until f returns.
func (t *Tracer) Exec(f func()) error {
	return t.run(func() error { f(); return nil })
}

// run executes f on the tracer thread and waits for it; on the tracer
// thread itself (inside Exec) it simply calls f. A locked thread runs only
// its own goroutine, so a matching thread id means we are that goroutine.
func (t *Tracer) run(f func() error) error {
	if unix.Gettid() == t.tid {
		return f()
	}
	var err error
	fin := make(chan struct{})
	select {
	case t.reqs <- func() { err = f(); close(fin) }:
	case <-t.quit:
		return ErrClosed
	}
	<-fin
	return err
}

// Options are the ptrace options every tracee gets: follow threads and exec,
// see thread exits, and see forks (the children are let go, without our
// breakpoints, rather than left to trap on them untraced).
const Options = unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEEXEC |
	unix.PTRACE_O_TRACEEXIT | unix.PTRACE_O_TRACESYSGOOD |
	unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK

// SetOptions sets the ptrace options on a stopped tracee. exitKill adds
// PTRACE_O_EXITKILL, which we want for launched processes only: an attached
// process must survive the adapter.
func (t *Tracer) SetOptions(tid int, exitKill bool) error {
	opts := Options
	if exitKill {
		opts |= unix.PTRACE_O_EXITKILL
	}
	return t.run(func() error { return wrap("PTRACE_SETOPTIONS", tid, unix.PtraceSetOptions(tid, opts)) })
}

// Regs are the general-purpose registers of a thread, fs_base and gs_base
// included.
type Regs = unix.PtraceRegs

// GetRegs reads a stopped thread's general-purpose registers.
func (t *Tracer) GetRegs(tid int) (Regs, error) {
	var r Regs
	err := t.run(func() error { return wrap("PTRACE_GETREGS", tid, unix.PtraceGetRegs(tid, &r)) })
	return r, err
}

// SetRegs writes a stopped thread's general-purpose registers.
func (t *Tracer) SetRegs(tid int, r *Regs) error {
	return t.run(func() error { return wrap("PTRACE_SETREGS", tid, unix.PtraceSetRegs(tid, r)) })
}

// SetPC sets a stopped thread's instruction pointer, keeping the other
// registers (one round trip to the tracer thread instead of two).
func (t *Tracer) SetPC(tid int, pc uint64) error {
	return t.run(func() error {
		var r Regs
		if err := unix.PtraceGetRegs(tid, &r); err != nil {
			return wrap("PTRACE_GETREGS", tid, err)
		}
		r.Rip = pc
		return wrap("PTRACE_SETREGS", tid, unix.PtraceSetRegs(tid, &r))
	})
}

// Resume is one thread to restart and the signal to deliver to it (0 for
// none).
type Resume struct {
	Tid    int
	Signal syscall.Signal
}

// Cont restarts each thread with PTRACE_CONT in one trip to the tracer
// thread. Threads that vanished meanwhile (ESRCH: killed, or exited while
// stopped) are skipped; their exit arrives through the waiter.
func (t *Tracer) Cont(rs ...Resume) error {
	return t.run(func() error {
		for _, r := range rs {
			if err := unix.PtraceCont(r.Tid, int(r.Signal)); err != nil && err != unix.ESRCH {
				return wrap("PTRACE_CONT", r.Tid, err)
			}
		}
		return nil
	})
}

// SingleStep executes one instruction of a stopped thread, delivering sig.
func (t *Tracer) SingleStep(tid int, sig syscall.Signal) error {
	return t.run(func() error {
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SINGLESTEP, uintptr(tid), 0, uintptr(sig), 0, 0)
		return wrap("PTRACE_SINGLESTEP", tid, errnoErr(e))
	})
}

// StepFrom sets a thread's PC and single-steps it in one trip: the step
// over a breakpoint's original instruction after the trap rewound the PC.
func (t *Tracer) StepFrom(tid int, pc uint64) error {
	return t.run(func() error {
		var r Regs
		if err := unix.PtraceGetRegs(tid, &r); err != nil {
			return wrap("PTRACE_GETREGS", tid, err)
		}
		if r.Rip != pc {
			r.Rip = pc
			if err := unix.PtraceSetRegs(tid, &r); err != nil {
				return wrap("PTRACE_SETREGS", tid, err)
			}
		}
		return wrap("PTRACE_SINGLESTEP", tid, unix.PtraceSingleStep(tid))
	})
}

// GetEventMsg returns the message of a PTRACE_EVENT stop (the new thread's
// id for a clone, the former tid for an exec, the exit status for an exit).
func (t *Tracer) GetEventMsg(tid int) (uint, error) {
	var m uint
	err := t.run(func() error {
		var err error
		m, err = unix.PtraceGetEventMsg(tid)
		return wrap("PTRACE_GETEVENTMSG", tid, err)
	})
	return m, err
}

// SigInfo is the part of siginfo_t a debugger needs.
type SigInfo struct {
	Signo int32
	Code  int32
	Addr  uint64 // si_addr for SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP
}

// Signal codes that tell why a SIGTRAP stopped a thread.
const (
	SIKernel  = 0x80 // int3 (SI_KERNEL)
	TrapBrkpt = 1    // TRAP_BRKPT
	TrapTrace = 2    // TRAP_TRACE: single-step
)

// ErrGroupStop is returned by GetSigInfo for a group-stop, which has no
// siginfo; the tracee must be resumed without re-injecting the signal.
var ErrGroupStop = errors.New("ptrace: group-stop")

// GetSigInfo reads the siginfo of a signal-delivery stop.
func (t *Tracer) GetSigInfo(tid int) (SigInfo, error) {
	var si SigInfo
	err := t.run(func() error {
		var raw [128]byte
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GETSIGINFO, uintptr(tid), 0, uintptr(unsafe.Pointer(&raw[0])), 0, 0)
		if e == unix.EINVAL {
			return ErrGroupStop
		}
		if e != 0 {
			return wrap("PTRACE_GETSIGINFO", tid, e)
		}
		si.Signo = *(*int32)(unsafe.Pointer(&raw[0]))
		si.Code = *(*int32)(unsafe.Pointer(&raw[8]))
		si.Addr = *(*uint64)(unsafe.Pointer(&raw[16]))
		return nil
	})
	return si, err
}

// Interrupt stops a seized tracee with PTRACE_INTERRUPT.
func (t *Tracer) Interrupt(tid int) error {
	return t.run(func() error { return wrap("PTRACE_INTERRUPT", tid, unix.PtraceInterrupt(tid)) })
}

// Detach detaches from each stopped thread, delivering sig to each. Threads
// already gone are skipped.
func (t *Tracer) Detach(rs ...Resume) error {
	return t.run(func() error {
		var first error
		for _, r := range rs {
			_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(r.Tid), 0, uintptr(r.Signal), 0, 0)
			if e != 0 && e != unix.ESRCH && first == nil {
				first = wrap("PTRACE_DETACH", r.Tid, e)
			}
		}
		return first
	})
}

// Error is a failed ptrace request: which one, on which thread.
type Error struct {
	Op  string
	Tid int
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("%s on thread %d: %v", e.Op, e.Tid, e.Err) }

// Unwrap returns the errno.
func (e *Error) Unwrap() error { return e.Err }

func wrap(op string, tid int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Tid: tid, Err: err}
}

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// FPRegs is the FXSAVE area PTRACE_GETFPREGS returns: x87, MXCSR and the
// sixteen XMM registers.
type FPRegs [512]byte

// GetFPRegs reads a stopped thread's floating-point and SSE registers.
func (t *Tracer) GetFPRegs(tid int) (*FPRegs, error) {
	var r FPRegs
	err := t.run(func() error {
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GETFPREGS, uintptr(tid), 0, uintptr(unsafe.Pointer(&r[0])), 0, 0)
		return wrap("PTRACE_GETFPREGS", tid, errnoErr(e))
	})
	return &r, err
}
