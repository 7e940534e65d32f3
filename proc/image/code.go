package image

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dap-ptrace/dap-ptrace/symbols"
	"golang.org/x/arch/x86/x86asm"
)

// What a step needs to know of the code around a pc: where the other
// lines of its function start, and which functions its line calls.

// OtherLines returns the statement addresses of the function at pc whose
// line is not line: where a next (or a stepIn that enters nothing) stops.
func (im *Image) OtherLines(pc uint64, line int) []uint64 {
	fn, m := im.FuncAt(pc)
	if fn == nil {
		return nil
	}
	var pcs []uint64
	for _, a := range m.Sym.StmtPCs(fn.Low, fn.High) {
		a += m.Bias
		if loc, ok := im.LineAt(a); ok && loc.Line != line && loc.Line != 0 {
			pcs = append(pcs, a)
		}
	}
	return pcs
}

// Callees decodes the rest of the current line (up to the next statement of
// another line, or the end of the function) and returns the first-line
// address of each directly called function that has line information. ok
// is false when the line makes an indirect call (the direct ones are still
// returned).
func (im *Image) Callees(pc uint64, line int) (entries []uint64, ok bool) {
	fn, m := im.FuncAt(pc)
	if fn == nil {
		return nil, false
	}
	ok = true
	end := fn.High + m.Bias
	for n := 0; pc < end && n < 512; n++ {
		if n > 0 {
			if loc, ok := im.LineAt(pc); ok && loc.PC == pc && loc.IsStmt && loc.Line != line {
				break
			}
		}
		ins, decoded := im.DecodeAt(pc)
		if !decoded {
			return entries, false
		}
		next := pc + uint64(ins.Len)
		if ins.Op == x86asm.CALL {
			rel, direct := ins.Args[0].(x86asm.Rel)
			if !direct {
				ok = false
				pc = next
				continue
			}
			target := uint64(int64(next) + int64(rel))
			if cf, cm := im.FuncAt(target); cf != nil && cf.HasLines && cf.Low+cm.Bias == target && im.SourceAt(cm.Sym.PrologueEnd(cf)+cm.Bias) {
				entries = append(entries, cm.Sym.PrologueEnd(cf)+cm.Bias)
			}
			// A call through the PLT or into code without lines: stepIn
			// runs over it, like next.
		}
		pc = next
	}
	return entries, ok
}

// Placement is where a breakpoint goes: its addresses, and the line they
// are at; without addresses, Message says why it goes nowhere, and
// Pending that a library loaded later may bring its code.
type Placement struct {
	Addrs   []uint64 // runtime addresses
	File    string   // the source file, local path
	Line    int      // the line actually used
	Message string
	Pending bool
}

// PlaceLine places a breakpoint on line of source (a local path) in the
// executable or a loaded library (LineCode). A file no loaded object was
// built from leaves it pending.
func (im *Image) PlaceLine(source string, line int) Placement {
	pl, err := im.LineCode(im.srcMap.Compiled(source), line)
	switch {
	case errors.Is(err, symbols.ErrNoDebugInfo):
		return Placement{Message: fmt.Sprintf("%s has no debug information (build it with -g)", im.Exe.Name)}
	case errors.Is(err, symbols.ErrUnknownFile):
		return Placement{Pending: true, Message: fmt.Sprintf("%s is not a source file of %s or of a loaded library; the breakpoint is set when a library built from it is loaded", filepath.Base(source), im.Exe.Name)}
	case err != nil:
		return Placement{Message: err.Error()}
	}
	return pl
}

// PlaceFunc places a breakpoint on function name (FuncCode); one not found
// is pending.
func (im *Image) PlaceFunc(name string, entry bool) Placement {
	pl, ok := im.FuncCode(name, entry)
	if !ok {
		return Placement{Pending: true, Message: fmt.Sprintf("no function named %q in the program or its loaded libraries (yet)", name)}
	}
	return pl
}

