package daptest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	godap "github.com/google/go-dap"
)

// DefaultTimeout bounds each wait of a Client whose Timeout is zero. It is
// generous because the adapter may be built with -race on a loaded machine;
// a hung adapter still fails the test instead of the whole test binary.
const DefaultTimeout = 30 * time.Second

// exitTimeout bounds how long cleanup waits for the adapter to exit after its
// stdin is closed before killing it.
const exitTimeout = 20 * time.Second

// Message is one message received from the server. Fields that do not apply
// to the message's type are zero.
type Message struct {
	Seq        int             `json:"seq"`
	Type       string          `json:"type"`
	Command    string          `json:"command"`
	Event      string          `json:"event"`
	RequestSeq int             `json:"request_seq"`
	Success    bool            `json:"success"`
	Message    string          `json:"message"`
	Body       json.RawMessage `json:"body"`
	// Raw is the whole message as received, for assertions the fields
	// above do not cover.
	Raw json.RawMessage `json:"-"`
}

// String gives the raw JSON, so failure messages show the whole message.
func (m *Message) String() string { return string(m.Raw) }

// DecodeBody decodes the body into v, failing the test if there is no body
// or it does not decode.
func (m *Message) DecodeBody(t testing.TB, v any) {
	t.Helper()
	if len(m.Body) == 0 {
		t.Fatalf("message has no body: %s", m.Raw)
	}
	if err := json.Unmarshal(m.Body, v); err != nil {
		t.Fatalf("decoding body into %T: %v\nmessage: %s", v, err, m.Raw)
	}
}

// Client drives a DAP server process over its stdio (or over any
// io.ReadWriter) and validates every message it receives against the DAP
// JSON schema and checks that seq strictly increases.
//
// The methods that wait (Request, ExpectEvent, ...) fail the test with
// t.Fatalf, so call them from the test's goroutine only.
type Client struct {
	// Timeout bounds each wait for a message or for exit; zero means
	// DefaultTimeout.
	Timeout time.Duration

	t      testing.TB
	w      io.Writer
	closeW func() error
	wmu    sync.Mutex // serialises writes and seq assignment
	seq    int
	wOnce  sync.Once

	notify   chan struct{} // a token after each change to queue or eof
	readDone chan struct{} // closed when the reader goroutine returns

	mu         sync.Mutex
	queue      []*Message // received, not yet consumed, oldest first
	eof        bool
	readErr    error // why the stream ended, nil for a clean EOF
	lastSeq    int
	violations []string
	// sentBelow1 holds the seqs below 1 this client used (see NumberFrom),
	// whose echo in request_seq the schema check accepts.
	sentBelow1 map[int]bool
	finished   bool // the test is complete: t must not be used any more

	cmd        *exec.Cmd
	exited     chan struct{} // closed once cmd.Wait returned
	waitErr    error
	stderrDone chan struct{}
}

