package proc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
	"golang.org/x/sys/unix"
)

// LaunchConfig is what to run.
type LaunchConfig struct {
	Program string
	Args    []string // without argv[0]
	Cwd     string
	Env     []string // full environment, "K=V"
	// StopOnEntry stops at the first line of main (reason "entry") instead
	// of running on at the first Continue.
	StopOnEntry bool
}

// thread is the owner's record of one traced thread.
type thread struct {
	tid     int
	stopped bool
	stopReq bool           // a SIGSTOP or PTRACE_INTERRUPT of ours is still to arrive
	fresh   bool           // announced by a clone event, first stop not seen yet
	exiting bool           // in or past PTRACE_EVENT_EXIT
	sig     syscall.Signal // to deliver when resumed
	rehit   bool           // rewound onto a breakpoint it must execute again
	pending *Stop          // a reportable stop of its own, seen while stopping the world
	// pendingAt is the breakpoint address of a pending breakpoint stop.
	pendingAt uint64
	// watchBits are the debug registers (data breakpoints) that fired in
	// this thread and are not reported yet.
	watchBits uint64
	// hide is how many inlined calls starting at the pc this stop shows
	// as not entered yet (see hiddenFrames); 0 while running.
	hide int
}

// process is one traced process: its threads, memory, modules, breakpoints.
type process struct {
	pid       int
	launched  bool // killed on disconnect by default; attached ones are detached
	seized    bool // attached with PTRACE_SEIZE: stop threads with PTRACE_INTERRUPT
	mem       *ptrace.Mem
	threads   map[int]*thread
	exe       *module
	mods      map[string]*module // by path, loaded on demand for frames
	lastMod   *module            // moduleAt's last answer: stacks stay in a few modules
	bps       *breakpoints
	running   bool
	current   int // thread of the last reported stop
	entry     bool
	stacks    map[int]*walked     // per thread, valid until the next resume
	listings  map[uint64]*listing // disassembly of code without source, by start
	watches   [maxWatch]*watch    // data breakpoints, by debug register
	watched   bool                // debug registers were ever set
	soft      *softWatches        // software data breakpoints (swwatch.go)
	goKnown   bool                // goProgram has been decided
	goProgram bool                // the executable is a Go program
	output    sync.WaitGroup      // the readers of the debuggee's stdout/stderr
	outMu     sync.Mutex          // held while output leaves a pipe
	pipes     []*pipe
	step      *stepper
	sources   map[string]bool // source files found on this machine, or not
	solib     *solib
	prologues map[uint64]unwind.Prologue
}

// module is one ELF object mapped into the process.
type module struct {
	path       string
	name       string
	start, end uint64 // mapped address range
	bias       uint64 // runtime address minus link-time address
	sym        *symbols.File
	announced  bool                             // a module event was sent for it
	frames     map[uint64]*unwind.Row           // CFI rules by link-time pc
	inlined    map[uint64][]symbols.InlinedCall // by link-time pc, likewise
	locals     map[localsKey]localsEntry        // a frame's variables, likewise
}

func (p *process) addThread(tid int) *thread {
	th := &thread{tid: tid}
	p.threads[tid] = th
	return th
}

// Launch starts cfg.Program stopped at its first instruction. The process
// runs on the first Continue (or stops at main with StopOnEntry).
func (d *Debugger) Launch(cfg LaunchConfig) (pid int, err error) {
	err = d.do(func() error {
		if d.p != nil {
			return errors.New("a process is already being debugged")
		}
		pid, err = d.launch(cfg)
		return err
	})
	return pid, err
}

