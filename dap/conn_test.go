package dap_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	godap "github.com/google/go-dap"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// msg is the union of the fields the tests look at.
type msg struct {
	Seq        int             `json:"seq"`
	Type       string          `json:"type"`
	Command    string          `json:"command"`
	Event      string          `json:"event"`
	RequestSeq int             `json:"request_seq"`
	Success    bool            `json:"success"`
	Message    string          `json:"message"`
	Body       json.RawMessage `json:"body"`
	raw        []byte
}

func (m msg) errorBody(t *testing.T) godap.ErrorMessage {
	t.Helper()
	var b godap.ErrorResponseBody
	if err := json.Unmarshal(m.Body, &b); err != nil || b.Error == nil {
		t.Fatalf("no error body in %s", m.raw)
	}
	return *b.Error
}

// harness runs a Conn with the mux over pipes and checks every message the
// conn writes against the DAP schema and for seq 1, 2, 3, ...
type harness struct {
	t        *testing.T
	conn     *dap.Conn
	in       *io.PipeWriter
	out      chan msg
	serveErr chan error
	wantSeq  int

	sentMu sync.Mutex
	below1 map[int]bool // seqs below 1 the test sent, which responses may echo
}

func (h *harness) sentBelow1(seq int) bool {
	h.sentMu.Lock()
	defer h.sentMu.Unlock()
	return h.below1[seq]
}

func newHarness(t *testing.T, m *dap.Mux) *harness {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	h := &harness{
		t: t, conn: dap.NewConn(inR, outW), in: inW,
		out: make(chan msg, 1<<14), serveErr: make(chan error, 1), wantSeq: 1,
	}
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		defer close(h.out)
		br := bufio.NewReader(outR)
		for {
			b, err := godap.ReadBaseMessage(br)
			if err != nil {
				return
			}
			var m msg
			if err := json.Unmarshal(b, &m); err != nil {
				t.Errorf("conn wrote invalid JSON %q", b)
				continue
			}
			if err := daptest.ValidateResponseTo(b, h.sentBelow1); err != nil {
				t.Errorf("schema: %v\n%s", err, b)
			}
			m.raw = b
			h.out <- m
		}
	}()
	go func() { h.serveErr <- h.conn.Serve(m) }()
	t.Cleanup(func() {
		inW.Close()
		<-h.serveErr
		h.conn.Close()
		outW.Close()
		<-readDone
	})
	return h
}

func (h *harness) send(raw string) {
	h.t.Helper()
	if _, err := fmt.Fprintf(h.in, "Content-Length: %d\r\n\r\n%s", len(raw), raw); err != nil {
		h.t.Fatal(err)
	}
}

// numbered records that the test sent a request numbered seq, so that the
// schema check lets its response echo a seq below 1.
func (h *harness) numbered(seq int) {
	if seq >= 1 {
		return
	}
	h.sentMu.Lock()
	defer h.sentMu.Unlock()
	if h.below1 == nil {
		h.below1 = make(map[int]bool)
	}
	h.below1[seq] = true
}

func (h *harness) request(seq int, command string, args string) {
	h.t.Helper()
	h.numbered(seq)
	if args == "" {
		h.send(fmt.Sprintf(`{"seq":%d,"type":"request","command":%q}`, seq, command))
		return
	}
	h.send(fmt.Sprintf(`{"seq":%d,"type":"request","command":%q,"arguments":%s}`, seq, command, args))
}

// next returns the next message, checking that seq continues 1, 2, 3, ...
func (h *harness) next() msg {
	h.t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case m, ok := <-h.out:
		if !ok {
			h.t.Fatal("conn output ended")
		}
		if m.Seq != h.wantSeq {
			h.t.Errorf("seq %d, want %d: %s", m.Seq, h.wantSeq, m.raw)
		}
		h.wantSeq = m.Seq + 1
		return m
	case <-timer.C:
		h.t.Fatal("timed out waiting for a message")
		return msg{}
	}
}

func (h *harness) response(seq int, command string) msg {
	h.t.Helper()
	m := h.next()
	if m.Type != "response" || m.RequestSeq != seq || m.Command != command {
		h.t.Fatalf("want response to %d %q, got %s", seq, command, m.raw)
	}
	return m
}

type threadArgs struct {
	ThreadID int `json:"threadId"`
}

