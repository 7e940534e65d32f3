package symbols

import (
	"debug/dwarf"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

// Variable is a variable or parameter, as DWARF describes it at some pc.
type Variable struct {
	Name  string
	Type  *Type
	Param bool // a DW_TAG_formal_parameter
	// Loc is the DW_AT_location expression valid at the pc asked for, taken
	// from an exprloc or from the matching entry of a location list
	// (.debug_loc for DWARF 2-4, .debug_loclists for DWARF 5). It is nil
	// when the variable has no location at that pc (optimized out), or when
	// only Const is known. Evaluate it with EvalLocation.
	Loc []byte
	// Const holds DW_AT_const_value (little-endian, the size of Type when
	// given as a number) for a variable without a location.
	Const []byte
	// DeclLine is DW_AT_decl_line, 0 when unknown.
	DeclLine int
	// Static reports a function-scope static or a file-scope variable with
	// internal linkage; External one visible to other units.
	Static, External bool
}

// varData is the state behind LocalsAt, GlobalsAt and LookupGlobal, built
// on first use.
type varData struct {
	d                   *dwarf.Data
	units               []unitHdr
	loc, loclists, addr []byte

	subs     spanIndex      // subprograms with code; ref indexes subOffs
	subOffs  []dwarf.Offset // subprogram DIEs
	globals  map[string][]dwarf.Offset
	unitVars map[dwarf.Offset][]dwarf.Offset // root DIE offset -> file-scope variables
	cuSpans  spanIndex                       // ref indexes cuOffs
	cuOffs   []dwarf.Offset

	mu    sync.Mutex // guards types (and debug/dwarf's type cache)
	types *typeConv

	cTypes, tagTypes map[string]cTypeEntry // named types at the top of units (noteCType)
}

func (f *File) varData() (*varData, error) {
	f.varsOnce.Do(func() {
		d, err := f.dwarfData()
		if err != nil {
			f.varsErr = fmt.Errorf("symbols: %w", ErrNoDebugInfo)
			return
		}
		f.vars, f.varsErr = buildVarData(f, d)
	})
	return f.vars, f.varsErr
}

func sectionData(f *File, name string) []byte {
	s := f.dwELF.Section(name)
	if s == nil {
		return nil
	}
	b, err := s.Data()
	if err != nil {
		return nil
	}
	return b
}

func buildVarData(f *File, d *dwarf.Data) (*varData, error) {
	v := &varData{
		d:        d,
		units:    readUnitHdrs(sectionData(f, ".debug_info")),
		loc:      sectionData(f, ".debug_loc"),
		loclists: sectionData(f, ".debug_loclists"),
		addr:     sectionData(f, ".debug_addr"),
		globals:  make(map[string][]dwarf.Offset),
		unitVars: make(map[dwarf.Offset][]dwarf.Offset),
		types:    newTypeConv(d),
	}
	var subSpans, cuSpans []span
	r := d.Reader()
	var cu *dwarf.Entry
	for {
		e, err := r.Next()
		if err != nil {
			return v, fmt.Errorf("symbols: reading DWARF: %w", err)
		}
		if e == nil {
			break
		}
		switch e.Tag {
		case dwarf.TagCompileUnit, dwarf.TagPartialUnit:
			cu = e
			if u := v.unitOf(e.Offset); u != nil {
				u.base, _ = e.Val(dwarf.AttrLowpc).(uint64)
				if b, ok := e.Val(dwarf.AttrAddrBase).(int64); ok {
					u.addrBase = uint64(b)
				}
				if b, ok := e.Val(dwarf.AttrLoclistsBase).(int64); ok {
					u.locBase = uint64(b)
				}
			}
			if rs, err := d.Ranges(e); err == nil {
				ref := int32(len(v.cuOffs))
				v.cuOffs = append(v.cuOffs, e.Offset)
				for _, rg := range rs {
					if rg[0] < rg[1] {
						cuSpans = append(cuSpans, span{lo: rg[0], hi: rg[1], ref: ref})
					}
				}
			}
			continue // into its children
		case dwarf.TagNamespace:
			continue
		case dwarf.TagSubprogram:
			if rs, err := d.Ranges(e); err == nil {
				ref := int32(len(v.subOffs))
				added := false
				for _, rg := range rs {
					if rg[0] < rg[1] && f.isExec(rg[0]) {
						subSpans = append(subSpans, span{lo: rg[0], hi: rg[1], ref: ref})
						added = true
					}
				}
				if added {
					v.subOffs = append(v.subOffs, e.Offset)
				}
			}
		case dwarf.TagVariable:
			if cu != nil && e.AttrField(dwarf.AttrLocation) != nil {
				v.unitVars[cu.Offset] = append(v.unitVars[cu.Offset], e.Offset)
				if name := v.varName(e); name != "" {
					v.globals[name] = append(v.globals[name], e.Offset)
				}
			}
		default:
			v.types.noteGo(e)
			v.noteCType(e)
		}
		if e.Tag != 0 && e.Children {
			r.SkipChildren()
		}
	}
	v.subs = newSpanIndex(subSpans)
	v.cuSpans = newSpanIndex(cuSpans)
	return v, nil
}

// entry reads the DIE at off.
func (v *varData) entry(off dwarf.Offset) (*dwarf.Entry, error) {
	r := v.d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err == nil && e == nil {
		err = fmt.Errorf("no DIE at %#x", off)
	}
	return e, err
}

// origin returns the attribute value of e or, failing that, of the entries
// its DW_AT_abstract_origin or DW_AT_specification chain leads to.
func (v *varData) origin(e *dwarf.Entry, attr dwarf.Attr) any {
	for i := 0; e != nil && i < 8; i++ {
		if val := e.Val(attr); val != nil {
			return val
		}
		next, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
		if !ok {
			if next, ok = e.Val(dwarf.AttrSpecification).(dwarf.Offset); !ok {
				return nil
			}
		}
		e, _ = v.entry(next)
	}
	return nil
}

func (v *varData) varName(e *dwarf.Entry) string {
	s, _ := v.origin(e, dwarf.AttrName).(string)
	return s
}

// variable describes the variable or parameter e at pc.
func (v *varData) variable(e *dwarf.Entry, pc uint64, usePC bool) (Variable, error) {
	vr := Variable{Name: v.varName(e), Param: e.Tag == dwarf.TagFormalParameter}
	if l, ok := v.origin(e, dwarf.AttrDeclLine).(int64); ok {
		vr.DeclLine = int(l)
	}
	vr.External, _ = v.origin(e, dwarf.AttrExternal).(bool)
	if toff, ok := v.origin(e, dwarf.AttrType).(dwarf.Offset); ok {
		v.mu.Lock()
		vr.Type = v.types.typeAt(toff)
		v.mu.Unlock()
	} else {
		vr.Type = &Type{Kind: KindVoid, Name: "void"}
	}
	fld := e.AttrField(dwarf.AttrLocation)
	if fld != nil {
		if _, isList := fld.Val.(int64); isList && !usePC {
			return vr, fmt.Errorf("symbols: variable %s has a location list and no pc", vr.Name)
		}
		loc, err := v.locExpr(e, dwarf.AttrLocation, pc)
		if err != nil {
			return vr, fmt.Errorf("symbols: location of %s: %w", vr.Name, err)
		}
		vr.Loc = loc
	} else {
		vr.Const = constBytes(v.origin(e, dwarf.AttrConstValue), vr.Type.Size)
	}
	return vr, nil
}

func constBytes(val any, size int64) []byte {
	switch c := val.(type) {
	case []byte:
		return c
	case int64:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(c))
		if size <= 0 || size > 8 {
			size = 8
		}
		return b[:size]
	case string:
		return append([]byte(c), 0)
	}
	return nil
}

