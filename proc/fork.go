package proc

import (
	"errors"
	"time"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// Processes the debuggee starts are not debugged here: the kernel
// attaches a fork's child to us and, being a copy of the parent, it
// carries our breakpoint bytes, which would kill it with SIGTRAP the first
// time it ran over one. So a child is taken at its first stop, its copy of
// the code restored, and let go; or, when forks are followed, let go
// stopped (SIGSTOP) and handed to the client (Listener.ChildProcess), which
// attaches a session of its own to it: no two sessions share a process.

// forked handles a fork or vfork event of parent.
func (d *Debugger) forked(parent *thread, vfork bool) {
	msg, err := d.tr.GetEventMsg(parent.tid)
	if err != nil || msg == 0 {
		return
	}
	d.release(int(msg), vfork)
}

// release detaches process child at its first stop, with our breakpoint
// bytes taken out of its memory unless it shares the parent's (vfork: the
// parent is suspended until the child execs or exits, and its breakpoints
// stay).
func (d *Debugger) release(child int, shared bool) {
	evs := make(chan ptrace.Event, 8)
	ptrace.Watch(child, func(ev ptrace.Event) {
		select {
		case evs <- ev:
		default:
		}
	})
	defer ptrace.Unwatch(child)
	timeout := time.NewTimer(collectTimeout)
	defer timeout.Stop()
	for {
		select {
		case ev := <-evs:
			if ev.Tid != child {
				continue
			}
			if !ev.Stopped() {
				return // gone already
			}
			if !shared {
				mem := ptrace.NewMem(child)
				for _, s := range d.p.bps.Sites {
					if s.Inserted {
						_, _ = mem.WriteAt([]byte{s.Orig}, s.Addr)
					}
				}
				d.softForkChild(child, mem, func() (ptrace.Event, error) {
					select {
					case ev := <-evs:
						return ev, nil
					case <-timeout.C:
						return ptrace.Event{}, errors.New("the child did not stop")
					}
				})
				_ = mem.Close()
			}
			if !d.follow {
				_ = d.tr.Detach(ptrace.Resume{Tid: child})
				return
			}
			_ = d.tr.Detach(ptrace.Resume{Tid: child, Signal: unix.SIGSTOP})
			d.ln.ChildProcess(child)
			d.handed.Add(child, handOverTimeout)
			return
		case <-timeout.C:
			return
		}
	}
}

// handOverTimeout is how long a child handed over waits, stopped, for a
// session to attach to it.
const handOverTimeout = 15 * time.Second
