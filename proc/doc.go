// Package proc is the debugger core: it joins the ptrace layer and the
// symbol tables into processes, threads, breakpoints, all-stop, stepping
// and stacks. Its subpackages hold what can be said or done without owning
// the process: unwind (the machine stack walk), stack (the frames a user
// sees, inlined calls included, and what reading a frame's variables
// needs), image (what the loaded objects say about an address), breakpoint
// (the table of int3 bytes), watch (data breakpoints: debug registers and
// software watchpoints, reached through a Host the owner implements),
// goroutine (a Go program's goroutines, which are its client threads) and
// output (the program's stdout and stderr). Values and expressions are
// package eval's, which reads a stopped process through View and Scope.
//
// # Concurrency
//
// A Debugger is owned by one goroutine, its owner loop, which New starts on
// the Tracer's locked OS thread: every ptrace request is a plain call from
// the owner, and nothing else touches the process, its threads, its
// breakpoints or its image. The waiter (package ptrace) runs elsewhere and
// only appends events to the owner's mailbox, so it never blocks.
//
// Exported methods may be called from any goroutine. Most send their work
// to the owner and wait for the answer. Continue, Step and StepInto only
// queue the resumption and return at once: their outcome (a stop, an exit)
// reaches the Listener later, always after the method returned, so a
// client's response goes out before the event it causes. CheckStopped
// answers from a snapshot the owner publishes after every change and never
// waits. InFrame runs a function on the owner with a stopped thread's
// frame; InView and InProgram with the process, stopped or running (memory
// is read with process_vm_readv, which needs no stop); what they lend
// (Scope, View) is valid only during that call.
//
// The owner keeps answering requests while the debuggee runs: Pause,
// Threads, SetBreakpoints, reads of memory and globals and the like are
// served between the waiter's events, with no visible stop. A request may
// block the owner only for bounded work: stopping the world waits at most
// collectTimeout for each thread.
//
// The Listener's methods run on the owner and must not block for long.
// The session's Listener writes to the client, so a client that stops
// reading holds the owner in that write once the socket's buffer is full:
// that is where backpressure from a slow client goes. The program's own
// output never waits for it: package output queues it (bounded) and
// delivers it from a goroutine of its own, except at a stop, when the
// owner flushes it first.
//
// In a Go program the client's thread ids are goroutine ids (see
// threadFor); forked children are handed over to the client as new
// sessions when it can start them (SessionConfig).
//
// # Stops
//
// The stop model is all-stop: when a stop is reported, every thread of the
// process is stopped; Continue resumes all of them. Internal stops (a
// breakpoint whose condition is false, a logpoint, stepping over a
// breakpoint, temporary stepping breakpoints) stop only the thread
// concerned and resume it at once.
package proc