// PlaceAddr places an instruction breakpoint at addr, which must be
// memory we can read.
func (im *Image) PlaceAddr(addr uint64) Placement {
	if addr == 0 {
		return Placement{Message: "no instruction there"}
	}
	var b [1]byte
	if _, err := im.mem.ReadAt(b[:], addr); err != nil {
		return Placement{Message: fmt.Sprintf("address %#x is not mapped", addr)}
	}
	pl := Placement{Addrs: []uint64{addr}}
	if le, ok := im.LineAt(addr); ok {
		pl.File, pl.Line = im.Local(le.File), le.Line
	}
	return pl
}

// LineCode finds the code of line of source (a path as the debug
// information has it) in the loaded objects, the first object that has
// the file deciding. A breakpoint on a function's opening line means "when
// the function is entered", with its arguments in place: after the
// prologue, as gdb and lldb put it. The error wraps
// symbols.ErrNoDebugInfo when no object has debug information and
// symbols.ErrUnknownFile when none was built from source.
func (im *Image) LineCode(source string, line int) (Placement, error) {
	var pl Placement
	noDWARF := true
	for _, m := range im.Modules() {
		if m.Sym == nil {
			continue
		}
		if !im.dwarfReady(m) && !m.Sym.MayHaveSource(source) {
			noDWARF = noDWARF && !m.Sym.HasDWARF()
			continue // its line headers name no such file: not worth its index
		}
		im.EnsureIndexed(m)
		pcs, actual, err := m.Sym.LineToPCs(source, line)
		switch {
		case errors.Is(err, symbols.ErrNoDebugInfo):
			continue
		case errors.Is(err, symbols.ErrUnknownFile):
			noDWARF = false
			continue
		case err != nil:
			return pl, err
		case len(pcs) == 0:
			return pl, fmt.Errorf("no code at line %d", line)
		}
		for _, pc := range pcs {
			if fn := m.Sym.FuncAt(pc); fn != nil && fn.Low == pc {
				pc = m.Sym.PrologueEnd(fn)
			}
			pl.Addrs = append(pl.Addrs, pc+m.Bias)
		}
		pl.Line = actual
		if le, ok := m.Sym.LineAt(pcs[0]); ok {
			pl.File = im.Local(le.File)
		}
		return pl, nil
	}
	if noDWARF {
		return pl, symbols.ErrNoDebugInfo
	}
	return pl, symbols.ErrUnknownFile
}

// FuncCode finds function name in the loaded objects: its address after
// the prologue, or its entry when entry is set (and in a large library
// whose DWARF is not read).
func (im *Image) FuncCode(name string, entry bool) (Placement, bool) {
	for _, m := range im.Modules() {
		if m.Sym == nil {
			continue
		}
		// A large library's DWARF is not read for this: its symbol
		// tables name its functions, and its entry is as good a place
		// to stop as any in code whose source is not here.
		ready := im.dwarfReady(m)
		fn := m.Sym.SymbolFunc(name)
		if ready {
			fn = m.Sym.LookupFunc(name)
		}
		if fn == nil {
			continue
		}
		pc := fn.Low
		if ready && !entry {
			pc = m.Sym.PrologueEnd(fn)
		}
		pl := Placement{Addrs: []uint64{pc + m.Bias}}
		if le, ok := m.Sym.LineAt(pc); ok {
			pl.File, pl.Line = im.Local(le.File), le.Line
		}
		return pl, true
	}
	return Placement{}, false
}

// LineInFunc returns the addresses of line of source (a path as the debug
// information has it) in the function at pc, one per location as a
// breakpoint would have them: where a thread stopped at pc may jump.
func (im *Image) LineInFunc(pc uint64, source string, line int) ([]uint64, error) {
	fn, m := im.FuncAt(pc)
	if fn == nil {
		return nil, errors.New("the thread is stopped in code without debug information")
	}
	pcs, actual, err := m.Sym.LineToPCs(source, line)
	if err != nil {
		return nil, err
	}
	if actual != line {
		return nil, fmt.Errorf("line %d has no code", line)
	}
	var out []uint64
	for _, a := range pcs {
		if f := m.Sym.FuncAt(a); f == fn {
			out = append(out, a+m.Bias)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("line %d is not in %s, where the thread is stopped: only its own lines can be jumped to", line, fn.DisplayName())
	}
	return out, nil
}
