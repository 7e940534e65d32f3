package session

import (
	"path/filepath"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/target"
	godap "github.com/google/go-dap"
)

func (s *Session) registerBreakpoints() {
	dap.Handle(s.mux, "setBreakpoints", s.setBreakpoints)
	dap.Handle(s.mux, "setExceptionBreakpoints", s.setExceptionBreakpoints)
}

func (s *Session) setBreakpoints(_ *dap.Request, args godap.SetBreakpointsArguments) (setBreakpointsBody, error) {
	lines := make([]int, 0, len(args.Breakpoints))
	for _, b := range args.Breakpoints {
		lines = append(lines, b.Line)
	}
	if len(args.Breakpoints) == 0 {
		lines = append(lines, args.Lines...) // the deprecated form
	}
	body := setBreakpointsBody{Breakpoints: make([]breakpoint, 0, len(lines))}
	if args.Source.Path == "" {
		for _, l := range lines {
			body.Breakpoints = append(body.Breakpoints, breakpoint{Breakpoint: godap.Breakpoint{Line: l, Message: "breakpoints need a source file path"}, Reason: "failed"})
		}
		return body, nil
	}
	bps, err := s.dbg.SetBreakpoints(args.Source.Path, lines)
	if err != nil {
		return body, fail(errIDBreakpoints, err)
	}
	for _, bp := range bps {
		body.Breakpoints = append(body.Breakpoints, dapBreakpoint(bp, args.Source))
	}
	return body, nil
}

// dapBreakpoint describes bp as the client should show it: where it really
// is when it moved to the next line with code, and why not when unverified.
func dapBreakpoint(bp target.Breakpoint, src godap.Source) breakpoint {
	out := breakpoint{Breakpoint: godap.Breakpoint{Id: bp.ID, Verified: bp.Verified, Message: bp.Message, Line: bp.Line}}
	if bp.Verified {
		out.Line = bp.Actual
		s := src
		if bp.File != "" {
			s = godap.Source{Name: filepath.Base(bp.File), Path: bp.File}
		}
		out.Source = &s
		if len(bp.Addrs) > 0 {
			out.InstructionReference = hexAddr(bp.Addrs[0])
		}
	} else if bp.ID != 0 {
		out.Reason = "failed"
	}
	return out
}

// breakpoint is DAP's Breakpoint with the reason go-dap lacks ("pending",
// "failed").
type breakpoint struct {
	godap.Breakpoint
	Reason string `json:"reason,omitempty"`
}

type setBreakpointsBody struct {
	Breakpoints []breakpoint `json:"breakpoints"`
}

func (s *Session) setExceptionBreakpoints(_ *dap.Request, _ godap.SetExceptionBreakpointsArguments) (godap.SetExceptionBreakpointsResponseBody, error) {
	// Crashing signals always stop the program; there is nothing to choose yet.
	return godap.SetExceptionBreakpointsResponseBody{}, nil
}
