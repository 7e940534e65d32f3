package e2e

import (
	"strings"
	"testing"
)

// setExpression assigns to lvalues: members, elements, through pointers,
// globals, enums by name; the program computes with the new values. What
// is not an lvalue, or a value of the wrong kind, is refused and nothing
// changes.
func TestSetExpression(t *testing.T) {
	f := buildC(t, "casts")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:casts")
	fr := top(t, c, st.ThreadID)
	set := func(expr, value string) setExprResult {
		t.Helper()
		var r setExprResult
		c.MustSucceed("setExpression", map[string]any{"expression": expr, "value": value, "frameId": fr.ID}).DecodeBody(t, &r)
		return r
	}
	for _, a := range []struct{ expr, value, want string }{
		{"pt.x", "30", "30"},
		{"arr[3]", "pt.y * 10", "40"},
		{"p->next->val", "99", "99"},
		{"g_count", "g_count + 4", "7"},
		{"col", "BLUE", "BLUE"},
		{"*(int *)addr", "pt.x", "30"}, // pt.x again, through a cast pointer
		{"name[0]", "'C'", "67 'C'"},
		{"d", "(double)7 / 2", "3.5"},
		{"flag", "1", "true"},
	} {
		if r := set(a.expr, a.value); r.Value != a.want {
			t.Errorf("setExpression %s = %s answered %+v, want %q", a.expr, a.value, r, a.want)
		}
	}
	if r := set("ppt", "&pt"); r.VariablesReference == 0 || r.MemoryReference == "" || r.Type != "struct point *" {
		t.Errorf("setExpression ppt = &pt answered %+v", r)
	}
	for _, bad := range []struct{ expr, value, want string }{
		{"m", `"text"`, "string"},
		{"m", "nosuch", "nosuch"},
		{"(int)i", "1", "not a variable in memory"},
		{"i + 1", "2", "not a variable in memory"},
		{"pt", "1", "only scalar values"},
		{"nosuch", "1", "nosuch"},
	} {
		expectError(t, c.Request("setExpression", map[string]any{"expression": bad.expr, "value": bad.value, "frameId": fr.ID}), bad.want)
	}
	if m := evaluate(t, c, fr.ID, "m"); m.Result != "300" {
		t.Errorf("m after failed assignments = %q", m.Result)
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	out := output(t, c, "stdout")
	if want := "i=-42 d=3.5 c=A flag=1 ppt=1 addr=1\npt=30,4 arr3=40 val=99 g=7 col=6 m=300 name=Circle\n"; !strings.HasPrefix(out, want) {
		t.Fatalf("stdout %q, want it to start with %q", out, want)
	}
}

type setExprResult struct {
	Value              string `json:"value"`
	Type               string `json:"type"`
	VariablesReference int    `json:"variablesReference"`
	MemoryReference    string `json:"memoryReference"`
}

// Registers of the innermost frame can be set, from the Registers scope
// and as $name; the program runs on with the new value (identity's return
// value, in rax at its closing brace, is what main prints). Frames above
// refuse, and so do registers that are not general-purpose.
func TestSetRegister(t *testing.T) {
	f := buildC(t, "casts")
	c := startAdapter(t)
	// The condition uses a cast and a string comparison, as conditions may.
	launch(t, c, f, nil)
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src},
		"breakpoints": []map[string]any{{"line": f.line(t, "BP:ret"), "condition": `(unsigned char)v == 5 && g_name == "square"`}}})
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	fs, _ := stackTrace(t, c, st.ThreadID, 0, 2)
	if len(fs) != 2 || fs[0].Name != "identity" {
		t.Fatalf("stack %+v", fs)
	}
	if rax := evaluate(t, c, fs[0].ID, "$rax & 0xffffffff"); rax.Result != "5" {
		t.Fatalf("$rax at the closing brace of identity(5) = %q; the fixture's code is not what the test expects", rax.Result)
	}
	regs := scopeRef(t, c, fs[0].ID, "Registers")
	var sv struct {
		Value string `json:"value"`
	}
	c.MustSucceed("setVariable", map[string]any{"variablesReference": regs, "name": "rax", "value": "40 + 2"}).DecodeBody(t, &sv)
	if sv.Value != "0x000000000000002a" {
		t.Errorf("setVariable rax answered %q", sv.Value)
	}
	if v := mustVar(t, children(t, c, regs), "rax"); v.Value != "0x000000000000002a" {
		t.Errorf("rax reads %q after setVariable", v.Value)
	}
	var se setExprResult
	c.MustSucceed("setExpression", map[string]any{"expression": "$rcx", "value": "$rax + 1", "frameId": fs[0].ID}).DecodeBody(t, &se)
	if se.Value != "0x000000000000002b" {
		t.Errorf("setExpression $rcx answered %+v", se)
	}
	if r := evaluate(t, c, fs[0].ID, "$rcx"); addrOf(t, r.Result) != 43 {
		t.Errorf("$rcx = %q after setExpression", r.Result)
	}
	expectError(t, c.Request("setVariable", map[string]any{"variablesReference": scopeRef(t, c, fs[1].ID, "Registers"), "name": "rcx", "value": "1"}), "innermost frame")
	expectError(t, c.Request("setExpression", map[string]any{"expression": "$rax", "value": "1", "frameId": fs[1].ID}), "innermost frame")
	expectError(t, c.Request("setVariable", map[string]any{"variablesReference": regs, "name": "cs", "value": "0"}), "cannot be set")
	expectError(t, c.Request("setVariable", map[string]any{"variablesReference": regs, "name": "rax", "value": "1.5"}), "integer")
	expectError(t, c.Request("setExpression", map[string]any{"expression": "$nosuch", "value": "1", "frameId": fs[0].ID}), "no register")

	setBreakpoints(t, c, f.src)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if out := output(t, c, "stdout"); !strings.HasSuffix(out, "r=42\n") {
		t.Fatalf("stdout %q, want it to end with r=42", out)
	}
}
