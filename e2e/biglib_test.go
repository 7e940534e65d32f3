package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// bigLibrary writes and builds a shared library of n small functions
// besides lib_twice (dl.c's), with its DWARF inline, as a project's own
// library is built: over a megabyte of it, which the adapter counts as
// large.
func bigLibrary(t testing.TB, n int) fixture {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("int lib_twice(int x) {\n\tint y = x * 2; /* BP:lib */\n\treturn y;\n}\n")
	writeFuncs(&sb, n)
	src := generated(t, fmt.Sprintf("biglib%d.c", n), sb.String())
	return fixture{bin: daptest.BuildC(t, src, "-g", "-O0", "-shared", "-fPIC"), src: src}
}

// A project's own large library (DWARF inline, over a megabyte of it) is
// indexed from the moment it is mapped, as the executable is: stepping
// into one of its functions stops at the function's first line, and its
// frames have their source lines, with no breakpoint in it first. (A
// system library whose DWARF is in a separate debug file, as libc's, is
// still read only when something needs it.)
func TestStepIntoLargeOwnLibrary(t *testing.T) {
	prog := buildC(t, "dl", "-g", "-O0")
	lib := bigLibrary(t, 20000)
	c := startAdapter(t)
	st := stopAt(t, c, prog, map[string]any{"args": []string{lib.bin}}, "BP:call")
	c.MustSucceed("stepIn", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "step")
	f := top(t, c, st.ThreadID)
	if f.Source == nil || f.Source.Path != lib.src || f.Line != lib.line(t, "BP:lib") {
		t.Fatalf("stepIn from the call stopped in %s at %+v line %d, want %s:%d", f.Name, f.Source, f.Line, lib.src, lib.line(t, "BP:lib"))
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	c.MustSucceed("disconnect", nil)
}
