package proc

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/dap-ptrace/dap-ptrace/proc/goroutine"
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/symbols"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// Errors a client can act on.
var (
	ErrNoProcess = errors.New("no process is being debugged")
	ErrRunning   = errors.New("the process is running; pause it first")
	ErrClosed    = errors.New("debugger closed")
)

// ThreadError names a thread id that is not part of the process.
type ThreadError struct{ Tid int }

func (e *ThreadError) Error() string { return "unknown thread id " + strconv.Itoa(e.Tid) }

// Stop is a stop to report to the client, with every thread stopped.
type Stop struct {
	Reason        string // DAP reason: breakpoint, step, pause, exception, entry, function breakpoint, instruction breakpoint
	Tid           int
	Description   string
	Text          string
	BreakpointIDs []int
	// Detail, for an exception, is an expression whose value in frame 0
	// completes the description (a Go panic's value); "" when none.
	Detail string
	// Running lists the threads that did not stop when the others did
	// (DAP's allThreadsStopped is false then).
	Running []int
}

// Listener receives what the client must be told. Its methods run on the
// owner goroutine and must not block.
type Listener interface {
	Stopped(Stop)
	// Threads reports threads that started or exited, in order. The
	// changes of a burst (a thousand threads starting) come together.
	Threads(changes []ThreadChange)
	Output(category, text string)
	// Module reports an object loaded ("new") or unloaded ("removed").
	Module(reason string, m Module)
	// BreakpointChanged reports a breakpoint that became verified (its
	// code was loaded) or unverified (unloaded).
	BreakpointChanged(bp Breakpoint)
	// Progress reports the start (title set) and end (title "") of work
	// the client may wait for a while: the first reading of a large
	// library's debug information.
	Progress(title string)
	// ChildProcess reports a process the program forked, stopped
	// (SIGSTOP) and no longer traced, for a session of its own to attach;
	// unclaimed for a while, it runs on. Only when forks are followed.
	ChildProcess(pid int)
	// Exited is called once when the debuggee ends (after its output is
	// drained) with its exit code, or 128+signal when killed.
	Exited(code int, signal string)
}

// ThreadChange is a thread that started or exited.
type ThreadChange struct {
	Tid     int
	Started bool
}

// Debugger is one debug session's view of one process.
type Debugger struct {
	tr      *ptrace.Tracer
	ln      Listener
	compile Compiler
	inbox   chan func()
	quit    chan struct{}
	done    chan struct{}

	srcMap image.SourceMap // owned by the owner goroutine, like p

	box *ptrace.Mailbox // the waiter's events for the owner

	// handed are the forked children handed over and not yet attached by
	// a session, which must not stay stopped if none comes.
	handed ptrace.Handovers

	// snap is the state as of the owner's last change, for checks that
	// must not wait for the owner.
	snap atomic.Pointer[snapshot]

	// Everything below is owned by the owner goroutine.
	p       *process
	resumed bool // threads were just resumed: watch them briefly
	follow  bool // forked children are handed over, not let go
	// threadNews are thread changes not yet told (see tellThreads).
	threadNews []ThreadChange
}

// snapshot is what CheckStopped needs to know, published by the owner.
type snapshot struct {
	process, running bool
	threads          map[int]bool // OS threads
	// goroutines, in a Go program, is the stop's goroutine view's own
	// table: never written once made, it is shared, not copied.
	goroutines map[int]*goroutine.G
}

// publish records the current state for CheckStopped. The owner calls it
// after every change, and before telling the client about a stop, so a
// client that reacts to the stop at once sees the new state.
func (d *Debugger) publish() {
	d.tellThreads()
	s := &snapshot{}
	if p := d.p; p != nil {
		s.process, s.running = true, p.running
		if p.running {
			// Running, a resume request is refused whatever its thread:
			// no copy of the thread set at each of a thread storm's
			// events.
			d.snap.Store(s)
			return
		}
		s.threads = make(map[int]bool, len(p.threads))
		for tid, th := range p.threads {
			if !th.exiting {
				s.threads[tid] = true
			}
		}
		if v := p.gview; v != nil {
			s.goroutines = v.ByID
		}
	}
	d.snap.Store(s)
}

// post queues f for the owner without waiting for it.
func (d *Debugger) post(f func()) {
	select {
	case d.inbox <- f:
	case <-d.quit:
	}
}

