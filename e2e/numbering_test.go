package e2e

import (
	"fmt"
	"testing"
)

// A whole session works whether the client numbers its requests from 1 (VS
// Code) or from 0 (nvim-dap before 2024, lldb's own tools): every response
// echoes the client's seq, including the 0 that the schema's minimum
// would not allow (the test client waives that minimum for its own seq 0
// only).
func TestClientNumbering(t *testing.T) {
	for _, first := range []int{0, 1} {
		t.Run(fmt.Sprintf("from%d", first), func(t *testing.T) {
			f := buildC(t, "hello")
			c := startAdapter(t)
			c.NumberFrom(first)
			seq := c.Send("initialize", map[string]any{"adapterID": "dap-ptrace", "clientID": "numbering"})
			if seq != first {
				t.Fatalf("the client numbered its first request %d, want %d", seq, first)
			}
			if r := c.ExpectResponse(seq); !r.Success || r.Command != "initialize" {
				t.Fatalf("initialize: %s", r)
			}
			c.MustSucceed("launch", map[string]any{"program": f.bin, "args": []string{"5"}})
			c.ExpectEvent("initialized")
			setBreakpoints(t, c, f.src, f.line(t, "BP:print"))
			c.MustSucceed("configurationDone", nil)
			st := expectStopped(t, c, "breakpoint")
			expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:print"))
			c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
			expectExit(t, c, 5)
			c.MustSucceed("disconnect", nil)
		})
	}
}
