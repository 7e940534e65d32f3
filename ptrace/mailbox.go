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
		select {
		case <-m.ready:
		case <-t.C:
			return Event{}, fmt.Errorf("no event within %v", timeout)
		case <-quit:
			return Event{}, ErrMailboxClosed
		}
	}
}
