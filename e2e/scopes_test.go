package e2e

import (
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

type variable struct {
	Name               string `json:"name"`
	Value              string `json:"value"`
	Type               string `json:"type"`
	VariablesReference int    `json:"variablesReference"`
	MemoryReference    string `json:"memoryReference"`
	IndexedVariables   int    `json:"indexedVariables"`
}

// scopeRef is the variablesReference of a frame's scope.
func scopeRef(t testing.TB, c *daptest.Client, frameID int, scope string) int {
	t.Helper()
	var sc struct {
		Scopes []struct {
			Name               string `json:"name"`
			VariablesReference int    `json:"variablesReference"`
		} `json:"scopes"`
	}
	c.MustSucceed("scopes", map[string]any{"frameId": frameID}).DecodeBody(t, &sc)
	for _, s := range sc.Scopes {
		if s.Name == scope {
			return s.VariablesReference
		}
	}
	t.Fatalf("no scope %q in %+v", scope, sc.Scopes)
	return 0
}

func scopeVars(t testing.TB, c *daptest.Client, frameID int, scope string) []variable {
	t.Helper()
	var vs struct {
		Variables []variable `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": scopeRef(t, c, frameID, scope)}).DecodeBody(t, &vs)
	return vs.Variables
}

// loadedSources reports whether the loadedSources request lists path.
func loadedSources(t testing.TB, c *daptest.Client, path string) bool {
	t.Helper()
	var ls struct {
		Sources []struct {
			Path string `json:"path"`
		} `json:"sources"`
	}
	c.MustSucceed("loadedSources", nil).DecodeBody(t, &ls)
	for _, s := range ls.Sources {
		if s.Path == path {
			return true
		}
	}
	t.Logf("loadedSources: %+v", ls.Sources)
	return false
}

func varNamed(vs []variable, name string) (variable, bool) {
	for _, v := range vs {
		if v.Name == name {
			return v, true
		}
	}
	return variable{}, false
}

// The Registers scope of each frame shows that frame's pc; frame ids go
// stale when the program runs again, with a clear error. loadedSources and
// source serve the program's source.
func TestRegistersScopeSourcesAndStaleFrames(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:add")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 2)
	for i, fr := range frames {
		regs := scopeVars(t, c, fr.ID, "Registers")
		rip, ok := varNamed(regs, "rip")
		if !ok || addrOf(t, rip.Value) != addrOf(t, fr.InstructionPointerReference) {
			t.Fatalf("frame %d: rip %+v, want %s", i, rip, fr.InstructionPointerReference)
		}
		if _, ok := varNamed(regs, "rsp"); !ok {
			t.Fatalf("frame %d has no rsp: %+v", i, regs)
		}
		if i == 0 {
			fl, ok := varNamed(regs, "eflags")
			if !ok || !strings.Contains(fl.Value, "IF") {
				t.Fatalf("eflags %+v, want the interrupt flag decoded", fl)
			}
			vec, ok := varNamed(regs, "Vector and floating-point")
			if !ok || vec.VariablesReference == 0 {
				t.Fatalf("no vector register group in %+v", regs)
			}
			vs := children(t, c, vec.VariablesReference)
			xmm0, ok := varNamed(vs, "xmm0")
			if !ok || !strings.HasPrefix(xmm0.Value, "0x") || len(xmm0.Value) != 2+32+1 {
				t.Fatalf("xmm0 %+v", xmm0)
			}
			if mx, ok := varNamed(vs, "mxcsr"); !ok || mx.Value != "0x00001f80" {
				t.Fatalf("mxcsr %+v, want the default 0x1f80", mx)
			}
		}
	}

	if !loadedSources(t, c, f.src) {
		t.Fatalf("loadedSources lacks %s", f.src)
	}
	var src struct {
		Content string `json:"content"`
	}
	c.MustSucceed("source", map[string]any{"source": map[string]any{"path": f.src}, "sourceReference": 0}).DecodeBody(t, &src)
	if !strings.Contains(src.Content, "BP:add") {
		t.Fatalf("source content %.100q", src.Content)
	}

	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "breakpoint")
	expectError(t, c.Request("scopes", map[string]any{"frameId": frames[0].ID}), "frame")
	c.MustSucceed("disconnect", nil)
}