// LocalsAt returns the parameters and local variables in scope at the
// link-time pc: the variables of the lexical blocks containing pc,
// innermost block first, then the function's own variables, then its
// parameters in declaration order. A name declared in an inner block
// hides the same name outside it, so each name appears once. Scope is
// decided by block address ranges only; a variable declared later in a
// block that contains pc is included. Variables of functions inlined at pc
// are not included (the function containing pc owns the frame).
//
// frameBase is the function's DW_AT_frame_base expression at pc, needed by
// EvalLocation for DW_OP_fbreg. A pc outside every function with DWARF
// gives (nil, nil, nil).
func (f *File) LocalsAt(pc uint64) (vars []Variable, frameBase []byte, err error) {
	return f.InlinedLocalsAt(pc, -1)
}

// InlinedLocalsAt is LocalsAt for the inlined call InlinedAt(pc)[k]: the
// parameters and variables of that inlined copy, without those of calls
// inlined into it. k < 0, or k past the calls covering pc, gives the
// containing function's own, as LocalsAt. frameBase is the containing
// function's: an inlined copy has none of its own.
func (f *File) InlinedLocalsAt(pc uint64, k int) (vars []Variable, frameBase []byte, err error) {
	v, err := f.varData()
	if err != nil {
		return nil, nil, err
	}
	s, ok := v.subs.first(pc)
	if !ok {
		return nil, nil, nil
	}
	r := v.d.Reader()
	r.Seek(v.subOffs[s.ref])
	fn, err := r.Next()
	if err != nil || fn == nil {
		return nil, nil, fmt.Errorf("symbols: reading function at %#x: %v", pc, err)
	}
	frameBase, err = v.locExpr(fn, dwarf.AttrFrameBase, pc)
	if err != nil {
		return nil, nil, fmt.Errorf("symbols: frame base at %#x: %w", pc, err)
	}
	if k >= 0 && fn.Children {
		chain, err := v.inlineChain(r, pc, nil)
		if err != nil {
			return nil, frameBase, fmt.Errorf("symbols: reading inlined calls at %#x: %w", pc, err)
		}
		if k < len(chain) {
			r.Seek(chain[len(chain)-1-k])
			if fn, err = r.Next(); err != nil || fn == nil {
				return nil, frameBase, fmt.Errorf("symbols: reading inlined call at %#x: %v", pc, err)
			}
		} else {
			r.Seek(v.subOffs[s.ref])
			r.Next()
		}
	}
	// levels[0] is the function body; each later level a block inside the
	// previous one.
	var levels [][]*dwarf.Entry
	if fn.Children {
		if err := v.scope(r, pc, &levels, 0); err != nil {
			return nil, frameBase, fmt.Errorf("symbols: reading locals at %#x: %w", pc, err)
		}
	}
	seen := make(map[string]bool)
	add := func(e *dwarf.Entry) error {
		vr, err := v.variable(e, pc, true)
		if err != nil {
			return err
		}
		if vr.Name == "" || seen[vr.Name] {
			return nil
		}
		seen[vr.Name] = true
		if !vr.Param && len(vr.Loc) == 9 && vr.Loc[0] == opAddr {
			vr.Static = true
		}
		vars = append(vars, vr)
		return nil
	}
	for i := len(levels) - 1; i >= 0; i-- {
		for _, e := range levels[i] {
			if e.Tag == dwarf.TagVariable {
				if err := add(e); err != nil {
					return vars, frameBase, err
				}
			}
		}
	}
	if len(levels) > 0 {
		for _, e := range levels[0] {
			if e.Tag == dwarf.TagFormalParameter {
				if err := add(e); err != nil {
					return vars, frameBase, err
				}
			}
		}
	}
	return vars, frameBase, nil
}