func (d *Debugger) launch(cfg LaunchConfig) (int, error) {
	path, err := checkProgram(cfg.Program, cfg.Cwd)
	if err != nil {
		return 0, err
	}
	exe, err := symbols.Open(path)
	if err != nil {
		return 0, fmt.Errorf("cannot debug %s: %w", cfg.Program, err)
	}
	if cfg.Cwd != "" {
		if st, err := os.Stat(cfg.Cwd); err != nil || !st.IsDir() {
			exe.Close()
			return 0, fmt.Errorf("working directory %q does not exist or is not a directory", cfg.Cwd)
		}
	}
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		exe.Close()
		return 0, err
	}
	defer stdin.Close()
	outR, outW, err := outputPipe("stdout")
	if err != nil {
		exe.Close()
		return 0, err
	}
	errR, errW, err := outputPipe("stderr")
	if err != nil {
		exe.Close()
		outR.close()
		outW.Close()
		return 0, err
	}
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	pid, err := d.tr.Launch(ptrace.LaunchConfig{
		Path:  path,
		Args:  append([]string{cfg.Program}, cfg.Args...),
		Dir:   cfg.Cwd,
		Env:   env,
		Files: [3]*os.File{stdin, outW, errW},
	})
	outW.Close()
	errW.Close()
	if err != nil {
		exe.Close()
		outR.close()
		errR.close()
		return 0, fmt.Errorf("cannot start %s: %w", cfg.Program, err)
	}
	p := &process{pid: pid, launched: true, threads: map[int]*thread{}, mods: map[string]*module{}, bps: newBreakpoints()}
	p.mem = ptrace.NewMem(pid)
	d.p = p
	p.pipes = []*pipe{outR, errR}
	p.output.Add(2)
	go d.pump(p, outR)
	go d.pump(p, errR)
	ptrace.Watch(pid, d.sink)

	// The first stop is the SIGTRAP after execve.
	ev, err := d.waitTid(pid, 10*time.Second)
	if err != nil || !ev.Stopped() {
		d.abandon()
		return 0, fmt.Errorf("%s did not start under the debugger (%v %v)", cfg.Program, ev, err)
	}
	th := p.addThread(pid)
	th.stopped = true
	if err := d.tr.SetOptions(pid, true); err != nil {
		d.abandon()
		return 0, err
	}
	if err := d.loadExe(exe); err != nil {
		d.abandon()
		return 0, err
	}
	d.setupSolib()
	p.entry = cfg.StopOnEntry
	p.current = pid
	return pid, nil
}