// Start runs binary with args, speaking DAP over its stdin and stdout and
// copying its stderr to the test log. Cleanup closes stdin and waits for the
// process to exit; if it has not exited after 20 s it is killed and the test
// fails, because an adapter must exit when its client goes away.
func Start(t testing.TB, binary string, args ...string) *Client {
	t.Helper()
	var files []*os.File
	pipe := func() (*os.File, *os.File) {
		r, w, err := os.Pipe()
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			t.Fatalf("pipe: %v", err)
		}
		files = append(files, r, w)
		return r, w
	}
	// Our own pipes rather than cmd.StdoutPipe: exec's pipes are closed by
	// Wait, racing with the reader, and exec's copying goroutines would make
	// Wait hang while a debuggee that inherited stderr lives on.
	stdinR, stdinW := pipe()
	stdoutR, stdoutW := pipe()
	stderrR, stderrW := pipe()
	cmd := exec.Command(binary, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, stderrW
	if err := cmd.Start(); err != nil {
		for _, f := range files {
			f.Close()
		}
		t.Fatalf("starting %s: %v", binary, err)
	}
	// The child has its copies; ours would keep the pipes open forever.
	stdinR.Close()
	stdoutW.Close()
	stderrW.Close()

	c := newClient(t, stdoutR, stdinW, stdinW.Close)
	c.cmd = cmd
	c.exited = make(chan struct{})
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	c.stderrDone = make(chan struct{})
	go func() {
		defer close(c.stderrDone)
		sc := bufio.NewScanner(stderrR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			c.logf("stderr: %s", sc.Text())
		}
	}()
	t.Cleanup(func() {
		c.CloseStdin()
		timer := time.NewTimer(exitTimeout)
		defer timer.Stop()
		select {
		case <-c.exited:
		case <-timer.C:
			cmd.Process.Kill()
			<-c.exited
			t.Errorf("%s did not exit within %v of its stdin closing; killed it", binary, exitTimeout)
		}
		// A debuggee that inherited stdout or stderr can hold the pipes
		// open after the adapter exits; give the readers a moment to take
		// what the adapter wrote, then cut them off.
		if !waitBounded(c.readDone, 5*time.Second) {
			stdoutR.Close()
			<-c.readDone
		}
		if !waitBounded(c.stderrDone, 5*time.Second) {
			stderrR.Close()
			<-c.stderrDone
		}
		stdoutR.Close()
		stderrR.Close()
		c.finish()
	})
	return c
}

// NewClient wraps an existing connection (for --listen tests over TCP).
// Cleanup closes rw and waits, bounded, for the reader to stop.
func NewClient(t testing.TB, rw io.ReadWriteCloser) *Client {
	t.Helper()
	closeW := rw.Close
	if cw, ok := rw.(interface{ CloseWrite() error }); ok {
		closeW = cw.CloseWrite
	}
	c := newClient(t, rw, rw, closeW)
	t.Cleanup(func() {
		rw.Close()
		if !waitBounded(c.readDone, exitTimeout) {
			t.Errorf("daptest: reader did not stop after closing the connection")
		}
		c.finish()
	})
	return c
}

func newClient(t testing.TB, r io.Reader, w io.Writer, closeW func() error) *Client {
	if err := loadSchema(); err != nil {
		t.Fatalf("daptest: %v", err)
	}
	c := &Client{
		t:        t,
		w:        w,
		closeW:   closeW,
		notify:   make(chan struct{}, 1),
		readDone: make(chan struct{}),
	}
	go c.readLoop(r)
	return c
}

func waitBounded(ch <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
	}
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// finish marks the test complete, after which the reader goroutines must not
// touch t (testing panics on a Log after the test has completed).
func (c *Client) finish() {
	c.mu.Lock()
	c.finished = true
	c.mu.Unlock()
}

func (c *Client) logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.finished {
		c.t.Logf(format, args...)
	}
}

// violate records a protocol violation and fails the test.
func (c *Client) violate(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.violations = append(c.violations, msg)
	if !c.finished {
		c.t.Errorf("DAP violation: %s", msg)
	}
}

// Violations returns the protocol violations seen so far: messages that do
// not match the schema and seq that did not increase. Each was also reported
// with t.Errorf as it happened.
func (c *Client) Violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.violations...)
}

func (c *Client) readLoop(r io.Reader) {
	defer close(c.readDone)
	br := bufio.NewReader(r)
	for {
		content, err := godap.ReadBaseMessage(br)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed) {
				// We closed it ourselves in cleanup: not the server's fault.
				err = nil
			}
			c.mu.Lock()
			c.eof, c.readErr = true, err
			c.mu.Unlock()
			c.wake()
			if err != nil {
				c.violate("reading from server: %v", err)
			}
			return
		}
		c.receive(content)
	}
}

func (c *Client) receive(content []byte) {
	m := &Message{Raw: json.RawMessage(content)}
	if err := json.Unmarshal(content, m); err != nil {
		c.violate("message is not valid JSON (%v): %q", err, content)
		return
	}
	if err := ValidateResponseTo(content, c.sentSeq); err != nil {
		c.violate("%v\nmessage: %s", err, content)
	}
	c.mu.Lock()
	last := c.lastSeq
	c.lastSeq = m.Seq
	c.queue = append(c.queue, m)
	c.mu.Unlock()
	if m.Seq <= last {
		c.violate("seq %d after seq %d: seq must strictly increase\nmessage: %s", m.Seq, last, content)
	}
	c.wake()
}

