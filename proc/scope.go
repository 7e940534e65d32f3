package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/proc/image"

	"github.com/dap-ptrace/dap-ptrace/proc/unwind"

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
	fr *frameCtx
}

// PC is where the frame's variables are looked up (the call instruction
// above frame 0).
func (s *Scope) PC() uint64 { return s.fr.look }

// Locals returns the frame's locals and arguments and its frame base.
func (s *Scope) Locals() ([]symbols.Variable, []byte, error) {
	if s.fr.mod == nil || s.fr.mod.Sym == nil {
		return nil, nil, nil
	}
	return s.fr.locals()
}

// Location is what locating the frame's variables needs.
func (s *Scope) Location(frameBase []byte) symbols.LocContext {
	return s.fr.locContext(s.d, frameBase)
}

// InFrame runs f on the owner with frame level of thread tid, which must
// be stopped.
func (d *Debugger) InFrame(tid, level int, f func(*Scope) error) error {
	return d.onStopped(tid, func(*thread) error {
		sc, err := d.scope(tid, level)
		if err != nil {
			return err
		}
		return f(sc)
	})
}

// InView runs f on the owner with the stopped process.
func (d *Debugger) InView(f func(*View) error) error {
	return d.do(func() error {
		if err := d.needStopped(); err != nil {
			return err
		}
		return f(&View{d})
	})
}

func (d *Debugger) scope(tid, level int) (*Scope, error) {
	fr, err := d.frameContext(tid, level)
	if err != nil {
		return nil, err
	}
	return &Scope{View{d}, fr}, nil
}

// frameCtx is what reading a frame's variables needs.
type frameCtx struct {
	frame unwind.Frame // the machine frame
	look  uint64       // pc to look variables up at (call site above frame 0)
	mod   *image.Module
	inl   int // which inlined call at look the frame is; -1: the function
	// caller continues the walk to the calling frame: DW_OP_entry_value
	// reads the call site there.
	caller unwind.Iterator
}

func (d *Debugger) frameContext(tid, level int) (*frameCtx, error) {
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return nil, err
	}
	hide := 0
	if th := d.p.threads[tid]; th != nil {
		hide = th.hide
	}
	it, inl, ok := d.unwindToLogical(regs, level+hide)
	if !ok {
		return nil, fmt.Errorf("no frame %d", level)
	}
	f := it.Frame()
	fr := &frameCtx{frame: f, look: f.Look(), inl: inl, caller: *it}
	fr.mod = d.p.img.ModuleAt(fr.look)
	return fr, nil
}

// locals returns the frame's locals and arguments and its frame base.
func (fr *frameCtx) locals() ([]symbols.Variable, []byte, error) {
	return fr.mod.LocalsAt(fr.look-fr.mod.Bias, fr.inl)
}

func (fr *frameCtx) locContext(d *Debugger, frameBase []byte) symbols.LocContext {
	var bias uint64
	if fr.mod != nil {
		bias = fr.mod.Bias
	}
	return symbols.LocContext{
		Regs:       fr.frame.Get,
		CFA:        fr.frame.CFA,
		FrameBase:  frameBase,
		Read:       d.p.mem.ReadAt,
		Bias:       bias,
		EntryValue: func(block []byte) (uint64, error) { return d.p.img.EntryValue(fr.caller, block) },
	}
}