type echoBody struct {
	ThreadID int `json:"threadId"`
}

func TestResponseAndBody(t *testing.T) {
	m := dap.NewMux()
	var got []threadArgs
	dap.Handle(m, "echo", func(r *dap.Request, a threadArgs) (echoBody, error) {
		got = append(got, a)
		return echoBody(a), nil
	})
	dap.Handle(m, "empty", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil })
	dap.Handle(m, "nilptr", func(*dap.Request, struct{}) (*echoBody, error) { return nil, nil })
	h := newHarness(t, m)

	h.request(1, "echo", `{"threadId":7}`)
	if r := h.response(1, "echo"); !r.Success || string(r.Body) != `{"threadId":7}` {
		t.Errorf("echo: %s", r.raw)
	}
	h.request(2, "echo", "")
	h.request(3, "echo", "null")
	h.response(2, "echo")
	h.response(3, "echo")
	if len(got) != 3 || got[1] != (threadArgs{}) || got[2] != (threadArgs{}) {
		t.Errorf("absent or null arguments should give the zero value, got %v", got)
	}
	for i, c := range []string{"empty", "nilptr"} {
		h.request(4+i, c, "")
		if r := h.response(4+i, c); !r.Success || r.Body != nil {
			t.Errorf("%s: want success without body, got %s", c, r.raw)
		}
	}
}

func TestSeqIncreasesAcrossConcurrentEvents(t *testing.T) {
	const goroutines, perGoroutine, requests = 4, 50, 20
	m := dap.NewMux()
	dap.Handle(m, "burst", func(r *dap.Request, _ struct{}) (struct{}, error) {
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range perGoroutine {
					r.Conn().SendEvent("output", godap.OutputEventBody{Output: fmt.Sprintf("%d/%d\n", g, i)})
				}
			})
		}
		wg.Wait()
		return struct{}{}, nil
	})
	h := newHarness(t, m)
	// Events from outside any handler race with the responses too.
	var outside sync.WaitGroup
	outside.Go(func() {
		for range perGoroutine {
			h.conn.SendEvent("output", godap.OutputEventBody{Output: "outside\n"})
		}
	})
	for i := 1; i <= requests; i++ {
		h.request(i, "burst", "")
	}
	outside.Wait()
	total := requests*(goroutines*perGoroutine+1) + perGoroutine
	responses := 0
	for range total {
		// next checks seq == previous+1, starting at 1.
		if m := h.next(); m.Type == "response" {
			responses++
			if m.RequestSeq != responses {
				t.Errorf("responses out of order: %s", m.raw)
			}
		}
	}
	if responses != requests {
		t.Errorf("got %d responses, want %d", responses, requests)
	}
}

func TestAfterResponse(t *testing.T) {
	m := dap.NewMux()
	dap.Handle(m, "next", func(r *dap.Request, _ struct{}) (struct{}, error) {
		r.Conn().SendEvent("before", nil)
		r.AfterResponse(func() { r.Conn().SendEvent("stopped", godap.StoppedEventBody{Reason: "breakpoint"}) })
		r.AfterResponse(func() { r.Conn().SendEvent("second", nil) })
		return struct{}{}, nil
	})
	dap.Handle(m, "failing", func(r *dap.Request, _ struct{}) (struct{}, error) {
		r.AfterResponse(func() { r.Conn().SendEvent("mustNotRun", nil) })
		return struct{}{}, errors.New("cannot resume")
	})
	dap.Handle(m, "panicAfter", func(r *dap.Request, _ struct{}) (struct{}, error) {
		r.AfterResponse(func() { panic("late boom") })
		return struct{}{}, nil
	})
	h := newHarness(t, m)

	h.request(1, "next", "")
	if e := h.next(); e.Event != "before" {
		t.Errorf("want the event sent inside the handler first, got %s", e.raw)
	}
	h.response(1, "next")
	if e := h.next(); e.Event != "stopped" {
		t.Errorf("want stopped after the response, got %s", e.raw)
	}
	if e := h.next(); e.Event != "second" {
		t.Errorf("want after-funcs in registration order, got %s", e.raw)
	}

	h.request(2, "failing", "")
	h.request(3, "panicAfter", "")
	if r := h.response(2, "failing"); r.Success {
		t.Errorf("want failure: %s", r.raw)
	}
	h.response(3, "panicAfter")
	if e := h.next(); e.Event != "output" || !strings.Contains(string(e.Body), "late boom") {
		t.Errorf("want an output event reporting the panic (and no mustNotRun), got %s", e.raw)
	}
	h.request(4, "next", "")
	h.next()
	h.response(4, "next")
}

