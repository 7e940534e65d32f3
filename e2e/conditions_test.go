package e2e

import (
	"strings"
	"testing"
)

// A condition stops only when it holds; a hit condition counts; a logpoint
// prints without stopping; a condition that does not parse is refused.
func TestConditionsHitCountsLogpoints(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, map[string]any{"args": []string{"7"}})
	add, loop := f.line(t, "BP:add"), f.line(t, "BP:loop")
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src}, "breakpoints": []map[string]any{
		{"line": add, "condition": "b == 2"},
		{"line": loop, "logMessage": "i={i} total={total + 0}"},
		{"line": f.line(t, "BP:print"), "condition": "total >"},
	}}).DecodeBody(t, &body)
	if !body.Breakpoints[0].Verified || !body.Breakpoints[1].Verified {
		t.Fatalf("breakpoints %+v", body.Breakpoints)
	}
	if body.Breakpoints[2].Verified || !strings.Contains(body.Breakpoints[2].Message, "condition") {
		t.Fatalf("a condition that does not parse: %+v", body.Breakpoints[2])
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	var ev struct {
		Result string `json:"result"`
	}
	fr := top(t, c, st.ThreadID)
	c.MustSucceed("evaluate", map[string]any{"expression": "b", "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
	if fr.Name != "add" || ev.Result != "2" {
		t.Fatalf("stopped in %s with b = %s, want add with b = 2", fr.Name, ev.Result)
	}
	// The logpoint ran three times (i = 0, 1, 2) before this stop or after.
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src}, "breakpoints": []map[string]any{
		{"line": loop, "logMessage": "i={i} total={total + 0}"},
	}})
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 7)
	expectContains(t, "logpoint output", output(t, c, "console"), "i=0 total=0\n", "i=1 total=0\n", "i=2 total=1\n")

	// Hit conditions: stop on the 2nd hit and after.
	c2 := startAdapter(t)
	launch(t, c2, f, nil)
	c2.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src}, "breakpoints": []map[string]any{
		{"line": add, "hitCondition": "2"},
	}})
	c2.MustSucceed("configurationDone", nil)
	for _, wantA := range []string{"1", "3"} { // add(0,1) is the 2nd call, add(1,2) the 3rd
		st := expectStopped(t, c2, "breakpoint")
		fr := top(t, c2, st.ThreadID)
		c2.MustSucceed("evaluate", map[string]any{"expression": "a + b", "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
		if ev.Result != wantA {
			t.Fatalf("hit condition stop with a+b = %s, want %s", ev.Result, wantA)
		}
		c2.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c2, 0)
}
