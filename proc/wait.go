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
		d.box.Cool()
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
	return d.reaped(d.box.Reap([]int{tid}, dur, d.asked))
}

// reaped completes an event the owner reaped itself.
func (d *Debugger) reaped(ev ptrace.Event, ok bool) (ptrace.Event, bool) {
	if ok && ev.Pid == 0 && d.p != nil {
		ev.Pid = d.p.pid
	}
	return ev, ok
}

// burst says whether the running process has threads enough for events
// to come in bursts (a thread storm, stopping the world), which the owner
// then reaps itself for a while (Mailbox.Poll) instead of sleeping.
func (d *Debugger) burst() bool { return d.p != nil && d.p.running && len(d.p.threads) > 8 }

// asked says whether a request waits in the inbox.
func (d *Debugger) asked() bool { return len(d.inbox) > 0 }

// nextEvent waits for the next event of any thread.
func (d *Debugger) nextEvent(timeout time.Duration) (ptrace.Event, error) {
	if d.box.Len() == 0 && d.burst() {
		d.box.Poll(watchFor, nil)
	}
	ev, err := d.box.Next(timeout, d.quit)
	if errors.Is(err, ptrace.ErrMailboxClosed) {
		err = ErrClosed
	}
	return ev, err
}
