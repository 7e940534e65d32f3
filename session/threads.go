package session

import (
	"fmt"
	"path/filepath"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerThreads() {
	dap.Handle(s.mux, "threads", s.threads)
	dap.Handle(s.mux, "stackTrace", s.stackTrace, func(c *godap.Capabilities) {
		c.SupportsDelayedStackTraceLoading = true
	})
}

// threads answers an empty list before there is a process: editors ask
// early.
func (s *Session) threads(_ *dap.Request, _ struct{}) (godap.ThreadsResponseBody, error) {
	ts, err := s.dbg.Threads()
	if err != nil {
		return godap.ThreadsResponseBody{}, fail(errIDState, err)
	}
	body := godap.ThreadsResponseBody{Threads: make([]godap.Thread, 0, len(ts))}
	for _, t := range ts {
		body.Threads = append(body.Threads, godap.Thread{Id: t.ID, Name: t.Name})
	}
	return body, nil
}

// maxLevels bounds startFrame and levels: deeper than any stack the
// unwinder walks.
const maxLevels = 1 << 20

type stackTraceArgs struct {
	ThreadId   int `json:"threadId"`
	StartFrame int `json:"startFrame"`
	Levels     int `json:"levels"`
}

func (s *Session) stackTrace(_ *dap.Request, args stackTraceArgs) (godap.StackTraceResponseBody, error) {
	if args.StartFrame < 0 || args.Levels < 0 {
		return godap.StackTraceResponseBody{}, &Error{ID: errIDFrame, Err: fmt.Errorf("startFrame and levels must not be negative")}
	}
	// levels 0 is the whole stack; past maxLevels it is as good as whole,
	// and startFrame+levels cannot overflow.
	args.StartFrame, args.Levels = min(args.StartFrame, maxLevels), min(args.Levels, maxLevels)
	frames, total, err := s.dbg.Stack(args.ThreadId, args.StartFrame, args.Levels)
	if err != nil {
		return godap.StackTraceResponseBody{}, fail(errIDFrame, err)
	}
	body := godap.StackTraceResponseBody{StackFrames: make([]godap.StackFrame, 0, len(frames)), TotalFrames: total}
	for i, f := range frames {
		sf := stackFrame(0, f)
		if f.File == "" && f.Listing != 0 {
			s.listingSource(&sf, f)
		}
		s.mu.Lock()
		sf.Id = s.frames.add(frameRef{tid: args.ThreadId, level: args.StartFrame + i})
		s.mu.Unlock()
		body.StackFrames = append(body.StackFrames, sf)
	}
	return body, nil
}

// listingSource gives a frame without source the disassembly of its
// function as a source, with the frame's line in it.
func (s *Session) listingSource(sf *godap.StackFrame, f proc.Frame) {
	key, name, line := f.Listing, f.ListingName, f.ListingLine
	s.mu.Lock()
	ref, ok := s.listingRef[key]
	if !ok {
		s.listings = append(s.listings, key)
		ref = len(s.listings)
		if s.listingRef == nil {
			s.listingRef = map[uint64]int{}
		}
		s.listingRef[key] = ref
	}
	s.mu.Unlock()
	sf.Source = &godap.Source{Name: name, SourceReference: ref, PresentationHint: "deemphasize", Origin: "disassembly"}
	sf.Line, sf.Column = line, 1
}

// stackFrame presents a frame: with its source when it has one, else as
// module and address, de-emphasised.
func stackFrame(id int, f proc.Frame) godap.StackFrame {
	sf := godap.StackFrame{Id: id, InstructionPointerReference: hexAddr(f.PC)}
	switch {
	case f.Func != "" && f.Offset != 0:
		sf.Name = fmt.Sprintf("%s + %d", f.Func, f.Offset)
	case f.Func != "":
		sf.Name = f.Func
	case f.Module != "":
		sf.Name = fmt.Sprintf("%s + %#x", f.Module, f.Offset)
	default:
		sf.Name = hexAddr(f.PC)
	}
	if f.Module != "" && f.File == "" && f.Func != "" {
		sf.Name = f.Module + "`" + sf.Name
	}
	if f.File != "" {
		sf.Source = &godap.Source{Name: filepath.Base(f.File), Path: f.File}
		sf.Line, sf.Column = f.Line, max(f.Column, 1)
	} else {
		sf.PresentationHint = "subtle"
	}
	return sf
}

func hexAddr(a uint64) string { return fmt.Sprintf("0x%x", a) }
