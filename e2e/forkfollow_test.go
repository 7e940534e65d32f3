package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// With a client that can start sessions, every process the program forks
// becomes a session of its own (startDebugging): system()'s shell (a
// vfork-like spawn that then execs) runs to its exit in one, and the
// forked child stops at the breakpoint it reaches, in another, while the
// parent stops at its own; all end with their exit codes. On stdio each
// child session is a new adapter, as a client starts it.
func TestForkChildSessions(t *testing.T) {
	f := buildC(t, "fork")
	forkChildSessions(t, f, startAdapter(t), func(cfg map[string]any) *daptest.Client {
		if _, ok := cfg["debugServer"]; ok {
			t.Errorf("a stdio adapter named a debugServer: %v", cfg)
		}
		return startAdapter(t)
	})
}

// The same over --listen: the child sessions connect to the same adapter,
// at the port the configuration names (debugServer).
func TestForkChildSessionsListen(t *testing.T) {
	f := buildC(t, "fork")
	addr, _ := listenAdapter(t)
	dial := dialer(t, addr)
	_, port, _ := net.SplitHostPort(addr)
	forkChildSessions(t, f, dial(), func(cfg map[string]any) *daptest.Client {
		if fmt.Sprint(cfg["debugServer"]) != port {
			t.Errorf("child configuration's debugServer %v, want %s", cfg["debugServer"], port)
		}
		return dial()
	})
}

func forkChildSessions(t *testing.T, f fixture, c *daptest.Client, open func(cfg map[string]any) *daptest.Client) {
	line := f.line(t, "BP:work")
	initialize := map[string]any{"adapterID": "dap-ptrace", "clientID": "e2e", "linesStartAt1": true, "columnsStartAt1": true,
		"pathFormat": "path", "supportsStartDebuggingRequest": true}
	c.MustSucceed("initialize", initialize)
	c.MustSucceed("launch", map[string]any{"type": "dap-ptrace", "name": "fork", "program": f.bin})
	c.ExpectEvent("initialized")
	setBreakpoints(t, c, f.src, line)
	c.MustSucceed("configurationDone", nil)
	child := func() (*daptest.Client, int) {
		req := c.ExpectReverseRequest("startDebugging")
		c.Respond(req, nil)
		var m struct {
			Arguments struct {
				Request       string         `json:"request"`
				Configuration map[string]any `json:"configuration"`
			} `json:"arguments"`
		}
		if err := json.Unmarshal(req.Raw, &m); err != nil {
			t.Fatal(err)
		}
		cfg := m.Arguments.Configuration
		if m.Arguments.Request != "attach" || cfg["type"] != "dap-ptrace" || cfg["request"] != "attach" || !strings.HasPrefix(fmt.Sprint(cfg["name"]), "fork (child ") {
			t.Fatalf("startDebugging %s", req.Raw)
		}
		cc := open(cfg)
		cc.MustSucceed("initialize", initialize)
		cc.MustSucceed("attach", cfg)
		cc.ExpectEvent("initialized")
		setBreakpoints(t, cc, f.src, line)
		cc.MustSucceed("configurationDone", nil)
		pid, _ := cfg["pid"].(float64)
		return cc, int(pid)
	}
	// system(): the shell runs its command and ends; its session shows
	// the program it executed.
	sh, _ := child()
	expectExit(t, sh, 0)
	shell := false
	for _, ev := range sh.Events() {
		var m struct {
			Reason string `json:"reason"`
			Module struct {
				Path string `json:"path"`
			} `json:"module"`
		}
		if ev.Event == "module" && json.Unmarshal(ev.Body, &m) == nil && m.Reason == "new" && strings.HasSuffix(m.Module.Path, "sh") {
			shell = true
		}
	}
	if !shell {
		t.Error("the child that executed the shell was not shown with its new program (no module event for it)")
	}
	// fork(): the child stops at work, in its own session.
	ch, pid := child()
	st := expectStopped(t, ch, "breakpoint")
	expectAt(t, ch, st.ThreadID, "work", line)
	if st.ThreadID != pid {
		t.Errorf("the child session stopped in thread %d, not in the child %d", st.ThreadID, pid)
	}
	ch.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, ch, 3)
	// The parent, once its child ended, stops at its own call of work.
	st = expectStopped(t, c, "breakpoint")
	expectAt(t, c, st.ThreadID, "work", line)
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	expectContains(t, "stdout", output(t, c, "stdout"), "from-system\n", "child work=42\n", "parent work=2 child exit=3\n")
}

// listenAdapter starts an adapter with --listen on a free port and returns
// its address and process.
// dialer returns a function that opens a new session with the adapter
// listening at addr.
func dialer(t *testing.T, addr string) func() *daptest.Client {
	return func() *daptest.Client {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return daptest.NewClient(t, nc)
	}
}

func listenAdapter(t *testing.T) (string, *exec.Cmd) {
	cmd := exec.Command(daptest.BuildAdapter(t), "--listen", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "dap-ptrace: listening on "); ok {
			go func() {
				for sc.Scan() {
				}
			}()
			return a, cmd
		}
	}
	t.Fatal("the adapter did not say where it listens")
	return "", nil
}

// A child handed over that no session claims is not left stopped: when
// the parent's session ends first (detaching the parent, which waits for
// its child), the child is continued and runs to its own end, which the
// parent then writes down.
func TestForkChildUnclaimedRunsOn(t *testing.T) {
	f := buildC(t, "handover")
	report := filepath.Join(t.TempDir(), "child")
	c := startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace", "linesStartAt1": true, "supportsStartDebuggingRequest": true})
	c.MustSucceed("launch", map[string]any{"program": f.bin, "args": []string{report}})
	c.ExpectEvent("initialized")
	c.MustSucceed("configurationDone", nil)
	var proc struct {
		Pid int `json:"systemProcessId"`
	}
	c.ExpectEvent("process").DecodeBody(t, &proc)
	c.ExpectReverseRequest("startDebugging")
	// The client never starts the child's session, and leaves the parent
	// running.
	c.MustSucceed("disconnect", map[string]any{"terminateDebuggee": false})
	waitGone(t, proc.Pid, 10*time.Second)
	if b, err := os.ReadFile(report); err != nil || string(b) != "exit 7\n" {
		t.Errorf("the child ended as %q (%v), want \"exit 7\"", b, err)
	}
}
