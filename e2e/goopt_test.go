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

// In an optimised Go build (inlining on) every step ends with a step stop,
// never running away: 60 nexts through a loop whose call is inlined, then
// stepIn into the inlined call and stepOut of it.
func TestGoOptimisedNext(t *testing.T) {
	f := buildGo(t, "gogoroutines", "-gcflags=")
	c := startAdapter(t)
	st := stopAt(t, c, f, map[string]any{"args": []string{"4"}}, "BP:gospin")
	setBreakpoints(t, c, f.src)
	lines := map[int]int{}
	for i := 0; i < 60; i++ {
		c.MustSucceed("next", map[string]any{"threadId": st.ThreadID})
		s := expectStopped(t, c, "step")
		fr := top(t, c, s.ThreadID)
		if fr.Name != "main.main" {
			t.Fatalf("next %d ended in %s at line %d", i, fr.Name, fr.Line)
		}
		lines[fr.Line]++
	}
	t.Logf("lines stopped at: %v", lines)
	// Into the inlined call and out again, ten times: each a step stop.
	// The call runs between the loop's test (the line before) and the
	// line's own statement, which adds its result.
	for i := 0; i < 10; i++ {
		for top(t, c, st.ThreadID).Line != f.line(t, "BP:gospin")-1 {
			c.MustSucceed("next", map[string]any{"threadId": st.ThreadID})
			expectStopped(t, c, "step")
		}
		c.MustSucceed("stepIn", map[string]any{"threadId": st.ThreadID})
		expectStopped(t, c, "step")
		if fr := top(t, c, st.ThreadID); fr.Name != "main.spin" {
			t.Fatalf("stepIn %d ended in %s at line %d", i, fr.Name, fr.Line)
		}
		c.MustSucceed("stepOut", map[string]any{"threadId": st.ThreadID})
		expectStopped(t, c, "step")
		if fr := top(t, c, st.ThreadID); fr.Name != "main.main" {
			t.Fatalf("stepOut %d ended in %s at line %d", i, fr.Name, fr.Line)
		}
	}
	c.MustSucceed("disconnect", nil)
}
