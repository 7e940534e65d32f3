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

// Conn is one DAP connection: one reader, and one writer at a time that
// assigns seq as it writes.
//
// There is no writer goroutine: the goroutine that queues a message when
// nobody is writing becomes the writer and drains the queue, including what
// others queue meanwhile (flat combining). Messages still go out one at a
// time, in queue order, numbered as written; but a response or a stopped
// event leaves without waking another thread first, which on a small VM is
// a large part of a breakpoint round trip.
type Conn struct {
	r *bufio.Reader
	w *bufio.Writer

	traceMu sync.Mutex
	trace   io.Writer

	mu      sync.Mutex
	idle    *sync.Cond // signalled when the active writer stops
	queue   []outMsg   // marshalled messages without seq, oldest first
	writing bool       // a goroutine is draining the queue
	closed  bool
	// Touched only by the active writer.
	seq    int
	failed error
}

// NewConn returns a connection that reads requests from r and writes
// responses and events to w.
func NewConn(r io.Reader, w io.Writer) *Conn {
	c := &Conn{
		r: bufio.NewReader(r),
		w: bufio.NewWriterSize(w, 64<<10),
	}
	c.idle = sync.NewCond(&c.mu)
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

// tracing says whether a trace is being written, so that building the
// traced text can be skipped.
func (c *Conn) tracing() bool {
	c.traceMu.Lock()
	defer c.traceMu.Unlock()
	return c.trace != nil
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
		if err := checkHeader(c.r); err != nil {
			return fmt.Errorf("dap: reading message: %w", err)
		}
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

// ErrHeaderTooLong reports a message header that does not end within
// MaxHeaderLength bytes.
var ErrHeaderTooLong = errors.New("header too long")

// MaxHeaderLength bounds a message header. go-dap reads the header up to the
// first '\r' however far away it is, so a peer sending garbage without one
// would make it buffer without limit; a real header ("Content-Length: N" and
// the delimiter) is far shorter.
const MaxHeaderLength = 1024

// checkHeader peeks, without consuming, until the header delimiter is in the
// buffer, and fails if it is not within MaxHeaderLength bytes. Read errors
// are left for ReadBaseMessage to report, so EOF handling stays in one place.
func checkHeader(r *bufio.Reader) error {
	n := 1
	for {
		b, err := r.Peek(n)
		if bytes.Contains(b, []byte("\r\n\r\n")) || err != nil {
			return nil
		}
		if len(b) >= MaxHeaderLength {
			return ErrHeaderTooLong
		}
		// Look at everything already buffered before asking for more: a
		// Peek beyond the buffer blocks until the peer sends again.
		if n = r.Buffered(); n <= len(b) {
			n = len(b) + 1
		}
		n = min(n, MaxHeaderLength)
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
	c.enqueue(c.eventMsg(event, body))
}

// SendEvents queues events of one kind, one per body, written together
// (one write to the client, not one each): a thousand threads starting
// at once is one burst, not a thousand.
func (c *Conn) SendEvents(event string, bodies []any) {
	msgs := make([]outMsg, len(bodies))
	for i, body := range bodies {
		msgs[i] = c.eventMsg(event, body)
	}
	c.enqueue(msgs...)
}

func (c *Conn) eventMsg(event string, body any) outMsg {
	raw, err := marshalBody(body)
	if err != nil {
		event, raw = "output", mustMarshal(godap.OutputEventBody{
			Category: "important",
			Output:   fmt.Sprintf("dap-ptrace: cannot encode %q event: %v\n", event, err),
		})
	}
	return outMsg{mustMarshal(eventMsg{Type: "event", Event: event}), raw}
}

// SendRequest sends a reverse request (runInTerminal) to the client. Its
// response is not waited for: what the request starts reports back by
// other means, and the read loop drops responses.
func (c *Conn) SendRequest(command string, args any) {
	head, err := json.Marshal(struct {
		Type      string `json:"type"`
		Command   string `json:"command"`
		Arguments any    `json:"arguments"`
	}{"request", command, args})
	if err != nil {
		c.SendEvent("output", godap.OutputEventBody{Category: "important", Output: fmt.Sprintf("dap-ptrace: cannot encode %q request: %v\n", command, err)})
		return
	}
	c.enqueue(outMsg{head, nil})
}

// Close stops accepting messages and returns once everything already
// queued is written (or a write failed); a peer that stays connected but
// never reads can therefore block it. Close may be called more than once.
func (c *Conn) Close() {
	c.mu.Lock()
	c.closed = true
	for c.writing {
		c.idle.Wait()
	}
	c.mu.Unlock()
}

// outMsg is a queued message: its envelope (a JSON object without seq and
// body) and its body, kept apart so that a large body is never copied to
// splice the seq and itself in; the writer writes the pieces in sequence.
type outMsg struct {
	head []byte
	body json.RawMessage
}

// enqueue queues a message and writes the queue out unless another
// goroutine is already doing so.
func (c *Conn) enqueue(msgs ...outMsg) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.queue = append(c.queue, msgs...)
	if c.writing {
		c.mu.Unlock()
		return // the active writer takes it, in order
	}
	c.writing = true
	for len(c.queue) > 0 {
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		c.writeBatch(batch)
		c.mu.Lock()
	}
	c.writing = false
	c.idle.Broadcast()
	c.mu.Unlock()
}

func (c *Conn) writeBatch(batch []outMsg) {
	for _, m := range batch {
		if c.failed != nil {
			// The peer is gone; drop the rest so senders and Close never
			// wait on a dead connection.
			continue
		}
		c.seq++
		if c.failed = c.write(c.seq, m); c.failed != nil {
			c.tracef("dap: write failed, dropping further output: %v\n", c.failed)
		}
	}
	// One flush per batch: a client waiting for a response gets it now,
	// and a burst of events is one write, not one per event.
	if c.failed == nil {
		if c.failed = c.w.Flush(); c.failed != nil {
			c.tracef("dap: write failed, dropping further output: %v\n", c.failed)
		}
	}
}

// write frames and writes one message as {"seq":N, <head members>,
// "body":<body>} into the buffer (writeBatch flushes). Only the writer
// decides the seq, so senders can marshal on their own goroutines.
func (c *Conn) write(seq int, m outMsg) error {
	var pre [32]byte
	prefix := strconv.AppendInt(append(pre[:0], `{"seq":`...), int64(seq), 10)
	members := m.head[1 : len(m.head)-1] // without the braces
	n := len(prefix) + 1
	if len(members) > 0 {
		n += 1 + len(members)
	}
	if len(m.body) > 0 {
		n += len(`,"body":`) + len(m.body)
	}
	fmt.Fprintf(c.w, "Content-Length: %d\r\n\r\n", n)
	c.w.Write(prefix)
	if len(members) > 0 {
		c.w.WriteByte(',')
		c.w.Write(members)
	}
	if len(m.body) > 0 {
		c.w.WriteString(`,"body":`)
		c.w.Write(m.body)
	}
	if err := c.w.WriteByte('}'); err != nil {
		return err
	}
	if c.tracing() {
		full := append([]byte{}, prefix...)
		if len(members) > 0 {
			full = append(append(full, ','), members...)
		}
		if len(m.body) > 0 {
			full = append(append(full, `,"body":`...), m.body...)
		}
		c.traceMsg("-> ", append(full, '}'))
	}
	return nil
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
