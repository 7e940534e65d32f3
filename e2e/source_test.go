package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// findFrame returns the index of the first frame named name, or -1.
func findFrame(frames []frame, name string) int {
	for i, f := range frames {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// A breakpoint in a qsort comparator shows comparator ← qsort (libc, no
// source: de-emphasised) ← main, unwound with libc's CFI.
func TestStackThroughLibc(t *testing.T) {
	f := buildC(t, "qsort")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:cmp")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 50)
	if frames[0].Name != "cmp" || frames[0].Line != f.line(t, "BP:cmp") {
		t.Fatalf("top frame %+v", frames[0])
	}
	m := findFrame(frames, "main")
	if m < 2 || frames[m].Line != f.line(t, "BP:qsort") {
		t.Fatalf("main not found below libc frames, at its qsort call: %+v", frames)
	}
	// The libc frames are named from libc's symbol tables: its debug
	// information (a second to read from libc6-dbg) is not read for a
	// stack, so the client was shown no progress for it.
	for _, ev := range c.Events() {
		if ev.Event == "progressStart" {
			t.Fatalf("a stack through libc read libc's debug information: %s", ev)
		}
	}
	// Nor for a breakpoint in a file no loaded program has, when libc's
	// line headers name no file of that name either: they are read, not
	// its whole index.
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": "/nowhere/pending.c"}, "breakpoints": []map[string]any{{"line": 3}}})
	c.MustSucceed("threads", nil) // the events of that request came before this answer
	for _, ev := range c.Events() {
		if ev.Event == "progressStart" {
			t.Fatalf("a breakpoint in a file libc does not name read libc's debug information: %s", ev)
		}
	}
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": "/nowhere/pending.c"}, "breakpoints": []map[string]any{}})
	// Something that does need it, a breakpoint in a source file of no
	// loaded program that might be one of libc's (its line headers name a
	// qsort.c), reads it, and the client is told while it takes.
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": "/nowhere/qsort.c"}, "breakpoints": []map[string]any{{"line": 3}}})
	var progress struct {
		ProgressID string `json:"progressId"`
		Title      string `json:"title"`
	}
	c.ExpectEvent("progressStart").DecodeBody(t, &progress)
	if !strings.Contains(progress.Title, "libc.so") {
		t.Errorf("progress %+v", progress)
	}
	id := progress.ProgressID
	c.ExpectEvent("progressEnd").DecodeBody(t, &progress)
	if progress.ProgressID != id {
		t.Errorf("progressEnd %q for progressStart %q", progress.ProgressID, id)
	}
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": "/nowhere/qsort.c"}, "breakpoints": []map[string]any{}})
	for _, fr := range frames[1:m] {
		if fr.PresentationHint != "subtle" || !strings.Contains(fr.Name, "libc.so") {
			t.Fatalf("frame between cmp and main %+v: want a libc frame, subtle", fr)
		}
		expectListing(t, c, fr)
	}
	// A breakpoint set in a listing, on the line a libc frame returns to:
	// cmp returning hits it, and the stop shows that line of that listing.
	fr := frames[1]
	var body struct {
		Breakpoints []struct {
			breakpoint
			Source *struct {
				SourceReference int `json:"sourceReference"`
			} `json:"source"`
		} `json:"breakpoints"`
	}
	src := map[string]any{"name": fr.Source.Name, "sourceReference": fr.Source.SourceReference}
	c.MustSucceed("setBreakpoints", map[string]any{"source": src, "breakpoints": []map[string]any{{"line": fr.Line}, {"line": 1}}}).DecodeBody(t, &body)
	if b := body.Breakpoints; len(b) != 2 || !b[0].Verified || b[0].Line != fr.Line || b[0].Source == nil || b[0].Source.SourceReference != fr.Source.SourceReference || b[1].Verified {
		t.Fatalf("breakpoints in a listing: %+v", body.Breakpoints)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "instruction breakpoint")
	if top := top(t, c, st.ThreadID); top.InstructionPointerReference != fr.InstructionPointerReference || top.Line != fr.Line ||
		top.Source == nil || top.Source.SourceReference != fr.Source.SourceReference {
		t.Fatalf("stopped at %+v, want the listing's line %d (%s)", top, fr.Line, fr.InstructionPointerReference)
	}
	c.MustSucceed("disconnect", nil)
}

// expectListing checks that a frame without source points at the
// disassembly of its code, with the frame's line on its pc.
func expectListing(t testing.TB, c *daptest.Client, fr frame) {
	t.Helper()
	if fr.Source == nil || fr.Source.Path != "" || fr.Source.SourceReference <= 0 || fr.Source.Origin != "disassembly" {
		t.Fatalf("frame %+v: want a disassembly source by reference", fr)
	}
	var src struct {
		Content string `json:"content"`
	}
	c.MustSucceed("source", map[string]any{"source": map[string]any{"sourceReference": fr.Source.SourceReference},
		"sourceReference": fr.Source.SourceReference}).DecodeBody(t, &src)
	lines := strings.Split(src.Content, "\n")
	if fr.Line < 1 || fr.Line > len(lines) || !strings.HasPrefix(lines[fr.Line-1], fr.InstructionPointerReference) {
		t.Fatalf("frame %+v: line %d of its listing is not its pc:\n%.2000s", fr, fr.Line, src.Content)
	}
}

// A breakpoint in a signal handler unwinds through the signal frame back to
// the code the signal interrupted.
func TestStackThroughSignalFrame(t *testing.T) {
	f := buildC(t, "signal")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:handler")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 50)
	if frames[0].Name != "handler" {
		t.Fatalf("top frame %+v", frames[0])
	}
	m := findFrame(frames, "main")
	if m < 2 || frames[m].Line != f.line(t, "BP:raise") {
		t.Fatalf("main not found at its raise call below the signal frame: %+v", frames)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

// Optimised code: a function breakpoint, the stack unwound by CFI without
// frame pointers, next to the end of the function and stepOut to main.
func TestOptimisedCode(t *testing.T) {
	f := buildC(t, "opt", "-g", "-O2")
	c := startAdapter(t)
	launch(t, c, f, nil)
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "work"}}})
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "function breakpoint")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 20)
	if frames[0].Name != "work" || len(frames) < 2 || frames[1].Name != "main" || frames[1].Line != f.line(t, "BP:call") {
		t.Fatalf("frames %+v", frames)
	}
	c.MustSucceed("stepOut", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "step")
	if fr := top(t, c, st.ThreadID); fr.Name != "main" {
		t.Fatalf("stepOut from work landed in %s", fr.Name)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	want := 0
	for i := 0; i < 64; i++ {
		want += (i + 1) * 3
	}
	if got := strings.TrimSpace(output(t, c, "stdout")); got != strconv.Itoa(want) {
		t.Errorf("output %q, want %d", got, want)
	}
}

