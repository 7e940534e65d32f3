package e2e

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// page fetches children [start, start+count) of ref.
func page(t testing.TB, c *daptest.Client, ref, start, count int) []variable {
	t.Helper()
	var vs struct {
		Variables []variable `json:"variables"`
	}
	c.MustSucceed("variables", map[string]any{"variablesReference": ref, "filter": "indexed", "start": start, "count": count}).DecodeBody(t, &vs)
	return vs.Variables
}

// Go values read as in Go: strings, slices (paged), arrays, maps small
// and large (entries named by key, paged), interfaces and errors with
// their dynamic type, channels, nested structs and pointers; evaluate
// indexes slices, strings and maps and knows len and cap.
func TestGoValues(t *testing.T) {
	f := buildGo(t, "govals")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:values")
	fr := top(t, c, st.ThreadID)
	locals := scopeVars(t, c, fr.ID, "Locals")
	for name, want := range map[string]string{
		"str":      `"hello, world"`,
		"empty":    `""`,
		"ints":     "[]int len: 5, cap: 8, [1,2,3,4,5]",
		"nilSlice": "[]int len: 0, cap: 0, nil",
		"words":    `[]string len: 3, cap: 3, ["alpha","beta","gamma"]`,
		"arr":      "[3]int [7,8,9]",
		"small":    "map[string]int len: 3",
		"big":      "map[int]int len: 2000",
		"nilMap":   "map[string]int nil",
		"any1":     "interface {}(int) 42",
		"any2":     `interface {}(string) "text"`,
		"anyPt":    "interface {}(main.Point) {X: 1, Y: 2}",
		"anyNil":   "interface {} nil",
		"st":       "main.Stringer(*main.Point) *{X: 5, Y: 6}",
		"err":      `error(*errors.errorString) *{s: "boom"}`,
		"nilErr":   "error nil",
		"ch":       "chan int len: 2, cap: 5",
		"nilCh":    "chan string nil",
		"counts":   "main.Counts len: 1",
		"ids":      "main.IDs len: 2, cap: 2, [4,2]",
		"f":        "2.5",
		"b":        "122",
	} {
		if got := mustVar(t, locals, name).Value; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{"str": "string", "ints": "[]int", "arr": "[3]int", "small": "map[string]int",
		"sh": "*main.Shape", "err": "error", "any1": "interface {}", "ch": "chan int", "shapes": "[]main.Shape"} {
		if got := mustVar(t, locals, name).Type; got != want {
			t.Errorf("type of %s = %q, want %q", name, got, want)
		}
	}

	// A long string is summarised; its memoryReference is its data, read
	// to the end.
	long := mustVar(t, locals, "long")
	if !strings.HasSuffix(long.Value, `"...`) || len(long.Value) > 1100 || long.MemoryReference == "" {
		t.Errorf("long = %d bytes %.40q..., memoryReference %q", len(long.Value), long.Value, long.MemoryReference)
	}
	var mem struct {
		Data string `json:"data"`
	}
	c.MustSucceed("readMemory", map[string]any{"memoryReference": long.MemoryReference, "offset": 2990, "count": 10}).DecodeBody(t, &mem)
	if b, _ := base64.StdEncoding.DecodeString(mem.Data); string(b) != "abcdefghij" {
		t.Errorf("long[2990:3000] = %q", b)
	}
	if str := mustVar(t, locals, "str"); str.VariablesReference != 0 || str.MemoryReference == "" {
		t.Errorf("str = %+v, want no children and its data's memoryReference", str)
	}

	// Slices page like arrays.
	ints := mustVar(t, locals, "ints")
	if ints.IndexedVariables != 5 {
		t.Errorf("ints has %d indexed variables", ints.IndexedVariables)
	}
	if els := page(t, c, ints.VariablesReference, 2, 2); len(els) != 2 || els[0].Name != "[2]" || els[0].Value != "3" || els[1].Value != "4" {
		t.Errorf("ints[2:4] = %+v", els)
	}
	shapes := children(t, c, mustVar(t, locals, "shapes").VariablesReference)
	if len(shapes) != 2 || !strings.HasPrefix(shapes[1].Value, `main.Shape {Name: "circle"`) {
		t.Errorf("shapes = %+v", shapes)
	}

	// A small map: entries named by key.
	small := children(t, c, mustVar(t, locals, "small").VariablesReference)
	if len(small) != 3 || mustVar(t, small, `["a"]`).Value != "1" || mustVar(t, small, `["b"]`).Value != "2" || mustVar(t, small, `["c"]`).Value != "3" {
		t.Errorf("small = %+v", small)
	}
	// A map of 2000 entries spans several tables (one holds at most 1024
	// slots): every entry once, in pages.
	big := mustVar(t, locals, "big")
	if big.IndexedVariables != 2000 {
		t.Fatalf("big has %d indexed variables", big.IndexedVariables)
	}
	seen := make(map[int]bool)
	for start := 0; start < 2000; start += 300 {
		els := page(t, c, big.VariablesReference, start, 300)
		if want := min(300, 2000-start); len(els) != want {
			t.Fatalf("page at %d has %d entries, want %d", start, len(els), want)
		}
		for _, e := range els {
			k, err := strconv.Atoi(strings.Trim(e.Name, "[]"))
			if err != nil || seen[k] || e.Value != strconv.Itoa(k*k) {
				t.Fatalf("entry %s = %s (seen before: %v)", e.Name, e.Value, seen[k])
			}
			seen[k] = true
		}
	}
	if len(seen) != 2000 {
		t.Errorf("%d distinct keys", len(seen))
	}
	// Elements above 128 bytes are stored apart from the slots.
	bigVals := children(t, c, mustVar(t, locals, "bigVals").VariablesReference)
	if len(bigVals) != 1 || bigVals[0].Name != "[1]" || !strings.Contains(bigVals[0].Value, "A: [40]int [11,0,0,") {
		t.Errorf("bigVals = %+v", bigVals)
	}
	if cs := children(t, c, mustVar(t, locals, "counts").VariablesReference); len(cs) != 1 || cs[0].Name != `["x"]` || cs[0].Value != "24" {
		t.Errorf("counts = %+v", cs)
	}
	if p := children(t, c, mustVar(t, locals, "ptrs").VariablesReference); len(p) != 1 || p[0].Name != `["p"]` || p[0].Value != "*{X: 9, Y: 9}" {
		t.Errorf("ptrs = %+v", p)
	}

	// Interfaces expand as their dynamic values.
	if ms := children(t, c, mustVar(t, locals, "err").VariablesReference); len(ms) != 1 || ms[0].Name != "s" || ms[0].Value != `"boom"` {
		t.Errorf("err's members %+v", ms)
	}
	if ms := children(t, c, mustVar(t, locals, "anyPt").VariablesReference); mustVar(t, ms, "X").Value != "1" {
		t.Errorf("anyPt's members %+v", ms)
	}
	pathErr := mustVar(t, locals, "pathErr").Value
	if !strings.HasPrefix(pathErr, `error(*io/fs.PathError) *{Op: "open", Path: "/nonexistent/file"`) || !strings.Contains(pathErr, "Err: error(syscall.Errno) 2") {
		t.Errorf("pathErr = %q", pathErr)
	}
	if ms := children(t, c, mustVar(t, locals, "ch").VariablesReference); mustVar(t, ms, "qcount").Value != "2" {
		t.Errorf("ch's runtime fields %+v", ms)
	}

	// Nested structs through pointers.
	sh := children(t, c, mustVar(t, locals, "sh").VariablesReference)
	for name, want := range map[string]string{"Name": `"square"`, "Origin": "main.Point {X: 3, Y: 4}", "Tags": `[]string len: 2, cap: 2, ["red","big"]`} {
		if got := mustVar(t, sh, name).Value; got != want {
			t.Errorf("sh.%s = %q, want %q", name, got, want)
		}
	}
	if next := children(t, c, mustVar(t, sh, "Next").VariablesReference); mustVar(t, next, "Name").Value != `"inner"` || mustVar(t, next, "Next").Value != "nil" {
		t.Errorf("sh.Next = %+v", next)
	}

	var ev struct {
		Result             string `json:"result"`
		VariablesReference int    `json:"variablesReference"`
	}
	for expr, want := range map[string]string{
		"ints[2]": "3", "len(ints)": "5", "cap(ints)": "8", `small["b"]`: "2", "big[1999]": "3996001", "len(big)": "2000",
		"sh.Origin.X": "3", "sh.Next.Name": `"inner"`, "words[1]": `"beta"`, "str[0]": "104", "len(str)": "12",
		"len(ch)": "2", "cap(ch)": "5", "shapes[0].Tags[1]": `"big"`, "ints[1] + ints[4]": "7", "len(arr)": "3",
		`ptrs["p"].X`: "9", `counts["x"]`: "24", "ids[1]": "2", "bigVals[1].A[0]": "11",
	} {
		c.MustSucceed("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
		if ev.Result != want {
			t.Errorf("evaluate %q = %q, want %q", expr, ev.Result, want)
		}
	}
	// Members through an interface: its dynamic value's.
	for expr, want := range map[string]string{"err.s": `"boom"`, "pathErr.Op": `"open"`, "anyPt.Y": "2", "st.X": "5"} {
		c.MustSucceed("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
		if ev.Result != want {
			t.Errorf("evaluate %q = %q, want %q", expr, ev.Result, want)
		}
	}
	// setVariable on a slice element and on a map entry.
	var set struct {
		Value string `json:"value"`
	}
	c.MustSucceed("setVariable", map[string]any{"variablesReference": ints.VariablesReference, "name": "[2]", "value": "30"}).DecodeBody(t, &set)
	if set.Value != "30" {
		t.Errorf("set ints[2]: %q", set.Value)
	}
	smallRef := mustVar(t, locals, "small").VariablesReference
	c.MustSucceed("setVariable", map[string]any{"variablesReference": smallRef, "name": `["b"]`, "value": "-2"}).DecodeBody(t, &set)
	for expr, want := range map[string]string{"ints[2]": "30", `small["b"]`: "-2"} {
		c.MustSucceed("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}).DecodeBody(t, &ev)
		if ev.Result != want {
			t.Errorf("after setVariable, %s = %q, want %q", expr, ev.Result, want)
		}
	}
	for expr, want := range map[string]string{"ints[5]": "range", `small["zz"]`: "no key", "str[12]": "range"} {
		expectError(t, c.Request("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}), want)
	}

	// A pointer argument of a callee.
	setBreakpoints(t, c, f.src, f.line(t, "BP:inspect"))
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "breakpoint")
	fr = top(t, c, st.ThreadID)
	args := scopeVars(t, c, fr.ID, "Arguments")
	if v := mustVar(t, args, "sh"); v.Type != "*main.Shape" || !strings.HasPrefix(v.Value, `*{Name: "square", Origin: {X: 3, Y: 4}`) {
		t.Errorf("sh = %+v", v)
	}
	if v := mustVar(t, args, "n"); v.Value != "5" {
		t.Errorf("n = %+v", v)
	}
	c.MustSucceed("evaluate", map[string]any{"expression": "sh.Tags[0]", "frameId": fr.ID, "context": "hover"}).DecodeBody(t, &ev)
	if ev.Result != `"red"` {
		t.Errorf("sh.Tags[0] = %q", ev.Result)
	}
	c.MustSucceed("disconnect", nil)
}
