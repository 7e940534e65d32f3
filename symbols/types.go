package symbols

import (
	"debug/dwarf"
	"strconv"
	"strings"
)

// TypeKind says what a Type is, once qualifiers are folded away.
type TypeKind uint8

// The kinds of Type. Const and volatile have no kind of their own: they are
// folded into the qualified type (see Type.Qualifiers).
const (
	KindInvalid TypeKind = iota // unsupported or unreadable DWARF type
	KindVoid
	KindInt     // signed integer other than char
	KindUint    // unsigned integer other than char
	KindBool    // C _Bool / C++ bool
	KindChar    // char, signed char, unsigned char (see Type.Signed)
	KindFloat   // float, double, long double
	KindComplex // _Complex float and friends
	KindPointer
	KindStruct
	KindUnion
	KindArray
	KindEnum
	KindTypedef
	KindFunc // a subroutine type; only reachable through pointers
)

var kindNames = [...]string{"invalid", "void", "int", "uint", "bool", "char", "float", "complex",
	"pointer", "struct", "union", "array", "enum", "typedef", "func"}

// String returns a short lower-case name for the kind ("struct", "pointer").
func (k TypeKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Type is a DWARF type, converted once and shared: the same DWARF entry
// always yields the same *Type, so pointers to it may be compared. Treat it
// as read-only.
//
// A typedef keeps its own name and Kind KindTypedef with the aliased type in
// Elem; Resolve follows such chains. A const or volatile type is a copy of
// the type it qualifies (same Kind, Size, Elem, Fields...) whose Qualifiers
// is "const", "volatile" or "const volatile" and whose Name includes them.
type Type struct {
	Kind TypeKind
	// Name is the type as C writes it: "int", "struct point", "char *",
	// "const char *", "int [3][4]", "void (*)(int)", or the typedef name.
	// Anonymous structs, unions and enums are "struct {...}" and so on.
	Name string
	// Qualifiers is "", "const", "volatile" or "const volatile".
	Qualifiers string
	// Size is the byte size (DW_AT_byte_size); 0 for void, functions and
	// incomplete types. For arrays of unknown length it is 0 as well.
	Size int64
	// Signed tells, for KindChar and KindEnum, whether the values are
	// signed. KindInt is always signed, KindUint never.
	Signed bool
	// Elem is the pointer target, array element, typedef target, enum's
	// underlying integer type (nil when DWARF gives none) or function
	// return type (nil for void).
	Elem *Type
	// Count is the array length, -1 when it is unknown (flexible array
	// members, extern arrays without a size).
	Count int64
	// Fields are the members of a struct or union in declaration order,
	// anonymous members (Name "") included.
	Fields []Field
	// Enumerators are the named values of an enum, in declaration order.
	Enumerators []Enumerator
	// Params are the parameter types of a function type; Variadic reports
	// a trailing "...".
	Params   []*Type
	Variadic bool
	// Incomplete reports a struct, union or enum that is only declared.
	Incomplete bool
	// GoKind is the Go kind the Go compiler gives the type
	// (DW_AT_go_kind), GoNone for other producers. A Go type keeps the name
	// Go spells it with ("[]int", "*main.T", "map[string]int"), and Go's
	// strings, slices, maps, channels and interfaces are structs or
	// pointers to runtime structs underneath.
	GoKind GoKind
	// GoKey is a Go map's key type and GoElem its element type (also a
	// channel's or slice's element type); nil when DWARF gives none.
	GoKey, GoElem *Type

	qual   *Type // the unqualified type for const/volatile copies
	goName bool  // a Go type: keep its DWARF name
}

// Field is a member of a struct or union.
//
// For a bit field, BitSize is its width and the field's bits are found by
// reading the storage starting at byte Offset as a little-endian integer and
// taking BitSize bits starting at bit BitOffset (0 = least significant bit
// of the byte at Offset; BitOffset is always below 8). In other words
// Offset*8+BitOffset is DWARF 4/5's DW_AT_data_bit_offset; producers
// using the older DW_AT_bit_offset are converted to that convention. For
// other members BitSize and BitOffset are 0.
type Field struct {
	Name      string
	Type      *Type
	Offset    int64
	BitSize   int64
	BitOffset int64
}

// Enumerator is one named value of an enum.
type Enumerator struct {
	Name  string
	Value int64
}

// Resolve returns the type behind any chain of typedefs (qualified
// typedefs included); for other types it returns t itself.
func (t *Type) Resolve() *Type {
	for i := 0; t != nil && t.Kind == KindTypedef && t.Elem != nil && i < 64; i++ {
		t = t.Elem
	}
	return t
}

// String returns t.Name.
func (t *Type) String() string {
	if t == nil {
		return "void"
	}
	return t.Name
}

// typeConv turns debug/dwarf types into Types. It is used with varData.mu
// held, because debug/dwarf's own type cache is not safe for concurrent use.
type typeConv struct {
	d      *dwarf.Data
	byOff  map[dwarf.Offset]*Type
	byDw   map[dwarf.Type]*Type
	fresh  []*Type // created by the current top-level call, named at its end
	qualed []*Type

	goByName map[string][]goEntry    // Go type DIEs by name (noteGo)
	goByRT   map[uint64]dwarf.Offset // by runtime type offset
}

func newTypeConv(d *dwarf.Data) *typeConv {
	return &typeConv{d: d, byOff: make(map[dwarf.Offset]*Type), byDw: make(map[dwarf.Type]*Type)}
}

var invalidType = &Type{Kind: KindInvalid, Name: "?"}

// typeAt returns the Type of the DWARF entry at off.
func (c *typeConv) typeAt(off dwarf.Offset) *Type {
	if t, ok := c.byOff[off]; ok {
		return t
	}
	dt, err := c.d.Type(off)
	if err != nil {
		return invalidType
	}
	t := c.top(dt)
	c.byOff[off] = t
	return t
}

// top converts dt and finishes every type created along the way: qualified
// copies take the shape of their (now complete) targets, then all get names.
func (c *typeConv) top(dt dwarf.Type) *Type {
	t := c.conv(dt)
	for _, q := range c.qualed {
		base := q.qual
		for i := 0; base.qual != nil && i < 64; i++ {
			base = base.qual
		}
		q.Kind, q.Size, q.Signed, q.Elem, q.Count = base.Kind, base.Size, base.Signed, base.Elem, base.Count
		q.Fields, q.Enumerators, q.Params, q.Variadic, q.Incomplete = base.Fields, base.Enumerators, base.Params, base.Variadic, base.Incomplete
	}
	for _, n := range c.fresh {
		if !n.goName {
			n.Name = cName(n, "", 0)
		}
	}
	c.fresh, c.qualed = c.fresh[:0], c.qualed[:0]
	return t
}

func (c *typeConv) conv(dt dwarf.Type) *Type {
	if dt == nil {
		return &Type{Kind: KindVoid, Name: "void"}
	}
	if t, ok := c.byDw[dt]; ok {
		return t
	}
	t := &Type{Size: max(dt.Size(), 0), Name: dt.Common().Name}
	c.byDw[dt] = t // before recursing: types may refer to themselves
	c.fresh = append(c.fresh, t)
	switch v := dt.(type) {
	case *dwarf.VoidType:
		t.Kind, t.Size, t.Name = KindVoid, 0, "void"
	case *dwarf.BoolType:
		t.Kind = KindBool
	case *dwarf.CharType:
		t.Kind, t.Signed = KindChar, true
	case *dwarf.UcharType:
		t.Kind = KindChar
	case *dwarf.IntType:
		t.Kind, t.Signed = KindInt, true
		if strings.Contains(v.Name, "char") && t.Size == 1 {
			t.Kind = KindChar
		}
	case *dwarf.UintType:
		t.Kind = KindUint
		if strings.Contains(v.Name, "char") && t.Size == 1 {
			t.Kind = KindChar
		}
	case *dwarf.FloatType:
		t.Kind = KindFloat
	case *dwarf.ComplexType:
		t.Kind = KindComplex
	case *dwarf.AddrType:
		t.Kind = KindUint
	case *dwarf.PtrType:
		t.Kind, t.Size = KindPointer, 8
		t.Elem = c.conv(v.Type)
	case *dwarf.QualType:
		t.Qualifiers = v.Qual
		t.qual = c.conv(v.Type)
		if t.qual.Qualifiers != "" {
			t.Qualifiers = mergeQuals(v.Qual, t.qual.Qualifiers)
		}
		c.qualed = append(c.qualed, t)
	case *dwarf.TypedefType:
		t.Kind = KindTypedef
		t.Elem = c.conv(v.Type)
	case *dwarf.ArrayType:
		t.Kind, t.Count = KindArray, v.Count
		if t.Count < 0 {
			t.Count, t.Size = -1, 0
		}
		t.Elem = c.conv(v.Type)
	case *dwarf.EnumType:
		t.Kind, t.Name = KindEnum, tagName("enum", v.EnumName)
		for _, e := range v.Val {
			t.Enumerators = append(t.Enumerators, Enumerator{Name: e.Name, Value: e.Val})
			t.Signed = t.Signed || e.Val < 0
		}
	case *dwarf.StructType:
		t.Kind, t.Name = KindStruct, tagName(v.Kind, v.StructName)
		if v.Kind == "union" {
			t.Kind = KindUnion
		}
		t.Incomplete = v.Incomplete
		for i, f := range v.Field {
			fl := c.field(f)
			if a := fl.Type; i == len(v.Field)-1 && a.Kind == KindArray && a.Count == 0 && a.qual == nil {
				// debug/dwarf turns a flexible array member into [0].
				a.Count = -1
			}
			t.Fields = append(t.Fields, fl)
		}
	case *dwarf.FuncType:
		t.Kind, t.Size = KindFunc, 0
		if v.ReturnType != nil {
			t.Elem = c.conv(v.ReturnType)
		}
		for _, p := range v.ParamType {
			if _, ok := p.(*dwarf.DotDotDotType); ok {
				t.Variadic = true
				continue
			}
			t.Params = append(t.Params, c.conv(p))
		}
	default:
		t.Kind = KindInvalid
	}
	c.goAttrs(dt, t)
	return t
}

func (c *typeConv) field(f *dwarf.StructField) Field {
	out := Field{Name: f.Name, Type: c.conv(f.Type), Offset: f.ByteOffset}
	if f.BitSize == 0 {
		return out
	}
	out.BitSize = f.BitSize
	bit := f.DataBitOffset
	if f.BitOffset != 0 || f.DataBitOffset == 0 {
		// DWARF 2/3 style: ByteOffset and ByteSize name a storage unit and
		// BitOffset counts from its most significant bit (little-endian).
		size := f.ByteSize
		if size == 0 {
			size = max(f.Type.Size(), 0)
		}
		bit = f.ByteOffset*8 + size*8 - f.BitOffset - f.BitSize
		if f.BitOffset == 0 && size == 0 {
			bit = f.ByteOffset * 8
		}
	}
	out.Offset, out.BitOffset = bit/8, bit%8
	return out
}

func tagName(kind, name string) string {
	if name == "" {
		return kind + " {...}"
	}
	return kind + " " + name
}

func mergeQuals(a, b string) string {
	has := func(q string) bool { return strings.Contains(a, q) || strings.Contains(b, q) }
	switch {
	case has("const") && has("volatile"):
		return "const volatile"
	case has("const"):
		return "const"
	}
	return "volatile"
}

// cName spells t as C declares it around the declarator inner, e.g.
// cName(int, "*[4]") is "int *[4]".
func cName(t *Type, inner string, depth int) string {
	if t == nil {
		return join("void", inner)
	}
	if depth > 32 {
		return join("?", inner)
	}
	if t.qual != nil {
		u := t.qual
		for u.qual != nil {
			u = u.qual
		}
		if u.Kind == KindPointer {
			return cName(u, t.Qualifiers+prefixSpace(inner), depth+1)
		}
		return t.Qualifiers + " " + cName(u, inner, depth+1)
	}
	switch t.Kind {
	case KindPointer:
		e := t.Elem
		if e != nil && (e.Kind == KindArray || e.Kind == KindFunc) && e.qual == nil {
			return cName(e, "(*"+inner+")", depth+1)
		}
		if inner != "" && inner[0] != '*' && inner[0] != '(' && inner[0] != '[' {
			inner = " " + inner
		}
		return cName(e, "*"+inner, depth+1)
	case KindArray:
		n := "[]"
		if t.Count >= 0 {
			n = "[" + strconv.FormatInt(t.Count, 10) + "]"
		}
		return cName(t.Elem, inner+n, depth+1)
	case KindFunc:
		var ps []string
		for _, p := range t.Params {
			ps = append(ps, cName(p, "", depth+1))
		}
		if t.Variadic {
			ps = append(ps, "...")
		}
		if len(ps) == 0 {
			ps = []string{"void"}
		}
		return cName(t.Elem, inner+"("+strings.Join(ps, ", ")+")", depth+1)
	}
	return join(leafName(t), inner)
}

func prefixSpace(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

func join(base, inner string) string {
	if inner == "" {
		return base
	}
	return base + " " + inner
}

// leafName names a type that needs no declarator.
func leafName(t *Type) string {
	if t.Name != "" {
		return t.Name
	}
	return "?"
}
