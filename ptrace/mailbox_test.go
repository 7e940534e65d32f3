package ptrace

import "testing"

func TestMailboxOrder(t *testing.T) {
	m := NewMailbox()
	for _, tid := range []int{1, 2, 1, 3} {
		m.Put(Event{Tid: tid})
	}
	<-m.Ready()
	if ev, ok := m.Take(1); !ok || ev.Tid != 1 {
		t.Fatalf("Take(1) = %v, %v", ev, ok)
	}
	if _, ok := m.Take(4); ok {
		t.Fatal("Take of a thread with no event took one")
	}
	m.Requeue(Event{Tid: 9})
	var got []int
	for {
		ev, ok := m.Pop()
		if !ok {
			break
		}
		got = append(got, ev.Tid)
	}
	if want := []int{9, 2, 1, 3}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("popped %v, want %v", got, want)
	}
	if m.Len() != 0 {
		t.Fatalf("Len %d after popping all", m.Len())
	}
}
