package proc

import (
	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/proc/stack"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// View is a stopped process as evaluation sees it: memory that reads as
// the program's own under breakpoints and is written around them, and its
// loaded objects. It is valid only inside the function it was given to,
// on the owner goroutine.
type View struct{ d *Debugger }

// ReadAt reads memory; breakpoint bytes read as the original ones.
func (v *View) ReadAt(b []byte, addr uint64) (int, error) { return programMem{v.d.p}.ReadAt(b, addr) }

// newImage makes the image of process p, reporting long reads of debug
// information to the client.
func (d *Debugger) newImage(p *process) *image.Image {
	im := image.New(p.pid, programMem{p}, d.srcMap)
	im.Progress = d.ln.Progress
	return im
}

// programMem is a process's memory as the program has it: the bytes under
// our breakpoints read as the original ones.
type programMem struct{ p *process }

func (m programMem) ReadAt(b []byte, addr uint64) (int, error) {
	n, err := m.p.mem.ReadAt(b, addr)
	m.p.bps.Shadow(b[:n], addr)
	return n, err
}

// WriteAt writes memory around breakpoints (see WriteMemory).
func (v *View) WriteAt(b []byte, addr uint64) (int, error) {
	return v.d.p.bps.WriteAround(v.d.p.mem, b, addr)
}

// ModuleAt returns the symbols and load bias of the object at addr.
func (v *View) ModuleAt(addr uint64) (*symbols.File, uint64) {
	if m := v.d.p.img.ModuleAt(addr); m != nil {
		return m.Sym, m.Bias
	}
	return nil, 0
}

// Exe returns the executable's symbols and load bias.
func (v *View) Exe() (*symbols.File, uint64) {
	if m := v.d.p.img.Exe; m != nil {
		return m.Sym, m.Bias
	}
	return nil, 0
}

// SymbolAt names the code or data at addr and returns the symbol's address.
func (v *View) SymbolAt(addr uint64) (string, uint64) { return v.d.p.img.SymbolFor(addr) }

// Scope is one frame of a stopped thread: a View with the frame's
// registers, pc and variables.
type Scope struct {
	View
	fr *stack.Context
}

// PC is where the frame's variables are looked up (the call instruction
// above frame 0); in the program's scope (InProgram), main's entry.
func (s *Scope) PC() uint64 {
	if s.fr == nil {
		return s.d.p.img.MainPC()
	}
	return s.fr.Look
}

// Locals returns the frame's locals and arguments and its frame base.
func (s *Scope) Locals() ([]symbols.Variable, []byte, error) {
	if s.fr == nil {
		return nil, nil, nil
	}
	return s.fr.Locals()
}

// Location is what locating the frame's variables needs.
func (s *Scope) Location(frameBase []byte) symbols.LocContext {
	if s.fr == nil {
		_, bias := s.Exe()
		noRegs := func(uint64) (uint64, bool) { return 0, false }
		return symbols.LocContext{Regs: noRegs, Read: s.d.p.mem.ReadAt, Bias: bias}
	}
	return s.fr.Location(frameBase)
}

// InFrame runs f on the owner with frame level of thread tid, which must
// be stopped.
func (d *Debugger) InFrame(tid, level int, f func(*Scope) error) error {
	return d.onStopped(tid, func(th *thread) error {
		sc, err := d.scope(th, level)
		if err != nil {
			return err
		}
		return f(sc)
	})
}

// InView runs f on the owner with the process, stopped or running:
// memory is read with process_vm_readv, which needs no stop.
func (d *Debugger) InView(f func(*View) error) error {
	return d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		return f(&View{d})
	})
}

// InProgram runs f on the owner with the program's own scope: its
// globals, seen from main, with no frame and no registers. The process
// may be stopped or running: the client watches a global live.
func (d *Debugger) InProgram(f func(*Scope) error) error {
	return d.InView(func(v *View) error { return f(&Scope{View: *v}) })
}

func (d *Debugger) scope(th *thread, level int) (*Scope, error) {
	fr, err := d.frameContext(th, level)
	if err != nil {
		return nil, err
	}
	return &Scope{View{d}, fr}, nil
}

// frameContext finds frame level of stopped thread th, counting from the
// first frame its stop does not hide.
func (d *Debugger) frameContext(th *thread, level int) (*stack.Context, error) {
	regs, err := d.regsOf(th)
	if err != nil {
		return nil, err
	}
	return d.walkerFor(th).Context(regs, level+th.hide)
}
