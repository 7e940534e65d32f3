package symbols

import "debug/dwarf"

// cTypeEntry is a named type DIE found at the top of a unit.
type cTypeEntry struct {
	off  dwarf.Offset
	decl bool // DW_AT_declaration: an incomplete struct, union or enum
}

// noteCType records e if it is a named type at the top of a unit, under
// the name a C cast spells it with: "int", "uint8_t", "struct point". A
// struct's, union's or enum's bare tag ("point") is kept apart, for C++
// and as a fallback. It is called while the variable index is built.
func (v *varData) noteCType(e *dwarf.Entry) {
	name, _ := e.Val(dwarf.AttrName).(string)
	if name == "" {
		return
	}
	full := name
	switch e.Tag {
	case dwarf.TagBaseType, dwarf.TagTypedef:
	case dwarf.TagStructType:
		full = "struct " + name
	case dwarf.TagUnionType:
		full = "union " + name
	case dwarf.TagEnumerationType:
		full = "enum " + name
	case dwarf.TagClassType:
		full = "class " + name
	default:
		return
	}
	decl, _ := e.Val(dwarf.AttrDeclaration).(bool)
	ent := cTypeEntry{off: e.Offset, decl: decl}
	note := func(m map[string]cTypeEntry, k string) {
		// The first definition wins; a declaration only until one comes.
		if old, ok := m[k]; !ok || old.decl && !decl {
			m[k] = ent
		}
	}
	if v.cTypes == nil {
		v.cTypes = make(map[string]cTypeEntry)
		v.tagTypes = make(map[string]cTypeEntry)
	}
	note(v.cTypes, full)
	if full != name {
		note(v.tagTypes, name)
	}
}

// CType returns the type named name as a C cast spells it: a base type or
// typedef by its DWARF name ("int", "unsigned char", "long int",
// "uint8_t", "point_t"), or "struct point", "union u", "enum color",
// "class C"; a bare tag ("point") is tried last. Types declared inside
// functions are not found. Of several units' types of the same name, the
// first complete definition wins. The first call costs the variable
// index's construction.
func (f *File) CType(name string) (*Type, bool) {
	v, err := f.varsAll()
	if err != nil {
		return nil, false
	}
	ent, ok := v.cTypes[name]
	if !ok {
		ent, ok = v.tagTypes[name]
	}
	if !ok {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	t := v.types.typeAt(ent.off)
	return t, t.Kind != KindInvalid
}
