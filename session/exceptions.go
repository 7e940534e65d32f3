package session

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/dap"
	godap "github.com/google/go-dap"
)

func (s *Session) registerExceptions() {
	dap.Handle(s.mux, "exceptionInfo", s.exceptionInfo, func(c *godap.Capabilities) {
		c.SupportsExceptionInfoRequest = true
	})
}

type exceptionInfoArgs struct {
	ThreadId int `json:"threadId"`
}

// exceptionInfo tells what the signal that stopped the program was (VS
// Code shows it in a box at the stopped line): its name as the id, why it
// came and where as the description.
func (s *Session) exceptionInfo(_ *dap.Request, args exceptionInfoArgs) (godap.ExceptionInfoResponseBody, error) {
	s.mu.Lock()
	st := s.exception
	s.mu.Unlock()
	if st == nil || st.Tid != args.ThreadId {
		return godap.ExceptionInfoResponseBody{}, &Error{ID: errIDThread, Err: fmt.Errorf("thread %d is not stopped by a signal", args.ThreadId)}
	}
	desc := st.Description
	if st.Detail != "" {
		// A Go panic's value, a fatal error's message: read now, in the
		// runtime function's frame, where they are its argument.
		if v, err := s.evaluateIn(frameRef{tid: st.Tid}, st.Detail); err == nil {
			desc = st.Text + ": " + v.Value
		}
	}
	return godap.ExceptionInfoResponseBody{
		ExceptionId: st.Text,
		Description: desc,
		BreakMode:   "always",
		Details:     &godap.ExceptionDetails{Message: desc, TypeName: st.Text},
	}, nil
}
