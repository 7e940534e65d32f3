package symbols

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"sync"
)

// elfSym is the part of an ELF symbol the queries need. The name stays in
// the string table until asked for: a library's tables are read at every
// launch, their names rarely.
type elfSym struct {
	value uint64
	size  uint64
	name  uint32 // offset into the string table
	fn    bool   // STT_FUNC or STT_GNU_IFUNC
	bind  elf.SymBind
}

// symTable indexes one ELF symbol table (.symtab or .dynsym).
type symTable struct {
	strtab []byte
	syms   []elfSym
	spans  spanIndex

	mu sync.Mutex
	// funcs holds the Function made for a sized function symbol, so
	// FuncAt and LookupFunc hand out stable pointers.
	funcs map[int32]*Function

	nameOnce sync.Once
	byName   map[string]int32 // preferred sized function symbol per name
}

// sttGNUIFunc is STT_GNU_IFUNC: glibc exports memcpy and friends as
// indirect functions, and they are code all the same.
const sttGNUIFunc = elf.SymType(10)

// symEntSize is the size of an Elf64_Sym.
const symEntSize = 24

// readSymTable reads the symbol table of section type typ (SHT_SYMTAB or
// SHT_DYNSYM) straight from its bytes, keeping the defined functions and
// objects. It is nil when the file has none or it cannot be read: a
// stripped or damaged table is no reason to refuse the file.
func readSymTable(ef *elf.File, typ elf.SectionType) *symTable {
	sec := ef.SectionByType(typ)
	if sec == nil || int(sec.Link) >= len(ef.Sections) {
		return nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil
	}
	str, err := ef.Sections[sec.Link].Data()
	if err != nil {
		return nil
	}
	n := len(data) / symEntSize
	t := &symTable{strtab: str, syms: make([]elfSym, 0, n)}
	spans := make([]span, 0, n)
	// Entry 0 is the reserved null symbol.
	for off := symEntSize; off+symEntSize <= len(data); off += symEntSize {
		e := data[off : off+symEntSize]
		name := binary.LittleEndian.Uint32(e[0:])
		info := e[4]
		shndx := elf.SectionIndex(binary.LittleEndian.Uint16(e[6:]))
		typ := elf.ST_TYPE(info)
		isFunc := typ == elf.STT_FUNC || typ == sttGNUIFunc
		if !isFunc && typ != elf.STT_OBJECT {
			continue
		}
		// Undefined and absolute symbols name no address in this object.
		if shndx == elf.SHN_UNDEF || shndx == elf.SHN_ABS || int(name) >= len(str) || str[name] == 0 {
			continue
		}
		value, size := binary.LittleEndian.Uint64(e[8:]), binary.LittleEndian.Uint64(e[16:])
		i := int32(len(t.syms))
		t.syms = append(t.syms, elfSym{name: name, value: value, size: size, fn: isFunc, bind: elf.ST_BIND(info)})
		// A zero-size symbol (hand-written assembly, linker labels) still
		// names its own address, so it gets a one-byte interval.
		spans = append(spans, span{lo: value, hi: value + max(size, 1), ref: i})
	}
	t.spans = newSpanIndex(spans)
	return t
}

// nameBytes is symbol i's name as the table spells it.
func (t *symTable) nameBytes(i int32) []byte {
	b := t.strtab[t.syms[i].name:]
	if n := bytes.IndexByte(b, 0); n >= 0 {
		b = b[:n]
	}
	// A debug file's .symtab spells versioned definitions as the static
	// linker saw them (__libc_start_main@@GLIBC_2.34): a person and a
	// breakpoint name them without the version.
	if n := bytes.IndexByte(b, '@'); n >= 0 {
		b = b[:n]
	}
	return b
}

// name is symbol i's name.
func (t *symTable) name(i int32) string { return string(t.nameBytes(i)) }

// isFunc says whether symbol i is a sized function, one with a Function.
func (t *symTable) isFunc(i int32) bool { return t.syms[i].fn && t.syms[i].size > 0 }

// function returns the Function of sized function symbol i, made once.
func (t *symTable) function(i int32) *Function {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fn := t.funcs[i]; fn != nil {
		return fn
	}
	if t.funcs == nil {
		t.funcs = map[int32]*Function{}
	}
	s := t.syms[i]
	fn := &Function{Name: t.name(i), Low: s.value, High: s.value + s.size, Ranges: [][2]uint64{{s.value, s.value + s.size}}}
	t.funcs[i] = fn
	return fn
}

// lookupName finds the preferred sized function symbol called name.
func (t *symTable) lookupName(name string) (int32, bool) {
	t.nameOnce.Do(func() {
		t.byName = make(map[string]int32)
		for i := range t.syms {
			i := int32(i)
			if !t.isFunc(i) {
				continue
			}
			n := t.name(i)
			if j, ok := t.byName[n]; !ok || bindRank(t.syms[i].bind) > bindRank(t.syms[j].bind) {
				t.byName[n] = i
			}
		}
	})
	i, ok := t.byName[name]
	return i, ok
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
		if funcsOnly && !t.isFunc(s.ref) {
			return true
		}
		if best < 0 || t.better(s.ref, best) {
			best = s.ref
		}
		return true
	})
	return best, best >= 0
}

// better says whether symbol i names an address better than symbol j.
func (t *symTable) better(i, j int32) bool {
	a, b := t.syms[i], t.syms[j]
	if a.value != b.value {
		return a.value > b.value
	}
	if ra, rb := bindRank(a.bind), bindRank(b.bind); ra != rb {
		return ra > rb
	}
	if a.fn != b.fn {
		return a.fn
	}
	return bytes.Compare(t.nameBytes(i), t.nameBytes(j)) < 0
}

// SymbolAt returns the ELF symbol (FUNC or OBJECT, from .symtab, else
// .dynsym) containing addr and the offset of addr into it. A zero-size
// symbol matches only its own address.
func (f *File) SymbolAt(addr uint64) (name string, off uint64, ok bool) {
	for _, t := range f.symTables() {
		if i, found := t.lookup(addr, false); found {
			return t.name(i), addr - t.syms[i].value, true
		}
	}
	return "", 0, false
}

// SymbolFuncAt is the function at pc as the ELF symbol tables know it
// (name and bounds, no lines): an answer that never reads DWARF.
func (f *File) SymbolFuncAt(pc uint64) *Function { return f.elfFuncAt(pc) }

// elfFuncAt is FuncAt's fallback for code without DWARF.
func (f *File) elfFuncAt(pc uint64) *Function {
	for _, t := range f.symTables() {
		if i, found := t.lookup(pc, true); found {
			return t.function(i)
		}
	}
	return nil
}

// SymbolFunc finds a function by its ELF symbol name, never reading DWARF.
func (f *File) SymbolFunc(name string) *Function { return f.elfLookupFunc(name) }

func (f *File) elfLookupFunc(name string) *Function {
	for _, t := range f.symTables() {
		if t == nil {
			continue
		}
		if i, ok := t.lookupName(name); ok {
			return t.function(i)
		}
	}
	return nil
}