// A Go program: breakpoints by line, every hit, the Go stack, stepping,
// output and exit, with the Go runtime's threads and signals around.
func TestGoProgram(t *testing.T) {
	f := buildGo(t, "gohello")
	c := startAdapter(t)
	launch(t, c, f, nil)
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:goadd"))
	if !bps[0].Verified {
		t.Fatalf("breakpoint in Go: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	for hit := 0; hit < 3; hit++ {
		st := expectStopped(t, c, "breakpoint")
		frames, _ := stackTrace(t, c, st.ThreadID, 0, 10)
		if len(frames) < 2 || frames[0].Name != "main.add" || frames[0].Line != f.line(t, "BP:goadd") || frames[1].Name != "main.main" || frames[1].Line != f.line(t, "BP:goloop") {
			t.Fatalf("hit %d: frames %+v", hit, frames)
		}
		if hit == 2 {
			setBreakpoints(t, c, f.src)
			c.MustSucceed("stepOut", map[string]any{"threadId": st.ThreadID})
			// Go may have moved the goroutine to another thread: the stop
			// names the one it came back on.
			st = expectStopped(t, c, "step")
			expectAt(t, c, st.ThreadID, "main.main", f.line(t, "BP:goloop"))
		}
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "sum 3\n" {
		t.Errorf("stdout %q", got)
	}
}

// C++: function breakpoints by demangled names (a method, one overload),
// frames named as C++ spells them.
func TestCxxFunctionBreakpoints(t *testing.T) {
	src, err := filepath.Abs(filepath.Join("..", "testdata", "shapes.cpp"))
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{bin: daptest.BuildC(t, src, "-g", "-O0"), src: src}
	c := startAdapter(t)
	launch(t, c, f, nil)
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{
		{"name": "shapes::Circle::area"}, {"name": "shapes::scale(int, int)"},
	}}).DecodeBody(t, &body)
	for i, bp := range body.Breakpoints {
		if !bp.Verified {
			t.Fatalf("function breakpoint %d: %+v", i, bp)
		}
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "function breakpoint")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 2)
	if frames[0].Name != "shapes::Circle::area" || frames[0].Line != f.line(t, "BP:area") || frames[1].Name != "main" {
		t.Fatalf("frames %+v", frames[:2])
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "function breakpoint")
	expectAt(t, c, st.ThreadID, "shapes::scale", f.line(t, "BP:scale2"))
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}
