package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
)

// Module is a loaded ELF object as the client sees it.
type Module = image.ModuleInfo

// solib is what we know of the dynamic loader of a process.
type solib struct {
	rdebug uint64 // runtime address of _r_debug
	brk    uint64 // runtime address of _dl_debug_state
}

// setupSolib finds the dynamic loader through the auxv (AT_BASE) and the
// executable's PT_INTERP, and puts the loader breakpoint in place. A static
// executable has no loader: nothing to do.
func (d *Debugger) setupSolib() {
	p := d.p
	rdebug, brk, ok := p.img.Loader()
	if !ok {
		return
	}
	p.solib = &solib{rdebug: rdebug, brk: brk}
	if s, err := p.bps.Add(p.mem, p.solib.brk); err == nil {
		s.Loader = true
	}
}

// scanModules reads the loader's list of objects and reports what was
// loaded and unloaded since the last scan; pending breakpoints are then
// resolved again. It does nothing while the list is being changed.
func (d *Debugger) scanModules() {
	p := d.p
	if p.solib == nil {
		return
	}
	seen, ok := p.img.LinkMap(p.solib.rdebug)
	if !ok {
		return
	}
	added, removed := p.img.Loaded(seen)
	for _, m := range added {
		d.ln.Module("new", m.Info())
	}
	for _, m := range removed {
		d.ln.Module("removed", m.Info())
	}
	changed := len(added)+len(removed) > 0
	if changed {
		d.reresolve()
	}
}

// reresolve resolves again every breakpoint whose code was loaded or
// unloaded, and tells the client about those that changed.
func (d *Debugger) reresolve() {
	p := d.p
	p.bps.Each(func(bp *Breakpoint) {
		if bp.Kind == kindInstruction {
			return
		}
		before := fmt.Sprint(bp.Verified, bp.Addrs, bp.Actual)
		p.bps.Remove(p.mem, bp)
		d.resolve(bp, spec{})
		if bp.Verified {
			_ = p.bps.Insert(p.mem, bp)
		}
		if fmt.Sprint(bp.Verified, bp.Addrs, bp.Actual) != before {
			d.ln.BreakpointChanged(*bp)
		}
	})
}

// Modules lists the loaded objects, the executable first.
func (d *Debugger) Modules() ([]Module, error) {
	return inImage(d, true, func(im *image.Image) ([]Module, error) { return im.Infos(), nil })
}
