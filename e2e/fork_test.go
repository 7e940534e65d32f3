package e2e

import (
	"strings"
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
	out := output(t, c, "stdout")
	for _, want := range []string{"from-system\n", "system=0\n", "child work=42\n", "parent work=2 child exit=3\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}