func (c *Client) wake() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// write writes b, bounded by Timeout where the writer supports deadlines,
// so a server that stops reading fails the test instead of hanging it.
func (c *Client) write(b []byte) error {
	if d, ok := c.w.(interface{ SetWriteDeadline(time.Time) error }); ok {
		_ = d.SetWriteDeadline(time.Now().Add(c.timeout()))
	}
	_, err := c.w.Write(b)
	return err
}

// NumberFrom makes the client number its next request first, and the ones
// after it first+1, first+2, ...: 1 is what VS Code does (and the default),
// 0 what nvim-dap and lldb's own tools do. Call it before sending.
func (c *Client) NumberFrom(first int) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.seq = first - 1
}

// sentSeq says whether this client sent a message numbered seq below 1.
func (c *Client) sentSeq(seq int) bool {
	// c.mu, not c.wmu: the reader must never wait for a writer, which may
	// be blocked until the server's output is read.
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sentBelow1[seq]
}

// nextSeq numbers an outgoing message; c.wmu held.
func (c *Client) nextSeq() int {
	c.seq++
	if c.seq < 1 {
		c.mu.Lock()
		if c.sentBelow1 == nil {
			c.sentBelow1 = make(map[int]bool)
		}
		c.sentBelow1[c.seq] = true
		c.mu.Unlock()
	}
	return c.seq
}

// Send sends a request without waiting for its response and returns its
// seq, for ExpectResponse. args may be nil (no "arguments").
func (c *Client) Send(command string, args any) (seq int) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nextSeq()
	req := struct {
		Seq       int    `json:"seq"`
		Type      string `json:"type"`
		Command   string `json:"command"`
		Arguments any    `json:"arguments,omitempty"`
	}{c.seq, "request", command, args}
	b, err := json.Marshal(req)
	if err != nil {
		c.t.Fatalf("encoding %q request: %v", command, err)
	}
	var framed bytes.Buffer
	_ = godap.WriteBaseMessage(&framed, b) // a bytes.Buffer cannot fail
	if err := c.write(framed.Bytes()); err != nil {
		c.t.Fatalf("sending %q request: %v", command, err)
	}
	return c.seq
}

// ExpectReverseRequest returns the oldest request the server sent (such as
// runInTerminal) named command, or else waits for one.
func (c *Client) ExpectReverseRequest(command string) *Message {
	c.t.Helper()
	return c.take(fmt.Sprintf("%q reverse request", command), func(m *Message) bool {
		return m.Type == "request" && m.Command == command
	})
}

// Respond answers a server's reverse request req with success and body.
func (c *Client) Respond(req *Message, body any) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nextSeq()
	resp := struct {
		Seq        int    `json:"seq"`
		Type       string `json:"type"`
		RequestSeq int    `json:"request_seq"`
		Success    bool   `json:"success"`
		Command    string `json:"command"`
		Body       any    `json:"body,omitempty"`
	}{c.seq, "response", req.Seq, true, req.Command, body}
	b, err := json.Marshal(resp)
	if err != nil {
		c.t.Fatalf("encoding the %q response: %v", req.Command, err)
	}
	var framed bytes.Buffer
	_ = godap.WriteBaseMessage(&framed, b)
	if err := c.write(framed.Bytes()); err != nil {
		c.t.Fatalf("sending the %q response: %v", req.Command, err)
	}
}

// WriteRaw writes b to the server as is, for framing tests.
func (c *Client) WriteRaw(b []byte) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.write(b); err != nil {
		c.t.Fatalf("writing to server: %v", err)
	}
}

// CloseStdin closes the direction to the server, which the server sees as
// the end of its input. For a NewClient connection without CloseWrite this
// closes the whole connection.
func (c *Client) CloseStdin() {
	c.wOnce.Do(func() { c.closeW() })
}

