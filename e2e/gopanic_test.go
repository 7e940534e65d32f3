package e2e

import (
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// exceptionStop runs the gopanic fixture with the Go exception filters and
// returns the client at its exception stop and the exceptionInfo
// description.
func exceptionStop(t *testing.T, f fixture, args []string, text string) (*daptest.Client, stopped, string) {
	t.Helper()
	c := startAdapter(t)
	launch(t, c, f, map[string]any{"args": args})
	c.MustSucceed("setExceptionBreakpoints", map[string]any{"filters": []string{"go_panic", "go_fatal"}})
	c.MustSucceed("configurationDone", nil)
	var ev struct {
		stopped
		Text string `json:"text"`
	}
	c.ExpectEvent("stopped").DecodeBody(t, &ev)
	if ev.Reason != "exception" || ev.Text != text {
		t.Fatalf("stopped %+v, want an exception %q", ev, text)
	}
	var info struct {
		ExceptionID string `json:"exceptionId"`
		Description string `json:"description"`
	}
	c.MustSucceed("exceptionInfo", map[string]any{"threadId": ev.ThreadID}).DecodeBody(t, &info)
	if info.ExceptionID != text {
		t.Errorf("exceptionInfo %+v", info)
	}
	return c, ev.stopped, info.Description
}

// An unrecovered Go panic stops as an exception with its value, in the
// panicking goroutine with the panicking function on its stack; a
// recovered one does not stop; continuing lets the program die as it
// would (exit code 2).
func TestGoPanicStops(t *testing.T) {
	f := buildGo(t, "gopanic")
	c, st, desc := exceptionStop(t, f, nil, "panic")
	if !strings.Contains(desc, "bad value 42") {
		t.Errorf("exceptionInfo description %q, want the panic's value", desc)
	}
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 20)
	if i := findFrame(frames, "main.crash"); i < 0 || frames[i].Line != f.line(t, "BP:panic") {
		t.Errorf("main.crash at its panic not on the stack: %+v", frames)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 2)
}

// A Go fatal error (all goroutines asleep) stops with its message.
func TestGoFatalErrorStops(t *testing.T) {
	f := buildGo(t, "gopanic")
	c, st, desc := exceptionStop(t, f, []string{"deadlock"}, "fatal error")
	if !strings.Contains(desc, "deadlock") {
		t.Errorf("exceptionInfo description %q, want the fatal error's message", desc)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 2)
}