// checkProgram resolves the program path and explains why it cannot run.
func checkProgram(prog, cwd string) (string, error) {
	if prog == "" {
		return "", errors.New(`"program" is required: the path of the executable to debug`)
	}
	path := prog
	if !filepath.IsAbs(path) && cwd != "" {
		if _, err := os.Stat(path); err != nil {
			path = filepath.Join(cwd, path)
		}
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("program %q does not exist", prog)
	case err != nil:
		return "", fmt.Errorf("program %q: %w", prog, err)
	case st.IsDir():
		return "", fmt.Errorf("program %q is a directory, not an executable", prog)
	case st.Mode()&0o111 == 0:
		return "", fmt.Errorf("program %q is not executable (no execute permission; try chmod +x)", prog)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return abs, nil
}

// pipe is the read end of one of the debuggee's output pipes, read
// without blocking so that a stop can take what is in it (see flushOutput).
type pipe struct {
	fd       int
	category string
	closed   bool // guarded by process.outMu
}

// outputPipe makes a pipe whose write end the debuggee gets.
func outputPipe(category string) (*pipe, *os.File, error) {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
		return nil, nil, fmt.Errorf("cannot make a pipe for the program's %s: %w", category, err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, err
	}
	return &pipe{fd: fds[0], category: category}, os.NewFile(uintptr(fds[1]), category), nil
}

func (r *pipe) close() {
	if !r.closed {
		r.closed = true
		unix.Close(r.fd)
	}
}

// pump forwards the debuggee's output to the listener as it arrives. Data
// leaves the pipe only under process.outMu, so flushOutput can guarantee
// that everything the program wrote before a stop is sent before the stop.
func (d *Debugger) pump(p *process, r *pipe) {
	defer p.output.Done()
	buf := make([]byte, 32<<10)
	for {
		fds := []unix.PollFd{{Fd: int32(r.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
			break
		}
		p.outMu.Lock()
		done := d.drain(r, buf)
		p.outMu.Unlock()
		if done {
			break
		}
	}
	p.outMu.Lock()
	r.close()
	p.outMu.Unlock()
}

// drain sends what the pipe holds now; it reports whether the pipe is
// finished (end of file, or closed). Called with outMu held.
func (d *Debugger) drain(r *pipe, buf []byte) bool {
	for !r.closed {
		n, err := unix.Read(r.fd, buf)
		switch {
		case n > 0:
			d.ln.Output(r.category, string(buf[:n]))
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return false
		default:
			return true // end of file, or a broken pipe
		}
	}
	return true
}

// flushOutput sends everything in the output pipes now, before a stop is
// reported: what the program printed before it stopped shows before the
// stop, as in a terminal.
func (d *Debugger) flushOutput(p *process) {
	p.outMu.Lock()
	defer p.outMu.Unlock()
	var buf [4096]byte
	for _, r := range p.pipes {
		d.drain(r, buf[:])
	}
}

// Attach stops every thread of process pid and takes control of it.
func (d *Debugger) Attach(pid int) error {
	return d.do(func() error {
		if d.p != nil {
			return errors.New("a process is already being debugged")
		}
		return d.attach(pid)
	})
}

func (d *Debugger) attach(pid int) error {
	path, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		if _, serr := os.Stat(fmt.Sprintf("/proc/%d", pid)); serr != nil {
			return fmt.Errorf("no process with id %d", pid)
		}
		return fmt.Errorf("cannot read the executable of process %d: %w", pid, err)
	}
	exe, err := symbols.Open(path)
	if err != nil {
		return fmt.Errorf("cannot debug process %d (%s): %w", pid, path, err)
	}
	tids, err := d.tr.Attach(pid)
	if err != nil {
		exe.Close()
		return err
	}
	p := &process{pid: pid, seized: true, threads: map[int]*thread{}, mods: map[string]*module{}, bps: newBreakpoints()}
	p.mem = ptrace.NewMem(pid)
	d.p = p
	ptrace.Watch(pid, d.sink)
	for _, tid := range tids {
		th := p.addThread(tid)
		th.stopReq = true
	}
	if err := d.collect(); err != nil {
		return err
	}
	if d.p == nil {
		return fmt.Errorf("process %d exited while attaching", pid)
	}
	p.current = pid
	if _, ok := p.threads[pid]; !ok {
		for tid := range p.threads {
			p.current = tid
			break
		}
	}
	if err := d.loadExe(exe); err != nil {
		return err
	}
	d.setupSolib()
	d.scanModules()
	return nil
}

// loadExe records the executable and its load bias, read from the auxv's
// AT_ENTRY: exact for PIE and non-PIE alike, and available at the exec stop
// before the dynamic loader has run.
func (d *Debugger) loadExe(exe *symbols.File) error {
	p := d.p
	entry, err := auxvEntry(p.pid)
	if err != nil {
		return err
	}
	m := &module{path: realPath(exe.Path()), name: filepath.Base(exe.Path()), sym: exe, bias: entry - exe.Entry()}
	p.exe = m
	p.mods[m.path] = m
	return nil
}

func auxvEntry(pid int) (uint64, error) {
	v, err := auxvValue(pid, 9) // AT_ENTRY
	if err == nil && v == 0 {
		err = fmt.Errorf("process %d has no AT_ENTRY in its auxiliary vector", pid)
	}
	return v, err
}

func readAuxv(pid int) ([]byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", pid))
	if err != nil {
		return nil, fmt.Errorf("cannot read the auxiliary vector of %d: %w", pid, err)
	}
	return b, nil
}

// mapping is one line of /proc/PID/maps.
type mapping struct {
	start, end, off uint64
	perms           string
	path            string
}

func readMaps(pid int) ([]mapping, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 {
			continue
		}
		lo, hi, _ := strings.Cut(fs[0], "-")
		var m mapping
		m.start, _ = strconv.ParseUint(lo, 16, 64)
		m.end, _ = strconv.ParseUint(hi, 16, 64)
		m.off, _ = strconv.ParseUint(fs[2], 16, 64)
		m.perms = fs[1]
		if len(fs) >= 6 {
			m.path = fs[5]
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

// moduleAt finds the ELF object mapped at pc, loading its symbols on first
// use. Objects whose symbols cannot be read still get a module (no sym).
func (d *Debugger) moduleAt(pc uint64) *module {
	p := d.p
	if m := p.lastMod; m != nil && pc >= m.start && pc < m.end {
		return m
	}
	for _, m := range p.mods {
		if m.end > m.start && pc >= m.start && pc < m.end {
			p.lastMod = m
			return m
		}
	}
	ms, err := readMaps(p.pid)
	if err != nil {
		return nil
	}
	var hit *mapping
	for i := range ms {
		if pc >= ms[i].start && pc < ms[i].end {
			hit = &ms[i]
			break
		}
	}
	if hit == nil || !strings.HasPrefix(hit.path, "/") {
		return nil
	}
	// The object's range spans all of its mappings; the lowest one (file
	// offset 0) is where a shared object's link-time address 0 lands.
	lo, hi := hit.start, hit.end
	for _, m := range ms {
		if m.path == hit.path {
			lo, hi = min(lo, m.start), max(hi, m.end)
		}
	}
	m := p.mods[hit.path]
	if m == nil {
		m = &module{path: hit.path, name: filepath.Base(hit.path)}
		if sf, err := symbols.Open(hit.path); err == nil {
			m.sym = sf
			if sf.PIE() {
				m.bias = lo
			}
		}
		p.mods[hit.path] = m
	}
	m.start, m.end = lo, hi
	return m
}

// abandon kills a process that failed to start properly and forgets it.
func (d *Debugger) abandon() {
	p := d.p
	_ = ptrace.Kill(p.pid)
	d.reap(p, nil)
	d.forget()
}

// reap waits (bounded) for a killed process's leader to be reported
// gone, letting dying threads go (the kernel may still report
// PTRACE_EVENT_EXIT, or a stop that raced the kill) and handing each
// thread's end, the leader's last, to ended if it is not nil.
func (d *Debugger) reap(p *process, ended func(ptrace.Event)) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ev, err := d.nextEvent(time.Until(deadline))
		if err != nil {
			return
		}
		if ev.Pid != p.pid && ev.Pid != 0 {
			continue
		}
		if ev.Stopped() {
			_ = d.tr.Cont(ptrace.Resume{Tid: ev.Tid})
			continue
		}
		if ended != nil {
			ended(ev)
		}
		if ev.Tid == p.pid {
			return
		}
	}
}

// forget drops the process record and stops routing its events.
func (d *Debugger) forget() {
	p := d.p
	if p == nil {
		return
	}
	ptrace.Unwatch(p.pid)
	p.mem.Close()
	for _, m := range p.mods {
		if m.sym != nil {
			m.sym.Close()
		}
	}
	d.p = nil
	d.mu.Lock()
	d.queue = nil
	d.queued.Store(0)
	d.mu.Unlock()
}

// Threads lists the threads of the process with their names, sorted by id.
// Without a process the list is empty.
func (d *Debugger) Threads() ([]Thread, error) {
	var out []Thread
	err := d.do(func() error {
		p := d.p
		if p == nil {
			return nil
		}
		for tid, th := range p.threads {
			if th.exiting {
				continue
			}
			out = append(out, Thread{ID: tid, Name: threadName(p.pid, tid)})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
		return nil
	})
	return out, err
}

// Thread is a thread as the client sees it.
type Thread struct {
	ID   int
	Name string
}

func threadName(pid, tid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/comm", pid, tid))
	name := strings.TrimSpace(string(b))
	if err != nil || name == "" {
		name = "thread"
	}
	return fmt.Sprintf("%s (%d)", name, tid)
}

// Pid returns the debuggee's process id, 0 without one.
func (d *Debugger) Pid() int {
	var pid int
	_ = d.do(func() error {
		if d.p != nil {
			pid = d.p.pid
		}
		return nil
	})
	return pid
}

// drainOutput waits, bounded, for the debuggee's output to reach EOF: a
// grandchild that inherited the pipes may keep them open for ever.
func drainOutput(wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

var _ = io.EOF

// modules returns the executable first, then the other loaded objects.
func (d *Debugger) modules() []*module {
	p := d.p
	out := []*module{p.exe}
	for _, m := range p.mods {
		if m != p.exe {
			out = append(out, m)
		}
	}
	return out
}
