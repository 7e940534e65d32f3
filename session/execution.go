package session

import (
	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/target"
	godap "github.com/google/go-dap"
)

func (s *Session) registerExecution() {
	dap.Handle(s.mux, "continue", s.continue_)
	dap.Handle(s.mux, "pause", s.pause)
	dap.Handle(s.mux, "next", s.stepper("next", target.StepOver), func(c *godap.Capabilities) {
		c.SupportsSteppingGranularity = true
	})
	dap.Handle(s.mux, "stepIn", s.stepper("stepIn", target.StepIn))
	dap.Handle(s.mux, "stepOut", s.stepper("stepOut", target.StepOut))
}

// continue_ answers first and resumes after: the stop that follows must
// reach the client after this response.
func (s *Session) continue_(req *dap.Request, _ godap.ContinueArguments) (godap.ContinueResponseBody, error) {
	if err := s.dbg.CheckStopped(0); err != nil {
		return godap.ContinueResponseBody{}, fail(errIDExecution, err)
	}
	req.AfterResponse(s.resume)
	return godap.ContinueResponseBody{AllThreadsContinued: true}, nil
}

func (s *Session) pause(_ *dap.Request, _ godap.PauseArguments) (struct{}, error) {
	return struct{}{}, fail(errIDExecution, s.dbg.Pause())
}

type stepArgs struct {
	ThreadId    int    `json:"threadId"`
	Granularity string `json:"granularity"`
}

func (s *Session) stepper(name string, kind target.StepKind) func(*dap.Request, stepArgs) (struct{}, error) {
	return func(req *dap.Request, args stepArgs) (struct{}, error) {
		if err := s.dbg.CheckStopped(args.ThreadId); err != nil {
			return struct{}{}, fail(errIDExecution, err)
		}
		instruction := args.Granularity == "instruction"
		req.AfterResponse(func() {
			s.resetFrames()
			if err := s.dbg.Step(args.ThreadId, kind, instruction); err != nil {
				s.conn.SendEvent("output", godap.OutputEventBody{Category: "important", Output: name + ": " + err.Error() + "\n"})
			}
		})
		return struct{}{}, nil
	}
}
