package session

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerDataBreakpoints() {
	dap.Handle(s.mux, "dataBreakpointInfo", s.dataBreakpointInfo, func(c *godap.Capabilities) {
		c.SupportsDataBreakpoints = true
	})
	dap.Handle(s.mux, "setDataBreakpoints", s.setDataBreakpoints)
}

// dataBreakpointInfo says whether a variable (a child of variablesReference,
// or an expression in frameId's frame) can be watched, and gives its
// dataId: its address and size, which is what the CPU watches.
func (s *Session) dataBreakpointInfo(_ *dap.Request, args godap.DataBreakpointInfoArguments) (godap.DataBreakpointInfoResponseBody, error) {
	var frame frameRef
	expr := args.Name
	if args.VariablesReference != 0 {
		node, err := s.node(args.VariablesReference)
		if err != nil {
			return godap.DataBreakpointInfoResponseBody{}, err
		}
		if node.kind == "registers" || node.kind == "vector" {
			return cannotWatch("registers cannot be watched, only memory"), nil
		}
		frame, expr = node.frame, childPath(node, args.Name)
	} else {
		f, err := s.scopeRef(args.FrameId)
		if err != nil {
			return godap.DataBreakpointInfoResponseBody{}, err
		}
		frame = f
	}
	addr, size, typ, err := s.dataLocation(frame, expr)
	if err != nil {
		return cannotWatch(err.Error()), nil
	}
	return godap.DataBreakpointInfoResponseBody{
		DataId:      s.dataID(dataLoc{addr: addr, size: size, format: valueFormat(typ), label: expr, tid: frame.tid}),
		Description: fmt.Sprintf("%s (%s, %d bytes at %#x): %s", args.Name, typ, size, addr, s.dbg.WatchMethod()),
		AccessTypes: []godap.DataBreakpointAccessType{proc.AccessWrite, proc.AccessReadWrite},
	}, nil
}

// valueFormat is how a watched value of C type typ reads in the stop's
// description: i signed, u unsigned, f floating point, p address.
func valueFormat(typ string) byte {
	switch {
	case strings.Contains(typ, "*"):
		return 'p'
	case strings.Contains(typ, "float"), strings.Contains(typ, "double"):
		return 'f'
	case strings.Contains(typ, "unsigned"), strings.HasPrefix(typ, "uint"), strings.HasPrefix(typ, "size_t"),
		strings.HasPrefix(typ, "u8"), strings.HasPrefix(typ, "u16"), strings.HasPrefix(typ, "u32"), strings.HasPrefix(typ, "u64"),
		typ == "_Bool", typ == "bool", typ == "uintptr":
		return 'u'
	}
	return 'i'
}

// cannotWatch is the answer for something that cannot be watched: no
// dataId, and why.
func cannotWatch(why string) godap.DataBreakpointInfoResponseBody {
	return godap.DataBreakpointInfoResponseBody{DataId: nil, Description: why}
}

func (s *Session) setDataBreakpoints(_ *dap.Request, args godap.SetDataBreakpointsArguments) (setBreakpointsBody, error) {
	specs := make([]proc.DataSpec, len(args.Breakpoints))
	bad := make([]string, len(args.Breakpoints))
	for i, b := range args.Breakpoints {
		loc, err := s.dataLoc(b.DataId)
		if err != nil {
			bad[i] = err.Error()
			continue
		}
		specs[i] = proc.DataSpec{Addr: loc.addr, Size: loc.size, Access: string(b.AccessType),
			Opts: proc.Options{Condition: b.Condition, HitCondition: b.HitCondition}, Label: loc.label, Format: loc.format, Tid: loc.tid}
	}
	bps, err := s.dbg.SetDataBreakpoints(specs)
	if err != nil {
		return setBreakpointsBody{}, fail(errIDBreakpoints, err)
	}
	body := breakpointsBody(bps, godap.Source{})
	for i, why := range bad {
		if why != "" {
			body.Breakpoints[i].Verified, body.Breakpoints[i].Message = false, why
		}
	}
	return body, nil
}

// dataLoc is a place dataBreakpointInfo found watchable.
type dataLoc struct {
	addr   uint64
	size   int
	format byte   // how its type reads (see valueFormat)
	label  string // the expression, for the stop's description
	tid    int    // the thread of the frame it was found in: a local ends with it
}

// dataID returns the dataId of loc, the same one each time it is asked
// for: VS Code keeps a data breakpoint by its dataId across stops.
func (s *Session) dataID(loc dataLoc) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.dataIDFor[loc]; ok {
		return id
	}
	if s.dataIDs == nil {
		s.dataIDs, s.dataIDFor = map[string]dataLoc{}, map[dataLoc]string{}
	}
	// The place is in the id for the trace's reader; only the table
	// decides what it means.
	id := fmt.Sprintf("%d:%#x/%d", len(s.dataIDs)+1, loc.addr, loc.size)
	s.dataIDs[id], s.dataIDFor[loc] = loc, id
	return id
}

// dataLoc looks a dataId up; an id dataBreakpointInfo never gave is an
// error, even one that looks like an address.
func (s *Session) dataLoc(id string) (dataLoc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	loc, ok := s.dataIDs[id]
	if !ok {
		return dataLoc{}, fmt.Errorf("%q is not a data breakpoint id from dataBreakpointInfo", id)
	}
	return loc, nil
}

// watchMode reads the launch's softwareWatchpoints: true or "page", "step",
// absent or false for the debug registers where they work.
func watchMode(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "" // not set
	}
	var on bool
	if json.Unmarshal(raw, &on) == nil {
		if on {
			return "page"
		}
		return ""
	}
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		return mode
	}
	return "?"
}