// New starts a Debugger's owner goroutine. Close ends it. compile
// compiles the expressions of breakpoint conditions and log messages.
func New(ln Listener, compile Compiler) *Debugger {
	d := &Debugger{
		tr:      ptrace.NewTracer(),
		ln:      ln,
		compile: compile,
		inbox:   make(chan func(), 64), // buffered: post does not wait
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
		box:     ptrace.NewMailbox(),
	}
	// The owner loop runs on the tracer thread: its ptrace requests are
	// plain calls, not hand-offs between threads.
	go func() { _ = d.tr.Exec(d.loop) }()
	return d
}

func (d *Debugger) loop() {
	defer close(d.done)
	for {
		if d.resumed {
			// Just resumed a few threads: in a breakpoint-heavy loop (a
			// false condition, a logpoint) the next trap comes within
			// microseconds. Watch for it, reaping it ourselves, before
			// sleeping until the waiter hands it over.
			d.resumed = false
			if ev, ok := d.watchResumed(); ok {
				d.handle(ev)
				d.publish()
				continue
			}
		}
		d.box.Cool()
		select {
		case f := <-d.inbox:
			f()
			d.publish()
		case <-d.box.Ready():
			for {
				if ev, ok := d.box.Pop(); ok {
					d.handle(ev)
				} else if d.asked() || !d.burst() || !d.box.Poll(watchFor, d.asked) {
					break
				}
			}
			d.publish()
		case <-d.quit:
			return
		}
	}
}

// do runs f on the owner goroutine and waits for it.
func (d *Debugger) do(f func() error) error {
	var err error
	fin := make(chan struct{})
	select {
	case d.inbox <- func() {
		defer close(fin)
		defer func() {
			// A bug in one request must not take the session (and the
			// debuggee's owner) down: it fails that request only.
			if r := recover(); r != nil {
				fmt.Fprintf(os.Stderr, "dap-ptrace: internal error: %v\n%s", r, debug.Stack())
				err = fmt.Errorf("internal error: %v", r)
			}
			d.publish()
		}()
		err = f()
	}:
	case <-d.quit:
		return ErrClosed
	}
	<-fin
	return err
}

// Close ends the session: a launched process is killed, an attached one
// detached (breakpoints removed, left running). It then ends the owner
// goroutine and the tracer thread.
func (d *Debugger) Close() {
	_ = d.Disconnect(nil)
	select {
	case <-d.quit:
	default:
		close(d.quit)
	}
	<-d.done
	d.tr.Close()
}

// watchResumed polls the process's running threads for a stop for a
// short while (Mailbox.Reap), if they are few.
func (d *Debugger) watchResumed() (ptrace.Event, bool) {
	p := d.p
	if p == nil || len(p.threads) > 8 {
		return ptrace.Event{}, false
	}
	var tids []int
	for tid, th := range p.threads {
		if !th.stopped && !th.exiting {
			tids = append(tids, tid)
		}
	}
	return d.reaped(d.box.Reap(tids, watchFor, d.asked))
}

// watchFor bounds watchResumed, and each poll of a burst: long enough for
// a hot loop to come back to its breakpoint or a storm's next event to
// come, short enough to cost little when none does.
const watchFor = 200 * time.Microsecond

// FlushCaches waits, at most timeout, for the symbol index caches still
// being written in the background (see symbols.FlushIndexCache).
func FlushCaches(timeout time.Duration) { symbols.FlushIndexCache(timeout) }

// SessionConfig is how the session wants its process debugged.
type SessionConfig struct {
	// FollowForks hands forked children over to be debugged (see
	// Listener.ChildProcess) instead of letting them go.
	FollowForks bool
	// HideSystemGoroutines leaves the Go runtime's own goroutines out of
	// the thread list, as Delve's option of that name does.
	HideSystemGoroutines bool
	// WatchMode forces software watchpoints: "page" (page protection,
	// single-stepping where that fails) or "step" (single-stepping only);
	// "" uses the debug registers where they work. DAP_PTRACE_SOFT_WATCH
	// does the same for every session of the adapter.
	WatchMode string
}

// Configure applies c to the process being debugged.
func (d *Debugger) Configure(c SessionConfig) error {
	return d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		d.follow, d.p.hideSystem = c.FollowForks, c.HideSystemGoroutines
		return d.p.watches.SetMode(c.WatchMode)
	})
}
