package symbols

import "testing"

// Types are found by the names a C cast uses, in every build of the demo.
func TestBinCType(t *testing.T) {
	forEach(t, []string{"demo-O0", "demo-O2", "demo-O2-dwarf4", "demo-gz"}, func(t *testing.T, f *File) {
		for name, want := range map[string]struct {
			kind TypeKind
			size int64
		}{
			"struct point": {KindStruct, 16},
			"point":        {KindStruct, 16}, // the bare tag, as C++ spells it
			"count_t":      {KindTypedef, 4},
			"int":          {KindInt, 4},
			"char":         {KindChar, 1},
		} {
			ty, ok := f.CType(name)
			if !ok {
				t.Errorf("CType(%q) found nothing", name)
				continue
			}
			if ty.Kind != want.kind || ty.Resolve().Size != want.size {
				t.Errorf("CType(%q) = %s %s of %d bytes, want %s of %d", name, ty.Kind, ty.Name, ty.Resolve().Size, want.kind, want.size)
			}
		}
		if ty, _ := f.CType("count_t"); ty.Resolve().Kind != KindUint {
			t.Errorf("count_t resolves to %s", ty.Resolve().Kind)
		}
		for _, name := range []string{"struct nosuch", "nosuch_t", "union point"} {
			if _, ok := f.CType(name); ok {
				t.Errorf("CType(%q) found a type", name)
			}
		}
	})
}
