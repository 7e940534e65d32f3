// Package dap is the Debug Adapter Protocol transport: it frames messages,
// numbers them, and routes requests to typed handlers. It knows nothing about
// debugging, so the session layer registers its handlers on a [Mux] and this
// package never imports it.
//
// One [Conn] has exactly one reader (the goroutine that calls [Conn.Serve])
// and one writer at a time, with no goroutine of its own: a goroutine that
// queues a message while nobody is writing becomes the writer and writes
// the queue out, what others queue meanwhile included. The writer assigns
// seq as it writes, which is the only way to keep seq strictly increasing
// when responses and events are produced by different goroutines; adapters
// that take seq before queueing write out of order under load.
//
// Backpressure: a client that stops reading blocks the writer once the
// socket's or pipe's buffer is full, and with it whichever goroutine became
// the writer (the read loop answering a request, or the debugger's owner
// sending an event); others queue behind it and return at once.
//
// Requests are dispatched one at a time in arrival order. A handler that
// resumes the debuggee does so from [Request.AfterResponse], so its response
// is always queued before any stopped, exited or terminated event that the
// resumption can cause.
package dap
