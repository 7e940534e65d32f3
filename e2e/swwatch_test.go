package e2e

import (
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// Software data breakpoints, forced by the launch so that they are tested
// on every machine (they are what TestDataBreakpoints uses where the debug
// registers do not fire): "page" by page protection, "step" by
// single-stepping. Writes to the watched word's neighbours go on unseen; a
// local on the stack can be watched; a write inside a next ends it as a
// data breakpoint stop; a read is caught (page protection only); a fork
// child that writes the page lives; the program's own crash is still its
// own.
func TestSoftwareWatchpoints(t *testing.T) {
	for _, mode := range []string{"page", "step"} {
		t.Run(mode, func(t *testing.T) { testSoftwareWatch(t, mode) })
	}
}

func testSoftwareWatch(t *testing.T, mode string) {
	f := buildC(t, "swwatch", "-g", "-O0")
	c := startAdapter(t)
	st := stopAt(t, c, f, map[string]any{"softwareWatchpoints": mode, "args": []string{"crash"}}, "BP:start")
	tid := st.ThreadID
	watch := func(name string) map[string]any {
		t.Helper()
		info := dataBreakpointInfo(t, c, map[string]any{"frameId": top(t, c, tid).ID, "name": name})
		if info.DataID == nil || !strings.Contains(info.Description, "software watchpoints forced ("+mode+")") {
			t.Fatalf("dataBreakpointInfo(%s) = %+v", name, info)
		}
		return map[string]any{"dataId": *info.DataID}
	}
	target, local := watch("target"), watch("local")
	cont := func(want, fn, marker, desc string) {
		t.Helper()
		c.MustSucceed("continue", map[string]any{"threadId": tid})
		stopAtLine(t, c, f, want, fn, marker, desc)
	}
	bps := setDataBreakpoints(t, c, target)
	if !bps[0].Verified || !strings.Contains(bps[0].Message, "software watchpoint") {
		t.Fatalf("data breakpoint %+v", bps[0])
	}
	// 2000 writes to its neighbours on the same page go by unseen.
	cont("data breakpoint", "main", "BP:first", "target: 0 → 5")
	// A local, on the page the stack is using.
	setDataBreakpoints(t, c, target, local)
	cont("data breakpoint", "main", "BP:local", "local: 1 → 2")
	// A write inside a next is the next's end, as a data breakpoint.
	c.MustSucceed("next", map[string]any{"threadId": tid})
	stopAtLine(t, c, f, "data breakpoint", "bump", "BP:bump", "target: 5 → 6")
	read := watch("reader")
	read["accessType"] = "readWrite"
	bps = setDataBreakpoints(t, c, target, read)
	if mode == "page" {
		if !bps[1].Verified {
			t.Fatalf("read watch %+v", bps[1])
		}
		cont("data breakpoint", "main", "BP:read", "reader: 3 (accessed, unchanged)")
	} else if bps[1].Verified || !strings.Contains(bps[1].Message, "read") {
		t.Fatalf("a read watch by single-stepping: %+v", bps[1])
	}
	// The fork child writes target in its copy and exits 7; the crash is
	// the program's.
	c.MustSucceed("continue", map[string]any{"threadId": tid})
	st = expectStopped(t, c, "exception")
	if !strings.Contains(st.Description, "address not mapped at 0x8") {
		t.Fatalf("the program's own crash: %q", st.Description)
	}
	expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:crash"))
	if got := output(t, c, "stdout"); got != "6 2 31186 -31186 3 7\n" {
		t.Errorf("stdout %q", got)
	}
	setDataBreakpoints(t, c)
	c.MustSucceed("continue", map[string]any{"threadId": tid})
	expectExit(t, c, 128+11)
}

// stopAtLine expects a stop for reason in fn at marker's line (or the
// line after: the CPU stops after the writing instruction) with
// description desc.
func stopAtLine(t *testing.T, c *daptest.Client, f fixture, reason, fn, marker, desc string) {
	t.Helper()
	st := expectStopped(t, c, reason)
	fr := top(t, c, st.ThreadID)
	if line := f.line(t, marker); fr.Name != fn || fr.Line != line && fr.Line != line+1 {
		t.Fatalf("stopped in %s at line %d, want %s at %s (line %d)", fr.Name, fr.Line, fn, marker, line)
	}
	if st.Description != desc {
		t.Fatalf("description %q, want %q", st.Description, desc)
	}
}
