package e2e

import (
	"testing"
)

// Processes the debuggee starts are not debugged, and are not broken
// either: system() (a vfork-like clone) runs its command, and a forked
// child runs through code holding a breakpoint of ours without trapping
// (the breakpoint bytes are taken out of its copy of the program), while
// the parent stops there as usual.
func TestForkAndSystem(t *testing.T) {
	f := buildC(t, "fork")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:work")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 5)
	if frames[0].Name != "work" {
		t.Fatalf("frames %+v", frames)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	expectContains(t, "stdout", output(t, c, "stdout"), "from-system\n", "system=0\n", "child work=42\n", "parent work=2 child exit=3\n")
}

// A program that runs execve is followed into its new image: the
// breakpoints are set again there and hit.
func TestExec(t *testing.T) {
	f := buildC(t, "reexec")
	c := startAdapter(t)
	launch(t, c, f, nil)
	setBreakpoints(t, c, f.src, f.line(t, "BP:before"), f.line(t, "BP:after"))
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	expectAt(t, c, st.ThreadID, "before", f.line(t, "BP:before"))
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "breakpoint")
	expectAt(t, c, st.ThreadID, "after", f.line(t, "BP:after"))
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 5)
	args := scopeVars(t, c, frames[0].ID, "Arguments")
	if v := mustVar(t, args, "x"); v.Value != "21" {
		t.Errorf("after's x = %q", v.Value)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "before=2\nafter=42\n" {
		t.Errorf("stdout %q", got)
	}
}
