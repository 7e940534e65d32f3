package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// execed handles PTRACE_EVENT_EXEC: the process now runs a new program (a
// launcher script's interpreter, a program that re-executes itself). Its
// memory, threads and libraries are new; the breakpoints the client set
// are looked for again in the new program, as lldb does, and stop there
// if it has that code.
func (d *Debugger) execed() {
	p := d.p
	// Only the thread that called execve survives, as the leader.
	for tid := range p.threads {
		if tid != p.pid {
			delete(p.threads, tid)
			d.threadEvent(tid, false)
		}
	}
	p.addThread(p.pid).stopped = true
	// The old image, our breakpoint bytes in it included, is gone.
	p.bps.Sites = map[uint64]*site{}
	// The kernel clears the debug registers; the addresses watched mean
	// nothing in the new program, but a global of the same name in it is
	// watched again once it is loaded (rewatch).
	old := p.watches.Execed()
	_ = p.mem.Close()
	p.mem = ptrace.NewMem(p.pid)
	for _, m := range d.p.img.Modules() {
		if m.Announced || m == p.img.Exe {
			d.ln.Module("removed", m.Info())
		}
	}
	p.img.Close()
	p.img = d.newImage(p)
	p.solib, p.stacks = nil, nil
	p.goKnown, p.gLayout, p.gview = false, nil, nil
	path, exe, err := exeOf(p.pid)
	if err == nil {
		err = d.useExe(exe)
	}
	if err != nil {
		// Nothing known of the new program: keep a module without
		// symbols so that every lookup still has an executable.
		d.ln.Output("important", fmt.Sprintf("the program ran execve; its new image cannot be read: %v\n", err))
		p.img.UnreadableExe(path)
		d.rewatch(old)
		return
	}
	d.reresolve()
	d.rewatch(old)
}
