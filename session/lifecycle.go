package session

import (
	"errors"

	"github.com/dap-ptrace/dap-ptrace/dap"
	godap "github.com/google/go-dap"
)

func (s *Session) registerLifecycle() {
	dap.Handle(s.mux, "initialize", s.initialize, func(c *godap.Capabilities) {
		c.SupportTerminateDebuggee = true
		// Conditions, hit conditions and logpoints are evaluated by the
		// breakpoint handlers (proc.Options).
		c.SupportsConditionalBreakpoints = true
		c.SupportsHitConditionalBreakpoints = true
		c.SupportsLogPoints = true
	})
	dap.Handle(s.mux, "configurationDone", s.configurationDone, func(c *godap.Capabilities) {
		c.SupportsConfigurationDoneRequest = true
	})
	dap.Handle(s.mux, "disconnect", s.disconnect)
	dap.Handle(s.mux, "terminate", s.terminate, func(c *godap.Capabilities) {
		c.SupportsTerminateRequest = true
	})
}

func (s *Session) initialize(_ *dap.Request, args godap.InitializeRequestArguments) (godap.Capabilities, error) {
	s.client = args
	return s.mux.Capabilities(), nil
}

// configurationDone starts the debuggee: it has waited at its first
// instruction (launch) or where it was attached while the client set
// breakpoints.
func (s *Session) configurationDone(req *dap.Request, _ struct{}) (struct{}, error) {
	if !s.started {
		return struct{}{}, &Error{ID: errIDState, Err: errors.New("configurationDone before launch or attach")}
	}
	if s.configured {
		return struct{}{}, nil
	}
	s.configured = true
	if s.attached && !s.stopOnEntry {
		req.AfterResponse(func() { s.resume() })
		return struct{}{}, nil
	}
	if !s.attached {
		// With stopOnEntry the debugger runs to main and reports "entry".
		req.AfterResponse(func() { s.resume() })
		return struct{}{}, nil
	}
	// Attached with stopOnEntry: report where the process was stopped.
	req.AfterResponse(func() { _ = s.dbg.ReportEntry() })
	return struct{}{}, nil
}

// resume continues the debuggee from a request's after-response hook,
// telling the client if that fails.
func (s *Session) resume() {
	s.resetFrames()
	if err := s.dbg.Continue(); err != nil {
		s.conn.SendEvent("output", godap.OutputEventBody{Category: "important", Output: "cannot resume: " + err.Error() + "\n"})
	}
}

type disconnectArgs struct {
	TerminateDebuggee *bool `json:"terminateDebuggee"`
	Restart           bool  `json:"restart"`
}

func (s *Session) disconnect(req *dap.Request, args disconnectArgs) (struct{}, error) {
	err := s.dbg.Disconnect(args.TerminateDebuggee)
	req.AfterResponse(func() {
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	})
	if err != nil {
		return struct{}{}, fail(errIDState, err)
	}
	return struct{}{}, nil
}

func (s *Session) terminate(req *dap.Request, _ struct{}) (struct{}, error) {
	if s.dbg.Pid() == 0 {
		s.terminated()
		return struct{}{}, nil
	}
	req.AfterResponse(func() {
		if err := s.dbg.Terminate(); err != nil {
			s.terminated()
		}
	})
	return struct{}{}, nil
}
