package symbols

import "strings"

// Function is a function known from DWARF (a DW_TAG_subprogram with code) or,
// failing that, from an ELF function symbol. The File hands out shared
// pointers, so one function always compares equal to itself; treat it as
// read-only.
type Function struct {
	// Name is DW_AT_name (taken from the abstract origin or specification
	// when the concrete entry lacks it), or the ELF symbol name.
	Name string
	// LinkageName is DW_AT_linkage_name, not demangled; "" when absent.
	LinkageName string
	// Low and High bound the part of the function holding its entry point,
	// [Low, High). Code split off by the compiler (gcc's .cold parts) is
	// only in Ranges.
	Low, High uint64
	// Ranges lists every [low, high) address range of the function, the
	// entry range first.
	Ranges [][2]uint64
	// File and Line are the declaration coordinates (DW_AT_decl_file and
	// DW_AT_decl_line); empty for ELF-only functions.
	File string
	Line int
	// HasLines reports whether some line-table row falls inside the
	// function, i.e. whether source-level stepping can work in it.
	HasLines bool

	external bool // DW_AT_external: preferred by LookupFunc over statics
}

// FuncAt finds the function containing pc: the DWARF subprogram whose code
// it is first (inlined copies are attributed to the function they were
// inlined into, never to the inlined callee), then sized FUNC symbols from
// .symtab, then .dynsym. It returns nil when nothing covers pc.
func (f *File) FuncAt(pc uint64) *Function {
	if idx := f.index(); idx != nil {
		if s, ok := idx.funcSpans.first(pc); ok {
			return idx.funcs[s.ref]
		}
	}
	return f.elfFuncAt(pc)
}

// LookupFunc finds a function by DWARF name, DWARF linkage name, or ELF
// symbol name, in that order. Among DWARF functions of the same name an
// external one wins over statics, then the lowest address. It returns nil
// when no function has that name.
func (f *File) LookupFunc(name string) *Function {
	if idx := f.index(); idx != nil {
		if fn, ok := idx.byName[name]; ok {
			return fn
		}
		if fn, ok := idx.byLinkage[name]; ok {
			return fn
		}
	}
	if fn := f.elfLookupFunc(name); fn != nil {
		return fn
	}
	if strings.Contains(name, "::") {
		return f.lookupCxx(name)
	}
	return nil
}

// Functions returns every DWARF function with code, sorted by Low. The
// slice is shared; do not modify it.
func (f *File) Functions() []*Function {
	if idx := f.index(); idx != nil {
		return idx.funcs
	}
	return nil
}

// preferFunc decides which of two same-named functions LookupFunc returns.
func preferFunc(a, b *Function) bool {
	if a.external != b.external {
		return a.external
	}
	return a.Low < b.Low
}
