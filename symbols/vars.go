package symbols

import (
	"debug/dwarf"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"

	"github.com/dap-ptrace/dap-ptrace/symbols/dwarfsec"
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
// on first use. What finds a function's variables at a pc is built per
// compile unit, the unit found through .debug_aranges: a frame in libc
// reads one of its 1,600 units, not all. What needs every unit (globals
// by name, C type names, Go's type attributes) is read in one walk, the
// first time it is asked for (all).
type varData struct {
	f     *File
	d     *dwarf.Data
	units []dwarfsec.Unit
	locs  dwarfsec.LocLists

	cuMu   sync.Mutex                 // guards cuSubs and the units' bases
	cuOnce sync.Once                  // reads cuOf, arCUs and arSets
	cuOf   spanIndex                  // .debug_aranges: ref indexes arCUs
	arCUs  []dwarf.Offset             // by unit header
	arSets int                        // sets read from .debug_aranges
	cuSubs map[dwarf.Offset]*unitSubs // by unit root DIE

	allOnce  sync.Once
	globals  map[string][]dwarf.Offset
	unitVars map[dwarf.Offset][]dwarf.Offset // root DIE offset -> file-scope variables
	cuSpans  spanIndex                       // ref indexes cuOffs
	cuOffs   []dwarf.Offset

	mu    sync.Mutex // guards types (and debug/dwarf's type cache)
	types *typeConv

	cTypes, tagTypes map[string]cTypeEntry // named types at the top of units (noteCType)
}

// unitSubs are one unit's subprograms with code.
type unitSubs struct {
	spans spanIndex // ref indexes offs
	offs  []dwarf.Offset
}

func (f *File) varData() (*varData, error) {
	f.varsOnce.Do(func() {
		d, err := f.dwarfData()
		if err != nil {
			f.varsErr = fmt.Errorf("symbols: %w", ErrNoDebugInfo)
			return
		}
		f.vars = &varData{
			f:     f,
			d:     d,
			units: dwarfsec.ReadUnits(f.secs.Get("info")),
			locs: dwarfsec.LocLists{
				Loc:      f.secs.Get("loc"),
				Loclists: f.secs.Get("loclists"),
				Addr:     f.secs.Get("addr"),
			},
			cuSubs: make(map[dwarf.Offset]*unitSubs),
			types:  newTypeConv(d),
		}
		if f.elf.Section(".gopclntab") != nil {
			// Go's type attributes come from the walk of every unit, and
			// any variable's type needs them.
			f.varsErr = f.vars.all()
		}
	})
	return f.vars, f.varsErr
}

// varsAll is varData with every unit walked.
func (f *File) varsAll() (*varData, error) {
	v, err := f.varData()
	if err != nil {
		return nil, err
	}
	return v, v.all()
}

// all walks the top of every unit once: file-scope variables, named
// types, every unit's ranges.
func (v *varData) all() (err error) {
	v.allOnce.Do(func() { err = v.walkAll() })
	return err
}

func (v *varData) walkAll() error {
	v.globals = make(map[string][]dwarf.Offset)
	v.unitVars = make(map[dwarf.Offset][]dwarf.Offset)
	var cuSpans []span
	d := v.d
	r := d.Reader()
	var cu *dwarf.Entry
	defer func() { v.cuSpans = newSpanIndex(cuSpans) }()
	for {
		e, err := r.Next()
		if err != nil {
			return fmt.Errorf("symbols: reading DWARF: %w", err)
		}
		if e == nil {
			break
		}
		switch e.Tag {
		case dwarf.TagCompileUnit, dwarf.TagPartialUnit:
			cu = e
			v.cuMu.Lock()
			v.noteUnit(e)
			v.cuMu.Unlock()
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
		case dwarf.TagVariable:
			if cu != nil && e.AttrField(dwarf.AttrLocation) != nil {
				v.unitVars[cu.Offset] = append(v.unitVars[cu.Offset], e.Offset)
				if name := v.varName(e); name != "" {
					v.globals[name] = append(v.globals[name], e.Offset)
				}
			}
		case dwarf.TagSubprogram:
			// Not a type; read per unit when asked about (readSubs).
		default:
			v.types.noteGo(e)
			v.noteCType(e)
		}
		if e.Tag != 0 && e.Children {
			r.SkipChildren()
		}
	}
	return nil
}

// noteUnit records what location lists need of unit root e (cuMu held).
func (v *varData) noteUnit(e *dwarf.Entry) {
	u := v.unitOf(e.Offset)
	if u == nil || u.Noted {
		return
	}
	u.Noted = true
	u.Base, _ = e.Val(dwarf.AttrLowpc).(uint64)
	if b, ok := e.Val(dwarf.AttrAddrBase).(int64); ok {
		u.AddrBase = uint64(b)
	}
	if b, ok := e.Val(dwarf.AttrLoclistsBase).(int64); ok {
		u.LocBase = uint64(b)
	}
}

// subAt finds the subprogram DIE whose code holds the link-time pc, in
// the unit .debug_aranges gives for pc (without that section, the unit
// whose ranges hold it), whose subprograms are read the first time one of
// its addresses is asked about.
func (v *varData) subAt(pc uint64) (dwarf.Offset, bool) {
	v.cuOnce.Do(v.readAranges)
	if v.arSets > 0 {
		if s, ok := v.cuOf.first(pc); ok {
			return v.subIn(v.arCUs[s.ref], pc)
		}
		return 0, false
	}
	if v.all() == nil {
		if s, ok := v.cuSpans.first(pc); ok {
			return v.subIn(v.cuOffs[s.ref], pc)
		}
	}
	return 0, false
}

// readAranges indexes .debug_aranges (cuOnce). A section whose sets list
// no range still counts: it says that no unit holds pc.
func (v *varData) readAranges() {
	ars, sets := dwarfsec.ReadAranges(v.f.secs.Get("aranges"))
	spans := make([]span, len(ars))
	v.arCUs = make([]dwarf.Offset, len(ars))
	for i, a := range ars {
		spans[i] = span{lo: a.Lo, hi: a.Hi, ref: int32(i)}
		v.arCUs[i] = a.Unit
	}
	v.cuOf, v.arSets = newSpanIndex(spans), sets
}

// subIn finds pc's subprogram in the unit at unit (its header or root).
func (v *varData) subIn(unit dwarf.Offset, pc uint64) (dwarf.Offset, bool) {
	if u := v.unitOf(unit); u != nil && u.Start == unit {
		unit = u.Root // aranges name a unit by its header
	}
	v.cuMu.Lock()
	subs := v.cuSubs[unit]
	if subs == nil {
		subs = v.readSubs(unit)
		v.cuSubs[unit] = subs
	}
	v.cuMu.Unlock()
	s, ok := subs.spans.first(pc)
	if !ok {
		return 0, false
	}
	return subs.offs[s.ref], true
}

// readSubs lists the subprograms with code at the top of the unit whose
// root DIE is at off (cuMu held).
func (v *varData) readSubs(off dwarf.Offset) *unitSubs {
	out := &unitSubs{}
	var spans []span
	defer func() { out.spans = newSpanIndex(spans) }()
	r := v.d.Reader()
	r.Seek(off)
	root, err := r.Next()
	if err != nil || root == nil || !root.Children {
		return out
	}
	v.noteUnit(root)
	for depth := 1; depth > 0; {
		e, err := r.Next()
		if err != nil || e == nil {
			return out
		}
		switch {
		case e.Tag == 0:
			depth--
			continue
		case e.Tag == dwarf.TagNamespace:
			if e.Children {
				depth++
			}
			continue
		case e.Tag == dwarf.TagSubprogram:
			if rs, err := v.d.Ranges(e); err == nil {
				ref := int32(len(out.offs))
				added := false
				for _, rg := range rs {
					if rg[0] < rg[1] && v.f.isExec(rg[0]) {
						spans = append(spans, span{lo: rg[0], hi: rg[1], ref: ref})
						added = true
					}
				}
				if added {
					out.offs = append(out.offs, e.Offset)
				}
			}
		}
		if e.Children {
			r.SkipChildren()
		}
	}
	return out
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
	sub, ok := v.subAt(pc)
	if !ok {
		return nil, nil, nil
	}
	r := v.d.Reader()
	r.Seek(sub)
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
			r.Seek(sub)
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
	v, err := f.varsAll()
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
	v, err := f.varsAll()
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
	v, err := f.varsAll()
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
