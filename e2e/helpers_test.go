package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// fixture is a compiled test program and its source.
type fixture struct {
	bin string
	src string // absolute path of the C source
}

func buildC(t testing.TB, name string, flags ...string) fixture {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("..", "testdata", name+".c"))
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) == 0 {
		flags = []string{"-g", "-O0", "-pthread"}
	}
	return fixture{bin: daptest.BuildC(t, src, flags...), src: src}
}

// buildGo builds the Go program in testdata/name (its main.go has the
// markers); flags replace daptest.BuildGo's default -N -l.
func buildGo(t testing.TB, name string, flags ...string) fixture {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return fixture{bin: daptest.BuildGo(t, dir, flags...), src: filepath.Join(dir, "main.go")}
}

func (f fixture) line(t testing.TB, marker string) int {
	t.Helper()
	return daptest.Line(t, f.src, marker)
}

// expectContains checks that got, what the test calls what, holds each of
// want.
func expectContains(t testing.TB, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

// startAdapter runs the built adapter over stdio.
func startAdapter(t testing.TB, args ...string) *daptest.Client {
	t.Helper()
	return daptest.Start(t, daptest.BuildAdapter(t), args...)
}

// launch initializes the session and launches f with the given extra
// launch arguments, up to the initialized event.
func launch(t testing.TB, c *daptest.Client, f fixture, extra map[string]any) (pid int) {
	t.Helper()
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace", "clientID": "e2e", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path",
		"supportsProgressReporting": true})
	args := map[string]any{"name": "e2e", "type": "dap-ptrace", "request": "launch", "program": f.bin}
	for k, v := range extra {
		args[k] = v
	}
	c.MustSucceed("launch", args)
	var proc struct {
		SystemProcessID int `json:"systemProcessId"`
	}
	c.ExpectEvent("process").DecodeBody(t, &proc)
	c.ExpectEvent("initialized")
	if proc.SystemProcessID <= 0 {
		t.Fatalf("process event without a pid")
	}
	return proc.SystemProcessID
}

// stopAt launches f with the given extra launch arguments, sets one
// breakpoint on the line of marker and runs to it.
func stopAt(t testing.TB, c *daptest.Client, f fixture, extra map[string]any, marker string) stopped {
	t.Helper()
	launch(t, c, f, extra)
	setBreakpoints(t, c, f.src, f.line(t, marker))
	c.MustSucceed("configurationDone", nil)
	return expectStopped(t, c, "breakpoint")
}

type breakpoint struct {
	ID       int    `json:"id"`
	Verified bool   `json:"verified"`
	Line     int    `json:"line"`
	Message  string `json:"message"`
}

func setBreakpoints(t testing.TB, c *daptest.Client, src string, lines ...int) []breakpoint {
	t.Helper()
	bps := make([]map[string]any, len(lines))
	for i, l := range lines {
		bps[i] = map[string]any{"line": l}
	}
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": src}, "breakpoints": bps}).DecodeBody(t, &body)
	if len(body.Breakpoints) != len(lines) {
		t.Fatalf("setBreakpoints answered %d breakpoints for %d lines", len(body.Breakpoints), len(lines))
	}
	return body.Breakpoints
}

type stopped struct {
	Reason            string `json:"reason"`
	ThreadID          int    `json:"threadId"`
	Description       string `json:"description"`
	Text              string `json:"text"`
	AllThreadsStopped bool   `json:"allThreadsStopped"`
	HitBreakpointIDs  []int  `json:"hitBreakpointIds"`
}

func expectStopped(t testing.TB, c *daptest.Client, reason string) stopped {
	t.Helper()
	var st stopped
	c.ExpectEvent("stopped").DecodeBody(t, &st)
	if st.Reason != reason {
		t.Fatalf("stopped with reason %q (%s), want %q", st.Reason, st.Description, reason)
	}
	if !st.AllThreadsStopped {
		t.Errorf("stopped event without allThreadsStopped")
	}
	return st
}

type frame struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Line   int    `json:"line"`
	Source *struct {
		Path            string `json:"path"`
		Name            string `json:"name"`
		SourceReference int    `json:"sourceReference"`
		Origin          string `json:"origin"`
	} `json:"source"`
	InstructionPointerReference string `json:"instructionPointerReference"`
	PresentationHint            string `json:"presentationHint"`
}

func stackTrace(t testing.TB, c *daptest.Client, tid, start, levels int) ([]frame, int) {
	t.Helper()
	var body struct {
		StackFrames []frame `json:"stackFrames"`
		TotalFrames int     `json:"totalFrames"`
	}
	c.MustSucceed("stackTrace", map[string]any{"threadId": tid, "startFrame": start, "levels": levels}).DecodeBody(t, &body)
	return body.StackFrames, body.TotalFrames
}

// top returns the innermost frame of tid, checking it is in f's source.
func top(t testing.TB, c *daptest.Client, tid int) frame {
	t.Helper()
	fs, _ := stackTrace(t, c, tid, 0, 1)
	if len(fs) != 1 {
		t.Fatalf("stackTrace returned %d frames for levels 1", len(fs))
	}
	return fs[0]
}

func expectAt(t testing.TB, c *daptest.Client, tid int, fn string, line int) {
	t.Helper()
	f := top(t, c, tid)
	if f.Name != fn || f.Line != line {
		t.Fatalf("stopped in %s at line %d, want %s at line %d", f.Name, f.Line, fn, line)
	}
}

type thread struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

func threads(t testing.TB, c *daptest.Client) []thread {
	t.Helper()
	var body struct {
		Threads []thread `json:"threads"`
	}
	c.MustSucceed("threads", nil).DecodeBody(t, &body)
	return body.Threads
}

// expectExit waits for exited (checking the code) and terminated.
func expectExit(t testing.TB, c *daptest.Client, code int) {
	t.Helper()
	var body struct {
		ExitCode int `json:"exitCode"`
	}
	c.ExpectEvent("exited").DecodeBody(t, &body)
	if body.ExitCode != code {
		t.Errorf("exit code %d, want %d", body.ExitCode, code)
	}
	c.ExpectEvent("terminated")
}

// output collects the text of the output events of a category received so
// far.
func output(t testing.TB, c *daptest.Client, category string) string {
	t.Helper()
	var sb strings.Builder
	for _, m := range c.Events() {
		if m.Event != "output" {
			continue
		}
		var body struct {
			Category string `json:"category"`
			Output   string `json:"output"`
		}
		if err := json.Unmarshal(m.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.Category == category {
			sb.WriteString(body.Output)
		}
	}
	return sb.String()
}

// errorMessage expects a failed response and returns its message.
func errorMessage(t testing.TB, m *daptest.Message) string {
	t.Helper()
	if m.Success {
		t.Fatalf("%s succeeded, want an error: %s", m.Command, m)
	}
	var body struct {
		Error struct {
			Format string `json:"format"`
		} `json:"error"`
	}
	_ = json.Unmarshal(m.Body, &body)
	if m.Message == "" && body.Error.Format == "" {
		t.Fatalf("%s failed without a message", m.Command)
	}
	return m.Message + " " + body.Error.Format
}
