package dap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"

	godap "github.com/google/go-dap"
)

// Request is what a handler sees of the incoming request.
type Request struct {
	// Seq is the request's seq, which its response echoes as request_seq.
	Seq int
	// Command is the request's command, e.g. "launch".
	Command string

	conn  *Conn
	after []func()
}

// AfterResponse registers f to run right after this request's response has
// been queued for writing, on the Serve goroutine and before the next request
// is read. Resuming requests (continue, next, ...) resume the debuggee there,
// so their response always precedes the stopped event.
//
// The funcs run in registration order and only when the handler succeeded:
// a failed continue must not resume. A panic in f is recovered and reported
// as an output event, because the response is already on its way.
func (r *Request) AfterResponse(f func()) { r.after = append(r.after, f) }

// Conn returns the connection, so a handler can send events.
func (r *Request) Conn() *Conn { return r.conn }

// handlerFunc is a type-erased handler: Handle wraps the typed one.
type handlerFunc func(req *Request, args json.RawMessage) (body json.RawMessage, err error)

// Mux routes requests to handlers by command.
//
// Register all handlers before calling Serve; Mux is not safe for
// registration concurrent with dispatch.
type Mux struct {
	handlers map[string]handlerFunc
	caps     []func(*godap.Capabilities)
	// lastSeq is the seq of the last readable request (dispatch runs on one
	// goroutine, so no lock).
	lastSeq int
}

// NewMux returns a Mux with no handlers; every command is unknown until
// registered.
func NewMux() *Mux {
	return &Mux{handlers: make(map[string]handlerFunc)}
}

// Handle registers a typed handler for command. Registering the same command
// twice panics, as that is a wiring mistake.
//
// Arguments are JSON-decoded into A; absent or null "arguments" give the
// zero A, and so do empty ones ({} or []), whichever A is: an empty Lua
// table, which nvim-dap sends, encodes as either. A decoding failure answers success:false with a message like
// `invalid arguments for "launch": json: cannot unmarshal ...` without
// calling h.
//
// The returned body is marshalled as the response "body". The body is omitted
// when B has no fields (struct{}) or is a nil pointer, map, slice or
// interface, so handlers of requests without a response body need not
// invent one.
//
// caps, when given, are applied to the capabilities that Capabilities
// reports: registering a handler declares its capability, so a feature can
// never be advertised without the handler that implements it.
func Handle[A, B any](m *Mux, command string, h func(*Request, A) (B, error), caps ...func(*godap.Capabilities)) {
	if _, dup := m.handlers[command]; dup {
		panic(fmt.Sprintf("dap: handler for %q registered twice", command))
	}
	m.handlers[command] = func(req *Request, raw json.RawMessage) (json.RawMessage, error) {
		var args A
		if err := decodeArguments(raw, &args); err != nil {
			return nil, &argumentsError{command: command, err: err}
		}
		body, err := h(req, args)
		if err != nil {
			return nil, err
		}
		return marshalBody(body)
	}
	m.caps = append(m.caps, caps...)
}

// decodeArguments decodes raw into args. Where the first decoding fails on
// a type, it tries again with every empty object and empty array taken as
// absent: clients written in Lua (nvim-dap) cannot tell an empty object
// from an empty array, so "breakpoints": {} or "env": [] mean "none".
// Arguments that decode the first time are never rewritten.
func decodeArguments(raw json.RawMessage, args any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	err := json.Unmarshal(raw, args)
	var typeErr *json.UnmarshalTypeError
	if err == nil || !errors.As(err, &typeErr) {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers exact through the round trip
	var v any
	if dec.Decode(&v) != nil {
		return err
	}
	cleaned, changed := dropEmpty(v)
	if !changed {
		return err
	}
	again, merr := json.Marshal(cleaned)
	if merr != nil {
		return err
	}
	// A fresh value: the failed decoding may have filled args in part.
	fresh := reflect.New(reflect.TypeOf(args).Elem())
	if json.Unmarshal(again, fresh.Interface()) != nil {
		return err // report what the client actually sent
	}
	reflect.ValueOf(args).Elem().Set(fresh.Elem())
	return nil
}

// dropEmpty returns v with every empty object and array replaced by nil
// (JSON null, which decodes as absent), and whether it replaced any.
func dropEmpty(v any) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return nil, true
		}
		changed := false
		for k, e := range x {
			var c bool
			if x[k], c = dropEmpty(e); c {
				changed = true
			}
		}
		return x, changed
	case []any:
		if len(x) == 0 {
			return nil, true
		}
		changed := false
		for i, e := range x {
			var c bool
			if x[i], c = dropEmpty(e); c {
				changed = true
			}
		}
		return x, changed
	}
	return v, false
}

// RawJSON is a body already encoded as JSON, sent as it is: for large
// bodies (readMemory) whose encoding the handler can do faster than
// encoding/json, which escapes and then re-validates every byte.
type RawJSON []byte

