// Package session gives a proc.Debugger DAP semantics: one file per
// request family, each handler typed and registered on a dap.Mux, which
// also collects the capabilities the handlers declare. Handlers run one at
// a time in arrival order; the debugger's events (stops, exits, output)
// come from its owner goroutine and go straight out through the dap.Conn.
package session
