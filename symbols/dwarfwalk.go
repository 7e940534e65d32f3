package symbols

import (
	"debug/dwarf"
	"io"
)

// children walks the children of the entry just read. Inside a function
// (depth > 0) it follows lexical blocks and inlined subroutines; at unit
// level it follows namespaces, where C++ puts out-of-line definitions.
func (b *builder) children(r *dwarf.Reader, depth int32, inFunc bool) error {
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e == nil {
			return io.ErrUnexpectedEOF
		}
		switch {
		case e.Tag == 0:
			return nil
		case e.Tag == dwarf.TagSubprogram:
			if err := b.subprogram(r, e); err != nil {
				return err
			}
			continue
		case e.Tag == dwarf.TagInlinedSubroutine && inFunc:
			b.inlined(e, depth+1)
			if e.Children {
				if err := b.children(r, depth+1, true); err != nil {
					return err
				}
			}
			continue
		case e.Children && (e.Tag == dwarf.TagLexDwarfBlock && inFunc || e.Tag == dwarf.TagNamespace && !inFunc):
			if err := b.children(r, depth, inFunc); err != nil {
				return err
			}
			continue
		}
		if e.Children {
			r.SkipChildren()
		}
	}
}

func (b *builder) subprogram(r *dwarf.Reader, e *dwarf.Entry) error {
	ranges := b.ranges(e)
	info := b.describe(e, 0)
	decl, _ := e.Val(dwarf.AttrDeclaration).(bool)
	if len(ranges) > 0 {
		fn := &Function{
			Name: info.name, LinkageName: info.linkage,
			Low: ranges[0][0], High: ranges[0][1], Ranges: ranges,
			external: info.external,
		}
		if fn.Name == "" {
			fn.Name = fn.LinkageName
		}
		if fn.Name == "" {
			fn.Name, _, _ = b.f.SymbolAt(fn.Low)
		}
		src := b.src(info)
		b.x.srcFuncs[src].ranges = append(b.x.srcFuncs[src].ranges, ranges...)
		b.pending = append(b.pending, pendingFunc{fn: fn, src: src})
	} else if !decl {
		// An abstract instance: no code of its own, but its source span
		// matters for lines that only exist inlined.
		b.src(info)
	}
	if !e.Children {
		return nil
	}
	if len(ranges) == 0 {
		r.SkipChildren()
		return nil
	}
	return b.children(r, 0, true)
}

func (b *builder) inlined(e *dwarf.Entry, depth int32) {
	ranges := b.ranges(e)
	if len(ranges) == 0 {
		return
	}
	info := b.describe(e, 0)
	src := b.src(info)
	sf := &b.x.srcFuncs[src]
	sf.ranges = append(sf.ranges, ranges...)
	in := inlineInst{src: src, depth: depth, callFile: -1,
		fn: &Function{Name: info.name, LinkageName: info.linkage}}
	// The walk is inside the unit appended last, whose file table
	// DW_AT_call_file indexes.
	if raw, ok := e.Val(dwarf.AttrCallFile).(int64); ok && len(b.units) > 0 {
		if files := b.units[len(b.units)-1].files; raw >= 0 && raw < int64(len(files)) {
			in.callFile = files[raw]
		}
	}
	if l, ok := e.Val(dwarf.AttrCallLine).(int64); ok {
		in.callLine = int32(l)
	}
	if c, ok := e.Val(dwarf.AttrCallColumn).(int64); ok {
		in.callCol = int32(c)
	}
	in.entry = ranges[0][0]
	for _, r := range ranges {
		in.entry = min(in.entry, r[0])
	}
	switch v := e.Val(dwarf.AttrEntrypc).(type) {
	case uint64: // an address
		in.entry = v
	case int64: // DWARF 5: an offset from the base address
		if lo, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
			in.entry = lo + uint64(v)
		}
	}
	ref := int32(len(b.x.inlines))
	b.x.inlines = append(b.x.inlines, in)
	for _, rg := range ranges {
		b.inlSpan = append(b.inlSpan, span{lo: rg[0], hi: rg[1], ref: ref})
	}
}

// ranges returns e's address ranges, dropping empty ones and those of code
// the linker discarded.
func (b *builder) ranges(e *dwarf.Entry) [][2]uint64 {
	rs, err := b.d.Ranges(e)
	if err != nil {
		b.fail(err)
		return nil
	}
	out := rs[:0]
	for _, r := range rs {
		if r[0] < r[1] && b.f.isExec(r[0]) {
			out = append(out, r)
		}
	}
	return out
}

// src returns the srcFunc for a function's abstract-origin root.
func (b *builder) src(info dieInfo) int32 {
	if i, ok := b.srcByOff[info.root]; ok {
		return i
	}
	i := int32(len(b.x.srcFuncs))
	b.x.srcFuncs = append(b.x.srcFuncs, srcFunc{
		file: -1, declLine: int32(info.declLine), declDie: info.declDie, rawFile: info.rawFile,
	})
	b.srcByOff[info.root] = i
	return i
}

// describe collects e's names and declaration, completing them from
// DW_AT_abstract_origin (concrete and inlined copies) or DW_AT_specification
// (C++ out-of-class definitions). depth guards against reference cycles.
func (b *builder) describe(e *dwarf.Entry, depth int) dieInfo {
	info := dieInfo{root: e.Offset, rawFile: -1}
	info.name, _ = e.Val(dwarf.AttrName).(string)
	info.linkage, _ = e.Val(dwarf.AttrLinkageName).(string)
	if info.linkage == "" {
		info.linkage, _ = e.Val(attrMIPSLinkageName).(string)
	}
	info.external, _ = e.Val(dwarf.AttrExternal).(bool)
	// gcc omits whichever of decl_file and decl_line an out-of-class
	// definition shares with its declaration, so each is taken separately.
	if f, ok := e.Val(dwarf.AttrDeclFile).(int64); ok {
		info.rawFile, info.declDie = f, e.Offset
	}
	info.declLine, _ = e.Val(dwarf.AttrDeclLine).(int64)
	if depth > 8 {
		return info
	}
	if off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
		o := b.describeAt(off, depth+1)
		merge(&info, o)
		info.root = o.root
	} else if off, ok := e.Val(dwarf.AttrSpecification).(dwarf.Offset); ok {
		merge(&info, b.describeAt(off, depth+1))
	}
	return info
}

func merge(dst *dieInfo, src dieInfo) {
	if dst.name == "" {
		dst.name = src.name
	}
	if dst.linkage == "" {
		dst.linkage = src.linkage
	}
	if dst.rawFile < 0 {
		dst.rawFile, dst.declDie = src.rawFile, src.declDie
	}
	if dst.declLine == 0 {
		dst.declLine = src.declLine
	}
	dst.external = dst.external || src.external
}

func (b *builder) describeAt(off dwarf.Offset, depth int) dieInfo {
	if info, ok := b.cache[off]; ok {
		return info
	}
	b.seek.Seek(off)
	e, err := b.seek.Next()
	if err != nil || e == nil {
		b.fail(err)
		return dieInfo{root: off, rawFile: -1}
	}
	info := b.describe(e, depth)
	b.cache[off] = info
	return info
}

// attrMIPSLinkageName is DW_AT_MIPS_linkage_name, which older gcc and some
// other producers emit instead of DW_AT_linkage_name.
const attrMIPSLinkageName = dwarf.Attr(0x2007)
