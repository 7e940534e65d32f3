package ptrace

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Mailbox is the queue between the waiter and one owner: the events of
// the processes the owner watches (see Watch, with Put as the sink), in
// the order wait4 reported them. Put never blocks, so the waiter never
// waits for an owner; the owner takes events in order (Pop) or a thread's
// first one (Take) and may put one taken out of turn back (Requeue).
// Ready receives a value after each Put or Requeue.
type Mailbox struct {
	mu    sync.Mutex // guards queue only
	queue []Event
	n     atomic.Int32 // len(queue), readable without the lock
	ready chan struct{}
	// polling: the owner is in Poll's hold (owner only).
	polling bool
}

// NewMailbox returns an empty mailbox.
func NewMailbox() *Mailbox { return &Mailbox{ready: make(chan struct{}, 1)} }

// Put appends ev. It is a Sink.
func (m *Mailbox) Put(ev Event) { m.add(ev, false) }

// Requeue puts ev back at the head.
func (m *Mailbox) Requeue(ev Event) { m.add(ev, true) }

func (m *Mailbox) add(ev Event, head bool) {
	m.mu.Lock()
	if head {
		m.queue = append([]Event{ev}, m.queue...)
	} else {
		m.queue = append(m.queue, ev)
	}
	m.n.Store(int32(len(m.queue)))
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// Pop takes the oldest event, if any.
func (m *Mailbox) Pop() (Event, bool) {
	return m.take(func(Event) bool { return true })
}

// Take takes the oldest event of thread tid, if any, leaving the others
// in order.
func (m *Mailbox) Take(tid int) (Event, bool) {
	return m.take(func(ev Event) bool { return ev.Tid == tid })
}

func (m *Mailbox) take(match func(Event) bool) (Event, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, ev := range m.queue {
		if match(ev) {
			m.queue = append(m.queue[:i:i], m.queue[i+1:]...)
			m.n.Store(int32(len(m.queue)))
			return ev, true
		}
	}
	return Event{}, false
}

// Len is the number of events queued; it takes no lock.
func (m *Mailbox) Len() int { return int(m.n.Load()) }

// Ready receives a value after an event is queued.
func (m *Mailbox) Ready() <-chan struct{} { return m.ready }

// Clear drops every queued event.
func (m *Mailbox) Clear() {
	m.mu.Lock()
	m.queue = nil
	m.n.Store(0)
	m.mu.Unlock()
}

// Poll reaps wait statuses itself (ReapAny), for up to dur, until one of
// this mailbox's is queued or stop says to stop (stop may be nil). It is
// for an owner whose threads are about to stop within microseconds, as in
// a burst of events (a thousand threads starting, or being stopped): one
// thread then takes every event as it comes, where waking the waiter and
// then the owner costs several times the event itself. From the first
// Poll until one that finds nothing, or Cool, the waiter stands aside:
// the owner must call Cool before it sleeps or blocks (Next does).
func (m *Mailbox) Poll(dur time.Duration, stop func() bool) bool {
	if !m.polling {
		m.polling = true
		polling.Add(1)
	}
	end := time.Now().Add(dur)
	for m.Len() == 0 && (stop == nil || !stop()) && time.Now().Before(end) {
		ReapAny()
	}
	if m.Len() == 0 {
		m.Cool() // the burst is over
		return false
	}
	return true
}

// Reap polls threads tids with the package's Reap for up to dur, until
// an event is queued here or stop says to stop, and returns the first
// status it reaps: for an owner that just resumed a few threads and
// expects one back within microseconds (a single step, a breakpoint in a
// hot loop), sooner than the waiter could hand it over.
func (m *Mailbox) Reap(tids []int, dur time.Duration, stop func() bool) (Event, bool) {
	end := time.Now().Add(dur)
	for m.Len() == 0 && !stop() && time.Now().Before(end) {
		for _, tid := range tids {
			if ev, ok := Reap(tid); ok {
				return ev, true
			}
		}
	}
	return Event{}, false
}

// Cool ends Poll's hold: the waiter takes the statuses again.
func (m *Mailbox) Cool() {
	if m.polling {
		m.polling = false
		if polling.Add(-1) == 0 {
			kickWaiter()
		}
	}
}

// ErrMailboxClosed is Next's error when quit closed first.
var ErrMailboxClosed = errors.New("mailbox closed")

// Next takes the oldest event, waiting for one up to timeout or until
// quit is closed.
func (m *Mailbox) Next(timeout time.Duration, quit <-chan struct{}) (Event, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		if ev, ok := m.Pop(); ok {
			return ev, nil
		}
		m.Cool()
		select {
		case <-m.ready:
		case <-t.C:
			return Event{}, fmt.Errorf("no event within %v", timeout)
		case <-quit:
			return Event{}, ErrMailboxClosed
		}
	}
}
