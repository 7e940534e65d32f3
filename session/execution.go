package session

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerExecution() {
	dap.Handle(s.mux, "continue", s.continue_)
	dap.Handle(s.mux, "pause", s.pause)
	dap.Handle(s.mux, "next", s.stepper("next", proc.StepOver), func(c *godap.Capabilities) {
		c.SupportsSteppingGranularity = true
	})
	dap.Handle(s.mux, "stepIn", s.stepIn)
	dap.Handle(s.mux, "stepInTargets", s.stepInTargets, func(c *godap.Capabilities) {
		c.SupportsStepInTargetsRequest = true
	})
	dap.Handle(s.mux, "gotoTargets", s.gotoTargets, func(c *godap.Capabilities) {
		c.SupportsGotoTargetsRequest = true
	})
	dap.Handle(s.mux, "goto", s.goto_)
	dap.Handle(s.mux, "stepOut", s.stepper("stepOut", proc.StepOut))
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
	TargetId    int    `json:"targetId"` // stepIn only: a stepInTargets id
}

// stepIn is a stepper that may aim at one function of the line.
func (s *Session) stepIn(req *dap.Request, args stepArgs) (struct{}, error) {
	if args.TargetId == 0 || args.Granularity == "instruction" {
		return s.stepper("stepIn", proc.StepIn)(req, args)
	}
	s.mu.Lock()
	target, ok := s.stepTargets.get(args.TargetId)
	s.mu.Unlock()
	if !ok {
		return struct{}{}, &Error{ID: errIDExecution, Err: fmt.Errorf("unknown step-in target %d: targets are valid until the program runs again; ask stepInTargets anew", args.TargetId)}
	}
	if target.tid != args.ThreadId {
		return struct{}{}, &Error{ID: errIDExecution, Err: fmt.Errorf("step-in target %d is one of thread %d, not of thread %d", args.TargetId, target.tid, args.ThreadId)}
	}
	if err := s.dbg.CheckStopped(args.ThreadId); err != nil {
		return struct{}{}, fail(errIDExecution, err)
	}
	req.AfterResponse(func() {
		s.resetFrames()
		if err := s.dbg.StepInto(args.ThreadId, target.addr); err != nil {
			s.conn.SendEvent("output", godap.OutputEventBody{Category: "important", Output: "stepIn: " + err.Error() + "\n"})
		}
	})
	return struct{}{}, nil
}

// stepTarget is what a stepInTargets id stands for until the next resume.
type stepTarget struct {
	tid  int
	addr uint64 // the callee's first line
}

// stepInTargets lists the functions the frame's line calls, for "Step
// Into Target". Only the innermost frame can be stepped.
func (s *Session) stepInTargets(_ *dap.Request, args godap.StepInTargetsArguments) (godap.StepInTargetsResponseBody, error) {
	ref, err := s.frame(args.FrameId)
	if err != nil {
		return godap.StepInTargetsResponseBody{}, err
	}
	body := godap.StepInTargetsResponseBody{Targets: []godap.StepInTarget{}}
	if ref.level != 0 {
		return body, nil
	}
	ts, err := s.dbg.StepInTargets(ref.tid)
	if err != nil {
		return body, fail(errIDExecution, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range ts {
		id := s.stepTargets.add(stepTarget{tid: ref.tid, addr: t.Addr})
		body.Targets = append(body.Targets, godap.StepInTarget{Id: id, Label: t.Name, Line: t.Line})
	}
	return body, nil
}

func (s *Session) stepper(name string, kind proc.StepKind) func(*dap.Request, stepArgs) (struct{}, error) {
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

type gotoTargetsArgs struct {
	Source godap.Source `json:"source"`
	Line   int          `json:"line"`
}

// gotoTargets lists where "Jump to Cursor" may move the current thread:
// the line's code in the function it is stopped in. Target ids are keys
// of s.jumps, valid until the next resume.
func (s *Session) gotoTargets(_ *dap.Request, args gotoTargetsArgs) (godap.GotoTargetsResponseBody, error) {
	body := godap.GotoTargetsResponseBody{Targets: []godap.GotoTarget{}}
	if args.Source.Path == "" {
		return body, &Error{ID: errIDExecution, Err: fmt.Errorf("jumping needs a source file path")}
	}
	if !lineInRange(args.Line) {
		return body, &Error{ID: errIDExecution, Err: lineError(args.Line)}
	}
	// The request names no thread: the one the client shows is the last
	// stopped one.
	addrs, err := s.dbg.GotoTargets(0, args.Source.Path, args.Line)
	if err != nil {
		return body, fail(errIDExecution, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range addrs {
		body.Targets = append(body.Targets, godap.GotoTarget{Id: s.jumps.add(a), Label: fmt.Sprintf("line %d (%#x)", args.Line, a), Line: args.Line, InstructionPointerReference: hexAddr(a)})
	}
	return body, nil
}

type gotoArgs struct {
	ThreadId int `json:"threadId"`
	TargetId int `json:"targetId"`
}

// goto_ moves the thread to a gotoTargets target; a "goto" stop follows.
func (s *Session) goto_(req *dap.Request, args gotoArgs) (struct{}, error) {
	s.mu.Lock()
	addr, ok := s.jumps.get(args.TargetId)
	s.mu.Unlock()
	if !ok {
		return struct{}{}, &Error{ID: errIDExecution, Err: fmt.Errorf("unknown goto target %d: targets are valid until the program runs again; ask gotoTargets anew", args.TargetId)}
	}
	if err := s.dbg.CheckStopped(args.ThreadId); err != nil {
		return struct{}{}, fail(errIDExecution, err)
	}
	req.AfterResponse(func() {
		s.resetFrames()
		if err := s.dbg.Goto(args.ThreadId, addr); err != nil {
			s.conn.SendEvent("output", godap.OutputEventBody{Category: "important", Output: "goto: " + err.Error() + "\n"})
		}
	})
	return struct{}{}, nil
}
