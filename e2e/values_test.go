package e2e

import (
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

func children(t testing.TB, c *daptest.Client, ref int) []variable {
	t.Helper()
	var vs struct {
		Variables []variable `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": ref}).DecodeBody(t, &vs)
	return vs.Variables
}

func mustVar(t testing.TB, vs []variable, name string) variable {
	t.Helper()
	v, ok := varNamed(vs, name)
	if !ok {
		t.Fatalf("no variable %q in %+v", name, vs)
	}
	return v
}

// The Locals, Arguments and Globals scopes show C values as a person
// expects them, and structures, arrays and pointers expand.
func TestCValues(t *testing.T) {
	f := buildC(t, "values")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:values")
	fr := top(t, c, st.ThreadID)
	locals := scopeVars(t, c, fr.ID, "Locals")
	for name, want := range map[string]string{
		"i": "-42", "u": "42", "c": "65 'A'", "flag": "true", "f": "1.5", "d": "-2.25",
		"big": "1234567890123", "col": "GREEN", "odd": "3", "name": `"hello"`, "null": "NULL",
	} {
		if got := mustVar(t, locals, name).Value; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if v := mustVar(t, locals, "msg"); !strings.HasSuffix(v.Value, `"a message"`) || v.Type != "const char *" {
		t.Errorf("msg = %q (%s)", v.Value, v.Type)
	}
	if v := mustVar(t, locals, "fn"); !strings.Contains(v.Value, "<twice>") {
		t.Errorf("fn = %q, want the function's name", v.Value)
	}
	pt := mustVar(t, locals, "pt")
	if pt.Value != "{x=3, y=4}" || pt.Type != "struct point" || pt.VariablesReference == 0 || pt.MemoryReference == "" {
		t.Fatalf("pt = %+v", pt)
	}
	if xs := children(t, c, pt.VariablesReference); mustVar(t, xs, "x").Value != "3" || mustVar(t, xs, "y").Value != "4" {
		t.Errorf("pt's members %+v", xs)
	}
	if v := mustVar(t, locals, "alias"); v.Type != "point_t" || v.Value != "{x=5, y=6}" {
		t.Errorf("alias = %+v", v)
	}
	arr := mustVar(t, locals, "arr")
	if arr.Type != "int [5]" {
		t.Errorf("arr type %q", arr.Type)
	}
	var page struct {
		Variables []variable `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": arr.VariablesReference, "filter": "indexed", "start": 2, "count": 2}).DecodeBody(t, &page)
	if len(page.Variables) != 2 || page.Variables[0].Name != "[2]" || page.Variables[0].Value != "3" || page.Variables[1].Value != "4" {
		t.Errorf("arr[2:4] = %+v", page.Variables)
	}
	grid := mustVar(t, locals, "grid")
	row1 := children(t, c, grid.VariablesReference)[1]
	if els := children(t, c, row1.VariablesReference); len(els) != 3 || els[2].Value != "6" {
		t.Errorf("grid[1] = %+v", els)
	}
	ppt := mustVar(t, locals, "ppt")
	if ms := children(t, c, ppt.VariablesReference); mustVar(t, ms, "y").Value != "4" {
		t.Errorf("*ppt members %+v", ms)
	}
	// A pointer's memoryReference is the pointee's address (DAP, lldb-dap,
	// cpptools): VS Code's binary view of ppt shows pt's bytes, 3 then 4.
	// Its own value says the same address; pt keeps its own.
	if ppt.MemoryReference == "" || addrOf(t, ppt.MemoryReference) != addrOf(t, pt.MemoryReference) || !strings.HasPrefix(ppt.Value, ppt.MemoryReference) {
		t.Errorf("ppt = %q with memoryReference %q, pt's is %q", ppt.Value, ppt.MemoryReference, pt.MemoryReference)
	}
	if data, _ := readMemory(t, c, ppt.MemoryReference, 0, 8); len(data) != 8 || data[0] != 3 || data[4] != 4 {
		t.Errorf("memory at ppt's reference: % x, want pt {3, 4}", data)
	}
	if ev := evaluate(t, c, fr.ID, "ppt"); ev.MemoryReference != ppt.MemoryReference {
		t.Errorf("evaluate ppt: memoryReference %q, want %q", ev.MemoryReference, ppt.MemoryReference)
	}
	if null := mustVar(t, locals, "null"); null.MemoryReference != "" {
		t.Errorf("a NULL pointer has memoryReference %q", null.MemoryReference)
	}
	sh := mustVar(t, locals, "sh")
	ms := children(t, c, sh.VariablesReference)
	if mustVar(t, ms, "kind").Value != "5" || mustVar(t, ms, "delta").Value != "-3" || !strings.Contains(mustVar(t, ms, "label").Value, `"circle"`) {
		t.Errorf("sh members %+v", ms)
	}

	globals := scopeVars(t, c, fr.ID, "Globals")
	if mustVar(t, globals, "g_total").Value != "7" || mustVar(t, globals, "g_ratio").Value != "0.5" {
		t.Errorf("globals %+v", globals)
	}

	// evaluate (hover, watch) finds variables by name, and registers.
	var ev struct {
		Result             string `json:"result"`
		VariablesReference int    `json:"variablesReference"`
	}
	c.MustSucceed("evaluate", map[string]any{"expression": "pt", "frameId": fr.ID, "context": "hover"}).DecodeBody(t, &ev)
	if ev.Result != "{x=3, y=4}" || ev.VariablesReference == 0 {
		t.Errorf("evaluate pt = %+v", ev)
	}
	c.MustSucceed("evaluate", map[string]any{"expression": "$rip", "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
	if addrOf(t, ev.Result) != addrOf(t, fr.InstructionPointerReference) {
		t.Errorf("$rip = %s, want %s", ev.Result, fr.InstructionPointerReference)
	}
	expectError(t, c.Request("evaluate", map[string]any{"expression": "nosuchvar", "frameId": fr.ID, "context": "watch"}), "nosuchvar")
	for expr, want := range map[string]string{
		"i + 2": "-40", "pt.x * 10 + pt.y": "34", "ppt->y": "4", "arr[3]": "4", "grid[1][2]": "6",
		"*ppt": "{x=3, y=4}", "sh.origin.x == 3 && flag": "true", "sizeof(pt)": "8", "name[1]": "101 'e'",
		"u / 5": "8", "!flag": "false", "d * 2": "-4.5", "sh.i": "99", "&pt == ppt": "true",
	} {
		c.MustSucceed("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
		if ev.Result != want {
			t.Errorf("evaluate %q = %q, want %q", expr, ev.Result, want)
		}
	}
	c.MustSucceed("evaluate", map[string]any{"expression": "i", "frameId": fr.ID, "context": "watch", "format": map[string]any{"hex": true}}).DecodeBody(t, &ev)
	if ev.Result != "-0x2a" {
		t.Errorf("evaluate i in hex = %q", ev.Result)
	}
	var hexed struct {
		Variables []variable `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": pt.VariablesReference, "format": map[string]any{"hex": true}}).DecodeBody(t, &hexed)
	if mustVar(t, hexed.Variables, "y").Value != "0x4" {
		t.Errorf("pt.y in hex: %+v", hexed.Variables)
	}
	for expr, want := range map[string]string{"i / 0": "division by zero", "pt.z": "no member", "1 +": "parse", "*null": "NULL", "arr[9]": "range"} {
		expectError(t, c.Request("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}), want)
	}

	// Arguments of a callee.
	setBreakpoints(t, c, f.src, f.line(t, "BP:inspect"))
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "breakpoint")
	fr = top(t, c, st.ThreadID)
	params := scopeVars(t, c, fr.ID, "Arguments")
	if mustVar(t, params, "n").Value != "-42" || mustVar(t, params, "s").Type != "struct shape *" {
		t.Errorf("arguments %+v", params)
	}
	if mustVar(t, scopeVars(t, c, fr.ID, "Locals"), "local").Value != "-41" {
		t.Errorf("local in inspect")
	}
	c.MustSucceed("disconnect", nil)
}

// setVariable changes a local, a member and an array element (visible
// after continuing: the program computes with them); bad assignments are
// refused with a reason and change nothing; writeMemory is visible in the
// next readMemory, and the client is told to refresh.
func TestSetVariableAndWriteMemory(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace", "supportsMemoryEvent": true, "supportsInvalidatedEvent": true})
	c.MustSucceed("launch", map[string]any{"program": f.bin})
	c.ExpectEvent("initialized")
	setBreakpoints(t, c, f.src, f.line(t, "BP:add"))
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint") // add(0, 0)
	fr := top(t, c, st.ThreadID)
	var sc struct {
		Scopes []struct {
			Name               string `json:"name"`
			VariablesReference int    `json:"variablesReference"`
		} `json:"scopes"`
	}
	c.MustSucceed("scopes", map[string]any{"frameId": fr.ID}).DecodeBody(t, &sc)
	args := sc.Scopes[1].VariablesReference
	var sv struct {
		Value string `json:"value"`
	}
	c.MustSucceed("setVariable", map[string]any{"variablesReference": args, "name": "b", "value": "40 + 2"}).DecodeBody(t, &sv)
	if sv.Value != "42" {
		t.Fatalf("setVariable b answered %q", sv.Value)
	}
	expectError(t, c.Request("setVariable", map[string]any{"variablesReference": args, "name": "b", "value": `"text"`}), "string")
	expectError(t, c.Request("setVariable", map[string]any{"variablesReference": args, "name": "b", "value": "1 / 0"}), "division by zero")
	if v := mustVar(t, scopeVars(t, c, fr.ID, "Arguments"), "b"); v.Value != "42" {
		t.Fatalf("b after the failed assignments: %q", v.Value)
	}

	// writeMemory: the int b, through its memoryReference.
	b := mustVar(t, scopeVars(t, c, fr.ID, "Arguments"), "b")
	var wm struct {
		BytesWritten int `json:"bytesWritten"`
	}
	c.MustSucceed("writeMemory", map[string]any{"memoryReference": b.MemoryReference, "data": "ZAAAAA=="}).DecodeBody(t, &wm) // 100
	if wm.BytesWritten != 4 {
		t.Fatalf("bytesWritten %d", wm.BytesWritten)
	}
	c.ExpectEvent("memory")
	c.ExpectEvent("invalidated")
	if data, _ := readMemory(t, c, b.MemoryReference, 0, 4); len(data) != 4 || data[0] != 100 {
		t.Fatalf("readMemory after writeMemory: %v", data)
	}
	// The program computes with the new value: total = 0 + 100, then 1, 2.
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "total=103\n" {
		t.Fatalf("stdout %q, want total=103", got)
	}
}

// A million-element array is paged: any page is reachable and right, and
// its length is announced; a 1 MiB char array is reachable to its last
// byte.
func TestBigArrays(t *testing.T) {
	f := buildC(t, "arrays")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:arrays")
	fr := top(t, c, st.ThreadID)
	globals := scopeVars(t, c, fr.ID, "Globals")
	m := mustVar(t, globals, "million")
	if m.IndexedVariables != 1000000 || m.VariablesReference == 0 {
		t.Fatalf("million announces %d elements (reference %d)", m.IndexedVariables, m.VariablesReference)
	}
	for _, start := range []int{0, 99990, 999900} {
		var page struct {
			Variables []variable `json:"variables"`
		}
		c.MustSucceed("variables", map[string]any{"variablesReference": m.VariablesReference, "filter": "indexed", "start": start, "count": 100}).DecodeBody(t, &page)
		if len(page.Variables) != 100 {
			t.Fatalf("page at %d has %d elements", start, len(page.Variables))
		}
		for i, v := range page.Variables {
			if v.Value != itoa(3*(start+i)) {
				t.Fatalf("million[%d] = %s", start+i, v.Value)
			}
		}
	}
	text := mustVar(t, globals, "text")
	if !strings.HasSuffix(text.Value, `..."`) && !strings.HasSuffix(text.Value, `"...`) {
		t.Errorf("a 1 MiB string's summary %.40q... is not marked as cut", text.Value)
	}
	var last struct {
		Variables []variable `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": text.VariablesReference, "filter": "indexed", "start": 1<<20 - 2, "count": 2}).DecodeBody(t, &last)
	if len(last.Variables) != 2 || last.Variables[0].Value != "121 'y'" || last.Variables[1].Value != `0 '\0'` {
		t.Fatalf("the end of text: %+v", last.Variables)
	}
	data, _ := readMemory(t, c, text.MemoryReference, 0, 1<<20)
	if len(data) != 1<<20 || data[len(data)-2] != 'y' {
		t.Fatalf("readMemory of text: %d bytes", len(data))
	}
	c.MustSucceed("disconnect", nil)
}