// Commands lists the registered commands, sorted: for tests and fuzzing
// that go through every request.
func (m *Mux) Commands() []string {
	out := make([]string, 0, len(m.handlers))
	for c := range m.handlers {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Capabilities aggregates the capability setters of all registered handlers,
// applied in registration order.
func (m *Mux) Capabilities() godap.Capabilities {
	var c godap.Capabilities
	for _, set := range m.caps {
		set(&c)
	}
	return c
}

// marshalBody marshals a response or event body; nil means "no body".
func marshalBody(body any) (json.RawMessage, error) {
	if raw, ok := body.(RawJSON); ok {
		return json.RawMessage(raw), nil
	}
	if isEmptyBody(body) {
		return nil, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &idError{id: ErrIDInternal, msg: "cannot encode body: " + err.Error()}
	}
	return b, nil
}

func isEmptyBody(body any) bool {
	v := reflect.ValueOf(body)
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return v.IsNil()
	case reflect.Struct:
		return v.NumField() == 0
	}
	return false
}

// incoming is the part of a request that routing needs. Fields are decoded
// one by one so that a bad field does not hide the good ones (the seq and
// command are still worth echoing).
type incoming struct {
	seq     int
	hasSeq  bool // seq was readable; otherwise it is a guess
	typ     string
	command string
	args    json.RawMessage
}

// parseRequest decodes content as a request. On failure it still returns
// whatever seq and command it could read.
//
// It is liberal in what it takes, because a client that the adapter turns
// away has no way to recover: the seq may be any integer (nvim-dap and
// lldb's own tools number from 0, VS Code from 1), written as 3, 3.0 or
// "3"; a missing "type" is taken for "request" when there is a command
// and nothing that makes it another kind of message. Only what cannot be
// routed at all (not a JSON object, an event, no command) is refused.
func parseRequest(content []byte) (incoming, error) {
	var in incoming
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(content, &fields); err != nil {
		return in, fmt.Errorf("message is not a JSON object: %v", err)
	}
	in.seq, in.hasSeq = parseSeq(fields["seq"])
	_ = json.Unmarshal(fields["type"], &in.typ)
	cmdErr := json.Unmarshal(fields["command"], &in.command)
	in.args = fields["arguments"]
	if _, isEvent := fields["event"]; in.typ == "" && !isEvent {
		if _, isResponse := fields["request_seq"]; isResponse {
			in.typ = "response"
		} else {
			in.typ = "request"
		}
	}
	switch {
	case in.typ != "request":
		return in, fmt.Errorf("message type is %q, want \"request\"", in.typ)
	case cmdErr != nil || in.command == "":
		return in, fmt.Errorf("request has no command")
	}
	return in, nil
}

// parseSeq reads a seq written as an integer, as a number with an integral
// value (some JSON encoders write every number as a float) or as a string
// holding an integer.
func parseSeq(raw json.RawMessage) (int, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(strings.TrimSpace(s))
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// dispatch handles one well-framed message.
func (m *Mux) dispatch(c *Conn, content []byte) {
	in, err := parseRequest(content)
	if err != nil && in.typ == "response" {
		return // to a reverse request of ours; see Conn.SendRequest
	}
	if in.hasSeq {
		m.lastSeq = in.seq
	} else {
		// Clients number their requests consecutively: a request without
		// a readable seq was most likely request lastSeq+1, which the
		// client is waiting for. Answering it unblocks such a client; any
		// other client ignores a response it did not ask for.
		in.seq = m.lastSeq + 1
		m.lastSeq = in.seq
	}
	if err != nil {
		err = &idError{id: ErrIDBadMessage, msg: "not a valid DAP request: " + err.Error()}
		command := in.command
		if command == "" {
			command = "unknown"
		}
		c.enqueue(outMsg{errorResponse(in.seq, command, err), nil})
		return
	}
	h, ok := m.handlers[in.command]
	if !ok {
		c.enqueue(outMsg{errorResponse(in.seq, in.command, &idError{
			id: ErrIDUnknownCommand, msg: fmt.Sprintf("unknown command %q", in.command),
		}), nil})
		return
	}
	req := &Request{Seq: in.seq, Command: in.command, conn: c}
	body, err := m.call(c, h, req, in.args)
	if err != nil {
		c.enqueue(outMsg{errorResponse(in.seq, in.command, err), nil})
		return
	}
	c.enqueue(outMsg{mustMarshal(responseMsg{
		Type: "response", RequestSeq: in.seq, Success: true, Command: in.command,
	}), body})
	for _, f := range req.after {
		runAfter(c, req.Command, f)
	}
}

// call runs h, turning a panic into an error so that one broken handler does
// not take the session down.
func (m *Mux) call(c *Conn, h handlerFunc, req *Request, args json.RawMessage) (body json.RawMessage, err error) {
	defer func() {
		if p := recover(); p != nil {
			c.tracef("dap: panic in %q handler: %v\n%s", req.Command, p, debug.Stack())
			body, err = nil, &idError{id: ErrIDInternal, msg: fmt.Sprintf("internal error in %q: panic: %v", req.Command, p)}
		}
	}()
	return h(req, args)
}

func runAfter(c *Conn, command string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			c.tracef("dap: panic after %q response: %v\n%s", command, p, debug.Stack())
			c.SendEvent("output", godap.OutputEventBody{
				Category: "important",
				Output:   fmt.Sprintf("dap-ptrace: internal error after %q: panic: %v\n", command, p),
			})
		}
	}()
	f()
}

// errorResponse builds an ErrorResponse without seq.
//
// The error text goes into "format" verbatim and no variables are set: DAP
// has no escape for '{', and clients leave a {name} without a matching
// variable as it is, so any braces in the text survive.
func errorResponse(requestSeq int, command string, err error) []byte {
	id := ErrIDInternal
	var e errorID
	if errors.As(err, &e) {
		id = e.DAPErrorID()
	}
	var q quietError
	quiet := errors.As(err, &q) && q.DAPQuiet()
	return mustMarshal(responseMsg{
		Type:       "response",
		RequestSeq: requestSeq,
		Success:    false,
		Command:    command,
		Message:    err.Error(),
		Body: mustMarshal(godap.ErrorResponseBody{Error: &godap.ErrorMessage{
			Id:       id,
			Format:   err.Error(),
			ShowUser: !quiet,
		}}),
	})
}
