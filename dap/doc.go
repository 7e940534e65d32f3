// Package dap is the Debug Adapter Protocol transport: it frames messages,
// numbers them, and routes requests to typed handlers. It knows nothing about
// debugging, so the session layer registers its handlers on a [Mux] and this
// package never imports it.
//
// One [Conn] has exactly one reader (the goroutine that calls [Conn.Serve])
// and one writer goroutine. The writer assigns seq as it writes, which is
// the only way to keep seq strictly increasing when responses and events are
// produced by different goroutines; adapters that take seq before queueing
// write out of order under load.
//
// Requests are dispatched one at a time in arrival order. A handler that
// resumes the debuggee does so from [Request.AfterResponse], so its response
// is always queued before any stopped, exited or terminated event that the
// resumption can cause.
package dap
