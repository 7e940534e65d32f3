package eval

import "github.com/dap-ptrace/dap-ptrace/symbols"

// Program is what evaluation needs of a stopped process. Its methods are
// called from the goroutine that evaluates, which must be the one that
// owns the process while it is stopped.
type Program interface {
	// ReadAt reads memory as the program sees it: the bytes a breakpoint
	// replaced read as the original ones.
	ReadAt(b []byte, addr uint64) (int, error)
	// WriteAt writes memory around breakpoints: a breakpoint in the
	// range keeps working and its saved byte takes the new value.
	WriteAt(b []byte, addr uint64) (int, error)
	// ModuleAt returns the symbols and load bias of the object mapped at
	// addr; sym is nil when none or when it has no symbols.
	ModuleAt(addr uint64) (sym *symbols.File, bias uint64)
	// Exe returns the main executable's symbols and load bias.
	Exe() (sym *symbols.File, bias uint64)
	// SymbolAt names the code or data at addr: the symbol and its address.
	SymbolAt(addr uint64) (name string, base uint64)
}

// Frame is one frame of a stopped thread.
type Frame interface {
	Program
	// PC is where the frame's variables are looked up: the pc of frame
	// 0, the call instruction above it.
	PC() uint64
	// Locals returns the frame's locals and arguments, innermost block
	// first, and its frame base expression.
	Locals() (vars []symbols.Variable, frameBase []byte, err error)
	// Location is what locating a variable of the frame needs, with the
	// frame base of its function.
	Location(frameBase []byte) symbols.LocContext
}

// reader reads values from a program.
type reader struct{ Program }

// module is a loaded object: its symbols and load bias.
type module struct {
	sym  *symbols.File
	bias uint64
}

// moduleOf makes a module of what Program returns; nil without symbols.
func moduleOf(sym *symbols.File, bias uint64) *module {
	if sym == nil {
		return nil
	}
	return &module{sym: sym, bias: bias}
}

// frameCtx is a frame with what evaluation looks up in it once.
type frameCtx struct {
	Frame
	d    *reader
	look uint64
	mod  *module
	regs func(uint64) (uint64, bool)
}

func newFrameCtx(f Frame) *frameCtx {
	fr := &frameCtx{Frame: f, d: &reader{f}, look: f.PC()}
	fr.mod = moduleOf(f.ModuleAt(fr.look))
	return fr
}

// reg returns register r (DWARF numbering) of the frame, if known.
func (fr *frameCtx) reg(r uint64) (uint64, bool) {
	if fr.regs == nil {
		fr.regs = fr.Location(nil).Regs
	}
	return fr.regs(r)
}
