package e2e

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// A stepIn targetId that stepInTargets never handed out is refused, even
// one that is the address of a callee plus one (what a client that took
// ids for addresses would send): the program is not touched and ends with
// its own result. Targets of an earlier stop are stale after a resume.
func TestStepInUnknownTarget(t *testing.T) {
	f := buildC(t, "calls", "-g", "-O0", "-no-pie")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:calls")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 1)
	var body struct {
		Targets []struct {
			ID    int    `json:"id"`
			Label string `json:"label"`
		} `json:"targets"`
	}
	c.MustSucceed("stepInTargets", map[string]any{"frameId": frames[0].ID}).DecodeBody(t, &body)
	if len(body.Targets) != 2 {
		t.Fatalf("stepInTargets %+v", body.Targets)
	}
	// Built without PIE, so the symbol's address is where inc runs; two
	// bytes in is the middle of its second instruction.
	inc := symbolAddr(t, f.bin, "inc")
	for _, id := range []int{int(inc) + 2, body.Targets[1].ID + 1000, -1} {
		expectError(t, c.Request("stepIn", map[string]any{"threadId": st.ThreadID, "targetId": id}), "unknown step-in target")
	}
	// Still stopped where it was.
	expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:calls"))
	// A real target works; afterwards it is stale.
	c.MustSucceed("stepIn", map[string]any{"threadId": st.ThreadID, "targetId": body.Targets[0].ID})
	expectStopped(t, c, "step")
	expectAt(t, c, st.ThreadID, "twice", f.line(t, "BP:twice"))
	expectError(t, c.Request("stepIn", map[string]any{"threadId": st.ThreadID, "targetId": body.Targets[1].ID}), "unknown step-in target")
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "9\n" {
		t.Errorf("stdout %q, want the program's own 9", got)
	}
}

// A goto targetId that gotoTargets never handed out is refused, even the
// target's address plus one (the middle of an instruction): no goto stop,
// and the program runs on to its own result.
func TestGotoUnknownTarget(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:print")
	var body struct {
		Targets []struct {
			ID  int    `json:"id"`
			Ref string `json:"instructionPointerReference"`
		} `json:"targets"`
	}
	c.MustSucceed("gotoTargets", map[string]any{"source": map[string]any{"path": f.src}, "line": f.line(t, "BP:loop")}).DecodeBody(t, &body)
	if len(body.Targets) != 1 {
		t.Fatalf("gotoTargets %+v", body.Targets)
	}
	addr, err := strconv.ParseUint(strings.TrimPrefix(body.Targets[0].Ref, "0x"), 16, 64)
	if err != nil {
		t.Fatalf("goto target without an address: %+v", body.Targets[0])
	}
	for _, id := range []int{int(addr) + 1, int(addr), body.Targets[0].ID + 1000} {
		expectError(t, c.Request("goto", map[string]any{"threadId": st.ThreadID, "targetId": id}), "unknown goto target")
	}
	expectError(t, c.Request("gotoTargets", map[string]any{"source": map[string]any{"path": f.src}, "line": -3}), "numbered from 1")
	expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:print"))
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "total=3\n" {
		t.Errorf("stdout %q, want the program's own total=3", got)
	}
	for _, m := range c.Events() {
		if m.Event == "stopped" && strings.Contains(string(m.Body), `"goto"`) {
			t.Errorf("a goto stop came for a refused goto: %s", m)
		}
	}
}

// A dataId is the adapter's own: one that looks like an address and size
// but that dataBreakpointInfo did not give is refused, one it gave is
// accepted.
func TestDataIDIsAKey(t *testing.T) {
	f := buildC(t, "watch", "-g", "-O0", "-pthread")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:start")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 1)
	info := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[0].ID, "name": "counter"})
	if info.DataID == nil {
		t.Fatalf("dataBreakpointInfo(counter) = %+v", info)
	}
	// What a client that took dataIds for addresses would make up.
	_, at, ok := strings.Cut(info.Description, " at ")
	if !ok {
		t.Fatalf("dataBreakpointInfo(counter) says no address: %+v", info)
	}
	madeUp := strings.TrimSuffix(at, ")") + "/8"
	again := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[0].ID, "name": "counter"})
	if again.DataID == nil || *again.DataID != *info.DataID {
		t.Errorf("the same variable has dataIds %v and %v", *info.DataID, again.DataID)
	}
	bps := setDataBreakpoints(t, c, map[string]any{"dataId": madeUp}, map[string]any{"dataId": *info.DataID})
	if bps[0].Verified || !strings.Contains(bps[0].Message, "not a data breakpoint id") {
		t.Errorf("a made-up dataId gave %+v", bps[0])
	}
	if !bps[1].Verified {
		t.Errorf("the adapter's own dataId gave %+v", bps[1])
	}
	setDataBreakpoints(t, c)
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

// Numbers out of range are refused or clamped, never used as they are:
// negative pages are errors, huge ones mean "all", line 0 is no line.
func TestNumbersOutOfRange(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:add")
	all, total := stackTrace(t, c, st.ThreadID, 0, 0)
	if huge, _ := stackTrace(t, c, st.ThreadID, 0, math.MaxInt64); len(huge) != len(all) || len(all) != total {
		t.Errorf("levels MaxInt64 gave %d frames, levels 0 gave %d of %d", len(huge), len(all), total)
	}
	if past, _ := stackTrace(t, c, st.ThreadID, math.MaxInt64, 1); len(past) != 0 {
		t.Errorf("startFrame MaxInt64 gave %d frames", len(past))
	}
	var mods struct {
		Modules []any `json:"modules"`
		Total   int   `json:"totalModules"`
	}
	c.MustSucceed("modules", map[string]any{"startModule": 1, "moduleCount": math.MaxInt64}).DecodeBody(t, &mods)
	if mods.Total < 2 || len(mods.Modules) != mods.Total-1 {
		t.Errorf("modules from 1, count MaxInt64: %d of %d", len(mods.Modules), mods.Total)
	}
	locals := scopeRef(t, c, all[0].ID, "Locals")
	for _, args := range []map[string]any{{"start": -1}, {"count": -1}} {
		args["variablesReference"] = locals
		expectError(t, c.Request("variables", args), "negative")
	}
	// A source that never ends (or a FIFO that never opens) is not read.
	expectError(t, c.Request("source", map[string]any{"source": map[string]any{"path": "/dev/zero"}}), "not a regular file")
	expectError(t, c.Request("breakpointLocations", map[string]any{"source": map[string]any{"path": f.src}, "line": 0}), "numbered from 1")
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src},
		"breakpoints": []map[string]any{{"line": 0}, {"line": -5}, {"line": f.line(t, "BP:print")}}}).DecodeBody(t, &body)
	if len(body.Breakpoints) != 3 || body.Breakpoints[0].Verified || body.Breakpoints[1].Verified || !body.Breakpoints[2].Verified {
		t.Fatalf("setBreakpoints with lines 0, -5 and a good one: %+v", body.Breakpoints)
	}
	// Only the good one stops the program.
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "breakpoint")
	expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:print"))
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}
