package session

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

func (s *Session) registerMemory() {
	dap.Handle(s.mux, "readMemory", s.readMemory, func(c *godap.Capabilities) {
		c.SupportsReadMemoryRequest = true
	})
	dap.Handle(s.mux, "writeMemory", s.writeMemory, func(c *godap.Capabilities) {
		c.SupportsWriteMemoryRequest = true
	})
}

type writeMemoryArgs struct {
	MemoryReference string `json:"memoryReference"`
	Offset          int64  `json:"offset"`
	AllowPartial    bool   `json:"allowPartial"`
	Data            string `json:"data"`
}

// writeMemory writes base64 data; afterwards the client is told that memory
// and variables changed, so its views refresh.
func (s *Session) writeMemory(req *dap.Request, args writeMemoryArgs) (godap.WriteMemoryResponseBody, error) {
	base, err := parseAddr(args.MemoryReference)
	if err != nil {
		return godap.WriteMemoryResponseBody{}, err
	}
	data, err := base64.StdEncoding.DecodeString(args.Data)
	if err != nil {
		return godap.WriteMemoryResponseBody{}, &Error{ID: errIDMemory, Err: fmt.Errorf("data is not base64: %v", err)}
	}
	addr := base + uint64(args.Offset)
	n, err := s.dbg.WriteMemory(addr, data)
	if err != nil && (n == 0 || !args.AllowPartial) {
		return godap.WriteMemoryResponseBody{}, fail(errIDMemory, err)
	}
	req.AfterResponse(func() {
		if s.client.SupportsMemoryEvent {
			s.conn.SendEvent("memory", godap.MemoryEventBody{MemoryReference: hexAddr(addr), Offset: 0, Count: n})
		}
		if s.client.SupportsInvalidatedEvent {
			s.conn.SendEvent("invalidated", godap.InvalidatedEventBody{Areas: []godap.InvalidatedAreas{"variables"}})
		}
	})
	return godap.WriteMemoryResponseBody{BytesWritten: n}, nil
}

// parseAddr reads a memoryReference: an address as 0x-prefixed hex (what we
// hand out) or decimal.
func parseAddr(ref string) (uint64, error) {
	r := strings.TrimSpace(ref)
	var v uint64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(r), "0x"); ok {
		v, err = strconv.ParseUint(h, 16, 64)
	} else {
		v, err = strconv.ParseUint(r, 10, 64)
	}
	if err != nil || r == "" {
		return 0, &Error{ID: errIDMemory, Err: fmt.Errorf("invalid memory reference %q: expected an address such as 0x401000", ref)}
	}
	return v, nil
}

type readMemoryArgs struct {
	MemoryReference string `json:"memoryReference"`
	Offset          int64  `json:"offset"`
	Count           int64  `json:"count"`
}

// readMemory returns what is readable from the start of the range; bytes
// past the first unreadable address are counted in unreadableBytes. One
// response carries at most proc.MaxRead bytes: a client that asks for
// more gets the first MaxRead and asks again from there.
func (s *Session) readMemory(_ *dap.Request, args readMemoryArgs) (dap.RawJSON, error) {
	base, err := parseAddr(args.MemoryReference)
	if err != nil {
		return nil, err
	}
	if args.Count < 0 {
		return nil, &Error{ID: errIDMemory, Err: fmt.Errorf("count must not be negative")}
	}
	addr := base + uint64(args.Offset)
	count := int(min(args.Count, proc.MaxRead))
	if cap(s.memBuf) < count {
		s.memBuf = make([]byte, count)
	}
	n, err := s.dbg.ReadMemory(addr, s.memBuf[:count])
	if err != nil {
		return nil, fail(errIDMemory, err)
	}
	return readMemoryBody(addr, s.memBuf[:n], count-n), nil
}

// readMemoryBody encodes a ReadMemoryResponse body by hand, base64 straight
// into the output: nothing in it needs JSON escaping, and encoding/json
// would scan the megabytes of data twice more.
func readMemoryBody(addr uint64, data []byte, unreadable int) dap.RawJSON {
	out := make([]byte, 0, 64+base64.StdEncoding.EncodedLen(len(data)))
	out = fmt.Appendf(out, `{"address":"0x%x"`, addr)
	if unreadable > 0 {
		out = fmt.Appendf(out, `,"unreadableBytes":%d`, unreadable)
	}
	if len(data) > 0 {
		out = append(out, `,"data":"`...)
		out = appendBase64(out, data)
		out = append(out, '"')
	}
	return append(out, '}')
}