func TestBadMessages(t *testing.T) {
	m := dap.NewMux()
	dap.Handle(m, "ok", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil })
	h := newHarness(t, m)

	// Without a readable seq the message is taken for request lastSeq+1,
	// the one a numbering client is waiting for.
	h.request(3, "ok", "")
	h.response(3, "ok")
	h.send(`this is not json`)
	if r := h.response(4, "unknown"); r.Success || !strings.Contains(r.Message, "not a valid DAP request") {
		t.Errorf("not JSON: got %s", r.raw)
	}
	// Only what cannot be routed as a request is refused.
	for _, tc := range []struct {
		raw, command string
	}{
		{`{"seq":5,"type":"event","event":"x"}`, "unknown"},
		{`{"seq":6,"type":"request"}`, "unknown"},
		{`{"seq":7,"type":"request","command":17}`, "unknown"},
		{`{"seq":8,"type":"request","command":""}`, "unknown"},
		{`{"seq":9,"event":"x","command":"ok"}`, "ok"},
		{`[1,2]`, "unknown"},
	} {
		h.send(tc.raw)
		r := h.next()
		if r.Type != "response" || r.Success || r.Command != tc.command ||
			!strings.Contains(r.Message, "not a valid DAP request") {
			t.Errorf("%s: got %s", tc.raw, r.raw)
		}
		if id := r.errorBody(t).Id; id != dap.ErrIDBadMessage {
			t.Errorf("%s: id %d, want %d", tc.raw, id, dap.ErrIDBadMessage)
		}
	}
	h.request(11, "ok", "")
	if r := h.response(11, "ok"); !r.Success {
		t.Errorf("serving stopped after bad messages: %s", r.raw)
	}
}

// TestLiberalRequests sends requests as real clients write them; each must
// be served, its response echoing the client's own seq.
func TestLiberalRequests(t *testing.T) {
	m := dap.NewMux()
	dap.Handle(m, "ok", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil })
	h := newHarness(t, m)
	for _, tc := range []struct {
		name, raw  string
		requestSeq int
	}{
		{"seq 0 (nvim-dap, lldb)", `{"seq":0,"type":"request","command":"ok"}`, 0},
		{"seq 0 again (lldb numbers everything 0)", `{"seq":0,"type":"request","command":"ok"}`, 0},
		{"seq 1 (VS Code)", `{"seq":1,"type":"request","command":"ok"}`, 1},
		{"a gap", `{"seq":40,"type":"request","command":"ok"}`, 40},
		{"going back", `{"seq":7,"type":"request","command":"ok"}`, 7},
		{"negative", `{"seq":-3,"type":"request","command":"ok"}`, -3},
		{"a float", `{"seq":12.0,"type":"request","command":"ok"}`, 12},
		{"a string", `{"seq":"13","type":"request","command":"ok"}`, 13},
		{"no type", `{"seq":14,"command":"ok"}`, 14},
		{"no seq: the next one", `{"type":"request","command":"ok"}`, 15},
		{"a fraction: the next one", `{"seq":2.5,"type":"request","command":"ok"}`, 16},
		{"unknown fields", `{"seq":17,"type":"request","command":"ok","arguments":{"x":1},"__sessionId":"abc","extra":[1]}`, 17},
		{"arguments null", `{"seq":18,"type":"request","command":"ok","arguments":null}`, 18},
		{"arguments []", `{"seq":19,"type":"request","command":"ok","arguments":[]}`, 19},
	} {
		h.numbered(tc.requestSeq)
		h.send(tc.raw)
		if r := h.response(tc.requestSeq, "ok"); !r.Success {
			t.Errorf("%s: %s", tc.name, r.raw)
		}
	}
	// A client's response to a reverse request, with or without its type,
	// is not answered.
	h.send(`{"seq":20,"type":"response","request_seq":1,"success":true,"command":"runInTerminal"}`)
	h.send(`{"seq":21,"request_seq":1,"success":true,"command":"runInTerminal"}`)
	h.request(22, "ok", "")
	h.response(22, "ok")
}

