package symbols

import "testing"

// TestGoTypes checks that Go's DWARF extensions reach the converted types:
// the Go kind, the names Go spells, a slice's element, the typedef chain
// of an interface.
func TestGoTypes(t *testing.T) {
	f := openT(t, buildGo(t))
	for _, tc := range []struct {
		name string
		kind GoKind
		want TypeKind // of the resolved type
	}{
		{"string", GoString, KindStruct},
		{"[]uint8", GoSlice, KindStruct},
		{"*internal/runtime/maps.Map", GoPointer, KindPointer},
		{"internal/runtime/maps.Map", GoStruct, KindStruct},
		{"error", GoInterface, KindStruct},
	} {
		typ, ok := f.GoType(tc.name)
		if !ok {
			t.Errorf("GoType(%q) not found", tc.name)
			continue
		}
		k, named := typ, typ
		for k.GoKind == GoNone && k.Kind == KindTypedef {
			k = k.Elem
		}
		if k.GoKind != tc.kind || named.Name != tc.name || typ.Resolve().Kind != tc.want {
			t.Errorf("GoType(%q) = %q GoKind %d (resolved %s), want GoKind %d, %s", tc.name, named.Name, k.GoKind, typ.Resolve().Kind, tc.kind, tc.want)
		}
	}
	if s, ok := f.GoType("[]uint8"); ok && (s.GoElem == nil || s.GoElem.Name != "uint8") {
		t.Errorf("[]uint8 element %v", s.GoElem)
	}
	if p, ok := f.GoType("*internal/runtime/maps.Map"); ok && p.Elem.Resolve().GoKind != GoStruct {
		t.Errorf("*maps.Map points to %s", p.Elem)
	}
}
