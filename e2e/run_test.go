package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A breakpoint in a function called three times stops three times with the
// breakpoint's id, shows the stack and threads, and the program's output
// and exit code reach the client.
func TestBreakpointEveryHitOutputAndExit(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, map[string]any{"args": []string{"7"}})
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:add"))
	if !bps[0].Verified || bps[0].Line != f.line(t, "BP:add") || bps[0].ID == 0 {
		t.Fatalf("breakpoint not verified on its line: %+v", bps[0])
	}
	c.MustSucceed("setExceptionBreakpoints", map[string]any{"filters": []string{}})
	c.MustSucceed("configurationDone", nil)
	for hit := 0; hit < 3; hit++ {
		st := expectStopped(t, c, "breakpoint")
		if len(st.HitBreakpointIDs) != 1 || st.HitBreakpointIDs[0] != bps[0].ID {
			t.Fatalf("hit %d: hitBreakpointIds %v, want [%d]", hit, st.HitBreakpointIDs, bps[0].ID)
		}
		frames, total := stackTrace(t, c, st.ThreadID, 0, 20)
		if len(frames) < 2 || frames[0].Name != "add" || frames[1].Name != "main" {
			t.Fatalf("hit %d: frames %+v", hit, frames)
		}
		if frames[0].Line != f.line(t, "BP:add") || frames[1].Line != f.line(t, "BP:loop") {
			t.Fatalf("hit %d: lines %d, %d", hit, frames[0].Line, frames[1].Line)
		}
		if frames[0].Source == nil || frames[0].Source.Path != f.src {
			t.Fatalf("hit %d: frame source %+v, want %s", hit, frames[0].Source, f.src)
		}
		if total < 2 {
			t.Fatalf("totalFrames %d", total)
		}
		ths := threads(t, c)
		if len(ths) != 1 || ths[0].ID != st.ThreadID || !strings.Contains(ths[0].Name, "hello") {
			t.Fatalf("threads %+v", ths)
		}
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 7)
	if got := output(t, c, "stdout"); got != "total=3\n" {
		t.Errorf("stdout %q", got)
	}
	if got := output(t, c, "stderr"); got != "to stderr\n" {
		t.Errorf("stderr %q", got)
	}
	c.MustSucceed("disconnect", nil)
}

// Breakpoints on a line without code move to the next line with code; a
// line past the end of the file is unverified with a reason.
func TestBreakpointResolution(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, nil)
	blank := f.line(t, "BP:add") + 3 // the empty line after add()
	bps := setBreakpoints(t, c, f.src, blank, 100000)
	if !bps[0].Verified || bps[0].Line <= blank {
		t.Errorf("breakpoint on an empty line: %+v, want it verified on a later line", bps[0])
	}
	if bps[1].Verified || bps[1].Message == "" {
		t.Errorf("breakpoint past the end: %+v, want unverified with a message", bps[1])
	}
	// A file the program was not built from.
	other := setBreakpoints(t, c, "/nonexistent/other.c", 3)
	if other[0].Verified || other[0].Message == "" {
		t.Errorf("breakpoint in an unknown file: %+v", other[0])
	}
	c.MustSucceed("disconnect", nil)
}

