package daptest

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"

	godap "github.com/google/go-dap"

	"github.com/dap-ptrace/dap-ptrace/dap"
)

// pipeConn is one end of an in-process connection made of two io.Pipes. It
// has CloseWrite, so CloseStdin can end the server's input and still read
// what the server sends afterwards, like a process's stdin.
type pipeConn struct {
	*io.PipeReader
	w *io.PipeWriter
}

func (p pipeConn) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p pipeConn) CloseWrite() error           { return p.w.Close() }
func (p pipeConn) Close() error {
	p.w.Close()
	return p.PipeReader.Close()
}

// serve runs a dap.Conn with m on the server end of an in-process
// connection and returns the client end. The server sends "terminated" when
// its input ends, as an adapter does, then closes.
func serve(t *testing.T, m *dap.Mux) io.ReadWriteCloser {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	conn := dap.NewConn(inR, outW)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := conn.Serve(m); err != nil {
			t.Errorf("Serve: %v", err)
		}
		conn.SendEvent("terminated", nil)
		conn.Close()
		outW.Close()
	}()
	t.Cleanup(func() {
		inR.Close()
		<-done
	})
	return pipeConn{PipeReader: outR, w: inW}
}

type echoArgs struct {
	Text string `json:"text"`
}

func testMux() *dap.Mux {
	m := dap.NewMux()
	dap.Handle(m, "initialize", func(r *dap.Request, _ godap.InitializeRequestArguments) (godap.Capabilities, error) {
		r.AfterResponse(func() { r.Conn().SendEvent("initialized", nil) })
		return m.Capabilities(), nil
	}, func(c *godap.Capabilities) { c.SupportsConfigurationDoneRequest = true })
	dap.Handle(m, "evaluate", func(r *dap.Request, a godap.EvaluateArguments) (godap.EvaluateResponseBody, error) {
		r.Conn().SendEvent("output", godap.OutputEventBody{Output: a.Expression + "\n"})
		return godap.EvaluateResponseBody{Result: strings.ToUpper(a.Expression)}, nil
	})
	dap.Handle(m, "next", func(r *dap.Request, _ godap.NextArguments) (struct{}, error) {
		r.AfterResponse(func() {
			r.Conn().SendEvent("stopped", godap.StoppedEventBody{Reason: "step", ThreadId: 1})
		})
		return struct{}{}, nil
	})
	return m
}

func TestClientTranscript(t *testing.T) {
	c := NewClient(t, serve(t, testMux()))

	init := c.MustSucceed("initialize", godap.InitializeRequestArguments{AdapterID: "test"})
	var caps godap.Capabilities
	init.DecodeBody(t, &caps)
	if !caps.SupportsConfigurationDoneRequest {
		t.Errorf("capabilities: %s", init.Raw)
	}
	c.ExpectEvent("initialized")

	// Two requests in flight: responses are matched by request_seq, in
	// whatever order the test asks for them.
	s1 := c.Send("evaluate", godap.EvaluateArguments{Expression: "a"})
	s2 := c.Send("evaluate", godap.EvaluateArguments{Expression: "b"})
	var body godap.EvaluateResponseBody
	c.ExpectResponse(s2).DecodeBody(t, &body)
	if body.Result != "B" {
		t.Errorf("second result %q", body.Result)
	}
	c.ExpectResponse(s1).DecodeBody(t, &body)
	if body.Result != "A" {
		t.Errorf("first result %q", body.Result)
	}
	// Both output events arrived before the second response, so both are
	// buffered, oldest first.
	if evs := c.Events(); len(evs) != 2 || !strings.Contains(string(evs[0].Body), `"a\n"`) {
		t.Errorf("buffered events: %v", evs)
	}

	c.MustSucceed("next", godap.NextArguments{ThreadId: 1})
	var stopped godap.StoppedEventBody
	c.ExpectEvent("stopped").DecodeBody(t, &stopped)
	if stopped.Reason != "step" {
		t.Errorf("stopped: %+v", stopped)
	}
	// ExpectEvent took only the stopped event.
	if evs := c.Events(); len(evs) != 2 {
		t.Errorf("buffered events after ExpectEvent: %v", evs)
	}
	c.ExpectEvent("output")
	c.ExpectEvent("output")

	r := c.Request("frobnicate", nil)
	if r.Success || r.Message != `unknown command "frobnicate"` {
		t.Errorf("unknown command: %s", r.Raw)
	}

	c.CloseStdin()
	c.ExpectEvent("terminated")
	if code, err := c.Wait(); code != 0 || err != nil {
		t.Errorf("Wait = %d, %v", code, err)
	}
	if v := c.Violations(); len(v) != 0 {
		t.Errorf("violations: %v", v)
	}
}

// recordingTB captures errors instead of failing, to test that the client
// reports what it should.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// rawServer writes the given messages, each framed, then ends the stream.
func rawServer(t *testing.T, msgs ...string) io.ReadWriteCloser {
	outR, outW := io.Pipe()
	inR, inW := io.Pipe()
	go func() {
		w := bufio.NewWriter(outW)
		for _, m := range msgs {
			godap.WriteBaseMessage(w, []byte(m))
		}
		w.Flush()
		outW.Close()
	}()
	go io.Copy(io.Discard, inR) // drains until the client closes
	t.Cleanup(func() { inR.Close() })
	return pipeConn{PipeReader: outR, w: inW}
}

