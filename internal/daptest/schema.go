package daptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaURL names the schema document inside the compiler; the definitions
// refer to each other with "#/definitions/...", which resolves against it.
const schemaURL = "file:///debugAdapterProtocol.json"

var schemas struct {
	once   sync.Once
	err    error
	defs   map[string]any // the schema's "definitions", to check a name exists
	mu     sync.Mutex     // guards compiler and byName: the compiler is not goroutine-safe
	c      *jsonschema.Compiler
	byName map[string]*jsonschema.Schema
}

// schemaPath finds the schema next to this source file, so it is found from
// any package's tests whatever their working directory.
func schemaPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "debugAdapterProtocol.json")
}

func loadSchema() error {
	schemas.once.Do(func() {
		raw, err := os.ReadFile(schemaPath())
		if err != nil {
			schemas.err = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			schemas.err = fmt.Errorf("parsing DAP schema: %w", err)
			return
		}
		obj, _ := doc.(map[string]any)
		schemas.defs, _ = obj["definitions"].(map[string]any)
		if schemas.defs == nil {
			schemas.err = fmt.Errorf("DAP schema %s has no definitions", schemaPath())
			return
		}
		c := jsonschema.NewCompiler()
		// The DAP schema declares draft-04; say so in case a copy drops
		// the $schema line, since draft-04 and later drafts differ.
		c.DefaultDraft(jsonschema.Draft4)
		if err := c.AddResource(schemaURL, doc); err != nil {
			schemas.err = err
			return
		}
		schemas.c = c
		schemas.byName = make(map[string]*jsonschema.Schema)
	})
	return schemas.err
}

// definition returns the compiled schema for a definition name, compiling
// it on first use.
func definition(name string) (*jsonschema.Schema, error) {
	if err := loadSchema(); err != nil {
		return nil, err
	}
	schemas.mu.Lock()
	defer schemas.mu.Unlock()
	if s, ok := schemas.byName[name]; ok {
		return s, nil
	}
	s, err := schemas.c.Compile(schemaURL + "#/definitions/" + name)
	if err != nil {
		return nil, err
	}
	schemas.byName[name] = s
	return s, nil
}

// hasDefinition reports whether the schema defines name.
func hasDefinition(name string) bool {
	if loadSchema() != nil {
		return false
	}
	_, ok := schemas.defs[name]
	return ok
}

// DefinitionFor returns the schema definition a message is checked against:
// "ErrorResponse" for a failed response, "<Command>Response" for a response
// (e.g. "ReadMemoryResponse"), "<Event>Event" for an event (e.g.
// "StoppedEvent") and "<Command>Request" for a request, each falling back to
// the generic "Response", "Event" or "Request" when the schema has no
// specific definition (custom commands and events).
func DefinitionFor(typ, command, event string, success bool) string {
	specific := func(name, suffix string) string {
		if d := upperFirst(name) + suffix; name != "" && hasDefinition(d) {
			return d
		}
		return suffix
	}
	switch typ {
	case "response":
		if !success {
			return "ErrorResponse"
		}
		return specific(command, "Response")
	case "event":
		return specific(event, "Event")
	case "request":
		return specific(command, "Request")
	}
	return "ProtocolMessage"
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// ValidateMessage checks one DAP message (the JSON content, without the
// Content-Length header) against the DAP schema definition that
// DefinitionFor picks. It does not check seq ordering, which needs the
// messages before it; Client does that.
func ValidateMessage(raw []byte) error {
	var head struct {
		Type    string `json:"type"`
		Command string `json:"command"`
		Event   string `json:"event"`
		Success bool   `json:"success"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	if head.Type != "response" && head.Type != "event" && head.Type != "request" {
		return fmt.Errorf("type is %q, want request, response or event", head.Type)
	}
	name := DefinitionFor(head.Type, head.Command, head.Event, head.Success)
	s, err := definition(name)
	if err != nil {
		return fmt.Errorf("compiling schema %s: %w", name, err)
	}
	// jsonschema wants numbers as json.Number, which its own decoder gives.
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("does not match %s: %w", name, err)
	}
	return nil
}

// ValidateResponseTo is ValidateMessage for a message that may answer a
// request numbered below 1. The schema gives request_seq the same minimum
// of 1 as seq, but clients that number from 0 (nvim-dap before 2024, lldb's
// own tools) match responses by the number they sent, so an adapter has to
// echo it. clientSeq says whether the client sent a request with that seq;
// for such a response only the minimum is waived (the message is checked
// with request_seq 1 in its place), everything else is checked as usual.
func ValidateResponseTo(raw []byte, clientSeq func(int) bool) error {
	var head struct {
		Type       string `json:"type"`
		RequestSeq *int   `json:"request_seq"`
	}
	if json.Unmarshal(raw, &head) != nil || head.Type != "response" || head.RequestSeq == nil ||
		*head.RequestSeq >= 1 || !clientSeq(*head.RequestSeq) {
		return ValidateMessage(raw)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return ValidateMessage(raw)
	}
	fields["request_seq"] = json.RawMessage("1")
	substituted, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return ValidateMessage(substituted)
}