// TestEmptyContainerArguments: Lua clients encode an empty table as {} or
// [] whatever the field's type, so either stands for "none".
func TestEmptyContainerArguments(t *testing.T) {
	type args struct {
		Source      struct{ Path string }
		Breakpoints []struct{ Line int }
		Env         map[string]string
		Big         int64
	}
	m := dap.NewMux()
	var got []args
	dap.Handle(m, "set", func(_ *dap.Request, a args) (struct{}, error) {
		got = append(got, a)
		return struct{}{}, nil
	})
	h := newHarness(t, m)
	h.request(1, "set", `{"source":{"path":"/a.c"},"breakpoints":{},"env":[],"big":9007199254740993}`)
	h.request(2, "set", `{"source":[],"breakpoints":[{"line":3}]}`)
	h.request(3, "set", `[]`)
	h.request(4, "set", `{"source":{"path":"/a.c"},"breakpoints":{"line":3}}`)
	for i := 1; i <= 3; i++ {
		if r := h.response(i, "set"); !r.Success {
			t.Errorf("request %d: %s", i, r.raw)
		}
	}
	if r := h.response(4, "set"); r.Success || !strings.Contains(r.Message, "cannot unmarshal object") {
		t.Errorf("a non-empty object for an array must still fail: %s", r.raw)
	}
	if len(got) != 3 || got[0].Source.Path != "/a.c" || got[0].Breakpoints != nil || got[0].Env != nil ||
		got[0].Big != 9007199254740993 || len(got[1].Breakpoints) != 1 || got[1].Breakpoints[0].Line != 3 {
		t.Errorf("decoded %+v", got)
	}
}

func TestUnknownCommand(t *testing.T) {
	h := newHarness(t, dap.NewMux())
	h.request(1, "foo", "")
	r := h.response(1, "foo")
	if r.Success || r.Message != `unknown command "foo"` || r.errorBody(t).Id != dap.ErrIDUnknownCommand {
		t.Errorf("got %s", r.raw)
	}
	h.request(2, "bar", "")
	h.response(2, "bar")
}

func TestBadArguments(t *testing.T) {
	m := dap.NewMux()
	called := false
	dap.Handle(m, "launch", func(*dap.Request, threadArgs) (struct{}, error) {
		called = true
		return struct{}{}, nil
	})
	h := newHarness(t, m)
	h.request(1, "launch", `{"threadId":"one"}`)
	r := h.response(1, "launch")
	if called {
		t.Error("handler called with undecodable arguments")
	}
	if r.Success || !strings.HasPrefix(r.Message, `invalid arguments for "launch": json: cannot unmarshal string`) ||
		!strings.Contains(r.Message, "threadId") || r.errorBody(t).Id != dap.ErrIDBadArguments {
		t.Errorf("got %s", r.raw)
	}
}

type codedError struct{}

func (codedError) Error() string   { return "coded {braces} kept" }
func (codedError) DAPErrorID() int { return 4242 }

func TestHandlerErrors(t *testing.T) {
	m := dap.NewMux()
	dap.Handle(m, "plain", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, errors.New("plain {x}") })
	dap.Handle(m, "coded", func(*dap.Request, struct{}) (struct{}, error) {
		return struct{}{}, fmt.Errorf("wrapped: %w", codedError{})
	})
	dap.Handle(m, "boom", func(*dap.Request, struct{}) (struct{}, error) { panic("boom") })
	dap.Handle(m, "badBody", func(*dap.Request, struct{}) (any, error) { return func() {}, nil })
	h := newHarness(t, m)

	for i, tc := range []struct {
		command, text string
		id            int
	}{
		{"plain", "plain {x}", dap.ErrIDInternal},
		{"coded", "wrapped: coded {braces} kept", 4242},
		{"boom", "boom", dap.ErrIDInternal},
		{"badBody", "cannot encode body", dap.ErrIDInternal},
		{"plain", "plain {x}", dap.ErrIDInternal}, // still serving after the panic
	} {
		h.request(i+1, tc.command, "")
		r := h.response(i+1, tc.command)
		e := r.errorBody(t)
		if r.Success || !strings.Contains(r.Message, tc.text) || !strings.Contains(e.Format, tc.text) ||
			e.Id != tc.id || !e.ShowUser || e.Variables != nil {
			t.Errorf("%s: got %s", tc.command, r.raw)
		}
	}
}