func TestClientReportsViolations(t *testing.T) {
	rec := &recordingTB{TB: t}
	c := NewClient(rec, rawServer(t,
		`{"seq":1,"type":"event","event":"initialized"}`,
		`{"seq":1,"type":"event","event":"output","body":{"output":"dup seq"}}`,
		`{"seq":3,"type":"response","request_seq":1,"success":true}`,
		`{"seq":4,"type":"event","event":"stopped","body":{}}`,
	))
	c.ExpectEvent("stopped") // all four have been received once this returns
	got := c.Violations()
	if len(got) != 3 ||
		!strings.Contains(got[0], "seq 1 after seq 1") ||
		!strings.Contains(got[1], "command") ||
		!strings.Contains(got[2], "StoppedEvent") {
		t.Errorf("violations:\n%s", strings.Join(got, "\n"))
	}
	if errs := rec.Errors(); len(errs) != len(got) {
		t.Errorf("reported %d errors for %d violations", len(errs), len(got))
	}
}

func TestValidateMessage(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want string // substring of the error; "" means valid
	}{
		{`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"next"}`, ""},
		{`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"myCustomThing","body":[1]}`, ""},
		{`{"seq":2,"type":"event","event":"stopped","body":{"reason":"breakpoint","threadId":1}}`, ""},
		{`{"seq":2,"type":"event","event":"myCustomEvent"}`, ""},
		{`{"seq":3,"type":"response","request_seq":1,"success":false,"command":"x","message":"m","body":{"error":{"id":1,"format":"f","showUser":true}}}`, ""},
		{`{"seq":4,"type":"request","command":"runInTerminal","arguments":{"cwd":"/","args":["a"]}}`, ""},
		{`{"seq":1,"type":"response","request_seq":1,"success":true}`, "command"},
		{`{"seq":1,"type":"response","request_seq":0,"success":true,"command":"next"}`, "request_seq"},
		{`{"seq":0,"type":"event","event":"initialized"}`, "seq"},
		{`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"continue"}`, "ContinueResponse"},
		{`{"seq":1,"type":"response","request_seq":1,"success":false,"command":"next","message":"m"}`, "ErrorResponse"},
		{`{"seq":1,"type":"event","event":"stopped","body":{"threadId":1}}`, "reason"},
		{`{"seq":1,"type":"response","request_seq":1,"success":true,"command":"readMemory","body":{"address":7}}`, "ReadMemoryResponse"},
		{`{"seq":1,"type":"bogus"}`, "type"},
		{`not json`, "JSON"},
	} {
		err := ValidateMessage([]byte(tc.msg))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.msg, err)
		case tc.want != "" && err == nil:
			t.Errorf("%s: want an error about %q", tc.msg, tc.want)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: error %v does not mention %q", tc.msg, err, tc.want)
		}
	}
}

func TestDefinitionFor(t *testing.T) {
	for _, tc := range []struct {
		typ, command, event string
		success             bool
		want                string
	}{
		{"response", "readMemory", "", true, "ReadMemoryResponse"},
		{"response", "readMemory", "", false, "ErrorResponse"},
		{"response", "noSuchCommand", "", true, "Response"},
		{"event", "", "stopped", false, "StoppedEvent"},
		{"event", "", "noSuchEvent", false, "Event"},
		{"request", "launch", "", false, "LaunchRequest"},
		{"what", "", "", false, "ProtocolMessage"},
	} {
		if got := DefinitionFor(tc.typ, tc.command, tc.event, tc.success); got != tc.want {
			t.Errorf("DefinitionFor(%q, %q, %q, %v) = %q, want %q", tc.typ, tc.command, tc.event, tc.success, got, tc.want)
		}
	}
}

func TestStartAndWait(t *testing.T) {
	bin := BuildGo(t, "testdata/echoserver")
	if again := BuildGo(t, "testdata/echoserver"); again != bin {
		t.Errorf("second build not served from the cache: %s vs %s", again, bin)
	}
	c := Start(t, bin, "3")
	if c.Process() == nil {
		t.Fatal("no process")
	}
	var args echoArgs
	c.MustSucceed("echo", echoArgs{Text: "x"}).DecodeBody(t, &args)
	if args.Text != "x" {
		t.Errorf("echo: %+v", args)
	}
	c.CloseStdin()
	if code, err := c.Wait(); code != 3 || err != nil {
		t.Errorf("Wait = %d, %v; want 3, nil", code, err)
	}
}

func TestBuildCAndLine(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	bin := BuildC(t, "testdata/hello.c", "-g", "-O0")
	if other := BuildC(t, "testdata/hello.c", "-g", "-O1"); other == bin {
		t.Error("different flags share a cache entry")
	}
	out, err := exec.Command(bin).Output()
	if err != nil || string(out) != "n=3\n" {
		t.Errorf("running fixture: %q, %v", out, err)
	}
	if got := Line(t, "testdata/hello.c", "BP:loop"); got != 6 {
		t.Errorf("BP:loop on line %d, want 6", got)
	}
	if got := Line(t, "testdata/hello.c", "BP:loop2"); got != 8 {
		t.Errorf("BP:loop2 on line %d, want 8", got)
	}
}

func TestContainsMarker(t *testing.T) {
	for _, tc := range []struct {
		line, marker string
		want         bool
	}{
		{"x++; // BP:loop", "BP:loop", true},
		{"x++; // BP:loop2", "BP:loop", false},
		{"x++; // BP:loop_b", "BP:loop", false},
		{"x++; // BP:loop2 BP:loop", "BP:loop", true},
		{"x++; /* BP:loop */", "BP:loop", true},
		{"x++;", "BP:loop", false},
	} {
		if got := containsMarker(tc.line, tc.marker); got != tc.want {
			t.Errorf("containsMarker(%q, %q) = %v", tc.line, tc.marker, got)
		}
	}
}
