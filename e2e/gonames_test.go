package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// Go package-level variables are found as a Go user names them: by their
// short name inside their package and as pkg.name anywhere; and one can
// be watched (a data breakpoint on main.watched), by the debug registers
// where they work and by software watchpoints.
func TestGoPackageVariables(t *testing.T) {
	for _, mode := range []any{false, "page"} {
		t.Run(fmt.Sprint("softwareWatchpoints=", mode), func(t *testing.T) { goPackageVariables(t, mode) })
	}
}

func goPackageVariables(t *testing.T, mode any) {
	f := buildGo(t, "govals")
	c := startAdapter(t)
	st := stopAt(t, c, f, map[string]any{"softwareWatchpoints": mode}, "BP:inspect")
	fr := top(t, c, st.ThreadID)
	for expr, want := range map[string]string{"counter": "7", "main.counter": "7", "counter * 2": "14", "watched": "0", "main.watched": "0"} {
		if got := evaluate(t, c, fr.ID, expr).Result; got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	// Another package's, by the name Go code gives it and by its full
	// import path, as Delve writes it.
	for _, expr := range []string{"fs.ErrNotExist", `"io/fs".ErrNotExist`, "errors.ErrUnsupported"} {
		if got := evaluate(t, c, fr.ID, expr).Result; !strings.Contains(got, "errorString") {
			t.Errorf("%s = %q, want the error variable", expr, got)
		}
	}
	var info struct {
		DataID *string `json:"dataId"`
	}
	c.MustSucceed("dataBreakpointInfo", map[string]any{"name": "main.watched", "frameId": fr.ID}).DecodeBody(t, &info)
	if info.DataID == nil || *info.DataID == "" {
		t.Fatalf("main.watched cannot be watched: %+v", info)
	}
	// Watched: the write in inspect stops the program, which says what
	// changed.
	setBreakpoints(t, c, f.src)
	c.MustSucceed("setDataBreakpoints", map[string]any{"breakpoints": []map[string]any{{"dataId": *info.DataID, "accessType": "write"}}})
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	hit := expectStopped(t, c, "data breakpoint")
	if !strings.Contains(hit.Description, "main.watched: 0 → ") {
		t.Errorf("data breakpoint stop says %q", hit.Description)
	}
	if got := evaluate(t, c, top(t, c, hit.ThreadID).ID, "main.watched").Result; got == "0" {
		t.Errorf("main.watched is still 0 after its write")
	}
	c.MustSucceed("disconnect", nil)
}

// Go expressions as a Go user writes them in watches and conditions: type
// assertions (with Go's own error when the type is wrong) and conversions
// between numeric types.
func TestGoExpressions(t *testing.T) {
	f := buildGo(t, "govals")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:values")
	fr := top(t, c, st.ThreadID)
	for expr, want := range map[string]string{
		"any1.(int)": "42", "any2.(string)": `"text"`, "anyPt.(main.Point).X": "1", "st.(*main.Point).Y": "6",
		"err.(*errors.errorString).s": `"boom"`, "int64(f)": "2", "float64(len(ints)) / 2": "2.5", "uint8(300)": "44",
		"any1.(int) == 42 && str == \"hello, world\"": "true",
	} {
		if got := evaluate(t, c, fr.ID, expr).Result; got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	for expr, want := range map[string]string{
		"any1.(string)": "interface {} is int, not string",
		"anyNil.(int)":  "is nil, not int",
		"str.(int)":     "not an interface",
	} {
		expectError(t, c.Request("evaluate", map[string]any{"expression": expr, "frameId": fr.ID, "context": "watch"}), want)
	}
	c.MustSucceed("disconnect", nil)
}
