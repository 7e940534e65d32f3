package proc

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
	"github.com/dap-ptrace/dap-ptrace/proc/goroutine"
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/proc/output"
	"github.com/dap-ptrace/dap-ptrace/proc/stack"
	"github.com/dap-ptrace/dap-ptrace/proc/watch"
	"golang.org/x/sys/unix"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
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
	// hitAt is the breakpoint its stop hit (its pc, rewound there), which
	// a resume steps over; 0 when it stopped elsewhere, even right on a
	// breakpoint it has yet to hit.
	hitAt   uint64
	pending *Stop // a reportable stop of its own, seen while stopping the world
	// pendingAt is the breakpoint address of a pending breakpoint stop.
	pendingAt uint64
	// redo is the breakpoint a step over it could not finish (signals
	// kept stopping the step): the thread's next trap there is the same
	// hit, stepped over again, not reported again.
	redo uint64
	// parked, for a thread that stands for a goroutine not running on a
	// thread (see threadFor), is that goroutine; such a thread is never
	// in process.threads.
	parked *goroutine.G
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
	img       *image.Image // its loaded objects
	bps       *breakpoints
	running   bool
	current   int // thread of the last reported stop
	entry     bool
	stacks    map[int]*stack.Walked  // per thread, valid until the next resume
	watches   watch.Set[*Breakpoint] // data breakpoints
	goKnown   bool                   // goProgram has been decided
	goProgram bool                   // the executable is a Go program
	gLayout   *goroutine.Layout      // its runtime's, if it can be read
	gview     *goView                // its goroutines at this stop, once read
	names     ptrace.NameCache       // thread names, read again after a while
	// hideSystem leaves the runtime's goroutines out of the thread list.
	hideSystem bool
	output     *output.Capture // a launched program's stdout and stderr
	step       *stepper
	solib      *solib
}

func (p *process) addThread(tid int) *thread {
	th := &thread{tid: tid}
	p.threads[tid] = th
	return th
}

// Launch starts cfg.Program stopped at its first instruction. The process
// runs on the first Continue (or stops at main with StopOnEntry).
func (d *Debugger) Launch(cfg LaunchConfig) (pid int, err error) {
	err = d.exclusive(func() error {
		pid, err = d.launch(cfg)
		return err
	})
	return pid, err
}

// exclusive runs f on the owner if no process is debugged yet.
func (d *Debugger) exclusive(f func() error) error {
	return d.do(func() error {
		if d.p != nil {
			return errors.New("a process is already being debugged")
		}
		return f()
	})
}

func (d *Debugger) launch(cfg LaunchConfig) (pid int, err error) {
	path, err := ptrace.CheckProgram(cfg.Program, cfg.Cwd)
	if err != nil {
		return 0, err
	}
	exe, err := symbols.Open(path)
	if err != nil {
		return 0, fmt.Errorf("cannot debug %s: %w", cfg.Program, err)
	}
	// Until the process exists, a failure undoes what was set up; after,
	// abandoning the process does.
	var undo []func()
	defer func() {
		if err != nil {
			for _, f := range undo {
				f()
			}
		}
	}()
	undo = append(undo, func() { exe.Close() })
	stdin, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer stdin.Close()
	out, ws, err := output.New(d.ln.Output)
	if err != nil {
		return 0, err
	}
	undo = append(undo, out.Close)
	defer ws[0].Close() // the child has its own copies
	defer ws[1].Close()
	env := cfg.Env
	if env == nil {
		env = os.Environ()
	}
	pid, err = d.tr.Launch(ptrace.LaunchConfig{
		Path:  path,
		Args:  append([]string{cfg.Program}, cfg.Args...),
		Dir:   cfg.Cwd,
		Env:   env,
		Files: [3]*os.File{stdin, ws[0], ws[1]},
	})
	if err != nil {
		return 0, fmt.Errorf("cannot start %s: %w", cfg.Program, err)
	}
	undo = []func(){d.abandon}
	p := d.newProcess(pid, true, false)
	p.output = out
	out.Start()
	// The first stop is the SIGTRAP after execve.
	ev, err := d.waitTid(pid, 10*time.Second)
	if err == nil && !ev.Stopped() {
		err = fmt.Errorf("%v", ev)
	}
	if err != nil {
		return 0, fmt.Errorf("%s did not start under the debugger (%v)", cfg.Program, err)
	}
	p.addThread(pid).stopped = true
	if err := d.tr.SetOptions(pid, true); err != nil {
		return 0, err
	}
	return pid, d.startExe(exe, cfg.StopOnEntry)
}

