package e2e

import (
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// A watch on a local ends when its function returns, as in gdb: the next
// function's local that takes the same stack slot is written without a
// stop, the client is told the watch ended (an output event and the
// breakpoint unverified), and the program runs to its end. Forced to the
// software path too, which every host has.
func TestWatchOnLocalEndsWithFrame(t *testing.T) {
	for _, mode := range []any{false, "page"} {
		t.Run(fmtAny(mode), func(t *testing.T) {
			f := buildC(t, "scoped")
			c, st := watchAt(t, f, mode, "BP:first", "x")
			// x = n, then x = x + 1, in first: the watch stops there.
			for i := 0; i < 2; i++ {
				c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
				st = expectStopped(t, c, "data breakpoint")
				if fr := top(t, c, st.ThreadID); fr.Name != "first" {
					t.Fatalf("data breakpoint stop %d in %s, want first", i+1, fr.Name)
				}
			}
			c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
			// second's y takes x's slot: no stop, the watch ends.
			var out struct {
				Output string `json:"output"`
			}
			for {
				c.ExpectEvent("output").DecodeBody(t, &out)
				if strings.Contains(out.Output, "ended") {
					break
				}
			}
			expectExit(t, c, 0)
		})
	}
}

// watchAt runs f in watch mode mode (false: the debug registers where
// they work) to marker, watches name there, and takes the source
// breakpoint away.
func watchAt(t *testing.T, f fixture, mode any, marker, name string) (*daptest.Client, stopped) {
	t.Helper()
	c := startAdapter(t)
	st := stopAt(t, c, f, map[string]any{"softwareWatchpoints": mode}, marker)
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 1)
	info := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[0].ID, "name": name})
	if info.DataID == nil {
		t.Fatalf("%s cannot be watched: %+v", name, info)
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("setDataBreakpoints", map[string]any{"breakpoints": []map[string]any{{"dataId": *info.DataID}}})
	return c, st
}

// fmtAny names a watch mode for a subtest.
func fmtAny(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return "hardware"
}

// A watch on a global survives the program's execve when the new image has
// a global of that name and size (the same program run again): it stops
// at the new image's write; run in both modes.
func TestWatchSurvivesExec(t *testing.T) {
	for _, mode := range []any{false, "page"} {
		t.Run(fmtAny(mode), func(t *testing.T) {
			f := buildC(t, "reexec")
			c, st := watchAt(t, f, mode, "BP:before", "generation")
			c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
			var ev struct {
				stopped
				Description string `json:"description"`
			}
			c.ExpectEvent("stopped").DecodeBody(t, &ev)
			if ev.Reason != "data breakpoint" || !strings.Contains(ev.Description, "generation: 0 → 1") {
				t.Fatalf("first image: %+v", ev)
			}
			c.MustSucceed("continue", map[string]any{"threadId": ev.ThreadID})
			c.ExpectEvent("stopped").DecodeBody(t, &ev)
			if ev.Reason != "data breakpoint" || !strings.Contains(ev.Description, "generation: 0 → 2") {
				t.Fatalf("after execve: %+v, want the watch on the new image's generation", ev)
			}
			// Right after the write: on its line, or the next one's code.
			if fr, at := top(t, c, ev.ThreadID), f.line(t, "BP:again"); fr.Name != "main" || fr.Line != at && fr.Line != at+1 {
				t.Errorf("stopped in %s line %d, want main just after BP:again", fr.Name, fr.Line)
			}
			c.MustSucceed("continue", map[string]any{"threadId": ev.ThreadID})
			expectExit(t, c, 0)
		})
	}
}
