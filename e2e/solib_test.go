package e2e

import (
	"strings"
	"testing"
)

type module struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Path         string `json:"path"`
	AddressRange string `json:"addressRange"`
	SymbolStatus string `json:"symbolStatus"`
}

// A breakpoint in a library loaded with dlopen is pending until the library
// loads, then verified with a breakpoint event, and hit; module events
// report the load and the unload; the modules request lists what is loaded.
func TestDlopenPendingBreakpoint(t *testing.T) {
	prog := buildC(t, "dl", "-g", "-O0")
	lib := buildC(t, "dllib", "-g", "-O0", "-shared", "-fPIC")
	c := startAdapter(t)
	launch(t, c, prog, map[string]any{"args": []string{lib.bin}})
	bps := setBreakpoints(t, c, lib.src, lib.line(t, "BP:lib"))
	if bps[0].Verified || bps[0].Message == "" {
		t.Fatalf("breakpoint in a library not loaded yet: %+v, want unverified with a message", bps[0])
	}
	c.MustSucceed("configurationDone", nil)

	var ev struct {
		Reason     string     `json:"reason"`
		Breakpoint breakpoint `json:"breakpoint"`
	}
	c.ExpectEvent("breakpoint").DecodeBody(t, &ev)
	if ev.Reason != "changed" || !ev.Breakpoint.Verified || ev.Breakpoint.ID != bps[0].ID || ev.Breakpoint.Line != lib.line(t, "BP:lib") {
		t.Fatalf("breakpoint event %+v, want breakpoint %d verified at line %d", ev, bps[0].ID, lib.line(t, "BP:lib"))
	}
	st := expectStopped(t, c, "breakpoint")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 10)
	if len(frames) < 2 || frames[0].Name != "lib_twice" || frames[0].Line != lib.line(t, "BP:lib") || frames[1].Name != "main" || frames[1].Line != prog.line(t, "BP:call") {
		t.Fatalf("frames %+v", frames)
	}

	// Module events so far: the program, libc, the library among them.
	newMods := map[string]module{}
	for _, m := range c.Events() {
		if m.Event != "module" {
			continue
		}
		var body struct {
			Reason string `json:"reason"`
			Module module `json:"module"`
		}
		m.DecodeBody(t, &body)
		if body.Reason == "new" {
			newMods[body.Module.Path] = body.Module
		}
	}
	if _, ok := newMods[lib.bin]; !ok {
		t.Fatalf("no module event for the library %s: %v", lib.bin, newMods)
	}
	if _, ok := newMods[prog.bin]; !ok {
		t.Fatalf("no module event for the program %s", prog.bin)
	}
	var mods struct {
		Modules []module `json:"modules"`
	}
	c.MustSucceed("modules", nil).DecodeBody(t, &mods)
	var names []string
	for _, m := range mods.Modules {
		names = append(names, m.Name)
		if m.AddressRange == "" || m.SymbolStatus == "" {
			t.Errorf("module %+v lacks a range or a symbol status", m)
		}
	}
	joined := strings.Join(names, " ")
	if !strings.Contains(joined, "libc.so") || !strings.Contains(joined, "dllib") || mods.Modules[0].Path != prog.bin {
		t.Fatalf("modules %v", names)
	}

	// dlclose unloads it.
	setBreakpoints(t, c, prog.src, prog.line(t, "BP:after"))
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectStopped(t, c, "breakpoint")
	removed := false
	for _, m := range c.Events() {
		if m.Event == "module" && strings.Contains(string(m.Body), `"removed"`) && strings.Contains(string(m.Body), "dllib") {
			removed = true
		}
	}
	if !removed {
		t.Fatalf("no module removed event after dlclose")
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}
