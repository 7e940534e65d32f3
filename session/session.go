package session

import (
	"fmt"
	"sync"
	"time"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

// Session is one DAP client's debug session.
type Session struct {
	conn *dap.Conn
	mux  *dap.Mux
	dbg  *proc.Debugger

	// client is what the client said of itself in initialize.
	client godap.InitializeRequestArguments

	// Set by launch/attach, read by configurationDone (same goroutine).
	started     bool
	attached    bool
	stopOnEntry bool
	configured  bool

	mu     sync.Mutex // guards frames: stops arrive on the debugger's goroutine
	frames handles[frameRef]
	// listings number the disassembly listings handed out as sources of
	// frames without source: refs stay valid for the whole session, so an
	// editor's open listing survives a resume.
	listings   []uint64 // sourceReference-1 → the debugger's listing key
	listingRef map[uint64]int
	// progress numbers progress reports; only the debugger's goroutine
	// sends them.
	progress int
	// exception is the last stop when it was a signal, for exceptionInfo.
	exception *proc.Stop
	vars      handles[varNode]
	// stepTargets and jumps are the stepInTargets and gotoTargets handed
	// out since the last stop: a targetId is looked up here and never taken
	// for an address, so an id the adapter did not give cannot send the pc
	// into the middle of an instruction.
	stepTargets handles[stepTarget]
	jumps       handles[uint64]
	// dataIDs are the dataBreakpointInfo answers, for the whole session
	// (data breakpoints outlive stops): dataId → what it watches.
	dataIDs   map[string]dataLoc
	dataIDFor map[dataLoc]string

	// memBuf is reused by readMemory (requests run one at a time).
	memBuf []byte

	// child is how child sessions are configured; serverPort is the
	// --listen server's port, 0 on stdio.
	child      childArgs
	serverPort int

	endOnce sync.Once
	done    chan struct{} // closed when the client disconnected
}

// frameRef is what a DAP frame id stands for.
type frameRef struct {
	tid, level int
	// program: no frame, the program's own scope (its globals), as an
	// evaluate without frameId asks for, served while the program runs.
	program bool
}

// New returns a session speaking over conn with a debugger of its own.
func New(conn *dap.Conn) *Session {
	s := &Session{conn: conn, mux: dap.NewMux(), done: make(chan struct{})}
	s.dbg = proc.New(listener{s}, compileExpr)
	s.registerLifecycle()
	s.registerLaunch()
	s.registerBreakpoints()
	s.registerThreads()
	s.registerExecution()
	s.registerExceptions()
	s.registerDataBreakpoints()
	s.registerCompletions()
	s.registerMemory()
	s.registerDisassemble()
	s.registerModules()
	s.registerVariables()
	s.registerSources()
	return s
}

// Mux is the request router to serve the connection with.
func (s *Session) Mux() *dap.Mux { return s.mux }

// Done is closed once the client has disconnected.
func (s *Session) Done() <-chan struct{} { return s.done }

// Close ends the session: a launched debuggee is killed, an attached one
// detached and left running.
func (s *Session) Close() { s.dbg.Close() }

// listener turns debugger events into DAP events.
type listener struct{ s *Session }

func (l listener) Stopped(st proc.Stop) {
	l.s.resetFrames()
	l.s.mu.Lock()
	if st.Reason == "exception" {
		l.s.exception = &st
	}
	l.s.mu.Unlock()
	l.s.conn.SendEvent("stopped", godap.StoppedEventBody{
		Reason:            st.Reason,
		ThreadId:          st.Tid,
		Description:       st.Description,
		Text:              st.Text,
		AllThreadsStopped: len(st.Running) == 0,
		HitBreakpointIds:  st.BreakpointIDs,
	})
}

func (l listener) Threads(changes []proc.ThreadChange) {
	bodies := make([]any, len(changes))
	for i, c := range changes {
		reason := "exited"
		if c.Started {
			reason = "started"
		}
		bodies[i] = godap.ThreadEventBody{Reason: reason, ThreadId: c.Tid}
	}
	l.s.conn.SendEvents("thread", bodies)
}

func (l listener) Output(category, text string) {
	l.s.conn.SendEvent("output", godap.OutputEventBody{Category: category, Output: text})
}

func (l listener) Module(reason string, m proc.Module) {
	l.s.conn.SendEvent("module", godap.ModuleEventBody{Reason: reason, Module: dapModule(m)})
}

func (l listener) BreakpointChanged(bp proc.Breakpoint) {
	l.s.conn.SendEvent("breakpoint", breakpointEvent{Reason: "changed", Breakpoint: dapBreakpoint(bp, godap.Source{})})
}

// breakpointEvent is DAP's BreakpointEvent body with our breakpoint type.
type breakpointEvent struct {
	Reason     string     `json:"reason"`
	Breakpoint breakpoint `json:"breakpoint"`
}

// Progress shows the debugger's slow moments to clients that can show
// them (progressStart/progressEnd); one runs at a time.
func (l listener) Progress(title string) {
	if !l.s.client.SupportsProgressReporting {
		return
	}
	id := fmt.Sprintf("debuginfo-%d", l.s.progress)
	if title == "" {
		l.s.conn.SendEvent("progressEnd", godap.ProgressEndEventBody{ProgressId: id})
		return
	}
	l.s.progress++
	id = fmt.Sprintf("debuginfo-%d", l.s.progress)
	l.s.conn.SendEvent("progressStart", godap.ProgressStartEventBody{ProgressId: id, Title: title})
}

func (l listener) Exited(code int, signal string) {
	if signal != "" {
		l.s.conn.SendEvent("output", godap.OutputEventBody{Category: "console", Output: "Process terminated by signal " + signal + "\n"})
	}
	l.s.conn.SendEvent("exited", godap.ExitedEventBody{ExitCode: code})
	l.s.terminated()
}

// terminated tells the client, once, that debugging has ended.
func (s *Session) terminated() {
	s.endOnce.Do(func() { s.conn.SendEvent("terminated", nil) })
}

func (s *Session) resetFrames() {
	s.mu.Lock()
	s.frames.reset()
	s.vars.reset()
	s.stepTargets.reset()
	s.jumps.reset()
	s.exception = nil
	s.mu.Unlock()
}

// FlushCaches waits, at most timeout, for the debug-information index
// caches still being written in the background: an adapter about to exit
// calls it so that the next session finds them whole.
func FlushCaches(timeout time.Duration) { proc.FlushCaches(timeout) }
