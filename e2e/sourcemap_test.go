package e2e

import (
	"path/filepath"
	"testing"
)

// A program whose debug information names its sources as built elsewhere
// (-fdebug-prefix-map makes it say /build/src): with a sourceMap the
// breakpoints set on the local file hold and the stops show the local
// path; without one, the local file is not the program's.
func TestSourceMap(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	f := buildC(t, "hello", "-g", "-O0", "-fdebug-prefix-map="+dir+"=/build/src")

	c := startAdapter(t)
	launch(t, c, f, nil)
	if bps := setBreakpoints(t, c, f.src, f.line(t, "BP:add")); bps[0].Verified {
		t.Fatalf("without a sourceMap the local path matched: %+v", bps[0])
	}
	c.MustSucceed("disconnect", nil)

	c = startAdapter(t)
	launch(t, c, f, map[string]any{"sourceMap": [][]string{{"/build/src", dir}}})
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:add"))
	if !bps[0].Verified {
		t.Fatalf("with a sourceMap: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	fr := top(t, c, st.ThreadID)
	if fr.Source == nil || fr.Source.Path != f.src || fr.Line != f.line(t, "BP:add") {
		t.Fatalf("stopped at %+v, want %s:%d", fr, f.src, f.line(t, "BP:add"))
	}
	if !loadedSources(t, c, f.src) {
		t.Errorf("loadedSources lacks the local %s", f.src)
	}
	c.MustSucceed("disconnect", nil)

	c = startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
	expectError(t, c.Request("launch", map[string]any{"program": f.bin, "sourceMap": "nope"}), "sourceMap")
}