const opAddr = 0x03 // DW_OP_addr

// scope reads the children of the entry just read into levels[depth],
// descending into the lexical blocks that contain pc.
func (v *varData) scope(r *dwarf.Reader, pc uint64, levels *[][]*dwarf.Entry, depth int) error {
	if len(*levels) <= depth {
		*levels = append(*levels, nil)
	}
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e == nil || e.Tag == 0 {
			return nil
		}
		switch e.Tag {
		case dwarf.TagFormalParameter, dwarf.TagVariable:
			(*levels)[depth] = append((*levels)[depth], e)
		case dwarf.TagLexDwarfBlock:
			if e.Children && depth < 64 && v.covers(e, pc) && len(*levels) == depth+1 {
				if err := v.scope(r, pc, levels, depth+1); err != nil {
					return err
				}
				continue
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
}

// inlineChain reads the children of the entry just read and returns the
// offsets of the inlined calls containing pc, outermost first, looking
// through lexical blocks and into the calls themselves.
func (v *varData) inlineChain(r *dwarf.Reader, pc uint64, chain []dwarf.Offset) ([]dwarf.Offset, error) {
	for depth := 0; depth < 64; {
		e, err := r.Next()
		if err != nil {
			return chain, err
		}
		if e == nil || e.Tag == 0 {
			return chain, nil
		}
		if (e.Tag == dwarf.TagLexDwarfBlock || e.Tag == dwarf.TagInlinedSubroutine) && e.Children && v.covers(e, pc) {
			// Ranges of siblings do not overlap: descend and never come
			// back to this level.
			if e.Tag == dwarf.TagInlinedSubroutine {
				chain = append(chain, e.Offset)
			}
			depth++
			continue
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	return chain, nil
}

// covers reports whether pc lies in e's address ranges. A block without
// any (gcc emits such blocks for declarations only) covers nothing.
func (v *varData) covers(e *dwarf.Entry, pc uint64) bool {
	rs, err := v.d.Ranges(e)
	if err != nil {
		return false
	}
	for _, rg := range rs {
		if pc >= rg[0] && pc < rg[1] {
			return true
		}
	}
	return false
}

// GlobalsAt returns the file-scope variables, external and static, of the
// compile unit containing the link-time pc, those with a location only, in
// declaration order. Function-scope statics are reported by LocalsAt.
func (f *File) GlobalsAt(pc uint64) ([]Variable, error) {
	v, err := f.varData()
	if err != nil {
		return nil, err
	}
	s, ok := v.cuSpans.first(pc)
	if !ok {
		return nil, nil
	}
	var out []Variable
	for _, off := range v.unitVars[v.cuOffs[s.ref]] {
		e, err := v.entry(off)
		if err != nil {
			return out, fmt.Errorf("symbols: reading globals: %w", err)
		}
		vr, err := v.variable(e, pc, true)
		if err != nil {
			return out, err
		}
		if vr.Name == "" {
			continue
		}
		vr.Static = !vr.External
		out = append(out, vr)
	}
	return out, nil
}

// LookupGlobal finds a file-scope variable with a location by name in any
// compile unit, preferring an external definition over statics of the same
// name. Its Loc is an exprloc (typically DW_OP_addr); variables whose
// location is a list are not returned.
func (f *File) LookupGlobal(name string) (Variable, bool) {
	v, err := f.varData()
	if err != nil {
		return Variable{}, false
	}
	var found Variable
	ok := false
	for _, off := range v.globals[name] {
		e, err := v.entry(off)
		if err != nil {
			continue
		}
		vr, err := v.variable(e, 0, false)
		if err != nil {
			continue
		}
		vr.Static = !vr.External
		if !ok || vr.External && !found.External {
			found, ok = vr, true
		}
	}
	return found, ok
}

// LookupGoGlobal finds a Go package-level variable by the name Go code
// gives its package, the last element of its import path (fs for io/fs),
// and its own name: what DWARF names "io/fs.ErrNotExist". Of several
// packages of that name, the first import path in sort order wins.
func (f *File) LookupGoGlobal(pkg, name string) (Variable, bool) {
	v, err := f.varData()
	if err != nil {
		return Variable{}, false
	}
	suffix := "/" + pkg + "." + name
	best := ""
	for full := range v.globals {
		if strings.HasSuffix(full, suffix) && (best == "" || full < best) {
			best = full
		}
	}
	if best == "" {
		return Variable{}, false
	}
	return f.LookupGlobal(best)
}
