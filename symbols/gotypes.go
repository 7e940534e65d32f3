package symbols

import (
	"debug/dwarf"
	"strconv"
)

// GoKind is the kind Go's compiler gives a type in DWARF (DW_AT_go_kind),
// numbered as internal/abi.Kind and reflect.Kind.
type GoKind uint8

// The Go kinds the debugger presents differently from their C shape.
const (
	GoNone      GoKind = 0
	GoArray     GoKind = 17
	GoChan      GoKind = 18
	GoFunc      GoKind = 19
	GoInterface GoKind = 20
	GoMap       GoKind = 21
	GoPointer   GoKind = 22
	GoSlice     GoKind = 23
	GoString    GoKind = 24
	GoStruct    GoKind = 25
)

// Go's DWARF extensions (cmd/internal/dwarf).
const (
	attrGoKind        dwarf.Attr = 0x2900
	attrGoKey         dwarf.Attr = 0x2901
	attrGoElem        dwarf.Attr = 0x2902
	attrGoRuntimeType dwarf.Attr = 0x2904
)

// goEntry is a type DIE that carries Go's attributes.
type goEntry struct {
	off        dwarf.Offset
	kind       GoKind
	key, elem  dwarf.Offset
	hasKeyElem [2]bool
}

// noteGo records a top-level DIE with Go's attributes, so that converted
// types can be given them (debug/dwarf drops unknown attributes) and so
// that a runtime type can be mapped back to its DWARF type. It is called
// while the variable index is built, before any type is converted.
func (c *typeConv) noteGo(e *dwarf.Entry) {
	var kind, rt int64
	var hasKind, hasRT bool
	var g goEntry
	for _, f := range e.Field {
		switch f.Attr {
		case attrGoKind:
			kind, hasKind = asInt(f.Val)
		case attrGoRuntimeType:
			rt, hasRT = asInt(f.Val)
		case attrGoKey:
			g.key, g.hasKeyElem[0] = f.Val.(dwarf.Offset)
		case attrGoElem:
			g.elem, g.hasKeyElem[1] = f.Val.(dwarf.Offset)
		}
	}
	if !hasKind && !hasRT {
		return
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	if name == "" {
		return
	}
	g.off, g.kind = e.Offset, GoKind(kind)
	if c.goByName == nil {
		c.goByName = make(map[string][]goEntry)
		c.goByRT = make(map[uint64]dwarf.Offset)
	}
	c.goByName[name] = append(c.goByName[name], g)
	// Offset 0 is what the linker writes for types without a runtime
	// type (runtime.eface, []main.T of some kinds); it names nothing.
	if hasRT && rt > 0 {
		if _, dup := c.goByRT[uint64(rt)]; !dup {
			c.goByRT[uint64(rt)] = e.Offset
		}
	}
}

func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case uint64:
		return int64(v), true
	}
	return 0, false
}

// goAttrs gives t, converted from dt, the Go attributes of its DIE. debug/dwarf
// hands out one dwarf.Type per DIE offset, so the DIE is the one among
// those of the same name whose type is dt itself.
func (c *typeConv) goAttrs(dt dwarf.Type, t *Type) {
	if c.goByName == nil {
		return
	}
	name := goDwarfName(dt, 0)
	for _, g := range c.goByName[name] {
		if same, err := c.d.Type(g.off); err != nil || same != dt {
			continue
		}
		t.GoKind, t.Name, t.goName = g.kind, name, true
		if g.hasKeyElem[0] {
			if kt, err := c.d.Type(g.key); err == nil {
				t.GoKey = c.conv(kt)
			}
		}
		if g.hasKeyElem[1] {
			if et, err := c.d.Type(g.elem); err == nil {
				t.GoElem = c.conv(et)
			}
		}
		return
	}
}

// goDwarfName is the name of dt's DIE as Go's compiler writes it.
// debug/dwarf keeps the name of typedefs, structs and base types only;
// the Go names of pointers and arrays are rebuilt from their targets.
func goDwarfName(dt dwarf.Type, depth int) string {
	if depth > 16 {
		return ""
	}
	switch t := dt.(type) {
	case *dwarf.StructType:
		return t.StructName
	case *dwarf.PtrType:
		if n := goDwarfName(t.Type, depth+1); n != "" {
			return "*" + n
		}
		return ""
	case *dwarf.ArrayType:
		if n := goDwarfName(t.Type, depth+1); n != "" && t.Count >= 0 {
			return "[" + strconv.FormatInt(t.Count, 10) + "]" + n
		}
		return ""
	case nil:
		return ""
	}
	return dt.Common().Name
}

// GoType returns the Go type named name ("main.T", "[]int",
// "noalg.map.group[string]int"), as the Go compiler spells it.
func (f *File) GoType(name string) (*Type, bool) {
	v, err := f.varsAll()
	if err != nil {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	gs := v.types.goByName[name]
	if len(gs) == 0 {
		return nil, false
	}
	return v.types.typeAt(gs[0].off), true
}

// GoRuntimeType returns the Go type whose runtime type descriptor
// (internal/abi.Type) lies off bytes into the module's type data (from the
// link-time address of the symbol runtime.types): what an interface's
// dynamic type or a channel's element type points to.
func (f *File) GoRuntimeType(off uint64) (*Type, bool) {
	v, err := f.varsAll()
	if err != nil {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	o, ok := v.types.goByRT[off]
	if !ok {
		return nil, false
	}
	return v.types.typeAt(o), true
}
