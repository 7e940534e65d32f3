package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

type evalResult struct {
	Result             string `json:"result"`
	Type               string `json:"type"`
	VariablesReference int    `json:"variablesReference"`
	MemoryReference    string `json:"memoryReference"`
}

func evaluate(t testing.TB, c *daptest.Client, frameID int, expr string) evalResult {
	t.Helper()
	var r evalResult
	c.MustSucceed("evaluate", map[string]any{"expression": expr, "frameId": frameID, "context": "watch"}).DecodeBody(t, &r)
	return r
}

// Casts read a value as another type: numbers converted as C converts
// them, an address as a typed pointer the client can expand, memory as a
// struct; typedef, struct and enum names come from the program. Bad casts
// say what is wrong. String literals compare with char * and char arrays.
func TestCasts(t *testing.T) {
	f := buildC(t, "casts")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:casts")
	fr := top(t, c, st.ThreadID)
	addr := evaluate(t, c, fr.ID, "addr").Result
	for expr, want := range map[string]string{
		"(int)d": "2 int", "(unsigned char)m": "44 ',' unsigned char", "(myint)c": "65 myint",
		"(double)i / 8": "-5.25 double", "(long)-1": "-1 long", "(unsigned)-1": "4294967295 unsigned int",
		"(short)70000": "4464 short", "(char)m": "44 ',' char", "(_Bool)2": "true _Bool", "(float)d": "2.75 float",
		"(long)ppt == addr": "true bool", "(enum color)6": "BLUE enum color", "(enum color)1": "1 enum color",
		"((struct point *)addr)->y": "4 int", "*(int *)" + addr: "3 int", "(int)arr[3] * 2": "8 long",
		"(struct point)arr": "{x=1, y=2} struct point", "sizeof(struct node)": "16 unsigned long",
		"sizeof(myint)": "4 unsigned long", "sizeof(unsigned short)": "2 unsigned long",
		`g_name == "square"`: "true bool", `name == "circle"`: "true bool", `"circle" != name`: "false bool",
		`g_name == "squar"`: "false bool", `p->next == 0 || name == "circl"`: "false bool", `g_name != "a->b$c"`: "true bool",
	} {
		r := evaluate(t, c, fr.ID, expr)
		if got := r.Result + " " + r.Type; got != want {
			t.Errorf("evaluate %q = %q, want %q", expr, got, want)
		}
	}

	// A pointer made by a cast expands onto the struct, and refers to the
	// memory it points to.
	sp := evaluate(t, c, fr.ID, "(struct point *)addr")
	if sp.Type != "struct point *" || sp.VariablesReference == 0 || addrOf(t, sp.MemoryReference) != addrOf(t, sp.Result) {
		t.Fatalf("(struct point *)addr = %+v", sp)
	}
	if ms := children(t, c, sp.VariablesReference); mustVar(t, ms, "x").Value != "3" || mustVar(t, ms, "y").Value != "4" {
		t.Errorf("members of (struct point *)addr: %+v", ms)
	}
	s := evaluate(t, c, fr.ID, "(char *)name")
	if !strings.HasSuffix(s.Result, ` "circle"`) || s.Type != "char *" || s.MemoryReference == "" {
		t.Errorf("(char *)name = %+v", s)
	}
	if ch := children(t, c, s.VariablesReference); len(ch) != 1 || ch[0].Value != "99 'c'" {
		t.Errorf("*(char *)name = %+v", ch)
	}
	// Viewing memory as a struct keeps its address.
	if sv := evaluate(t, c, fr.ID, "(struct point)arr"); sv.MemoryReference == "" || sv.VariablesReference == 0 {
		t.Errorf("(struct point)arr = %+v", sv)
	}

	for expr, want := range map[string]string{
		"(struct nosuch *)addr": `no type named "struct nosuch"`,
		"(nosuch_t *)addr":      `no type named "nosuch_t"`,
		"(struct point)5":       "only a value in memory",
		"(int)pt":               "cannot cast a struct point to int",
		"(int)":                 "needs a value",
		"(double *)1.5":         "not an address",
		"(long double)d":        "long double",
		`i == "x"`:              "cannot compare",
		`g_name < "x"`:          "only == and !=",
	} {
		expectError(t, c.Request("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}), want)
	}
	c.MustSucceed("disconnect", nil)
}

// A Go string compares with a string literal, as a breakpoint condition
// would use it.
func TestGoStringCompare(t *testing.T) {
	f := buildGo(t, "govals")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:values")
	fr := top(t, c, st.ThreadID)
	for expr, want := range map[string]bool{
		`sh.Name == "square"`: true, `sh.Name == "squares"`: false, `sh.Name != "circle"`: true, `words[1] == "beta"`: true,
	} {
		if r := evaluate(t, c, fr.ID, expr); r.Result != strconv.FormatBool(want) {
			t.Errorf("evaluate %s = %q, want %v", expr, r.Result, want)
		}
	}
	c.MustSucceed("disconnect", nil)
}
