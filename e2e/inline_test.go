package e2e

import (
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
	if got := strings.TrimSpace(output(t, c, "stdout")); got != "26" {
		t.Errorf("output %q, want 26", got)
	}
}
