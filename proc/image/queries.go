package image

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"sort"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Questions about the loaded program as a whole that the core asks on
// behalf of a request: its main function, its globals, the dynamic
// loader's hooks, the modules as the client sees them, step-in targets
// and breakpoint lines.

// GlobalAddr finds the runtime address of the executable's global
// variable name, a plain identifier, if it is size bytes.
func (im *Image) GlobalAddr(name string, size int) (uint64, bool) {
	exe := im.Exe
	if exe == nil || exe.Sym == nil || !isName(name) {
		return 0, false
	}
	v, ok := exe.Sym.LookupGlobal(name)
	// A global's location is DW_OP_addr and its link-time address.
	if !ok || v.Type == nil || v.Type.Resolve().Size != int64(size) || len(v.Loc) != 9 || v.Loc[0] != 0x03 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(v.Loc[1:]) + exe.Bias, true
}

// isName says whether s is a plain identifier (a variable's name).
func isName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// Loader finds the dynamic loader through the auxv (AT_BASE) and the
// executable's PT_INTERP, and returns the runtime addresses of its
// _r_debug (the list of loaded objects) and _dl_debug_state (called on
// each change). ok is false for a static executable.
func (im *Image) Loader() (rdebug, brk uint64, ok bool) {
	interp := ""
	for _, prog := range im.Exe.Sym.ELF().Progs {
		if prog.Type == elf.PT_INTERP {
			b := make([]byte, prog.Filesz)
			if _, err := prog.ReadAt(b, 0); err == nil {
				interp = string(bytes.TrimRight(b, "\x00"))
			}
		}
	}
	base, err := im.AuxvValue(7) // AT_BASE
	if interp == "" || err != nil || base == 0 {
		return 0, 0, false
	}
	ld, err := symbols.Open(interp)
	if err != nil {
		return 0, 0, false
	}
	defer ld.Close()
	// From the symbol tables: the loader's DWARF (libc6-dbg has it) is
	// not worth reading on the way to the first stop.
	rd, ok1 := ld.LookupSymbol("_r_debug")
	bk, ok2 := ld.LookupSymbol("_dl_debug_state")
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	return rd + base, bk + base, true
}

// ModuleInfo is a loaded ELF object as the client sees it.
type ModuleInfo struct {
	ID         string // its path (the main program's, for the executable)
	Name       string
	Path       string
	Start, End uint64
	Symbols    bool // ELF symbols or DWARF were found
	DWARF      bool
}

// Info describes m for the client.
func (m *Module) Info() ModuleInfo {
	mi := ModuleInfo{ID: m.Path, Name: m.Name, Path: m.Path, Start: m.Start, End: m.End}
	if m.Sym != nil {
		mi.Symbols = true
		mi.DWARF = m.Sym.HasDWARF()
	}
	return mi
}

// Infos describes the objects the client was told of, the executable
// first and the others by address.
func (im *Image) Infos() []ModuleInfo {
	var out []ModuleInfo
	for _, m := range im.Modules() {
		if m.Announced || m == im.Exe {
			out = append(out, m.Info())
		}
	}
	sort.SliceStable(out[min(1, len(out)):], func(i, j int) bool { return out[1+i].Start < out[1+j].Start })
	return out
}

// FuncName is the name of the function at pc, "" if none is known.
func (im *Image) FuncName(pc uint64) string {
	if fn, _ := im.FuncAt(pc); fn != nil {
		return fn.Name
	}
	return ""
}

// MainPC is the runtime address of the program's main function (main.main
// in Go), or its entry point without one: where a scope with no frame
// looks its globals up.
func (im *Image) MainPC() uint64 {
	exe := im.Exe
	if exe == nil || exe.Sym == nil {
		return 0
	}
	for _, name := range []string{"main.main", "main"} {
		if fn := exe.Sym.LookupFunc(name); fn != nil {
			return fn.Low + exe.Bias
		}
	}
	return exe.Sym.Entry() + exe.Bias
}

// StepTarget is a function a stepIn from the current line may enter.
type StepTarget struct {
	Name string
	Addr uint64 // its first line's address, for StepInto
	Line int    // its first line
}

// StepTargets lists the functions with line information that the line at
// pc calls directly, in call order, each once; hide is how many inlined
// calls starting at pc the stop hides (the line is then the call's).
func (im *Image) StepTargets(pc uint64, hide int) []StepTarget {
	loc, ok := im.LineAt(pc)
	if !ok {
		return nil
	}
	line := loc.Line
	if calls := im.InlinedAt(pc); hide > 0 && hide <= len(calls) {
		line = calls[hide-1].CallLine
	}
	entries, _ := im.Callees(pc, line)
	var out []StepTarget
	seen := map[uint64]bool{}
	for _, e := range entries {
		if seen[e] {
			continue
		}
		seen[e] = true
		t := StepTarget{Addr: e}
		if fn, _ := im.FuncAt(e); fn != nil {
			t.Name = fn.DisplayName()
		}
		if le, ok := im.LineAt(e); ok {
			t.Line = le.Line
		}
		out = append(out, t)
	}
	return out
}

// StayingLines lists the lines in [line, endLine] of the executable's
// source file (a local path) where a breakpoint would stay on its line
// (endLine 0: just line; at most 10,000 lines).
func (im *Image) StayingLines(source string, line, endLine int) []int {
	if im.Exe == nil || im.Exe.Sym == nil {
		return nil
	}
	endLine = min(max(endLine, line), line+10000)
	var out []int
	for l := line; l <= endLine; l++ {
		if _, actual, err := im.Exe.Sym.LineToPCs(im.srcMap.Compiled(source), l); err == nil && actual == l {
			out = append(out, l)
		} else if errors.Is(err, symbols.ErrUnknownFile) || errors.Is(err, symbols.ErrNoDebugInfo) {
			return nil
		}
	}
	return out
}
