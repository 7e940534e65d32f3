package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// "console": "integratedTerminal": the adapter asks the client to run the
// program in its terminal (runInTerminal), and debugs it there: the person
// types to the program, breakpoints stop it, and it is killed with the
// session like any launched program.
func TestRunInTerminal(t *testing.T) {
	f := buildC(t, "ask")
	c := startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace", "supportsRunInTerminalRequest": true})
	launchSeq := c.Send("launch", map[string]any{"program": f.bin, "console": "integratedTerminal"})
	req := c.ExpectReverseRequest("runInTerminal")
	var ra struct {
		Arguments struct {
			Kind string   `json:"kind"`
			Args []string `json:"args"`
		} `json:"arguments"`
	}
	if err := json.Unmarshal(req.Raw, &ra); err != nil {
		t.Fatal(err)
	}
	if ra.Arguments.Kind != "integrated" || len(ra.Arguments.Args) < 2 {
		t.Fatalf("runInTerminal %s", req)
	}
	// The "terminal": the test types to the program and reads what it says.
	term := exec.Command(ra.Arguments.Args[0], ra.Arguments.Args[1:]...)
	stdin, _ := term.StdinPipe()
	stdout, _ := term.StdoutPipe()
	if err := term.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = term.Process.Kill(); _ = term.Wait() })
	c.Respond(req, map[string]any{"processId": term.Process.Pid})
	if m := c.ExpectResponse(launchSeq); !m.Success {
		t.Fatalf("launch in a terminal: %s", m)
	}
	c.ExpectEvent("initialized")
	setBreakpoints(t, c, f.src, f.line(t, "BP:read"))
	c.MustSucceed("configurationDone", nil)
	out := bufio.NewReader(stdout)
	prompt := make([]byte, len("number? "))
	if _, err := io.ReadFull(out, prompt); err != nil || string(prompt) != "number? " {
		t.Fatalf("the program said %q, %v", prompt, err)
	}
	io.WriteString(stdin, "42\n")
	st := expectStopped(t, c, "breakpoint")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 5)
	if frames[0].Name != "main" || evalIn(t, c, frames[0].ID, "n") != "42" {
		t.Fatalf("stopped at %+v", frames)
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
	if rest, _ := io.ReadAll(out); !strings.Contains(string(rest), "twice 84") {
		t.Errorf("the terminal shows %q", rest)
	}
}

// A client without runInTerminal gets the program's output as output
// events, as with the default console; an unknown console is refused.
func TestTerminalConsoleFallbacks(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	c.MustSucceed("initialize", map[string]any{"adapterID": "dap-ptrace"})
	expectError(t, c.Request("launch", map[string]any{"program": f.bin, "console": "bogus"}), "console")
	c.MustSucceed("launch", map[string]any{"program": f.bin, "console": "integratedTerminal", "args": []string{"3"}})
	c.ExpectEvent("initialized")
	c.MustSucceed("configurationDone", nil)
	expectExit(t, c, 3)
	if out := output(t, c, "stdout"); out == "" {
		t.Errorf("no output events without a terminal")
	}
}
