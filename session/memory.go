package session

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/target"
	godap "github.com/google/go-dap"
)

func (s *Session) registerMemory() {
	dap.Handle(s.mux, "readMemory", s.readMemory, func(c *godap.Capabilities) {
		c.SupportsReadMemoryRequest = true
	})
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
// response carries at most target.MaxRead bytes: a client that asks for
// more gets the first MaxRead and asks again from there.
func (s *Session) readMemory(_ *dap.Request, args readMemoryArgs) (godap.ReadMemoryResponseBody, error) {
	base, err := parseAddr(args.MemoryReference)
	if err != nil {
		return godap.ReadMemoryResponseBody{}, err
	}
	if args.Count < 0 {
		return godap.ReadMemoryResponseBody{}, &Error{ID: errIDMemory, Err: fmt.Errorf("count must not be negative")}
	}
	addr := base + uint64(args.Offset)
	count := min(args.Count, target.MaxRead)
	data, err := s.dbg.ReadMemory(addr, int(count))
	if err != nil {
		return godap.ReadMemoryResponseBody{}, fail(errIDMemory, err)
	}
	body := godap.ReadMemoryResponseBody{Address: hexAddr(addr), UnreadableBytes: int(count) - len(data)}
	if len(data) > 0 {
		body.Data = base64.StdEncoding.EncodeToString(data)
	}
	return body, nil
}
