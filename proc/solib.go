package proc

import (
	"fmt"
	"sort"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
)

// Module is a loaded ELF object as the client sees it.
type Module struct {
	ID         string // its path (the main program's, for the executable)
	Name       string
	Path       string
	Start, End uint64
	Symbols    bool // ELF symbols or DWARF were found
	DWARF      bool
}

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
		d.ln.Module("new", info(m))
	}
	for _, m := range removed {
		d.ln.Module("removed", info(m))
	}
	changed := len(added)+len(removed) > 0
	if changed {
		d.reresolve()
	}
}

func info(m *image.Module) Module {
	mi := Module{ID: m.Path, Name: m.Name, Path: m.Path, Start: m.Start, End: m.End}
	if m.Sym != nil {
		mi.Symbols = true
		mi.DWARF = m.Sym.HasDWARF()
	}
	return mi
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
	var out []Module
	err := d.do(func() error {
		if d.p == nil {
			return nil
		}
		for _, m := range d.p.img.Modules() {
			if m.Announced || m == d.p.img.Exe {
				out = append(out, info(m))
			}
		}
		sort.SliceStable(out[min(1, len(out)):], func(i, j int) bool { return out[1+i].Start < out[1+j].Start })
		return nil
	})
	return out, err
}
