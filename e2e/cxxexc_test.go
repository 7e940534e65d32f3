package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// C++ exceptions stop on throw, with the thrown type, in the function
// that throws, and on catch, when the client asks with the exception
// filters; without them the program runs through its exceptions.
func TestCxxExceptions(t *testing.T) {
	src, err := filepath.Abs(filepath.Join("..", "testdata", "throw.cpp"))
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{bin: daptest.BuildC(t, src, "-g", "-O0"), src: src}
	c := startAdapter(t)
	var init struct {
		ExceptionBreakpointFilters []struct {
			Filter string `json:"filter"`
		} `json:"exceptionBreakpointFilters"`
	}
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"}).DecodeBody(t, &init)
	var filters []string
	for _, f := range init.ExceptionBreakpointFilters {
		filters = append(filters, f.Filter)
	}
	if strings.Join(filters, " ") != "cpp_throw cpp_catch go_panic go_fatal" {
		t.Fatalf("exception filters %v", filters)
	}
	c.MustSucceed("launch", map[string]any{"program": f.bin})
	c.ExpectEvent("initialized")
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setExceptionBreakpoints", map[string]any{"filters": []string{"cpp_throw", "cpp_catch"}}).DecodeBody(t, &body)
	if len(body.Breakpoints) != 2 {
		t.Fatalf("exception breakpoints %+v", body.Breakpoints)
	}
	expectError(t, c.Request("setExceptionBreakpoints", map[string]any{"filters": []string{"nosuch"}}), "unknown exception filter")
	c.MustSucceed("setExceptionBreakpoints", map[string]any{"filters": []string{"cpp_throw", "cpp_catch"}})
	c.MustSucceed("configurationDone", nil)
	for _, want := range []struct{ what, marker string }{
		{"std::runtime_error", "BP:throw_std"},
		{"", ""}, // caught
		{"shop::OutOfStock", "BP:throw_custom"},
		{"", ""},
	} {
		st := expectStopped(t, c, "exception")
		frames, _ := stackTrace(t, c, st.ThreadID, 0, 10)
		if want.what == "" {
			if !strings.Contains(st.Description, "caught") || !strings.Contains(frames[0].Name, "__cxa_begin_catch") {
				t.Fatalf("catch stop %+v, frames %+v", st, frames)
			}
		} else {
			if !strings.Contains(st.Description, "thrown: "+want.what) || !strings.Contains(frames[0].Name, "__cxa_throw") {
				t.Fatalf("throw stop %+v, frames %+v", st, frames)
			}
			if k := findFrame(frames, "order"); k < 0 || frames[k].Line != f.line(t, want.marker) {
				t.Fatalf("the throwing frame: %+v", frames)
			}
			var info struct {
				ExceptionID string `json:"exceptionId"`
			}
			c.MustSucceed("exceptionInfo", map[string]any{"threadId": st.ThreadID}).DecodeBody(t, &info)
			if info.ExceptionID != want.what {
				t.Errorf("exceptionInfo id %q, want %s", info.ExceptionID, want.what)
			}
		}
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	expectExit(t, c, 0)
	if got := output(t, c, "stdout"); got != "caught negative item\nout of stock 5\ntotal 10\n" {
		t.Errorf("stdout %q", got)
	}
}
