package e2e

import "testing"

// A Go program built as `go build` does by default, optimised and with
// inlining: add is inlined into main, yet a breakpoint in it stops every
// time, with add's frame above main's at the line of the call.
func TestGoOptimised(t *testing.T) {
	f := buildGo(t, "gohello", "-gcflags=")
	c := startAdapter(t)
	launch(t, c, f, nil)
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:goadd"))
	if !bps[0].Verified {
		t.Fatalf("breakpoint in inlined Go code: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	for hit := 0; hit < 3; hit++ {
		st := expectStopped(t, c, "breakpoint")
		frames, _ := stackTrace(t, c, st.ThreadID, 0, 10)
		if len(frames) < 2 || frames[0].Name != "main.add" || frames[0].Line != f.line(t, "BP:goadd") ||
			frames[1].Name != "main.main" || frames[1].Line != f.line(t, "BP:goloop") {
			t.Fatalf("hit %d: frames %+v", hit, frames)
		}
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "sum 3\n" {
		t.Errorf("stdout %q", got)
	}
}

// Stepping follows the goroutine, not the thread: work runs long enough
// to be preempted, and its goroutine goes on on whichever thread the
// scheduler picks (the log shows when it moved), yet stepOut ends in main,
// on the thread it came back on, every time.
func TestGoStepFollowsGoroutine(t *testing.T) {
	f := buildGo(t, "gomigrate")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:gowork")
	for i := 0; i < 6; i++ {
		c.MustSucceed("stepOut", map[string]any{"threadId": st.ThreadID})
		from := st.ThreadID
		st = expectStopped(t, c, "step")
		if st.ThreadID != from {
			t.Logf("stepOut %d: the goroutine came back on thread %d, not %d", i, st.ThreadID, from)
		}
		expectAt(t, c, st.ThreadID, "main.main", f.line(t, "BP:gocall"))
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
		st = expectStopped(t, c, "breakpoint")
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}
