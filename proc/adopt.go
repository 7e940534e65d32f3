package proc

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// CheckProgram resolves a launch's program path (relative to cwd when it
// is not found as given) and explains why it cannot run.
func CheckProgram(prog, cwd string) (string, error) { return ptrace.CheckProgram(prog, cwd) }

// LaunchAttached debugs a launch done by someone else: process pid (a
// launcher the client started in its terminal) is about to execute
// cfg.Program. It is attached now and followed into its execve, where the
// program is stopped as a launched one is at its first instruction, and
// like a launched one it is killed when the session ends. Its output is
// not ours: it goes wherever the launcher's went.
func (d *Debugger) LaunchAttached(pid int, cfg LaunchConfig) error {
	return d.exclusive(func() error {
		p, err := d.attachAll(pid, true)
		if p != nil && err != nil || errors.Is(err, errGone) {
			return fmt.Errorf("the program's launcher (process %d) ended before it ran the program", pid)
		}
		if err != nil {
			return err
		}
		if err := d.tr.SetOptions(pid, true); err != nil {
			d.abandon()
			return err
		}
		// Let it run up to its execve. The launcher is a Go program: its
		// other threads run too, and as the exec ends them each stops at
		// its exit (PTRACE_O_TRACEEXIT) and must be let go for the exec to
		// finish.
		var all []ptrace.Resume
		for tid, th := range p.threads {
			th.stopped = false
			all = append(all, ptrace.Resume{Tid: tid})
		}
		if err := d.tr.Cont(all...); err != nil {
			d.abandon()
			return err
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			ev, err := d.nextEvent(time.Until(deadline))
			if err != nil {
				d.abandon()
				return fmt.Errorf("%s did not start in the terminal: %v", cfg.Program, err)
			}
			if ev.Tid == pid && !ev.Stopped() {
				d.p = nil
				return fmt.Errorf("the program's launcher ended before it ran %s (%v)", cfg.Program, ev)
			}
			if !ev.Stopped() {
				continue // a launcher thread gone
			}
			if ev.Tid == pid && ev.Kind == ptrace.ExecStop {
				break
			}
			sig := syscall.Signal(0)
			switch ev.Kind {
			case ptrace.ForkStop:
				if th := p.threads[ev.Tid]; th != nil {
					d.forked(th, ev.VFork)
				}
			case ptrace.SignalStop:
				if _, err := d.tr.GetSigInfo(ev.Tid); err != ptrace.ErrGroupStop {
					sig = ev.Signal
				}
			}
			_ = d.tr.Cont(ptrace.Resume{Tid: ev.Tid, Signal: sig})
		}
		// Only the thread that ran execve is left, as the leader.
		p.threads = map[int]*thread{}
		th := p.addThread(pid)
		th.stopped = true
		// The new image, as after a launch's execve.
		_ = p.mem.Close()
		p.mem = ptrace.NewMem(pid)
		_, exe, err := exeOf(pid)
		if err == nil {
			err = d.startExe(exe, cfg.StopOnEntry)
		}
		if err != nil {
			d.abandon()
			return fmt.Errorf("cannot debug %s: %w", cfg.Program, err)
		}
		return nil
	})
}
