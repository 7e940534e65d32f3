package symbols

// LookupSymbol returns the link-time address of the ELF symbol name
// (function or object; .symtab first, then .dynsym). It finds data symbols
// such as the dynamic loader's _r_debug, which LookupFunc does not.
func (f *File) LookupSymbol(name string) (uint64, bool) {
	for _, t := range f.symTables() {
		if t == nil {
			continue
		}
		for i := range t.syms {
			if string(t.nameBytes(int32(i))) == name {
				return t.syms[i].value, true
			}
		}
	}
	return 0, false
}
