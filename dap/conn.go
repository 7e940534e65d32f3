package dap

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	godap "github.com/google/go-dap"
)

// Conn is one DAP connection: one reader, one writer goroutine that assigns
// seq as it writes.
//
// NewConn starts the writer goroutine; Close ends it, so every Conn must be
// closed.
type Conn struct {
	r *bufio.Reader
	w *bufio.Writer

	traceMu sync.Mutex
	trace   io.Writer

	mu     sync.Mutex
	cond   *sync.Cond // signalled when queue grows or closed is set
	queue  [][]byte   // marshalled messages without seq, oldest first
	closed bool
	done   chan struct{} // closed when the writer goroutine has returned
}

// NewConn returns a connection that reads requests from r and writes
// responses and events to w.
func NewConn(r io.Reader, w io.Writer) *Conn {
	c := &Conn{
		r:    bufio.NewReader(r),
		w:    bufio.NewWriter(w),
		done: make(chan struct{}),
	}
	c.cond = sync.NewCond(&c.mu)
	go c.writeLoop()
	return c
}

// SetTrace makes the conn write every message in and out to w (one line
// each: "<- " or "-> " then the JSON), for --log. A nil w turns tracing off.
// Writes to w are serialised, so w need not be goroutine-safe.
func (c *Conn) SetTrace(w io.Writer) {
	c.traceMu.Lock()
	c.trace = w
	c.traceMu.Unlock()
}

func (c *Conn) traceMsg(dir string, msg []byte) {
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	if c.trace == nil {
		return
	}
	var line bytes.Buffer
	line.WriteString(dir)
	// Clients may pretty-print; compacting keeps one message per line so
	// the log can be grepped. Bytes that are not JSON are quoted for the
	// same reason.
	if json.Compact(&line, msg) != nil {
		line.Truncate(len(dir))
		line.WriteString(strconv.Quote(string(msg)))
	}
	line.WriteByte('\n')
	// A broken log must not break the session, so the error is dropped.
	_, _ = c.trace.Write(line.Bytes())
}

func (c *Conn) tracef(format string, args ...any) {
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	if c.trace != nil {
		fmt.Fprintf(c.trace, format, args...)
	}
}

// Serve reads requests and dispatches each to the mux, in arrival order, on
// the calling goroutine. It returns nil when the input ends (EOF) and an error
// for a fatal framing problem (a Content-Length over go-dap's 4 MiB cap, a
// bad header, a message cut short): such a stream cannot be resynchronised,
// so the caller should shut down. The size check happens before the content
// is allocated, so a huge Content-Length costs nothing.
//
// Serve does not close the Conn, so the caller can still send final events.
func (c *Conn) Serve(m *Mux) error {
	for {
		content, err := godap.ReadBaseMessage(c.r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("dap: reading message: %w", err)
		}
		c.traceMsg("<- ", content)
		m.dispatch(c, content)
	}
}

// SendEvent queues an event; the writer assigns seq. Safe from any goroutine.
// body may be nil. Events sent after Close are dropped.
//
// The body is marshalled before SendEvent returns, so the caller may reuse
// it. A body that cannot be marshalled is a programming error; rather than
// panic in the session, the event is replaced by an output event that names
// the failure, so it shows up in the client's console.
func (c *Conn) SendEvent(event string, body any) {
	raw, err := marshalBody(body)
	if err != nil {
		event, raw = "output", mustMarshal(godap.OutputEventBody{
			Category: "important",
			Output:   fmt.Sprintf("dap-ptrace: cannot encode %q event: %v\n", event, err),
		})
	}
	c.enqueue(mustMarshal(eventMsg{Type: "event", Event: event, Body: raw}))
}

// Close stops accepting messages, writes everything already queued, and ends
// the writer goroutine. It blocks until the queue is written or a write
// fails; a peer that stays connected but never reads can therefore block it.
// Close may be called more than once.
func (c *Conn) Close() {
	c.mu.Lock()
	c.closed = true
	c.cond.Signal()
	c.mu.Unlock()
	<-c.done
}

// enqueue queues msg, a JSON object without "seq", for the writer.
func (c *Conn) enqueue(msg []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.queue = append(c.queue, msg)
	c.cond.Signal()
}

func (c *Conn) writeLoop() {
	defer close(c.done)
	seq := 0
	var failed error
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.cond.Wait()
		}
		batch, closed := c.queue, c.closed
		c.queue = nil
		c.mu.Unlock()
		if len(batch) == 0 && closed {
			return
		}
		for _, msg := range batch {
			if failed != nil {
				// The peer is gone; keep draining so senders and Close
				// never wait on a dead connection.
				continue
			}
			seq++
			full := withSeq(seq, msg)
			if failed = c.write(full); failed != nil {
				c.tracef("dap: write failed, dropping further output: %v\n", failed)
				continue
			}
			c.traceMsg("-> ", full)
		}
	}
}

func (c *Conn) write(msg []byte) error {
	if err := godap.WriteBaseMessage(c.w, msg); err != nil {
		return err
	}
	// Flush per message: a client waiting for a response must not wait for
	// the buffer to fill.
	return c.w.Flush()
}

// withSeq splices "seq" in as the first member of msg, which is a marshalled
// JSON object. Splicing lets senders marshal on their own goroutine while
// only the writer decides the number.
func withSeq(seq int, msg []byte) []byte {
	out := make([]byte, 0, len(msg)+24)
	out = append(out, `{"seq":`...)
	out = strconv.AppendInt(out, int64(seq), 10)
	if len(msg) > 2 { // not "{}"
		out = append(out, ',')
	}
	return append(out, msg[1:]...)
}

// eventMsg is an Event without seq, which the writer adds.
type eventMsg struct {
	Type  string          `json:"type"`
	Event string          `json:"event"`
	Body  json.RawMessage `json:"body,omitempty"`
}

// responseMsg is a Response without seq, which the writer adds.
type responseMsg struct {
	Type       string          `json:"type"`
	RequestSeq int             `json:"request_seq"`
	Success    bool            `json:"success"`
	Command    string          `json:"command"`
	Message    string          `json:"message,omitempty"`
	Body       json.RawMessage `json:"body,omitempty"`
}

// mustMarshal marshals values built in this package from strings, ints and
// already-valid raw JSON, which cannot fail.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("dap: " + err.Error())
	}
	return b
}
