package symbols

import (
	"path/filepath"
	"sort"

	"github.com/dap-ptrace/dap-ptrace/symbols/dwarfsec"
)

// InlinedCall is one inlined call whose code covers a pc: the function
// inlined, and the place in its caller the call was written.
type InlinedCall struct {
	Func *Function // Name and LinkageName only; it has no code of its own
	// CallFile, CallLine and CallColumn are the call site in the caller's
	// source (DW_AT_call_file, _line, _column); CallFile is "" when the
	// producer did not record it.
	CallFile   string
	CallLine   int
	CallColumn int
	// Entry is where the inlined code starts (DW_AT_entry_pc, else its
	// lowest address): a stop there is, to a person, still at the call.
	Entry uint64
}

// InlinedAt returns the inlined calls covering pc, innermost first. The
// innermost one's own line is LineAt(pc); each call's CallFile:CallLine is
// the line its caller — the next entry, or FuncAt(pc) after the last — is
// at. Nil when pc is in no inlined code or the file has no DWARF.
func (f *File) InlinedAt(pc uint64) []InlinedCall {
	x := f.index()
	if x == nil {
		return nil
	}
	var ins []*inlineInst
	x.inlineIdx.each(pc, func(s span) bool {
		ins = append(ins, &x.inlines[s.ref])
		return true
	})
	if len(ins) == 0 {
		return nil // as documented; most pcs of a stack are in no inlined code
	}
	// Nested copies are usually met innermost first already; the depth
	// settles it when ranges of sibling blocks interleave.
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].depth > ins[j].depth })
	out := make([]InlinedCall, 0, len(ins))
	for _, in := range ins {
		c := InlinedCall{Func: in.fn, CallLine: int(in.callLine), CallColumn: int(in.callCol), Entry: in.entry}
		if in.callFile >= 0 {
			c.CallFile = x.files[in.callFile]
		}
		out = append(out, c)
	}
	return out
}

// Indexed reports whether the DWARF index has been built, i.e. whether
// queries that need it answer without first reading all of the DWARF.
func (f *File) Indexed() bool { return f.dwDone.Load() }

// MayHaveSource says whether file may be one of this object's sources:
// false only when no line program names a file of its base name. Reading
// the line headers alone (a few milliseconds for libc) spares indexing a
// library's DWARF (most of a second) to learn that a breakpoint's file is
// not in it.
func (f *File) MayHaveSource(file string) bool {
	if !f.hasDWARF {
		return false
	}
	if f.Indexed() {
		return true // LineToPCs answers exactly, and at once
	}
	f.lineNamesOnce.Do(func() {
		f.lineNames, f.lineNamesOK = dwarfsec.LineFileNames(f.secs.Get("line"), f.secs.Get("line_str"), f.secs.Get("str"))
	})
	return !f.lineNamesOK || f.lineNames[filepath.Base(file)]
}

// SeparateDebugInfo says whether the DWARF comes from a separate debug
// file (a distribution's -dbg package, found by build id or debuglink)
// rather than the object itself, as a project's own build keeps it.
func (f *File) SeparateDebugInfo() bool { return f.dwELF != f.elf }

// DebugInfoSize is the size in the file of the .debug_info section the
// DWARF comes from (compressed, when it is): a measure of how long
// indexing it will take.
func (f *File) DebugInfoSize() uint64 {
	if f.dwELF == nil {
		return 0
	}
	for _, name := range []string{".debug_info", ".zdebug_info"} {
		if sec := f.dwELF.Section(name); sec != nil {
			return sec.FileSize
		}
	}
	return 0
}
