package symbols

import (
	"debug/elf"
	"strings"
)

// elfSym is the part of an ELF symbol the queries need.
type elfSym struct {
	name  string
	value uint64
	size  uint64
	fn    bool // STT_FUNC or STT_GNU_IFUNC
	bind  elf.SymBind
}

// symTable indexes one ELF symbol table (.symtab or .dynsym).
type symTable struct {
	syms  []elfSym
	spans spanIndex
	// funcs holds a Function for every sized function symbol, so FuncAt and
	// LookupFunc hand out stable pointers.
	funcs  []*Function
	byName map[string]int32 // preferred sized function symbol per name
}

// sttGNUIFunc is STT_GNU_IFUNC: glibc exports memcpy and friends as
// indirect functions, and they are code all the same.
const sttGNUIFunc = elf.SymType(10)

func newSymTable(raw []elf.Symbol) *symTable {
	t := &symTable{byName: make(map[string]int32)}
	var spans []span
	for _, s := range raw {
		typ := elf.ST_TYPE(s.Info)
		isFunc := typ == elf.STT_FUNC || typ == sttGNUIFunc
		if !isFunc && typ != elf.STT_OBJECT {
			continue
		}
		// Undefined and absolute symbols name no address in this object.
		if s.Section == elf.SHN_UNDEF || s.Section == elf.SHN_ABS || s.Name == "" {
			continue
		}
		// A debug file's .symtab spells versioned definitions as the
		// static linker saw them (__libc_start_main@@GLIBC_2.34): a person
		// and a breakpoint name them without the version.
		name, _, _ := strings.Cut(s.Name, "@")
		i := int32(len(t.syms))
		t.syms = append(t.syms, elfSym{name: name, value: s.Value, size: s.Size, fn: isFunc, bind: elf.ST_BIND(s.Info)})
		// A zero-size symbol (hand-written assembly, linker labels) still
		// names its own address, so it gets a one-byte interval.
		spans = append(spans, span{lo: s.Value, hi: s.Value + max(s.Size, 1), ref: i})
	}
	t.spans = newSpanIndex(spans)
	t.funcs = make([]*Function, len(t.syms))
	for i, s := range t.syms {
		if !s.fn || s.size == 0 {
			continue
		}
		t.funcs[i] = &Function{Name: s.name, Low: s.value, High: s.value + s.size, Ranges: [][2]uint64{{s.value, s.value + s.size}}}
		if j, ok := t.byName[s.name]; !ok || bindRank(s.bind) > bindRank(t.syms[j].bind) {
			t.byName[s.name] = int32(i)
		}
	}
	return t
}

// bindRank orders aliases at one address the way a person expects to see
// them named: the exported name over a weak alias over a local one.
func bindRank(b elf.SymBind) int {
	switch b {
	case elf.STB_GLOBAL:
		return 2
	case elf.STB_WEAK:
		return 1
	}
	return 0
}

// lookup returns the symbol containing addr, choosing among overlapping
// candidates the innermost one, then the best-bound, then the function,
// then the alphabetically first so the answer does not depend on table order.
func (t *symTable) lookup(addr uint64, funcsOnly bool) (int32, bool) {
	if t == nil {
		return 0, false
	}
	best := int32(-1)
	t.spans.each(addr, func(s span) bool {
		c := t.syms[s.ref]
		if funcsOnly && t.funcs[s.ref] == nil {
			return true
		}
		if best < 0 || better(c, t.syms[best]) {
			best = s.ref
		}
		return true
	})
	return best, best >= 0
}

func better(a, b elfSym) bool {
	if a.value != b.value {
		return a.value > b.value
	}
	if ra, rb := bindRank(a.bind), bindRank(b.bind); ra != rb {
		return ra > rb
	}
	if a.fn != b.fn {
		return a.fn
	}
	return a.name < b.name
}

// SymbolAt returns the ELF symbol (FUNC or OBJECT, from .symtab, else
// .dynsym) containing addr and the offset of addr into it. A zero-size
// symbol matches only its own address.
func (f *File) SymbolAt(addr uint64) (name string, off uint64, ok bool) {
	for _, t := range []*symTable{f.symtab, f.dynsym} {
		if i, found := t.lookup(addr, false); found {
			s := t.syms[i]
			return s.name, addr - s.value, true
		}
	}
	return "", 0, false
}

// SymbolFuncAt is the function at pc as the ELF symbol tables know it
// (name and bounds, no lines): an answer that never reads DWARF.
func (f *File) SymbolFuncAt(pc uint64) *Function { return f.elfFuncAt(pc) }

// elfFuncAt is FuncAt's fallback for code without DWARF.
func (f *File) elfFuncAt(pc uint64) *Function {
	for _, t := range []*symTable{f.symtab, f.dynsym} {
		if i, found := t.lookup(pc, true); found {
			return t.funcs[i]
		}
	}
	return nil
}

// SymbolFunc finds a function by its ELF symbol name, never reading DWARF.
func (f *File) SymbolFunc(name string) *Function { return f.elfLookupFunc(name) }

func (f *File) elfLookupFunc(name string) *Function {
	for _, t := range []*symTable{f.symtab, f.dynsym} {
		if t == nil {
			continue
		}
		if i, ok := t.byName[name]; ok {
			return t.funcs[i]
		}
	}
	return nil
}
