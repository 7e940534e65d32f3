package e2e

import (
	"strconv"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// runWithBreakpoint launches C fixture name with numeric args and a
// breakpoint at marker, and lets it run to its first hit.
func runWithBreakpoint(t *testing.T, name, marker string, args ...int) *daptest.Client {
	t.Helper()
	f := buildC(t, name)
	c := startAdapter(t)
	var argv []string
	for _, a := range args {
		argv = append(argv, strconv.Itoa(a))
	}
	launch(t, c, f, map[string]any{"args": argv})
	setBreakpoints(t, c, f.src, f.line(t, marker))
	c.MustSucceed("configurationDone", nil)
	return c
}

// N threads released by a barrier onto one breakpoint, round after round:
// every hit is reported exactly once, each round by N distinct threads,
// even when a second thread traps while the world is being stopped for
// the first (its hit is kept and reported at the next continue, not lost
// and not run past), and the program counts every round.
func TestBarrierHitsAllReported(t *testing.T) {
	const threads, rounds = 4, 12
	c := runWithBreakpoint(t, "barrier", "BP:hit", threads, rounds)
	perThread := map[int]int{}
	for i := 0; i < threads*rounds; i++ {
		st := expectStopped(t, c, "breakpoint")
		perThread[st.ThreadID]++
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	if len(perThread) != threads {
		t.Errorf("stops came from %d threads, want %d: %v", len(perThread), threads, perThread)
	}
	for tid, n := range perThread {
		if n != rounds {
			t.Errorf("thread %d stopped %d times, want %d (%v)", tid, n, rounds, perThread)
		}
	}
	expectExit(t, c, 0)
}

// A timer signal every 50 µs while the program runs through a breakpoint
// in a loop: every iteration is reported exactly once (a signal landing
// during the step over the breakpoint must not make it hit twice or be
// skipped), the signals reach the program's handler, and it counts every
// iteration.
func TestSignalDuringStepOver(t *testing.T) {
	const iterations = 100
	c := runWithBreakpoint(t, "sigstep", "BP:loop", iterations)
	for i := 0; i < iterations; i++ {
		st := expectStopped(t, c, "breakpoint")
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 0)
}

// Threads created and ending all the time while main runs through a
// breakpoint: every stop stops the world while some threads are being
// born and others are dying; every iteration is reported once, in main's
// thread, a thread list at each stop answers, and the program ends well.
func TestStopWhileThreadsComeAndGo(t *testing.T) {
	const iterations = 40
	c := runWithBreakpoint(t, "churn", "BP:iter", iterations)
	mainTid := 0
	for i := 0; i < iterations; i++ {
		st := expectStopped(t, c, "breakpoint")
		if mainTid == 0 {
			mainTid = st.ThreadID
		}
		if st.ThreadID != mainTid || !st.AllThreadsStopped {
			t.Fatalf("stop %d in thread %d (all stopped: %v), want main's %d with every thread stopped", i, st.ThreadID, st.AllThreadsStopped, mainTid)
		}
		if ths := threads(t, c); len(ths) == 0 {
			t.Fatalf("stop %d: no threads listed", i)
		}
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 0)
}
