package e2e

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
	"golang.org/x/sys/unix"
)

// Pausing a busy three-thread program stops every thread; the threads carry
// their names; it continues and pauses again.
func TestPauseThreads(t *testing.T) {
	f := buildC(t, "spin")
	c := startAdapter(t)
	launch(t, c, f, nil)
	c.MustSucceed("configurationDone", nil)
	waitOutput(t, c, "ready")
	for round := 0; round < 2; round++ {
		c.MustSucceed("pause", map[string]any{"threadId": 0})
		st := expectStopped(t, c, "pause")
		ths := threads(t, c)
		var names []string
		for _, th := range ths {
			names = append(names, th.Name)
		}
		joined := strings.Join(names, ",")
		if len(ths) != 3 || !strings.Contains(joined, "worker-0") || !strings.Contains(joined, "worker-1") || !strings.Contains(joined, "spin") {
			t.Fatalf("threads %v, want spin, worker-0, worker-1", names)
		}
		for _, th := range ths {
			if fs, _ := stackTrace(t, c, th.ID, 0, 5); len(fs) == 0 {
				t.Fatalf("thread %s has no frames", th.Name)
			}
		}
		_ = st
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	c.MustSucceed("disconnect", map[string]any{"terminateDebuggee": true})
}

// A breakpoint hit by two threads at once is reported once per stop, and
// every hit is seen.
func TestBreakpointInThreads(t *testing.T) {
	f := buildC(t, "spin")
	c := startAdapter(t)
	launch(t, c, f, nil)
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:worker"))
	c.MustSucceed("configurationDone", nil)
	seen := map[int]bool{}
	for i := 0; i < 20 && len(seen) < 2; i++ {
		st := expectStopped(t, c, "breakpoint")
		if len(st.HitBreakpointIDs) != 1 || st.HitBreakpointIDs[0] != bps[0].ID {
			t.Fatalf("hitBreakpointIds %v", st.HitBreakpointIDs)
		}
		expectAt(t, c, st.ThreadID, "worker", f.line(t, "BP:worker"))
		seen[st.ThreadID] = true
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	}
	if len(seen) < 2 {
		t.Fatalf("only threads %v hit the breakpoint", seen)
	}
	c.MustSucceed("disconnect", nil)
}

// Crashes stop with reason exception naming the signal; continuing lets the
// signal kill the program, reported as exited (128+signal) and terminated.
func TestCrashSignals(t *testing.T) {
	f := buildC(t, "crash")
	for _, tc := range []struct {
		how, sig, why string
		code          int
	}{
		{"segv", "SIGSEGV", "address not mapped at 0x10", 128 + 11},
		{"abort", "SIGABRT", "sent by tkill", 128 + 6},
		{"fpe", "SIGFPE", "integer divide by zero", 128 + 8},
	} {
		t.Run(tc.how, func(t *testing.T) {
			c := startAdapter(t)
			launch(t, c, f, map[string]any{"args": []string{tc.how}})
			c.MustSucceed("configurationDone", nil)
			st := expectStopped(t, c, "exception")
			if !strings.Contains(st.Description, tc.sig) || !strings.Contains(st.Description, tc.why) {
				t.Fatalf("exception description %q does not say %s: %s", st.Description, tc.sig, tc.why)
			}
			var info struct {
				ExceptionID string `json:"exceptionId"`
				Description string `json:"description"`
				BreakMode   string `json:"breakMode"`
			}
			c.MustSucceed("exceptionInfo", map[string]any{"threadId": st.ThreadID}).DecodeBody(t, &info)
			if info.ExceptionID != tc.sig || info.Description != st.Description || info.BreakMode != "always" {
				t.Errorf("exceptionInfo %+v", info)
			}
			expectError(t, c.Request("exceptionInfo", map[string]any{"threadId": st.ThreadID + 100000}), "not stopped by a signal")
			if tc.how == "segv" {
				expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:segv"))
			}
			if tc.how == "fpe" {
				expectAt(t, c, st.ThreadID, "divide", f.line(t, "BP:fpe"))
			}
			c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
			expectExit(t, c, tc.code)
		})
	}
	t.Run("usr1 passes through", func(t *testing.T) {
		c := startAdapter(t)
		launch(t, c, f, map[string]any{"args": []string{"usr1"}})
		c.MustSucceed("configurationDone", nil)
		expectExit(t, c, 0) // the program's handler saw the signal
	})
	t.Run("term", func(t *testing.T) {
		c := startAdapter(t)
		launch(t, c, f, map[string]any{"args": []string{"term"}})
		c.MustSucceed("configurationDone", nil)
		expectExit(t, c, 128+15)
		if got := output(t, c, "console"); !strings.Contains(got, "SIGTERM") {
			t.Errorf("console output %q does not name SIGTERM", got)
		}
	})
}

// readMemory returns the program's bytes, and reports bytes past the end of
// a mapping as unreadable rather than failing.
func TestReadMemory(t *testing.T) {
	f := buildC(t, "mem")
	c := startAdapter(t)
	launch(t, c, f, nil)
	setBreakpoints(t, c, f.src, f.line(t, "BP:read"))
	c.MustSucceed("configurationDone", nil)
	expectStopped(t, c, "breakpoint")
	m := regexp.MustCompile(`pattern=(0x[0-9a-f]+) edge=(0x[0-9a-f]+)`).FindStringSubmatch(output(t, c, "stdout"))
	if m == nil {
		t.Fatalf("no addresses in the program's output %q", output(t, c, "stdout"))
	}
	data, unreadable := readMemory(t, c, m[1], 0, 256)
	if len(data) != 256 || unreadable != 0 {
		t.Fatalf("read %d bytes, %d unreadable", len(data), unreadable)
	}
	for i, b := range data {
		if b != byte(i*7+3) {
			t.Fatalf("byte %d is %d, want %d", i, b, byte(i*7+3))
		}
	}
	// With an offset.
	data, _ = readMemory(t, c, m[1], 10, 1)
	if len(data) != 1 || data[0] != byte(10*7+3) {
		t.Fatalf("offset read %v", data)
	}
	// Across the end of a mapping: 8 bytes, then 8 unreadable.
	data, unreadable = readMemory(t, c, m[2], -8, 16)
	if len(data) != 8 || unreadable != 8 {
		t.Fatalf("edge read: %d bytes, %d unreadable; want 8 and 8", len(data), unreadable)
	}
	for i, b := range data {
		if b != byte(4088+i) {
			t.Fatalf("edge byte %d is %d", i, b)
		}
	}
	// Wholly unmapped.
	data, unreadable = readMemory(t, c, "0x10", 0, 64)
	if len(data) != 0 || unreadable != 64 {
		t.Fatalf("unmapped read: %d bytes, %d unreadable", len(data), unreadable)
	}
	// count 0: VS Code's probe.
	if data, unreadable = readMemory(t, c, m[1], 0, 0); len(data) != 0 || unreadable != 0 {
		t.Fatalf("count 0: %d bytes, %d unreadable", len(data), unreadable)
	}
	c.MustSucceed("disconnect", nil)
}

func readMemory(t testing.TB, c *daptest.Client, ref string, off, count int) ([]byte, int) {
	t.Helper()
	var body struct {
		Address         string `json:"address"`
		Data            string `json:"data"`
		UnreadableBytes int    `json:"unreadableBytes"`
	}
	c.MustSucceed("readMemory", map[string]any{"memoryReference": ref, "offset": off, "count": count}).DecodeBody(t, &body)
	data, err := base64.StdEncoding.DecodeString(body.Data)
	if err != nil {
		t.Fatalf("readMemory data is not base64: %v", err)
	}
	return data, body.UnreadableBytes
}

// waitOutput waits until the program's stdout contains s.
func waitOutput(t testing.TB, c *daptest.Client, s string) {
	t.Helper()
	var sb strings.Builder
	for !strings.Contains(sb.String(), s) {
		var body struct {
			Output string `json:"output"`
		}
		c.ExpectEvent("output").DecodeBody(t, &body)
		sb.WriteString(body.Output)
	}
}

// Attaching to a running process stops it, lets it run, stops it at a
// breakpoint, and detaching leaves it running with its code intact.
func TestAttachDetach(t *testing.T) {
	f := buildC(t, "spin")
	cmd := exec.Command(f.bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	nextLine := func() string {
		if !lines.Scan() {
			t.Fatalf("the program stopped writing: %v", lines.Err())
		}
		return lines.Text()
	}
	if l := nextLine(); !strings.HasPrefix(l, "ready") {
		t.Fatalf("first line %q", l)
	}
	pid := cmd.Process.Pid

	c := startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
	c.MustSucceed("attach", map[string]any{"name": "attach", "type": "dap-ptrace", "request": "attach", "pid": pid})
	c.ExpectEvent("initialized")
	if s := procState(t, pid); s != "t" {
		t.Fatalf("attached process state %q, want t (tracing stop)", s)
	}
	if n := len(threads(t, c)); n != 3 {
		t.Fatalf("%d threads after attach, want 3", n)
	}
	bps := setBreakpoints(t, c, f.src, f.line(t, "BP:tick"))
	if !bps[0].Verified {
		t.Fatalf("breakpoint in attached program: %+v", bps[0])
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	expectAt(t, c, st.ThreadID, "main", f.line(t, "BP:tick"))
	// A data breakpoint on what the workers write all the time: after the
	// detach the CPU must not trap on it any more.
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 1)
	info := dataBreakpointInfo(t, c, map[string]any{"frameId": frames[0].ID, "name": "counter"})
	if info.DataID == nil {
		t.Fatalf("dataBreakpointInfo(counter) = %+v", info)
	}
	if wb := setDataBreakpoints(t, c, map[string]any{"dataId": *info.DataID}); !wb[0].Verified {
		t.Fatalf("data breakpoint %+v", wb[0])
	}
	c.MustSucceed("disconnect", map[string]any{"terminateDebuggee": false})
	if code, err := c.Wait(); err != nil || code != 0 {
		t.Fatalf("adapter exit %d, %v", code, err)
	}
	// Still alive and ticking, not stopped, and its code has no int3 and
	// its threads no watch left.
	tick := regexp.MustCompile(`^tick \d+$`)
	for i := 0; i < 3; i++ {
		if l := nextLine(); !tick.MatchString(l) {
			t.Fatalf("after detach the program wrote %q", l)
		}
	}
	if s := procState(t, pid); s == "t" || s == "T" || s == "Z" {
		t.Fatalf("process state %q after detach", s)
	}
	if tp := tracerPid(t, pid); tp != 0 {
		t.Fatalf("TracerPid %d after detach", tp)
	}
}

func procState(t testing.TB, pid int) string {
	return procStatus(t, pid, "State:")[:1]
}

func tracerPid(t testing.TB, pid int) int {
	n, _ := strconv.Atoi(procStatus(t, pid, "TracerPid:"))
	return n
}

func procStatus(t testing.TB, pid int, key string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", key, pid)
	return ""
}

// waitGone waits (bounded) for a process that is not our child to end,
// through a pidfd: no polling loop.
func waitGone(t testing.TB, pid int, within time.Duration) {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ESRCH {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(within.Milliseconds()))
	if err != nil || n != 1 {
		t.Fatalf("process %d still alive after %v (%v)", pid, within, err)
	}
}

// When another thread hits a breakpoint during a step, that stop is
// reported, and the next step request works.
func TestBreakpointDuringStep(t *testing.T) {
	f := buildC(t, "spin")
	c := startAdapter(t)
	launch(t, c, f, nil)
	// Stepping over usleep(20000) takes the main thread 20 ms: the workers
	// hit their breakpoint long before.
	setBreakpoints(t, c, f.src, f.line(t, "BP:sleep"))
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "breakpoint")
	mainTid := st.ThreadID
	setBreakpoints(t, c, f.src, f.line(t, "BP:worker"))
	c.MustSucceed("next", map[string]any{"threadId": mainTid})
	st = expectStopped(t, c, "breakpoint")
	if st.ThreadID == mainTid {
		t.Fatalf("the worker's breakpoint was reported on the stepping thread")
	}
	expectAt(t, c, st.ThreadID, "worker", f.line(t, "BP:worker"))
	setBreakpoints(t, c, f.src)
	c.MustSucceed("next", map[string]any{"threadId": mainTid})
	expectStopped(t, c, "step")
	if fr := top(t, c, mainTid); fr.Name != "main" || fr.Line == 0 {
		t.Fatalf("after the second next the main thread is in %s line %d", fr.Name, fr.Line)
	}
	c.MustSucceed("disconnect", nil)
}
