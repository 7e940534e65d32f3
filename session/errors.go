package session

import (
	"errors"

	"github.com/dap-ptrace/dap-ptrace/proc"
)

// DAP error ids of the session's errors, from 2000: unique, and clear of
// the transport's 1000-1099 (dap/errors.go), as the test checks.
const (
	errIDLaunch      = 2001
	errIDAttach      = 2002
	errIDNoProcess   = 2003
	errIDRunning     = 2004
	errIDThread      = 2005
	errIDMemory      = 2006
	errIDFrame       = 2007
	errIDState       = 2008
	errIDBreakpoints = 2009
	errIDExecution   = 2010
	errIDEvaluate    = 2011
)

// Error is a failed request with its DAP error id.
type Error struct {
	ID  int
	Err error
	// Quiet asks the client not to show it to the user (showUser false).
	Quiet bool
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// DAPErrorID is the id the dap layer puts in the error response.
func (e *Error) DAPErrorID() int { return e.ID }

// DAPQuiet says whether the client should keep it from the user.
func (e *Error) DAPQuiet() bool { return e.Quiet }

// fail gives err a DAP id: a specific one for the debugger's well-known
// errors, else id.
func fail(id int, err error) error {
	if err == nil {
		return nil
	}
	var te *proc.ThreadError
	switch {
	case errors.Is(err, proc.ErrNoProcess):
		id = errIDNoProcess
	case errors.Is(err, proc.ErrRunning):
		id = errIDRunning
	case errors.As(err, &te):
		id = errIDThread
	}
	return &Error{ID: id, Err: err}
}
