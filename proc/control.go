package proc

import (
	"fmt"
	"time"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// Pause stops a running process; the stop (reason "pause") arrives through
// the Listener. Pausing a stopped process does nothing.
func (d *Debugger) Pause() error {
	return d.do(func() error {
		p := d.p
		if p == nil {
			return ErrNoProcess
		}
		if !p.running {
			return nil
		}
		tid := p.pid
		if th := p.threads[tid]; th == nil || th.exiting {
			tid = 0
			for t, th := range p.threads {
				if !th.exiting && (tid == 0 || t < tid) {
					tid = t
				}
			}
		}
		p.step = nil
		p.bps.ClearTemp(p.mem)
		d.report(Stop{Reason: "pause", Tid: tid})
		return nil
	})
}

// MaxRead caps one memory read: a client asking for more gets this much
// and asks again from where it ended.
const MaxRead = 16 << 20

// ReadMemory reads into buf from addr and returns how many bytes it read:
// fewer than len(buf) when the range runs into unmapped memory (possibly
// none at all: an unreadable address is not an error, the client is told
// the bytes are unreadable). Breakpoint bytes read as the program's own.
// The caller owns buf, so a client's repeated reads reuse one buffer.
func (d *Debugger) ReadMemory(addr uint64, buf []byte) (int, error) {
	return inProcess(d, false, func(p *process) (int, error) {
		if addr+uint64(len(buf)) < addr {
			buf = buf[:^uint64(0)-addr]
		}
		n, _ := programMem{p}.ReadAt(buf, addr)
		return n, nil
	})
}

// Disconnect ends the debugging of the process: kill it (terminate true,
// or nil for a launched process) or detach from it, restoring every
// breakpoint byte and leaving it running.
func (d *Debugger) Disconnect(terminate *bool) error {
	// A child waiting for a session goes on first: a vfork parent
	// cannot stop until it does.
	d.handed.Release()
	return d.do(func() error {
		p := d.p
		if p == nil {
			return nil
		}
		kill := p.launched
		if terminate != nil {
			kill = *terminate
		}
		if kill {
			return d.kill()
		}
		return d.detach()
	})
}

// Terminate kills the debuggee; its exit arrives through the Listener.
func (d *Debugger) Terminate() error {
	return d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		return d.kill()
	})
}

func (d *Debugger) kill() error {
	p := d.p
	if err := ptrace.Kill(p.pid); err != nil {
		return fmt.Errorf("cannot kill process %d: %w", p.pid, err)
	}
	d.reap(p, d.gone)
	if d.p == p {
		d.forget()
	}
	return nil
}

func (d *Debugger) detach() error {
	p := d.p
	if p.running {
		d.stopWorld()
		if d.p == nil {
			return nil
		}
	}
	d.clearWatches()
	// A launched program was started with a parent-death signal (SIGKILL,
	// for an adapter that dies before it is traced): left running, it must
	// outlive us.
	if th := p.threads[p.pid]; p.launched && th != nil && th.stopped && !th.exiting {
		_, _ = d.inject(th, unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, 0)
	}
	err := p.bps.Restore(p.mem)
	// A SIGSTOP of ours still queued would stop the process after we are
	// gone: let each such thread take it first.
	if !p.seized {
		for _, th := range p.threads {
			if th.stopReq && th.stopped && !th.exiting {
				sig := th.sig
				th.sig = 0
				_ = d.tr.Cont(ptrace.Resume{Tid: th.tid})
				if ev, werr := d.waitTid(th.tid, time.Second); werr == nil && ev.Stopped() {
					th.stopReq = false
				}
				th.sig = sig
			}
		}
	}
	var rs []ptrace.Resume
	for _, th := range p.threads {
		if th.stopped {
			rs = append(rs, ptrace.Resume{Tid: th.tid, Signal: th.sig})
		}
	}
	if derr := d.tr.Detach(rs...); derr != nil && err == nil {
		err = derr
	}
	d.forget()
	return err
}

// CheckStopped says whether a resuming request may run now: a process
// exists, it is stopped, and tid (unless 0) is one of its threads (or, in
// a Go program, goroutines).
//
// It reads the snapshot the owner publishes, without a round trip to the
// owner: a resume request costs one hand-off, not two.
func (d *Debugger) CheckStopped(tid int) error {
	s := d.snap.Load()
	switch {
	case s == nil || !s.process:
		return ErrNoProcess
	case s.running:
		return ErrRunning
	case tid != 0 && !s.threads[tid] && s.goroutines[tid] == nil:
		return &ThreadError{Tid: tid}
	}
	return nil
}

// ReportEntry reports the current stop of an attached process as "entry".
func (d *Debugger) ReportEntry() error {
	return d.do(func() error {
		if err := d.needStopped(); err != nil {
			return err
		}
		d.stopped(Stop{Reason: "entry", Tid: d.p.current})
		return nil
	})
}

// WriteMemory writes data at addr (through read-only mappings too) and
// returns how many bytes were written. Breakpoints in the range keep
// working: their saved bytes take the new values.
func (d *Debugger) WriteMemory(addr uint64, data []byte) (int, error) {
	return inProcess(d, false, func(p *process) (int, error) { return p.bps.WriteAround(p.mem, data, addr) })
}
