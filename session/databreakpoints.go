package session

import (
	"encoding/json"
	"fmt"
	"strconv"
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
		f, err := s.frame(args.FrameId)
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
		DataId:      fmt.Sprintf("%#x/%d/%c/%s", addr, size, valueFormat(typ), expr),
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
		addr, size, format, label, err := parseDataID(b.DataId)
		if err != nil {
			bad[i] = err.Error()
			continue
		}
		specs[i] = proc.DataSpec{Addr: addr, Size: size, Access: string(b.AccessType),
			Opts: proc.Options{Condition: b.Condition, HitCondition: b.HitCondition}, Label: label, Format: format}
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

// parseDataID reads a dataId made by dataBreakpointInfo:
// "0xADDR/SIZE/FORMAT/EXPRESSION" ("0xADDR/SIZE" alone is accepted too).
func parseDataID(id string) (addr uint64, size int, format byte, label string, err error) {
	parts := strings.SplitN(id, "/", 4)
	ok := len(parts) == 2 || len(parts) == 4 && len(parts[2]) == 1
	if ok {
		addr, err = strconv.ParseUint(strings.TrimPrefix(parts[0], "0x"), 16, 64)
	}
	if ok && err == nil {
		size, err = strconv.Atoi(parts[1])
	}
	if !ok || err != nil {
		return 0, 0, 0, "", fmt.Errorf("%q is not a data breakpoint id from dataBreakpointInfo", id)
	}
	if len(parts) == 4 {
		format, label = parts[2][0], parts[3]
	}
	return addr, size, format, label, nil
}

// watchMode reads the launch's softwareWatchpoints: true or "page", "step",
// absent or false for the debug registers where they work.
func watchMode(raw json.RawMessage) string {
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
