package e2e

import (
	"testing"
)

// A stack 1000 frames deep is complete, with an exact totalFrames, and
// paging through it gives the same frames as fetching it whole.
func TestDeepRecursionStack(t *testing.T) {
	f := buildC(t, "recurse")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:bottom")
	full, total := stackTrace(t, c, st.ThreadID, 0, 0)
	if total != len(full) {
		t.Fatalf("totalFrames %d, but %d frames came", total, len(full))
	}
	if len(full) < 1002 {
		t.Fatalf("%d frames, want at least 1002 (bottom, 1001 x depth, main)", len(full))
	}
	if full[0].Name != "bottom" || full[1].Name != "depth" || full[1001].Name != "depth" || full[1002].Name != "main" {
		t.Fatalf("frames 0,1,1001,1002: %s %s %s %s", full[0].Name, full[1].Name, full[1001].Name, full[1002].Name)
	}
	if full[1].Line != f.line(t, "BP:recurse")-1 || full[2].Line != f.line(t, "BP:recurse") || full[1002].Line != f.line(t, "BP:main") {
		t.Fatalf("lines %d %d %d", full[1].Line, full[2].Line, full[1002].Line)
	}
	for start := 0; start < len(full); start += 20 {
		page, tot := stackTrace(t, c, st.ThreadID, start, 20)
		if tot != total {
			t.Fatalf("page at %d: totalFrames %d, want %d", start, tot, total)
		}
		for i, fr := range page {
			want := full[start+i]
			if fr.Name != want.Name || fr.Line != want.Line || fr.InstructionPointerReference != want.InstructionPointerReference {
				t.Fatalf("page at %d frame %d: %+v, want %+v", start, i, fr, want)
			}
		}
	}
	c.MustSucceed("disconnect", nil)
}

// next over a recursive call stays in the same frame: it does not stop in
// the deeper invocations of the same function.
func TestNextOverRecursion(t *testing.T) {
	f := buildC(t, "recurse")
	c := startAdapter(t)
	launch(t, c, f, map[string]any{"args": []string{"5"}})
	setBreakpoints(t, c, f.src, f.line(t, "BP:recurse"))
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint") // depth(5), called by main
	for i := 0; i < 2; i++ {
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
		st = expectStopped(t, c, "breakpoint")
	} // depth(3), called by depth(4)
	_, total := stackTrace(t, c, st.ThreadID, 0, 1)
	setBreakpoints(t, c, f.src)
	c.MustSucceed("next", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "step")
	expectAt(t, c, st.ThreadID, "depth", f.line(t, "BP:after"))
	if _, now := stackTrace(t, c, st.ThreadID, 0, 1); now != total {
		t.Fatalf("after next the stack has %d frames, want %d (the same frame)", now, total)
	}
	// stepOut returns to depth(4)'s call line.
	c.MustSucceed("stepOut", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "step")
	expectAt(t, c, st.ThreadID, "depth", f.line(t, "BP:recurse"))
	if _, now := stackTrace(t, c, st.ThreadID, 0, 1); now != total-1 {
		t.Fatalf("after stepOut the stack has %d frames, want %d", now, total-1)
	}
	c.MustSucceed("disconnect", nil)
}
