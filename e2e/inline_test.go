package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// Inlined calls at -O2 are frames of their own: scale ← sumsq ← compute ←
// main, the inlined callers at the lines of their calls, each frame with
// its own arguments.
func TestInlinedFrames(t *testing.T) {
	f := buildC(t, "inline", "-g", "-O2")
	c := startAdapter(t)
	launch(t, c, f, nil)
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:scale"))
	if !bps[0].Verified {
		t.Fatalf("breakpoint in an inlined function: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	frames, total := stackTrace(t, c, st.ThreadID, 0, 20)
	want := []struct {
		name   string
		marker string
	}{{"scale", "BP:scale"}, {"sumsq", "BP:call_scale"}, {"compute", "BP:call_sumsq"}, {"main", "BP:call_compute"}}
	if len(frames) < len(want) {
		t.Fatalf("frames %+v", frames)
	}
	for i, w := range want {
		fr := frames[i]
		if fr.Name != w.name || fr.Line != f.line(t, w.marker) || fr.Source == nil || !strings.HasSuffix(fr.Source.Path, "inline.c") {
			t.Fatalf("frame %d is %s:%d, want %s at %s (line %d); frames %+v", i, fr.Name, fr.Line, w.name, w.marker, f.line(t, w.marker), frames)
		}
	}
	// The three frames of one machine frame share its pc.
	if frames[0].InstructionPointerReference != frames[1].InstructionPointerReference ||
		frames[1].InstructionPointerReference != frames[2].InstructionPointerReference {
		t.Errorf("inlined frames at different pcs: %+v", frames[:3])
	}
	// Paging counts the same frames.
	one, total1 := stackTrace(t, c, st.ThreadID, 1, 1)
	if total1 != total || len(one) != 1 || one[0].Name != "sumsq" {
		t.Errorf("page [1,2): %+v of %d, want sumsq of %d", one, total1, total)
	}
	// Each frame has its own arguments: scale(x, k) with x = a = argc+2 = 3.
	args := scopeVars(t, c, frames[0].ID, "Arguments")
	if v := mustVar(t, args, "x"); v.Value != "3" {
		t.Errorf("scale's x = %q, want 3", v.Value)
	}
	if _, ok := varNamed(args, "a"); ok {
		t.Errorf("scale's arguments include its caller's: %+v", args)
	}
	args = scopeVars(t, c, frames[1].ID, "Arguments")
	if v := mustVar(t, args, "a"); v.Value != "3" {
		t.Errorf("sumsq's a = %q, want 3", v.Value)
	}
	if _, ok := varNamed(args, "x"); ok {
		t.Errorf("sumsq's arguments include its inlined callee's: %+v", args)
	}
	var ev struct {
		Result string `json:"result"`
	}
	c.MustSucceed("evaluate", map[string]any{"expression": "x * 10", "frameId": frames[0].ID, "context": "watch"}).DecodeBody(t, &ev)
	if ev.Result != "30" {
		t.Errorf("x * 10 in scale = %q", ev.Result)
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := strings.TrimSpace(output(t, c, "stdout")); got != "25" {
		t.Errorf("output %q, want 25", got)
	}
}

// Stepping knows inlined calls, as gdb does: next from a statement stops
// at the line of an inlined call (shown in the caller, the inlined frames
// not entered yet), stepIn enters them one by one without running,
// stepOut of one ends in its caller, and next from there goes over the
// rest to the following line.
func TestSteppingInlined(t *testing.T) {
	f := buildC(t, "inline", "-g", "-O2")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:before")
	tid := st.ThreadID
	step := func(kind, fn, marker string, lineOffset int) []frame {
		t.Helper()
		c.MustSucceed(kind, map[string]any{"threadId": tid})
		expectStopped(t, c, "step")
		frames, _ := stackTrace(t, c, tid, 0, 20)
		if want := f.line(t, marker) + lineOffset; frames[0].Name != fn || frames[0].Line != want {
			t.Fatalf("%s: at %s:%d, want %s:%d; frames %+v", kind, frames[0].Name, frames[0].Line, fn, want, frames)
		}
		return frames
	}
	frames := step("next", "around", "BP:before", 1) // r = sumsq(a, b)
	if frames[1].Name != "main" {
		t.Fatalf("the inlined calls not entered yet show as frames: %+v", frames)
	}
	step("stepIn", "sumsq", "BP:call_scale", 0)
	frames = step("stepIn", "scale", "BP:scale", 0)
	if frames[1].Name != "sumsq" || frames[2].Name != "around" {
		t.Fatalf("after entering both inlined calls: %+v", frames)
	}
	// gcc interleaves the two copies of scale: the first statement after
	// the first copy may be sumsq's second line or already around's next.
	c.MustSucceed("stepOut", map[string]any{"threadId": tid})
	expectStopped(t, c, "step")
	frames, _ = stackTrace(t, c, tid, 0, 20)
	switch fr := frames[0]; {
	case fr.Name == "sumsq" && fr.Line == f.line(t, "BP:call_scale")+1:
		step("next", "around", "BP:after", 0)
	case fr.Name == "around" && fr.Line == f.line(t, "BP:after"):
	default:
		t.Fatalf("stepOut of scale: frames %+v", frames)
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": tid})
	expectExit(t, c, 0)
}

// A breakpoint on the line of an inlined call stops in the caller at that
// line, and a function breakpoint on a function whose code begins with an
// inlined call stops in the function; each frame's variables are its own.
func TestBreakpointAtInlinedCall(t *testing.T) {
	f := buildC(t, "inline", "-g", "-O2")
	c := startAdapter(t)
	launch(t, c, f, nil)
	setBreakpoints(t, c, f.src, f.line(t, "BP:before")+1)
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "compute"}}})
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "function breakpoint")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 20)
	if frames[0].Name != "compute" || frames[0].Line != f.line(t, "BP:call_sumsq") || frames[1].Name != "main" {
		t.Fatalf("function breakpoint on compute: %+v", frames)
	}
	args := scopeVars(t, c, frames[0].ID, "Arguments")
	if v := mustVar(t, args, "a"); v.Value != "3" {
		t.Errorf("compute's a = %q", v.Value)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "breakpoint")
	frames, _ = stackTrace(t, c, st.ThreadID, 0, 20)
	if frames[0].Name != "around" || frames[0].Line != f.line(t, "BP:before")+1 || frames[1].Name != "main" {
		t.Fatalf("breakpoint on the line of an inlined call: %+v", frames)
	}
	c.MustSucceed("stepIn", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "step")
	if fr := top(t, c, st.ThreadID); fr.Name != "sumsq" {
		t.Fatalf("stepIn at an inlined call: %+v", fr)
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

// Parameters optimised code keeps only as their value at function entry
// (DW_OP_entry_value) are recomputed from the caller's call site, as gdb
// does: twice(n, k) is called with n = argc+40, then argc+41.
func TestEntryValues(t *testing.T) {
	f := buildC(t, "entry", "-g", "-O2")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:entry")
	for hit, want := range []struct{ n, k string }{{"41", "7"}, {"42", "9"}} {
		if hit > 0 {
			c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
			st = expectStopped(t, c, "breakpoint")
		}
		frames, _ := stackTrace(t, c, st.ThreadID, 0, 5)
		args := scopeVars(t, c, frames[0].ID, "Arguments")
		if v := mustVar(t, args, "n"); v.Value != want.n {
			t.Errorf("hit %d: n = %q, want %s", hit, v.Value, want.n)
		}
		if v := mustVar(t, args, "k"); v.Value != want.k {
			t.Errorf("hit %d: k = %q, want %s", hit, v.Value, want.k)
		}
		var ev struct {
			Result string `json:"result"`
		}
		c.MustSucceed("evaluate", map[string]any{"expression": "n + k", "frameId": frames[0].ID, "context": "watch"}).DecodeBody(t, &ev)
		if ev.Result != fmt.Sprint(atoi(t, want.n)+atoi(t, want.k)) {
			t.Errorf("hit %d: n + k = %q", hit, ev.Result)
		}
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
