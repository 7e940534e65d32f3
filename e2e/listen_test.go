package e2e

import (
	"bufio"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// listening runs the adapter with --listen arg and returns the address it
// says it listens on and the line after, which says who can connect.
func listening(t *testing.T, arg string) (addr, who string) {
	t.Helper()
	cmd := exec.Command(daptest.BuildAdapter(t), "--listen", arg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("listening adapter did not end cleanly on SIGTERM: %v", err)
		}
	})
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "dap-ptrace: listening on "); ok {
			addr = a
			break
		}
	}
	if addr == "" || !sc.Scan() {
		t.Fatal("the adapter did not say where it listens")
	}
	who = sc.Text()
	go func() {
		for sc.Scan() {
		}
	}()
	return addr, who
}

// Without a host, --listen binds the loopback interface only, and says
// so; a host given is used as it is, with a warning when it is not
// loopback.
func TestListenLoopbackByDefault(t *testing.T) {
	for _, arg := range []string{":0", "0", "localhost:0"} {
		addr, who := listening(t, arg)
		host, _, err := net.SplitHostPort(addr)
		if err != nil || host != "127.0.0.1" {
			t.Errorf("--listen %s listens on %s, want 127.0.0.1", arg, addr)
		}
		if !strings.Contains(who, "only this machine") || !strings.Contains(who, "0.0.0.0:PORT") {
			t.Errorf("--listen %s says %q, want who can connect and how to widen it", arg, who)
		}
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c := daptest.NewClient(t, nc)
		c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
		c.MustSucceed("disconnect", nil)
	}
	addr, who := listening(t, "0.0.0.0:0")
	// Go listens on both stacks for 0.0.0.0 and names it [::].
	if host, _, _ := net.SplitHostPort(addr); (host != "0.0.0.0" && host != "::") || !strings.Contains(who, "warning") {
		t.Errorf("--listen 0.0.0.0:0 listens on %s and says %q", addr, who)
	}
}

// A second client of a listening adapter cannot take over the program a
// first client is debugging: its attach is refused with a message that
// says the process is busy and why, and the first session goes on.
func TestListenBusyProcessRefused(t *testing.T) {
	f := buildC(t, "hello")
	addr, _ := listening(t, "127.0.0.1:0")
	dial := func() *daptest.Client {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		return daptest.NewClient(t, nc)
	}
	first := dial()
	pid := launch(t, first, f, nil)
	setBreakpoints(t, first, f.src, f.line(t, "BP:print"))
	first.MustSucceed("configurationDone", nil)
	st := expectStopped(t, first, "breakpoint")

	second := dial()
	second.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
	expectError(t, second.Request("attach", map[string]any{"pid": pid}), "another session of this adapter")
	second.MustSucceed("disconnect", nil)

	setBreakpoints(t, first, f.src)
	first.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, first, 0)
	if got := output(t, first, "stdout"); got != "total=3\n" {
		t.Errorf("stdout %q", got)
	}
	first.MustSucceed("disconnect", nil)
}