// Request sends a request and waits for its response (matched by
// request_seq). Events that arrive meanwhile stay buffered for ExpectEvent.
func (c *Client) Request(command string, args any) *Message {
	c.t.Helper()
	m := c.ExpectResponse(c.Send(command, args))
	if m.Command != command {
		c.violate("response to %q request has command %q\nmessage: %s", command, m.Command, m.Raw)
	}
	return m
}

// MustSucceed is Request that fails the test if the response has success
// false.
func (c *Client) MustSucceed(command string, args any) *Message {
	c.t.Helper()
	m := c.Request(command, args)
	if !m.Success {
		c.t.Fatalf("%q request failed: %s\nresponse: %s", command, m.Message, m.Raw)
	}
	return m
}

// ExpectResponse waits for the response to the request with seq, as
// returned by Send.
func (c *Client) ExpectResponse(seq int) *Message {
	c.t.Helper()
	return c.take(fmt.Sprintf("response to request %d", seq), func(m *Message) bool {
		return m.Type == "response" && m.RequestSeq == seq
	})
}

// ExpectEvent returns the oldest buffered event named event, or else waits
// for one. Only that event is consumed: other events stay buffered, in
// order, for later expectations.
func (c *Client) ExpectEvent(event string) *Message {
	c.t.Helper()
	return c.take(fmt.Sprintf("%q event", event), func(m *Message) bool {
		return m.Type == "event" && m.Event == event
	})
}

// Events returns the events received and not yet consumed, oldest first.
// They stay buffered. Because a server writes in order, every event sent
// before a response is buffered once Request has returned that response,
// which is what makes "no stopped event came" assertions reliable.
func (c *Client) Events() []*Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	var evs []*Message
	for _, m := range c.queue {
		if m.Type == "event" {
			evs = append(evs, m)
		}
	}
	return evs
}

// take removes and returns the oldest buffered message that matches,
// waiting up to Timeout for one to arrive.
func (c *Client) take(what string, match func(*Message) bool) *Message {
	c.t.Helper()
	timer := time.NewTimer(c.timeout())
	defer timer.Stop()
	for {
		c.mu.Lock()
		for i, m := range c.queue {
			if match(m) {
				c.queue = append(c.queue[:i:i], c.queue[i+1:]...)
				c.mu.Unlock()
				return m
			}
		}
		eof, readErr, buffered := c.eof, c.readErr, c.describeQueue()
		c.mu.Unlock()
		if eof {
			c.t.Fatalf("waiting for %s: server closed the connection (err %v)\nbuffered:\n%s", what, readErr, buffered)
		}
		select {
		case <-c.notify:
		case <-timer.C:
			c.t.Fatalf("timed out after %v waiting for %s\nbuffered:\n%s", c.timeout(), what, buffered)
		}
	}
}

// describeQueue lists the buffered messages for failure output; c.mu held.
func (c *Client) describeQueue() string {
	if len(c.queue) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, m := range c.queue {
		fmt.Fprintf(&b, "  %s\n", m.Raw)
	}
	return b.String()
}

// Wait waits, up to Timeout, for the process to exit and returns its exit
// code; err is set on timeout or when the process died by a signal. For a
// NewClient connection there is no process: Wait waits for the server to
// close the connection and returns 0.
func (c *Client) Wait() (exitCode int, err error) {
	if c.cmd == nil {
		if !waitBounded(c.readDone, c.timeout()) {
			return -1, fmt.Errorf("server did not close the connection within %v", c.timeout())
		}
		return 0, nil
	}
	if !waitBounded(c.exited, c.timeout()) {
		return -1, fmt.Errorf("process %d did not exit within %v", c.cmd.Process.Pid, c.timeout())
	}
	code := c.cmd.ProcessState.ExitCode()
	if code < 0 {
		return code, fmt.Errorf("process %d: %v", c.cmd.Process.Pid, c.waitErr)
	}
	return code, nil
}

// Process returns the server process, or nil for a NewClient connection.
func (c *Client) Process() *os.Process {
	if c.cmd == nil {
		return nil
	}
	return c.cmd.Process
}