func TestCapabilities(t *testing.T) {
	m := dap.NewMux()
	dap.Handle(m, "configurationDone", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil },
		func(c *godap.Capabilities) { c.SupportsConfigurationDoneRequest = true })
	dap.Handle(m, "threads", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil })
	dap.Handle(m, "readMemory", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil },
		func(c *godap.Capabilities) { c.SupportsReadMemoryRequest = true },
		func(c *godap.Capabilities) { c.SupportsWriteMemoryRequest = true })
	got := m.Capabilities()
	want := godap.Capabilities{
		SupportsConfigurationDoneRequest: true,
		SupportsReadMemoryRequest:        true,
		SupportsWriteMemoryRequest:       true,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering threads twice did not panic")
		}
	}()
	dap.Handle(m, "threads", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil })
}

func TestFramingErrors(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		wantErr     error // nil: Serve must return nil
	}{
		{"eof", "", nil},
		{"huge", "Content-Length: 1000000000000\r\n\r\n", godap.ErrHeaderContentTooLong},
		{"justOverCap", "Content-Length: 4194305\r\n\r\n{}", godap.ErrHeaderContentTooLong},
		{"badHeader", "Content-Type: json\r\n\r\n{}", godap.ErrHeaderNotContentLength},
		{"badDelimiter", "Content-Length: 2\r\nX\r\n{}", godap.ErrHeaderDelimiterNotCrLfCrLf},
		{"truncated", "Content-Length: 100\r\n\r\n{}", io.ErrUnexpectedEOF},
		{"noCarriageReturn", strings.Repeat("a", 10<<20), dap.ErrHeaderTooLong},
		{"longHeader", "Content-Length: " + strings.Repeat("0", 2000) + "2\r\n\r\n{}", dap.ErrHeaderTooLong},
		{"twoMessagesThenEOF", "Content-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n{}", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := dap.NewConn(strings.NewReader(tc.input), &out)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := c.Serve(dap.NewMux())
			runtime.ReadMemStats(&after)
			c.Close()
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Serve = %v, want %v", err, tc.wantErr)
			}
			if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
				t.Errorf("Serve allocated %d bytes", d)
			}
		})
	}
}

// failWriter fails every write, like a peer that has gone away.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteErrorMakesSendsNoOps(t *testing.T) {
	c := dap.NewConn(strings.NewReader(""), failWriter{})
	for range 100 {
		c.SendEvent("output", godap.OutputEventBody{Output: "x"})
	}
	c.Close()
	c.SendEvent("afterClose", nil) // must neither panic nor block
	c.Close()
}

func TestCloseFlushesQueue(t *testing.T) {
	var out bytes.Buffer
	c := dap.NewConn(strings.NewReader(""), &out)
	for i := range 10 {
		c.SendEvent("output", godap.OutputEventBody{Output: fmt.Sprint(i)})
	}
	c.Close()
	br := bufio.NewReader(&out)
	for i := 1; i <= 10; i++ {
		b, err := godap.ReadBaseMessage(br)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		var m msg
		if err := json.Unmarshal(b, &m); err != nil || m.Seq != i {
			t.Errorf("message %d: %s", i, b)
		}
	}
}

func TestTrace(t *testing.T) {
	m := dap.NewMux()
	dap.Handle(m, "ok", func(*dap.Request, struct{}) (struct{}, error) { return struct{}{}, nil })
	in := "{\n  \"seq\": 1, \"type\": \"request\", \"command\": \"ok\"\n}"
	var out, trace bytes.Buffer
	c := dap.NewConn(strings.NewReader(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(in), in)), &out)
	c.SetTrace(&trace)
	if err := c.Serve(m); err != nil {
		t.Fatal(err)
	}
	c.Close()
	want := "<- {\"seq\":1,\"type\":\"request\",\"command\":\"ok\"}\n" +
		"-> {\"seq\":1,\"type\":\"response\",\"request_seq\":1,\"success\":true,\"command\":\"ok\"}\n"
	if trace.String() != want {
		t.Errorf("trace:\n%s\nwant:\n%s", trace.String(), want)
	}
}
