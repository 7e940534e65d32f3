package dap

import "fmt"

// DAP error ids of the transport, sent in ErrorResponse.body.error.id:
// 1000 to 1099. The session's errors have their own table from 2000
// (session/errors.go, whose test keeps it out of this range); within each
// table ids are unique (TestErrorIDsUnique). The values are written out
// rather than derived from iota because they are part of the wire protocol
// and must not shift when an id is inserted.
const (
	// ErrIDInternal is used for handler errors that carry no id of their
	// own, for panics in handlers, and for bodies that cannot be marshalled.
	ErrIDInternal = 1000
	// ErrIDUnknownCommand answers a request for which no handler is registered.
	ErrIDUnknownCommand = 1001
	// ErrIDBadArguments answers a request whose arguments do not decode into
	// the handler's argument type.
	ErrIDBadArguments = 1002
	// ErrIDBadMessage answers a well-framed message that is not a valid DAP
	// request.
	ErrIDBadMessage = 1003
)

// errorID is implemented by errors that choose their own DAP error id.
type errorID interface{ DAPErrorID() int }

// quietError is implemented by errors the client should not put in front
// of the user (ErrorMessage.showUser false): VS Code pops up every failed
// request's error that has showUser set, including those of requests its
// views send on their own.
type quietError interface{ DAPQuiet() bool }

// argumentsError reports arguments that do not decode into the handler's
// argument type.
type argumentsError struct {
	command string
	err     error
}

func (e *argumentsError) Error() string {
	return fmt.Sprintf("invalid arguments for %q: %v", e.command, e.err)
}
func (e *argumentsError) Unwrap() error   { return e.err }
func (e *argumentsError) DAPErrorID() int { return ErrIDBadArguments }

// idError gives a fixed id to an error built inside this package.
type idError struct {
	id  int
	msg string
}

func (e *idError) Error() string   { return e.msg }
func (e *idError) DAPErrorID() int { return e.id }