// next, stepIn and stepOut land on the lines a person expects;
// instruction granularity moves by one instruction.
func TestStepping(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, nil)
	loop := f.line(t, "BP:loop")
	setBreakpoints(t, c, f.src, loop)
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	tid := st.ThreadID
	expectAt(t, c, tid, "main", loop)
	setBreakpoints(t, c, f.src)

	c.MustSucceed("stepIn", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	expectAt(t, c, tid, "add", f.line(t, "BP:add"))

	c.MustSucceed("next", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	expectAt(t, c, tid, "add", f.line(t, "BP:add")+1)

	c.MustSucceed("stepOut", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	expectAt(t, c, tid, "main", loop)

	// next over the loop's increment back to the call, then over the call.
	c.MustSucceed("next", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	expectAt(t, c, tid, "main", loop-1)
	c.MustSucceed("next", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	expectAt(t, c, tid, "main", loop)
	c.MustSucceed("next", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	expectAt(t, c, tid, "main", loop-1)

	before := top(t, c, tid).InstructionPointerReference
	c.MustSucceed("next", map[string]any{"threadId": tid, "granularity": "instruction"})
	expectStopped(t, c, "step")
	after := top(t, c, tid).InstructionPointerReference
	if before == after {
		t.Fatalf("instruction step did not move from %s", before)
	}
	c.MustSucceed("disconnect", nil)
}

// stopOnEntry stops at main's first line with reason entry.
func TestStopOnEntry(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, map[string]any{"stopOnEntry": true})
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "entry")
	fr := top(t, c, st.ThreadID)
	if fr.Name != "main" || fr.Line != f.line(t, "BP:loop")-2 {
		t.Fatalf("entry stop in %s line %d, want main's first line %d", fr.Name, fr.Line, f.line(t, "BP:loop")-2)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

// A breakpoint on a function's opening line stops after its prologue, on
// the first line of its body, with the arguments in place.
func TestBreakpointOnFunctionLine(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, nil)
	open := f.line(t, "BP:add") - 1
	bps := setBreakpoints(t, c, f.src, open)
	if !bps[0].Verified {
		t.Fatalf("breakpoint on add's opening line: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	fr := top(t, c, st.ThreadID)
	if fr.Name != "add" || (fr.Line != open && fr.Line != open+1) {
		t.Fatalf("stopped in %s line %d", fr.Name, fr.Line)
	}
	c.MustSucceed("terminate", nil)
	c.ExpectEvent("terminated")
	c.MustSucceed("disconnect", nil)
}

// --log writes every message in and out.
func TestLogFile(t *testing.T) {
	f := buildC(t, "hello")
	log := filepath.Join(t.TempDir(), "dap.log")
	c := startAdapter(t, "--log", log)
	launch(t, c, f, nil)
	c.MustSucceed("configurationDone", nil)
	expectExit(t, c, 0)
	c.MustSucceed("disconnect", nil)
	if _, err := c.Wait(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	expectContains(t, "log", string(b), `<- {"seq":1`, `"command":"launch"`, `-> {"seq":`, `"event":"exited"`)
}

// args, cwd and env (as an object or as an array) reach the program.
func TestLaunchArgsCwdEnv(t *testing.T) {
	f := buildC(t, "env")
	dir := t.TempDir()
	for _, env := range []any{
		map[string]any{"DAPT_VAR": "from object", "DAPT_OTHER": "two"},
		[]string{"DAPT_VAR=from array", "DAPT_OTHER=two"},
	} {
		c := startAdapter(t)
		launch(t, c, f, map[string]any{"args": []string{"one", "with space"}, "cwd": dir, "env": env})
		c.MustSucceed("configurationDone", nil)
		expectExit(t, c, 0)
		out := output(t, c, "stdout")
		want := "from object"
		if _, ok := env.([]string); ok {
			want = "from array"
		}
		for _, line := range []string{"var=" + want + " other=two\n", "arg=one\n", "arg=with space\n", "cwd=" + dir + "\n"} {
			if !strings.Contains(out, line) {
				t.Errorf("output %q lacks %q", out, line)
			}
		}
		c.MustSucceed("disconnect", nil)
	}
	c := startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
	expectError(t, c.Request("launch", map[string]any{"program": f.bin, "env": 42}), "env")
	expectError(t, c.Request("launch", map[string]any{"program": f.bin, "cwd": filepath.Join(dir, "missing")}), "working directory")
}

// A breakpoint in a program built without -g is unverified, and says why.
func TestBreakpointWithoutDebugInfo(t *testing.T) {
	f := buildC(t, "hello", "-O0")
	c := startAdapter(t)
	launch(t, c, f, nil)
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:add"))
	if bps[0].Verified || !strings.Contains(bps[0].Message, "debug information") {
		t.Fatalf("breakpoint without debug info: %+v", bps[0])
	}
	// A function breakpoint still works from the ELF symbols.
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "add"}}}).DecodeBody(t, &body)
	if !body.Breakpoints[0].Verified {
		t.Fatalf("function breakpoint from symbols: %+v", body.Breakpoints[0])
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "function breakpoint")
	fr := top(t, c, st.ThreadID)
	if !strings.Contains(fr.Name, "add") {
		t.Fatalf("stopped in %+v, want add", fr)
	}
	expectListing(t, c, fr)
	if !strings.Contains(fr.Source.Name, "add") {
		t.Errorf("listing named %q, want add's", fr.Source.Name)
	}
	// An unknown reference is an error, not a crash.
	expectError(t, c.Request("source", map[string]any{"sourceReference": 9999}), "sourceReference")
	c.MustSucceed("disconnect", nil)
}

// Step Into Target: the functions a line calls, in order, each once; a
// stepIn aimed at the second one runs through the first and stops in it.
func TestStepInTargets(t *testing.T) {
	f := buildC(t, "calls")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:calls")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 5)
	var body struct {
		Targets []struct {
			ID    int    `json:"id"`
			Label string `json:"label"`
			Line  int    `json:"line"`
		} `json:"targets"`
	}
	c.MustSucceed("stepInTargets", map[string]any{"frameId": frames[0].ID}).DecodeBody(t, &body)
	if len(body.Targets) != 2 || body.Targets[0].Label != "twice" || body.Targets[1].Label != "inc" || body.Targets[1].Line != f.line(t, "BP:inc") {
		t.Fatalf("stepInTargets %+v", body.Targets)
	}
	c.MustSucceed("stepIn", map[string]any{"threadId": st.ThreadID, "targetId": body.Targets[1].ID})
	expectStopped(t, c, "step")
	frames, _ = stackTrace(t, c, st.ThreadID, 0, 5)
	if frames[0].Name != "inc" || frames[0].Line != f.line(t, "BP:inc") || evalIn(t, c, frames[0].ID, "x") != "6" {
		t.Fatalf("stepIn to inc: %+v", frames)
	}
	// Only the innermost frame steps.
	c.MustSucceed("stepInTargets", map[string]any{"frameId": frames[1].ID}).DecodeBody(t, &body)
	if len(body.Targets) != 0 {
		t.Errorf("stepInTargets of frame 1: %+v", body.Targets)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "9\n" {
		t.Errorf("stdout %q", got)
	}
}

// Jump to Cursor: gotoTargets finds the line in the function the thread is
// stopped in, goto moves it there without running (a "goto" stop), and
// the program runs on from there: the loop body runs once more.
func TestGoto(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:print")
	var body struct {
		Targets []struct {
			ID   int `json:"id"`
			Line int `json:"line"`
		} `json:"targets"`
	}
	src := map[string]any{"path": f.src}
	c.MustSucceed("gotoTargets", map[string]any{"source": src, "line": f.line(t, "BP:loop")}).DecodeBody(t, &body)
	if len(body.Targets) != 1 || body.Targets[0].Line != f.line(t, "BP:loop") {
		t.Fatalf("gotoTargets %+v", body.Targets)
	}
	expectError(t, c.Request("gotoTargets", map[string]any{"source": src, "line": f.line(t, "BP:add")}), "only its own lines")
	c.MustSucceed("goto", map[string]any{"threadId": st.ThreadID, "targetId": body.Targets[0].ID})
	expectStopped(t, c, "goto")
	expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:loop"))
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "total=6\n" {
		t.Errorf("stdout %q, want the loop body run once more (total=6)", got)
	}
}
