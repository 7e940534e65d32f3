// Package ptrace is the only code in dap-ptrace that issues ptrace(2)
// requests. The kernel accepts ptrace requests for a tracee only from the
// thread that attached to it, so a Tracer runs every request on one
// goroutine locked to one OS thread and callers reach it through typed
// methods. Waiting is separate: one process-wide waiter blocks in
// wait4(-1, __WALL) on a thread of its own and routes each status, decoded
// into an Event, to the sink registered for the process, so a running
// tracee never blocks the tracer thread and can be stopped at any time.
// The usual sink is a Mailbox: an owner's queue that the waiter appends to
// without ever waiting.
// Reap is the one other place that collects a status: an owner polling its
// own thread by id (see Reap for why that is safe).
//
// Memory moves through process_vm_readv/writev, which need no stop and no
// tracer thread; writes into read-only mappings (breakpoints in .text) fall
// back to /proc/PID/mem, which honours the tracer's access.
package ptrace
