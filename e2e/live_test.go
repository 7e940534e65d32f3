package e2e

import (
	"strconv"
	"strings"
	"testing"
)

// While the program runs, a global can be read 1,000 times (a live watch),
// with its members, expressions over it and its memory, and no stop: no
// stopped or continued event, and the value keeps growing; threads,
// modules and loaded sources too. What needs a frame says so. A
// breakpoint, then a data breakpoint, set while it runs are then hit.
func TestEvaluateWhileRunning(t *testing.T) {
	f := buildC(t, "live")
	c := startAdapter(t)
	launch(t, c, f, nil)
	c.MustSucceed("configurationDone", nil)
	waitOutput(t, c, "running\n")
	var last uint64
	for i := 0; i < 1000; i++ {
		r := evaluate(t, c, 0, "counter")
		v, err := strconv.ParseUint(r.Result, 10, 64)
		if err != nil || v < last {
			t.Fatalf("evaluate %d: counter = %q after %d", i, r.Result, last)
		}
		last = v
	}
	if last == 0 {
		t.Fatal("counter never moved: the program is not running")
	}
	st := evaluate(t, c, 0, "stats")
	if st.VariablesReference == 0 {
		t.Fatalf("stats has no members to expand: %+v", st)
	}
	var kids struct {
		Variables []struct{ Name, Value string } `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": st.VariablesReference}).DecodeBody(t, &kids)
	if len(kids.Variables) != 2 || kids.Variables[0].Name != "hits" {
		t.Errorf("stats' members while running: %+v", kids.Variables)
	}
	if got := evaluate(t, c, 0, "*label").Result; got != "108 'l'" {
		t.Errorf("*label = %q", got)
	}
	if got := evaluate(t, c, 0, "counter > 0 && stats.hits >= 0").Result; got != "1" && got != "true" {
		t.Errorf("counter > 0 && stats.hits >= 0 = %q", got)
	}
	mem := evaluate(t, c, 0, "&counter").MemoryReference
	var rm struct {
		Data string `json:"data"`
	}
	c.MustSucceed("readMemory", map[string]any{"memoryReference": mem, "count": 8}).DecodeBody(t, &rm)
	if rm.Data == "" {
		t.Error("readMemory of counter while running read nothing")
	}
	if r := c.Request("stackTrace", map[string]any{"threadId": 1}); r.Success {
		t.Error("stackTrace while running succeeded")
	}
	if ts := threads(t, c); len(ts) != 1 {
		t.Errorf("threads while running: %+v", ts)
	}
	c.MustSucceed("modules", map[string]any{})
	c.MustSucceed("loadedSources", map[string]any{})
	for _, ev := range c.Events() {
		if ev.Event == "stopped" || ev.Event == "continued" {
			t.Fatalf("a %s event while reading a running program: %s", ev.Event, ev.Raw)
		}
	}
	// A breakpoint set while it runs is hit.
	setBreakpoints(t, c, f.src, f.line(t, "BP:livehit"))
	st2 := expectStopped(t, c, "breakpoint")
	expectAt(t, c, st2.ThreadID, "main", f.line(t, "BP:livehit"))
	// So is a data breakpoint on a global, set while it runs.
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st2.ThreadID})
	var info struct {
		DataID *string `json:"dataId"`
	}
	c.MustSucceed("dataBreakpointInfo", map[string]any{"name": "stats.hits"}).DecodeBody(t, &info)
	if info.DataID == nil {
		t.Fatal("stats.hits cannot be watched while the program runs")
	}
	c.MustSucceed("setDataBreakpoints", map[string]any{"breakpoints": []map[string]any{{"dataId": *info.DataID, "accessType": "write"}}})
	if hit := expectStopped(t, c, "data breakpoint"); !strings.Contains(hit.Description, "stats.hits") {
		t.Errorf("data breakpoint stop: %q", hit.Description)
	}
	c.MustSucceed("disconnect", nil)
}
