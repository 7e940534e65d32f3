package ptrace

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Kind says what a wait status reported.
type Kind int

// The kinds of Event.
const (
	// Exited: the thread (or, for the leader, the process) exited; ExitCode.
	Exited Kind = iota + 1
	// Signaled: killed by Signal.
	Signaled
	// SignalStop: a signal-delivery stop or, under PTRACE_ATTACH/TRACEME
	// semantics, a group-stop; GetSigInfo tells them apart. SIGTRAP here is a
	// breakpoint or a finished single-step.
	SignalStop
	// CloneStop: PTRACE_EVENT_CLONE; GetEventMsg gives the new thread's id.
	CloneStop
	// ExecStop: PTRACE_EVENT_EXEC; the process image was replaced.
	ExecStop
	// ExitStop: PTRACE_EVENT_EXIT; the thread is about to exit.
	ExitStop
	// EventStop: PTRACE_EVENT_STOP, seen by seized tracees: an interrupt, a
	// new thread's first stop, or a group-stop (Signal is the stop signal).
	EventStop
	// SyscallStop: a syscall-stop (only with PTRACE_SYSCALL, unused so far).
	SyscallStop
	// ForkStop: PTRACE_EVENT_FORK or PTRACE_EVENT_VFORK (VFork set);
	// GetEventMsg gives the new process's id. The kernel traces the child
	// too, from a first stop of its own.
	ForkStop
)

var kindNames = [...]string{"", "exited", "signaled", "signal-stop", "clone", "exec", "exit", "event-stop", "syscall", "fork"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one wait status, decoded.
type Event struct {
	Tid      int
	Pid      int // thread group id, as routed
	Kind     Kind
	Signal   syscall.Signal // stop signal, or the killing signal
	ExitCode int
	Core     bool
	VFork    bool // a ForkStop of vfork: the child shares the memory
}

// Stopped reports whether the thread is in a ptrace stop (and so can be
// resumed), as opposed to gone.
func (e Event) Stopped() bool { return e.Kind != Exited && e.Kind != Signaled }

func (e Event) String() string {
	return fmt.Sprintf("tid %d %s sig=%v code=%d", e.Tid, e.Kind, e.Signal, e.ExitCode)
}

func decode(tid int, ws unix.WaitStatus) Event {
	ev := Event{Tid: tid}
	switch {
	case ws.Exited():
		ev.Kind, ev.ExitCode = Exited, ws.ExitStatus()
	case ws.Signaled():
		ev.Kind, ev.Signal, ev.Core = Signaled, ws.Signal(), ws.CoreDump()
	case ws.Stopped():
		ev.Signal = ws.StopSignal()
		switch ws.TrapCause() {
		case unix.PTRACE_EVENT_CLONE:
			ev.Kind = CloneStop
		case unix.PTRACE_EVENT_FORK:
			ev.Kind = ForkStop
		case unix.PTRACE_EVENT_VFORK:
			ev.Kind, ev.VFork = ForkStop, true
		case unix.PTRACE_EVENT_EXEC:
			ev.Kind = ExecStop
		case unix.PTRACE_EVENT_EXIT:
			ev.Kind = ExitStop
		case unix.PTRACE_EVENT_STOP:
			ev.Kind = EventStop
		default:
			ev.Kind = SignalStop
			if ev.Signal == unix.SIGTRAP|0x80 {
				ev.Kind, ev.Signal = SyscallStop, unix.SIGTRAP
			}
		}
	}
	return ev
}

// Sink receives the events of one process. It is called on the waiter's
// goroutine and must not block.
type Sink func(Event)

// The waiter is process-wide: wait4(-1) reaps every tracee of every session,
// so exactly one goroutine may call it and route by thread group.
var waiter = struct {
	once    sync.Once
	kick    chan struct{}
	mu      sync.Mutex
	sinks   map[int]Sink    // by pid (thread group id)
	tgid    map[int]int     // tid -> pid, learnt as events arrive
	orphans map[int][]Event // by pid: events that came before Watch
}{kick: make(chan struct{}, 1)}

// Watch routes the events of process pid, and of every thread of it, to
// sink, beginning with any that arrived before the call. Unwatch ends it.
func Watch(pid int, sink Sink) {
	startWaiter()
	waiter.mu.Lock()
	waiter.sinks[pid] = sink
	pending := waiter.orphans[pid]
	delete(waiter.orphans, pid)
	waiter.tgid[pid] = pid
	for _, ev := range pending {
		sink(ev)
	}
	waiter.mu.Unlock()
	kickWaiter()
}

// Unwatch stops routing events of pid; later ones are dropped.
func Unwatch(pid int) {
	waiter.mu.Lock()
	delete(waiter.sinks, pid)
	delete(waiter.orphans, pid)
	for tid, p := range waiter.tgid {
		if p == pid {
			delete(waiter.tgid, tid)
		}
	}
	waiter.mu.Unlock()
}

// AddThread tells the router that tid belongs to pid (from a clone event),
// so its first stop is routed even if it races the clone stop.
func AddThread(pid, tid int) {
	waiter.mu.Lock()
	waiter.tgid[tid] = pid
	waiter.mu.Unlock()
}

func kickWaiter() {
	startWaiter()
	select {
	case waiter.kick <- struct{}{}:
	default:
	}
}

func startWaiter() {
	waiter.once.Do(func() {
		waiter.sinks = map[int]Sink{}
		waiter.tgid = map[int]int{}
		waiter.orphans = map[int][]Event{}
		go waitLoop()
	})
}

func waitLoop() {
	for {
		for polling.Load() > 0 {
			// An owner polls wait4 itself and routes what it reaps: the
			// waiter would only be woken with it at every event.
			<-waiter.kick
		}
		var ws unix.WaitStatus
		tid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.ECHILD:
			// No tracee at all: sleep until Launch or Attach adds one.
			<-waiter.kick
			continue
		case err != nil:
			fmt.Fprintf(os.Stderr, "dap-ptrace: wait4: %v\n", err)
			<-waiter.kick
			continue
		}
		route(decode(tid, ws))
	}
}

