package ptrace

import (
	"os"
	"testing"
	"time"
)

// launchExit starts /bin/sh -c "exit code" traced and returns its pid, its
// exec stop taken from box.
func launchExit(t *testing.T, tr *Tracer, box *Mailbox, code string) int {
	t.Helper()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	pid, err := tr.Launch(LaunchConfig{Path: "/bin/sh", Args: []string{"sh", "-c", "exit " + code}, Files: [3]*os.File{null, null, null}})
	if err != nil {
		t.Fatal(err)
	}
	Watch(pid, box.Put)
	t.Cleanup(func() { Unwatch(pid) })
	ev, err := box.Next(10*time.Second, nil)
	if err != nil || ev.Tid != pid || !ev.Stopped() {
		t.Fatalf("exec stop of %d: %v %v", pid, ev, err)
	}
	return pid
}

// Poll takes a burst's events itself, holding the waiter back, and the
// waiter takes over again once no one polls: an event that comes after
// Poll's hold ended still arrives, with nobody polling.
func TestPollThenWaiter(t *testing.T) {
	tr := NewTracer()
	defer tr.Close()
	box := NewMailbox()
	t.Cleanup(box.Cool) // a hold left by a failure would stall the package's other tests
	pid := launchExit(t, tr, box, "3")
	if err := tr.Cont(Resume{Tid: pid}); err != nil {
		t.Fatal(err)
	}
	if !box.Poll(10*time.Second, nil) {
		t.Fatal("Poll found no event of a process that exits")
	}
	if polling.Load() != 1 {
		t.Fatalf("Poll that found an event holds %d, want 1", polling.Load())
	}
	if ev, ok := box.Pop(); !ok || ev.Kind != Exited || ev.ExitCode != 3 {
		t.Fatalf("polled %v %v, want exit 3", ev, ok)
	}
	// Next releases the hold before it sleeps (here until its timeout,
	// nothing being due): the waiter must then deliver the next process's
	// events.
	if ev, err := box.Next(20*time.Millisecond, nil); err == nil {
		t.Fatalf("an event nobody caused: %v", ev)
	}
	if polling.Load() != 0 {
		t.Fatalf("hold %d after Next slept", polling.Load())
	}
	pid2 := launchExit(t, tr, box, "4")
	if err := tr.Cont(Resume{Tid: pid2}); err != nil {
		t.Fatal(err)
	}
	ev, err := box.Next(10*time.Second, nil)
	if err != nil || ev.Kind != Exited || ev.ExitCode != 4 {
		t.Fatalf("after the hold: %v %v, want exit 4", ev, err)
	}
	// A Poll that finds nothing ends its own hold.
	if box.Poll(time.Millisecond, nil) || polling.Load() != 0 {
		t.Fatalf("empty Poll: hold %d", polling.Load())
	}
}