// startExe readies a process stopped by the execve of a launch, whose
// leader is its only thread, to run exe: it runs on at the first
// Continue, or to main with stopOnEntry.
func (d *Debugger) startExe(exe *symbols.File, stopOnEntry bool) error {
	if err := d.useExe(exe); err != nil {
		return err
	}
	d.p.entry, d.p.current = stopOnEntry, d.p.pid
	return nil
}

// newProcess makes process pid the one debugged and routes its events to
// the owner.
func (d *Debugger) newProcess(pid int, launched, seized bool) *process {
	p := &process{pid: pid, launched: launched, seized: seized, threads: map[int]*thread{}, bps: breakpoint.NewSet[*Scope]()}
	p.img = d.newImage(p)
	p.mem = ptrace.NewMem(pid)
	d.p = p
	ptrace.Watch(pid, d.box.Put)
	return p
}

// attachAll attaches every thread of process pid and waits for each to
// stop; launched says the session kills it at its end.
func (d *Debugger) attachAll(pid int, launched bool) (*process, error) {
	tids, err := d.tr.Attach(pid)
	if err != nil {
		return nil, err
	}
	p := d.newProcess(pid, launched, true)
	for _, tid := range tids {
		p.addThread(tid).stopReq = true
	}
	if err := d.collect(); err != nil {
		return p, err
	}
	if d.p == nil {
		return nil, fmt.Errorf("process %d %w", pid, errGone)
	}
	return p, nil
}

// errGone: the process ended while being attached.
var errGone = errors.New("exited while attaching")

// useExe records the executable of the process and starts following its
// dynamic loader.
func (d *Debugger) useExe(exe *symbols.File) error {
	if err := d.p.img.LoadExe(exe); err != nil {
		return err
	}
	d.setupSolib()
	return nil
}

// exeOf opens the symbols of the program process pid runs.
func exeOf(pid int) (path string, exe *symbols.File, err error) {
	path, err = os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return "", nil, err
	}
	exe, err = symbols.Open(path)
	return path, exe, err
}

// Attach stops every thread of process pid and takes control of it.
func (d *Debugger) Attach(pid int) error {
	return d.exclusive(func() error { return d.attach(pid) })
}

func (d *Debugger) attach(pid int) error {
	path, exe, err := exeOf(pid)
	if err != nil {
		if _, serr := os.Stat(fmt.Sprintf("/proc/%d", pid)); serr != nil {
			return fmt.Errorf("no process with id %d", pid)
		}
		if path == "" {
			return fmt.Errorf("cannot read the executable of process %d: %w", pid, err)
		}
		return fmt.Errorf("cannot debug process %d (%s): %w", pid, path, err)
	}
	// A process handed over by the session that followed its fork waits
	// stopped by SIGSTOP: once ours, it is continued (the SIGCONT reaches
	// it, unseen, when it runs).
	jobStopped := ptrace.JobStopped(pid)
	p, err := d.attachAll(pid, false)
	if err != nil {
		exe.Close()
		return err
	}
	if jobStopped {
		_ = unix.Kill(pid, unix.SIGCONT)
	}
	p.current = pid
	if _, ok := p.threads[pid]; !ok {
		for tid := range p.threads {
			p.current = tid
			break
		}
	}
	if err := d.useExe(exe); err != nil {
		return err
	}
	d.scanModules()
	return nil
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
	p.img.Close()
	d.p = nil
	d.box.Clear()
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
		if v := d.goView(); v != nil {
			out = d.goThreads(v)
			return nil
		}
		var tids []int
		for tid, th := range p.threads {
			if !th.exiting {
				tids = append(tids, tid)
			}
		}
		for i, name := range p.names.Names(p.pid, tids) {
			out = append(out, Thread{ID: tids[i], Name: name})
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

// Pid returns the debuggee's process id, 0 without one.
func (d *Debugger) Pid() int {
	pid, _ := inProcess(d, true, func(p *process) (int, error) { return p.pid, nil })
	return pid
}
