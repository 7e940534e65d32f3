package proc

import (
	"errors"
	"fmt"
	"time"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// waitTid waits for the next event of thread tid, leaving other threads'
// events queued in order.
func (d *Debugger) waitTid(tid int, timeout time.Duration) (ptrace.Event, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	spun := false
	for {
		if ev, ok := d.box.Take(tid); ok {
			return ev, nil
		}
		if !spun {
			// The event we wait for (a single step) is typically tens of
			// microseconds away, about what being woken from a sleep costs
			// on a small VM: watch for it briefly before sleeping.
			spun = true
			if ev, ok := d.spin(spinFor, tid); ok {
				return ev, nil
			}
			continue
		}
		select {
		case <-d.box.Ready():
		case <-t.C:
			return ptrace.Event{}, fmt.Errorf("thread %d did not stop within %v", tid, timeout)
		case <-d.quit:
			return ptrace.Event{}, ErrClosed
		}
	}
}

// spinFor bounds the busy wait of waitTid.
const spinFor = 100 * time.Microsecond

// spin busy-waits until an event is queued or dur elapses, reaping tid's
// status itself if it comes first.
func (d *Debugger) spin(dur time.Duration, tid int) (ptrace.Event, bool) {
	end := time.Now().Add(dur)
	for d.box.Len() == 0 && len(d.inbox) == 0 && time.Now().Before(end) {
		if ev, ok := ptrace.Reap(tid); ok {
			if ev.Pid == 0 && d.p != nil {
				ev.Pid = d.p.pid
			}
			return ev, true
		}
	}
	return ptrace.Event{}, false
}

// nextEvent waits for the next event of any thread.
func (d *Debugger) nextEvent(timeout time.Duration) (ptrace.Event, error) {
	ev, err := d.box.Next(timeout, d.quit)
	if errors.Is(err, ptrace.ErrMailboxClosed) {
		err = ErrClosed
	}
	return ev, err
}