func route(ev Event) {
	waiter.mu.Lock()
	defer waiter.mu.Unlock()
	pid, ok := waiter.tgid[ev.Tid]
	if !ok {
		// A thread we have not heard of: a new thread whose first stop beat
		// its parent's clone event, or a launched child not yet watched.
		// A new thread of a watched process is found with one stat, not
		// by reading and parsing its status.
		for watched := range waiter.sinks {
			if InThreadGroup(watched, ev.Tid) {
				pid = watched
				break
			}
		}
		if pid == 0 {
			pid = tgidOf(ev.Tid)
		}
		if pid == 0 {
			return // gone, and nobody knew it
		}
		waiter.tgid[ev.Tid] = pid
	}
	ev.Pid = pid
	if !ev.Stopped() && ev.Tid != pid {
		delete(waiter.tgid, ev.Tid)
	}
	if sink := waiter.sinks[pid]; sink != nil {
		sink(ev)
		return
	}
	waiter.orphans[pid] = append(waiter.orphans[pid], ev)
}

// Tgid reads the thread group id of tid from /proc, 0 if unknown.
func Tgid(tid int) int { return tgidOf(tid) }

// InThreadGroup says, with one stat, whether task tid is a thread of
// process pid (a clone event's new task may be a process of its own).
func InThreadGroup(pid, tid int) bool {
	var st unix.Stat_t
	return unix.Stat("/proc/"+strconv.Itoa(pid)+"/task/"+strconv.Itoa(tid), &st) == nil
}

// tgidOf reads the thread group id of tid from /proc, 0 if unknown.
func tgidOf(tid int) int {
	f, err := os.Open("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Tgid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// Reap collects, without blocking, a wait status of thread tid that the
// waiter has not taken yet. It is the one exception to "only the waiter
// reaps": an owner that expects its own thread tid to stop within
// microseconds (a single step, a breakpoint in a hot loop) polls with it
// rather than wait for the waiter to wake, take the status and hand it
// over, which on a small VM costs as much as the step. It is safe because
// it names one thread of the caller's own process (never -1, so it cannot
// take another session's status), whoever reaps first gets the status,
// and a thread has at most one pending at a time, so nothing is lost or
// reordered.
func Reap(tid int) (Event, bool) {
	var ws unix.WaitStatus
	wpid, err := unix.Wait4(tid, &ws, unix.WALL|unix.WNOHANG, nil)
	if err != nil || wpid != tid {
		return Event{}, false
	}
	ev := decode(tid, ws)
	waiter.mu.Lock()
	ev.Pid = waiter.tgid[tid]
	if !ev.Stopped() && tid != ev.Pid {
		delete(waiter.tgid, tid)
	}
	waiter.mu.Unlock()
	return ev, true
}

// polling counts the mailboxes in Poll (see Mailbox.Poll).
var polling atomic.Int32

// ReapAny collects, without blocking, one wait status of any tracee and
// routes it as the waiter would, to its process's sink (another session's
// too). It reports whether there was one.
func ReapAny() bool {
	var ws unix.WaitStatus
	tid, err := unix.Wait4(-1, &ws, unix.WALL|unix.WNOHANG, nil)
	if err != nil || tid <= 0 {
		return false
	}
	route(decode(tid, ws))
	return true
}
