// Package proc is the debugger core: it joins the ptrace layer and the
// symbol tables into processes, threads, breakpoints, stepping and stacks.
//
// Concurrency contract: a Debugger is owned by one goroutine (its owner
// loop). Every exported method sends its work to that goroutine and waits
// for the answer, so callers may use a Debugger from any goroutine, and the
// owner also handles the waiter's events while the debuggee runs, so a
// request such as Pause or Threads is answered at any time. Events for the
// client (a stop, an exit, a new thread, program output) go to the Listener,
// which is called on the owner goroutine and must not block.
//
// The stop model is all-stop: when a stop is reported, every thread of the
// process is stopped; Continue resumes all of them. Internal stops (stepping
// over a breakpoint, temporary stepping breakpoints) stop only the thread
// concerned where that is safe.
package proc
