package session

import (
	"fmt"
	"path/filepath"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerBreakpoints() {
	dap.Handle(s.mux, "setBreakpoints", s.setBreakpoints)
	dap.Handle(s.mux, "setExceptionBreakpoints", s.setExceptionBreakpoints, func(c *godap.Capabilities) {
		c.ExceptionBreakpointFilters = []godap.ExceptionBreakpointsFilter{
			{Filter: proc.FilterCxxThrow, Label: "C++: on throw", Description: "Stop when a C++ exception is thrown (__cxa_throw), with its type"},
			{Filter: proc.FilterCxxCatch, Label: "C++: on catch", Description: "Stop when a C++ exception is caught (__cxa_begin_catch)"},
			{Filter: proc.FilterGoPanic, Label: "Go: unrecovered panics", Description: "Stop when a Go panic is not recovered, before the program dies, with the panic's value", Default: true},
			{Filter: proc.FilterGoFatal, Label: "Go: fatal errors", Description: "Stop at a Go runtime fatal error (deadlock, concurrent map writes, out of memory), with its message", Default: true},
		}
	})
	dap.Handle(s.mux, "setFunctionBreakpoints", s.setFunctionBreakpoints, func(c *godap.Capabilities) {
		c.SupportsFunctionBreakpoints = true
	})
	dap.Handle(s.mux, "setInstructionBreakpoints", s.setInstructionBreakpoints, func(c *godap.Capabilities) {
		c.SupportsInstructionBreakpoints = true
	})
	dap.Handle(s.mux, "breakpointLocations", s.breakpointLocations, func(c *godap.Capabilities) {
		c.SupportsBreakpointLocationsRequest = true
	})
}

func (s *Session) setFunctionBreakpoints(_ *dap.Request, args godap.SetFunctionBreakpointsArguments) (setBreakpointsBody, error) {
	names := make([]string, len(args.Breakpoints))
	opts := make([]proc.Options, len(args.Breakpoints))
	for i, b := range args.Breakpoints {
		names[i] = b.Name
		opts[i] = proc.Options{Condition: b.Condition, HitCondition: b.HitCondition}
	}
	bps, err := s.dbg.SetFunctionBreakpoints(names, opts)
	if err != nil {
		return setBreakpointsBody{}, fail(errIDBreakpoints, err)
	}
	return breakpointsBody(bps, godap.Source{}), nil
}

type instructionBreakpointArgs struct {
	Breakpoints []struct {
		InstructionReference string `json:"instructionReference"`
		Offset               int64  `json:"offset"`
	} `json:"breakpoints"`
}

func (s *Session) setInstructionBreakpoints(_ *dap.Request, args instructionBreakpointArgs) (setBreakpointsBody, error) {
	addrs := make([]uint64, len(args.Breakpoints))
	for i, b := range args.Breakpoints {
		a, err := parseAddr(b.InstructionReference)
		if err != nil {
			return setBreakpointsBody{}, err
		}
		addrs[i] = a + uint64(b.Offset)
	}
	bps, err := s.dbg.SetInstructionBreakpoints(addrs)
	if err != nil {
		return setBreakpointsBody{}, fail(errIDBreakpoints, err)
	}
	return breakpointsBody(bps, godap.Source{}), nil
}

func (s *Session) breakpointLocations(_ *dap.Request, args godap.BreakpointLocationsArguments) (godap.BreakpointLocationsResponseBody, error) {
	body := godap.BreakpointLocationsResponseBody{Breakpoints: []godap.BreakpointLocation{}}
	if args.Source.Path == "" {
		return body, nil
	}
	if !lineInRange(args.Line) {
		return body, &Error{ID: errIDBreakpoints, Err: lineError(args.Line)}
	}
	lines, err := s.dbg.BreakpointLocations(args.Source.Path, args.Line, min(args.EndLine, maxLine))
	if err != nil {
		return body, fail(errIDBreakpoints, err)
	}
	for _, l := range lines {
		body.Breakpoints = append(body.Breakpoints, godap.BreakpointLocation{Line: l})
	}
	return body, nil
}

func breakpointsBody(bps []proc.Breakpoint, src godap.Source) setBreakpointsBody {
	body := setBreakpointsBody{Breakpoints: make([]breakpoint, 0, len(bps))}
	for _, bp := range bps {
		body.Breakpoints = append(body.Breakpoints, dapBreakpoint(bp, src))
	}
	return body
}

func (s *Session) setBreakpoints(_ *dap.Request, args godap.SetBreakpointsArguments) (setBreakpointsBody, error) {
	lines := make([]int, 0, len(args.Breakpoints))
	opts := make([]proc.Options, 0, len(args.Breakpoints))
	for _, b := range args.Breakpoints {
		lines = append(lines, b.Line)
		opts = append(opts, proc.Options{Condition: b.Condition, HitCondition: b.HitCondition, LogMessage: b.LogMessage})
	}
	if len(args.Breakpoints) == 0 {
		lines = append(lines, args.Lines...) // the deprecated form
	}
	body := setBreakpointsBody{Breakpoints: make([]breakpoint, 0, len(lines))}
	if args.Source.Path == "" && args.Source.SourceReference > 0 {
		return s.setListingBreakpoints(args.Source, lines, opts)
	}
	if args.Source.Path == "" {
		for _, l := range lines {
			body.Breakpoints = append(body.Breakpoints, breakpoint{Breakpoint: godap.Breakpoint{Line: l, Message: "breakpoints need a source file path"}, Reason: "failed"})
		}
		return body, nil
	}
	// Line 0 or -5 would resolve to the first line with code: lines out
	// of range never reach the debugger, nor go back to the client.
	var good []int
	var goodOpts []proc.Options
	for i, l := range lines {
		if lineInRange(l) {
			good = append(good, l)
			if i < len(opts) {
				goodOpts = append(goodOpts, opts[i])
			}
		}
	}
	bps, err := s.dbg.SetBreakpoints(args.Source.Path, good, goodOpts)
	if err != nil {
		return body, fail(errIDBreakpoints, err)
	}
	for _, l := range lines {
		if !lineInRange(l) {
			body.Breakpoints = append(body.Breakpoints, breakpoint{Breakpoint: godap.Breakpoint{Message: lineError(l).Error()}, Reason: "failed"})
			continue
		}
		body.Breakpoints = append(body.Breakpoints, dapBreakpoint(bps[0], args.Source))
		bps = bps[1:]
	}
	return body, nil
}

// dapBreakpoint describes bp as the client should show it: where it really
// is when it moved to the next line with code, and why not when unverified.
func dapBreakpoint(bp proc.Breakpoint, src godap.Source) breakpoint {
	out := breakpoint{Breakpoint: godap.Breakpoint{Id: bp.ID, Verified: bp.Verified, Message: bp.Message, Line: bp.Line}}
	if bp.Kind == "source" && !bp.Verified && src.Path == "" && bp.Source != "" {
		out.Source = &godap.Source{Name: filepath.Base(bp.Source), Path: bp.Source}
	}
	if bp.Verified {
		out.Line = bp.Actual
		s := src
		if bp.File != "" {
			s = godap.Source{Name: filepath.Base(bp.File), Path: bp.File}
		}
		if s.Path != "" {
			out.Source = &s
		}
		if len(bp.Addrs) > 0 {
			out.InstructionReference = hexAddr(bp.Addrs[0])
		}
	} else if bp.Pending {
		out.Reason = "pending"
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

// setExceptionBreakpoints chooses the C++ exception stops; crashing
// signals always stop the program.
func (s *Session) setExceptionBreakpoints(_ *dap.Request, args godap.SetExceptionBreakpointsArguments) (setBreakpointsBody, error) {
	bps, err := s.dbg.SetExceptionBreakpoints(args.Filters)
	if err != nil {
		return setBreakpointsBody{}, fail(errIDBreakpoints, err)
	}
	return breakpointsBody(bps, godap.Source{}), nil
}

// setListingBreakpoints sets breakpoints in the disassembly listing of a
// frame without source (the client shows it from a sourceReference): one
// instruction breakpoint per line, reported at that line of the listing.
func (s *Session) setListingBreakpoints(src godap.Source, lines []int, opts []proc.Options) (setBreakpointsBody, error) {
	s.mu.Lock()
	ok := src.SourceReference <= len(s.listings)
	var key uint64
	if ok {
		key = s.listings[src.SourceReference-1]
	}
	s.mu.Unlock()
	if !ok {
		return setBreakpointsBody{}, &Error{ID: errIDBreakpoints, Err: fmt.Errorf("no source is known by sourceReference %d", src.SourceReference)}
	}
	bps, err := s.dbg.SetListingBreakpoints(key, lines, opts)
	if err != nil {
		return setBreakpointsBody{}, fail(errIDBreakpoints, err)
	}
	body := breakpointsBody(bps, godap.Source{})
	for i := range body.Breakpoints {
		b := &body.Breakpoints[i]
		b.Source = &src
		if lineInRange(lines[i]) {
			b.Line = lines[i]
		}
	}
	return body, nil
}

// maxLine is the last line number taken from a client: DWARF numbers lines
// with 32 bits, and a larger one would go back out beyond what JSON
// numbers hold exactly.
const maxLine = 1<<31 - 1

func lineInRange(l int) bool { return l >= 1 && l <= maxLine }

// lineError says why line l is no line.
func lineError(l int) error {
	if l < 1 {
		return fmt.Errorf("line %d: lines are numbered from 1", l)
	}
	return fmt.Errorf("line %d: no source file has that many lines", l)
}
