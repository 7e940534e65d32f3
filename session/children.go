package session

import (
	"fmt"
	"path/filepath"

	godap "github.com/google/go-dap"
)

// Forked children become sessions of their own: the debugger hands each
// one over stopped, and the client is asked to start a session attached
// to it (startDebugging), with the parent's breakpoints as it sends them
// to every session. Over --listen the new session connects to this same
// adapter (the configuration's debugServer); on stdio the client starts
// another adapter, as it started this one.

// childArgs are the launch and attach fields about the session itself.
type childArgs struct {
	// Type and Name are the client's: a child's configuration is of the
	// same type, named after this one.
	Type string `json:"type"`
	Name string `json:"name"`
	// FollowForks (default: on when the client can start sessions)
	// debugs forked children as child sessions; off, they run free.
	FollowForks *bool `json:"followForks"`
	// AdapterPath is the VS Code extension's: a child session runs the
	// same adapter as its parent.
	AdapterPath string `json:"adapterPath"`
}

// SetServerPort tells the session the port of the --listen server that
// serves it, where child sessions connect.
func (s *Session) SetServerPort(port int) { s.serverPort = port }

// follow says whether forked children are followed, and remembers how to
// configure their sessions.
func (s *Session) follow(args childArgs, program string) bool {
	on := s.client.SupportsStartDebuggingRequest
	if args.FollowForks != nil {
		on = on && *args.FollowForks
	}
	s.child = args
	if s.child.Type == "" {
		s.child.Type = "dap-ptrace"
	}
	if s.child.Name == "" {
		s.child.Name = filepath.Base(program)
	}
	return on
}

// ChildProcess asks the client for a session attached to child.
func (l listener) ChildProcess(pid int) {
	s := l.s
	cfg := map[string]any{"type": s.child.Type, "request": "attach", "name": fmt.Sprintf("%s (child %d)", s.child.Name, pid), "pid": pid}
	if s.serverPort != 0 {
		cfg["debugServer"] = s.serverPort
	}
	if s.child.AdapterPath != "" {
		cfg["adapterPath"] = s.child.AdapterPath
	}
	s.conn.SendEvent("output", godap.OutputEventBody{Category: "console", Output: fmt.Sprintf("process %d forked: a session is started for it\n", pid)})
	s.conn.SendRequest("startDebugging", godap.StartDebuggingRequestArguments{Request: "attach", Configuration: cfg})
}
