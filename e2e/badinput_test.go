package e2e

import (
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// Each bad request gets an error response a person understands, and the
// adapter keeps serving: the session ends with a normal launch and exit.
func TestBadInputKeepsServing(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)

	frame := func(body string) []byte { return []byte(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)) }
	c.WriteRaw(frame("this is not json"))
	if m := c.ExpectResponse(1); m.Success || m.Command != "unknown" {
		t.Fatalf("non-JSON body answered with success: %s", m)
	}
	expectError(t, c.Request("frobnicate", nil), "frobnicate")
	expectError(t, c.Request("initialize", map[string]any{"linesStartAt1": "yes"}), "linesStartAt1")

	// Before any process exists.
	if ths := threads(t, c); len(ths) != 0 {
		t.Fatalf("threads before launch: %v", ths)
	}
	expectError(t, c.Request("stackTrace", map[string]any{"threadId": 1}), "no process")
	expectError(t, c.Request("readMemory", map[string]any{"memoryReference": "0x1000", "count": 4}), "no process")

	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
	dir := t.TempDir()
	notExec := filepath.Join(dir, "script")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notELF := filepath.Join(dir, "text")
	if err := os.WriteFile(notELF, []byte("hello, not an ELF file at all\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ program, want string }{
		{filepath.Join(dir, "missing"), "does not exist"},
		{dir, "directory"},
		{notExec, "not executable"},
		{notELF, "ELF"},
		{"", "program"},
	} {
		expectError(t, c.Request("launch", map[string]any{"program": tc.program}), tc.want)
	}
	expectError(t, c.Request("launch", map[string]any{"program": 42}), "program")
	expectError(t, c.Request("attach", map[string]any{"pid": 999999999}), "999999999")
	expectError(t, c.Request("attach", map[string]any{}), "pid")

	// Now a real session still works, and bad requests during it too.
	st := stopAt(t, c, f, nil, "BP:print")
	expectError(t, c.Request("stackTrace", map[string]any{"threadId": 424242}), "424242")
	expectError(t, c.Request("next", map[string]any{"threadId": 424242}), "424242")
	expectError(t, c.Request("readMemory", map[string]any{"memoryReference": "garbage", "count": 4}), "garbage")
	expectError(t, c.Request("stackTrace", map[string]any{"threadId": "one"}), "threadId")
	// An instruction offset no editor sends must not make the adapter
	// decode (or allocate for) 2^40 instructions.
	pc := top(t, c, st.ThreadID).InstructionPointerReference
	for _, off := range []int64{1 << 40, -(1 << 40)} {
		expectError(t, c.Request("disassemble", map[string]any{"memoryReference": pc, "instructionOffset": off, "instructionCount": 10}), "instructionOffset")
	}
	// VS Code's Disassembly view, scrolled up with nothing loaded, asks
	// with an empty reference: refused without a popup (showUser false),
	// where a reference a person typed wrong is shown.
	for ref, show := range map[string]bool{"": false, "garbage": true} {
		m := c.Request("disassemble", map[string]any{"memoryReference": ref, "instructionOffset": -50, "instructionCount": 50})
		var body struct {
			Error struct {
				ShowUser bool `json:"showUser"`
			} `json:"error"`
		}
		m.DecodeBody(t, &body)
		if m.Success || body.Error.ShowUser != show {
			t.Errorf("disassemble at %q: success %v, showUser %v, want a failure with showUser %v", ref, m.Success, body.Error.ShowUser, show)
		}
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	c.MustSucceed("disconnect", nil)
}

func expectError(t testing.TB, m *daptest.Message, want string) {
	t.Helper()
	msg := errorMessage(t, m)
	if !strings.Contains(strings.ToLower(msg), strings.ToLower(want)) {
		t.Errorf("%s error %q does not mention %q", m.Command, msg, want)
	}
}

// A Content-Length of 10^12 neither allocates nor crashes: the adapter ends
// cleanly, and kills what it launched.
func TestHugeContentLength(t *testing.T) {
	f := buildC(t, "spin")
	c := startAdapter(t)
	pid := launch(t, c, f, nil)
	c.MustSucceed("configurationDone", nil)
	c.WriteRaw([]byte("Content-Length: 1000000000000\r\n\r\n{"))
	if code, err := c.Wait(); err != nil {
		t.Fatalf("adapter did not end cleanly: code %d, %v", code, err)
	}
	waitGone(t, pid, 10*time.Second)
}

// Closing stdin without a disconnect (what nvim-dap does) ends the adapter
// with status 0 and the debuggee with it.
func TestStdinClosedCleansUp(t *testing.T) {
	f := buildC(t, "spin")
	c := startAdapter(t)
	pid := launch(t, c, f, nil)
	c.MustSucceed("configurationDone", nil)
	waitOutput(t, c, "ready")
	c.CloseStdin()
	if code, err := c.Wait(); err != nil || code != 0 {
		t.Fatalf("adapter exit %d, %v; want 0", code, err)
	}
	waitGone(t, pid, 10*time.Second)
}

// SIGKILL of the adapter leaves no launched debuggee behind, even a stopped
// one.
func TestAdapterKilledTakesDebuggee(t *testing.T) {
	f := buildC(t, "spin")
	for _, stopped := range []bool{false, true} {
		c := startAdapter(t)
		pid := launch(t, c, f, nil)
		c.MustSucceed("configurationDone", nil)
		if stopped {
			c.MustSucceed("pause", map[string]any{"threadId": pid})
			expectStopped(t, c, "pause")
		}
		if err := c.Process().Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Wait()
		waitGone(t, pid, 10*time.Second)
	}
}

// SIGTERM to the adapter cleans up: the debuggee is killed, the exit is 0.
func TestAdapterSIGTERM(t *testing.T) {
	f := buildC(t, "spin")
	c := startAdapter(t)
	pid := launch(t, c, f, nil)
	c.MustSucceed("configurationDone", nil)
	if err := c.Process().Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, err := c.Wait(); err != nil || code != 0 {
		t.Fatalf("adapter exit %d, %v", code, err)
	}
	waitGone(t, pid, 10*time.Second)
}

// --listen serves DAP over TCP on the port it prints; two sessions run over
// it at the same time, each stopped at its breakpoint while the other is,
// each seeing its own program's stops and exit.
func TestListen(t *testing.T) {
	f := buildC(t, "hello")
	addr, cmd := listenAdapter(t)
	var cs [2]*daptest.Client
	var sts [2]stopped
	for i := range cs {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = daptest.NewClient(t, nc)
		sts[i] = stopAt(t, cs[i], f, map[string]any{"args": []string{strconv.Itoa(5 + i)}}, "BP:add")
	}
	for i, c := range cs {
		if sts[0].ThreadID == sts[1].ThreadID {
			t.Fatalf("both sessions stopped in thread %d", sts[0].ThreadID)
		}
		setBreakpoints(t, c, f.src)
		c.MustSucceed("continue", map[string]any{"threadId": sts[i].ThreadID})
	}
	for i, c := range cs {
		expectExit(t, c, 5+i)
		c.MustSucceed("disconnect", nil)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("listening adapter did not end cleanly on SIGTERM: %v", err)
	}
}

// Every request, given arguments of the wrong types or naming things that
// do not exist, is answered (a failure with a reason, or an empty success)
// while the program is stopped, and the session goes on to a normal end.
func TestEveryRequestWithBadArguments(t *testing.T) {
	f := buildC(t, "values")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:inspect")
	commands := []string{"threads", "stackTrace", "scopes", "variables", "evaluate", "setVariable", "setExpression",
		"source", "loadedSources", "modules", "readMemory", "writeMemory", "disassemble", "breakpointLocations",
		"setBreakpoints", "setFunctionBreakpoints", "setInstructionBreakpoints", "setExceptionBreakpoints",
		"dataBreakpointInfo", "setDataBreakpoints", "completions", "stepInTargets", "exceptionInfo", "gotoTargets", "goto", "stepIn", "next", "stepOut"}
	wrongTypes := map[string]any{"threadId": "x", "frameId": "x", "variablesReference": "x", "expression": 3, "name": 4,
		"value": 5, "source": "x", "sourceReference": "x", "memoryReference": 6, "count": "x", "offset": "x", "data": 7,
		"instructionCount": "x", "line": "x", "breakpoints": "x", "filters": "x", "text": 8, "column": "x", "targetId": "x",
		"start": "x", "startFrame": "x", "levels": "x", "startModule": "x", "moduleCount": "x", "endLine": "x", "dataId": 9}
	unknown := map[string]any{
		"threadId":           999999,
		"frameId":            999999,
		"variablesReference": 999999,
		"expression":         "nosuch(",
		"name":               "nosuch",
		"value":              "1",
		"source":             map[string]any{"sourceReference": 99999},
		"sourceReference":    99999,
		"memoryReference":    "0x10",
		"count":              16,
		"data":               "AAAA",
		"instructionCount":   4,
		"line":               1,
		"breakpoints":        []map[string]any{{"line": 1, "dataId": "junk", "instructionReference": "junk", "name": "nosuch"}},
		"filters":            []string{"nosuch"},
		"text":               "x.",
		"column":             3,
		"targetId":           999999,
		"dataId":             "0x10/8",
	}
	// Numbers no client should send: each is refused or clamped, never
	// used as it is (an address, a length to allocate, an index).
	outOfRange := map[string]any{
		"threadId": math.MinInt64, "frameId": math.MaxInt64, "variablesReference": -1, "expression": "1", "name": "x",
		"value": "1", "source": map[string]any{"path": f.src, "sourceReference": math.MaxInt64}, "sourceReference": -1,
		"memoryReference": "0xffffffffffffffff", "offset": math.MinInt64, "count": math.MaxInt64, "data": "AAAA",
		"instructionOffset": math.MaxInt64, "instructionCount": math.MaxInt64, "line": math.MinInt64, "endLine": math.MaxInt64,
		"start": math.MaxInt64, "startFrame": math.MaxInt64, "levels": math.MaxInt64, "startModule": math.MaxInt64,
		"moduleCount": math.MaxInt64, "column": math.MinInt64, "targetId": math.MaxInt64, "text": "x",
		"breakpoints": []map[string]any{{"line": math.MaxInt64, "hitCondition": "% 99999999999999999999999", "instructionReference": "0xffffffffffffffff", "offset": math.MaxInt64, "dataId": "1:0x10/8"}},
	}
	for _, cmd := range commands {
		for _, args := range []map[string]any{wrongTypes, unknown, outOfRange} {
			m := c.Request(cmd, args)
			if !m.Success && m.Message == "" && errorMessage(t, m) == "" {
				t.Errorf("%s failed without a reason: %s", cmd, m)
			}
			if strings.Contains(string(m.Raw), "internal error") {
				t.Errorf("%s with %v crashed its handler: %s", cmd, args, m)
			}
		}
	}
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 1)
	if frames[0].Name != "inspect" {
		t.Fatalf("after the bad requests the program is at %+v", frames[0])
	}
	setBreakpoints(t, c, f.src)
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []any{}})
	c.MustSucceed("setInstructionBreakpoints", map[string]any{"breakpoints": []any{}})
	c.MustSucceed("setDataBreakpoints", map[string]any{"breakpoints": []any{}})
	c.MustSucceed("setExceptionBreakpoints", map[string]any{"filters": []string{}})
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}
