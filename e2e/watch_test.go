package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

type dataInfo struct {
	DataID      *string  `json:"dataId"`
	Description string   `json:"description"`
	AccessTypes []string `json:"accessTypes"`
}

func dataBreakpointInfo(t testing.TB, c *daptest.Client, args map[string]any) dataInfo {
	t.Helper()
	var info dataInfo
	c.MustSucceed("dataBreakpointInfo", args).DecodeBody(t, &info)
	return info
}

func setDataBreakpoints(t testing.TB, c *daptest.Client, bps ...map[string]any) []breakpoint {
	t.Helper()
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	if bps == nil {
		bps = []map[string]any{}
	}
	c.MustSucceed("setDataBreakpoints", map[string]any{"breakpoints": bps}).DecodeBody(t, &body)
	return body.Breakpoints
}

func evalIn(t testing.TB, c *daptest.Client, frameID int, expr string) string {
	t.Helper()
	var ev struct {
		Result string `json:"result"`
	}
	c.MustSucceed("evaluate", map[string]any{"expression": expr, "frameId": frameID, "context": "watch"}).DecodeBody(t, &ev)
	return ev.Result
}

// Data breakpoints (hardware watchpoints): a write through a pointer stops
// in the function that wrote, every time, or when a condition holds; a
// write by another thread stops that thread; what cannot be watched says
// why; removing them lets the program finish untouched.
func TestDataBreakpoints(t *testing.T) {
	f := buildC(t, "watch", "-g", "-O0", "-pthread")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:start")
	tid := st.ThreadID
	frames, _ := stackTrace(t, c, tid, 0, 5)
	globals := scopeRef(t, c, frames[0].ID, "Globals")
	info := dataBreakpointInfo(t, c, map[string]any{"variablesReference": globals, "name": "counter"})
	if info.DataID == nil || !strings.Contains(info.Description, "8 bytes") || len(info.AccessTypes) != 2 {
		t.Fatalf("dataBreakpointInfo(counter) = %+v", info)
	}
	if bad := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[0].ID, "name": "g_name"}); bad.DataID != nil || !strings.Contains(bad.Description, "16 bytes") {
		t.Errorf("dataBreakpointInfo(g_name) = %+v, want no dataId and why", bad)
	}
	if bad := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[0].ID, "name": "nosuch"}); bad.DataID != nil || !strings.Contains(bad.Description, "nosuch") {
		t.Errorf("dataBreakpointInfo(nosuch) = %+v", bad)
	}
	bps := setDataBreakpoints(t, c, map[string]any{"dataId": *info.DataID, "accessType": "write"})
	if !bps[0].Verified {
		t.Fatalf("data breakpoint %+v", bps[0])
	}
	for want := 1; want <= 2; want++ {
		c.MustSucceed("continue", map[string]any{"threadId": tid})
		st = expectStopped(t, c, "data breakpoint")
		frames, _ = stackTrace(t, c, st.ThreadID, 0, 5)
		if frames[0].Name != "bump" || frames[1].Name != "main" {
			t.Fatalf("write %d stopped in %+v", want, frames)
		}
		if got := evalIn(t, c, frames[0].ID, "counter"); got != strconv.Itoa(want) {
			t.Fatalf("write %d: counter = %s", want, got)
		}
		if d := fmt.Sprintf("counter: %d → %d", want-1, want); st.Description != d {
			t.Errorf("write %d: description %q, want %q", want, st.Description, d)
		}
	}
	// A condition: only the write that makes it 4.
	bps = setDataBreakpoints(t, c, map[string]any{"dataId": *info.DataID, "condition": "counter == 4"})
	c.MustSucceed("continue", map[string]any{"threadId": tid})
	st = expectStopped(t, c, "data breakpoint")
	frames, _ = stackTrace(t, c, st.ThreadID, 0, 5)
	if got := evalIn(t, c, frames[0].ID, "counter"); got != "4" {
		t.Fatalf("conditional data breakpoint stopped with counter = %s", got)
	}
	// Another thread's write; and a fifth watch has no register left.
	y := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[1].ID, "name": "g_pt.y"})
	if y.DataID == nil {
		t.Fatalf("dataBreakpointInfo(g_pt.y) = %+v", y)
	}
	x := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[1].ID, "name": "g_pt.x"})
	specs := []map[string]any{{"dataId": *y.DataID}}
	for i := 0; i < 4; i++ {
		specs = append(specs, map[string]any{"dataId": *x.DataID, "condition": "0"})
	}
	bps = setDataBreakpoints(t, c, specs...)
	for _, bp := range bps {
		if !bp.Verified {
			t.Fatalf("five data breakpoints (a fifth is a software one): %+v", bps)
		}
	}
	c.MustSucceed("continue", map[string]any{"threadId": tid})
	st = expectStopped(t, c, "data breakpoint")
	frames, _ = stackTrace(t, c, st.ThreadID, 0, 5)
	if st.ThreadID == tid || frames[0].Name != "worker" || evalIn(t, c, frames[0].ID, "g_pt.y") != "10" {
		t.Fatalf("the worker's write: thread %d (main %d), frames %+v", st.ThreadID, tid, frames)
	}
	if st.Description != "g_pt.y: 0 → 10" {
		t.Errorf("the worker's write: description %q", st.Description)
	}
	setDataBreakpoints(t, c)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "5 10 7 30 watch\n" {
		t.Errorf("stdout %q", got)
	}
}
