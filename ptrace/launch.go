package ptrace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// LaunchConfig describes a program to start under ptrace.
type LaunchConfig struct {
	Path string   // executable; must be an absolute or cwd-relative path
	Args []string // argv, argv[0] included
	Dir  string   // working directory; empty for ours
	Env  []string // environment, "K=V"
	// Files become the child's stdin, stdout and stderr.
	Files [3]*os.File
}

// CheckProgram resolves the path of a program to launch (relative to cwd
// when it is not found as given) and explains, in words for a person, why
// it cannot run: missing, a directory, not executable, or cwd not a
// directory.
func CheckProgram(prog, cwd string) (string, error) {
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
	if cwd != "" {
		if st, err := os.Stat(cwd); err != nil || !st.IsDir() {
			return "", fmt.Errorf("working directory %q does not exist or is not a directory", cwd)
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return abs, nil
}

// Launch starts a program traced by this tracer's thread. The child stops
// with SIGTRAP right after execve; that stop arrives through the waiter, so
// the caller must Watch the returned pid (Watch delivers events that came
// before it was called). Launch notifies the waiter that it has a child.
func (t *Tracer) Launch(cfg LaunchConfig) (int, error) {
	var pid int
	err := t.run(func() error {
		attr := &os.ProcAttr{
			Dir:   cfg.Dir,
			Env:   cfg.Env,
			Files: cfg.Files[:],
			Sys: &syscall.SysProcAttr{
				// The child runs PTRACE_TRACEME before execve, making this
				// thread its tracer.
				Ptrace: true,
				// Its own process group: a Ctrl-C meant for the adapter's
				// terminal must not reach the debuggee behind our back.
				Setpgid: true,
				// Until PTRACE_O_EXITKILL is set at the exec stop, this is
				// what kills the child if the adapter dies.
				Pdeathsig: syscall.SIGKILL,
			},
		}
		p, err := os.StartProcess(cfg.Path, cfg.Args, attr)
		if err != nil {
			return err
		}
		pid = p.Pid
		// Never Wait on p: the waiter is the only reaper. Release drops the
		// pidfd without touching the child.
		_ = p.Release()
		return nil
	})
	if err == nil {
		kickWaiter()
	}
	return pid, err
}

// Attach seizes every thread of process pid with PTRACE_SEIZE (options set
// atomically, no stop yet) and interrupts each with PTRACE_INTERRUPT, so each
// thread's first event is a PTRACE_EVENT_STOP. It rescans /proc/PID/task until
// no new thread appears, since threads may be created while we attach. It
// returns the thread ids seized. On failure nothing stays attached.
func (t *Tracer) Attach(pid int) ([]int, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("invalid process id %d", pid)
	}
	if pid == os.Getpid() {
		return nil, fmt.Errorf("process %d is the debug adapter itself", pid)
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return nil, fmt.Errorf("no process with id %d", pid)
	}
	var seized []int
	err := t.run(func() error {
		have := map[int]bool{}
		for {
			tids, err := Threads(pid)
			if err != nil {
				return err
			}
			added := false
			for _, tid := range tids {
				if have[tid] {
					continue
				}
				_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(tid), 0, uintptr(Options), 0, 0)
				if e == unix.ESRCH {
					continue // exited meanwhile
				}
				if e != 0 {
					return attachError(pid, e)
				}
				if e := unix.PtraceInterrupt(tid); e != nil && e != unix.ESRCH {
					return wrap("PTRACE_INTERRUPT", tid, e)
				}
				have[tid] = true
				seized = append(seized, tid)
				added = true
			}
			if !added {
				return nil
			}
		}
	})
	if err != nil {
		if len(seized) > 0 {
			// Interrupted threads must be collected before a detach works;
			// leave that to the kernel by detaching what is detachable.
			_ = t.Detach(resumes(seized)...)
		}
		return nil, err
	}
	kickWaiter()
	return seized, nil
}

func resumes(tids []int) []Resume {
	rs := make([]Resume, len(tids))
	for i, tid := range tids {
		rs[i] = Resume{Tid: tid}
	}
	return rs
}

func attachError(pid int, e error) error {
	switch {
	case errors.Is(e, unix.EPERM):
		msg := fmt.Sprintf("not allowed to trace process %d", pid)
		if b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); err == nil && len(b) > 0 && b[0] != '0' {
			msg += " (kernel.yama.ptrace_scope is " + string(b[:1]) + "; another debugger may also be attached)"
		} else {
			msg += " (is another debugger attached, or is it owned by another user?)"
		}
		return errors.New(msg)
	case errors.Is(e, unix.ESRCH):
		return fmt.Errorf("no process with id %d", pid)
	}
	return fmt.Errorf("attach to process %d: %w", pid, e)
}

// Threads lists the thread ids of process pid from /proc/PID/task, sorted.
func Threads(pid int) ([]int, error) {
	ents, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("no process with id %d", pid)
		}
		return nil, err
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	sort.Ints(tids)
	return tids, nil
}

// Kill sends SIGKILL to the whole process. A SIGKILL ends a tracee even
// while it is in a ptrace stop; its death is reported through the waiter.
func Kill(pid int) error {
	err := unix.Kill(pid, unix.SIGKILL)
	if err == unix.ESRCH {
		return nil
	}
	return err
}

// Stop sends SIGSTOP to one thread, from any goroutine: how a running thread
// is brought to a stop that the waiter then reports.
func Stop(pid, tid int) error {
	err := unix.Tgkill(pid, tid, unix.SIGSTOP)
	if err == unix.ESRCH {
		return nil
	}
	return err
}
