package e2e

import (
	"path/filepath"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// A Go program built as `go build` does by default, optimised and with
// inlining: add is inlined into main, yet a breakpoint in it stops every
// time, with add's frame above main's at the line of the call.
func TestGoOptimised(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "testdata", "gohello"))
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{bin: daptest.BuildGo(t, dir, "-gcflags="), src: filepath.Join(dir, "main.go")}
	c := startAdapter(t)
	launch(t, c, f, nil)
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:goadd"))
	if !bps[0].Verified {
		t.Fatalf("breakpoint in inlined Go code: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	for hit := 0; hit < 3; hit++ {
		st := expectStopped(t, c, "breakpoint")
		frames, _ := stackTrace(t, c, st.ThreadID, 0, 10)
		if len(frames) < 2 || frames[0].Name != "main.add" || frames[0].Line != f.line(t, "BP:goadd") ||
			frames[1].Name != "main.main" || frames[1].Line != f.line(t, "BP:goloop") {
			t.Fatalf("hit %d: frames %+v", hit, frames)
		}
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "sum 3\n" {
		t.Errorf("stdout %q", got)
	}
}
