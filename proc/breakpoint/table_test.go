package breakpoint

import (
	"errors"
	"slices"
	"testing"
)

// fakeMem is code memory for testing the table without a process.
type fakeMem struct {
	base uint64
	b    []byte
}

func (m *fakeMem) ReadAt(b []byte, addr uint64) (int, error) {
	if addr < m.base || addr+uint64(len(b)) > m.base+uint64(len(m.b)) {
		return 0, errors.New("unmapped")
	}
	return copy(b, m.b[addr-m.base:]), nil
}

func (m *fakeMem) WriteAt(b []byte, addr uint64) (int, error) {
	if addr < m.base || addr+uint64(len(b)) > m.base+uint64(len(m.b)) {
		return 0, errors.New("unmapped")
	}
	return copy(m.b[addr-m.base:], b), nil
}

func TestTable(t *testing.T) {
	code := []byte{0x55, 0x48, 0x89, 0xe5, 0x90, 0xc3}
	mem := &fakeMem{base: 0x1000, b: append([]byte(nil), code...)}
	tab := NewTable[int]()

	if placed, err := tab.Place(mem, 1, []uint64{0x1001, 0x1004}); err != nil || len(placed) != 2 {
		t.Fatal(placed, err)
	}
	if _, err := tab.Place(mem, 2, []uint64{0x1004}); err != nil {
		t.Fatal(err)
	}
	if mem.b[1] != Int3 || mem.b[4] != Int3 {
		t.Fatalf("int3 not inserted: % x", mem.b)
	}
	if owners := tab.Sites[0x1004].Owners; !slices.Equal(owners, []int{1, 2}) {
		t.Fatalf("owners of a shared site: %v", owners)
	}
	// Reads see the program's bytes, not ours.
	view := append([]byte(nil), mem.b...)
	tab.Shadow(view, 0x1000)
	if string(view) != string(code) {
		t.Fatalf("shadowed read % x, want % x", view, code)
	}
	// A short read among many sites takes the per-byte path.
	one := []byte{mem.b[4]}
	tab.Shadow(one, 0x1004)
	if one[0] != code[4] {
		t.Fatalf("shadowed byte %#x, want %#x", one[0], code[4])
	}
	// A temporary owner keeps a site that loses its last logical owner.
	if err := tab.AddTemp(mem, 0x1001); err != nil {
		t.Fatal(err)
	}
	tab.Unplace(mem, 1, []uint64{0x1001, 0x1004})
	if mem.b[1] != Int3 {
		t.Fatal("site removed while a temporary breakpoint still owns it")
	}
	if mem.b[4] != Int3 || len(tab.Sites[0x1004].Owners) != 1 {
		t.Fatal("shared site lost its other owner")
	}
	tab.ClearTemp(mem)
	if mem.b[1] != code[1] {
		t.Fatalf("byte at 0x1001 is % x after the last owner left", mem.b[1])
	}
	// Writing over a breakpoint keeps it and changes its saved byte.
	if _, err := tab.WriteAround(mem, []byte{0x91, 0x92}, 0x1003); err != nil {
		t.Fatal(err)
	}
	if mem.b[3] != 0x91 || mem.b[4] != Int3 || tab.Sites[0x1004].Orig != 0x92 {
		t.Fatalf("after a write around: % x, saved %#x", mem.b, tab.Sites[0x1004].Orig)
	}
	// An address outside memory is refused and leaves no site behind.
	if placed, err := tab.Place(mem, 3, []uint64{0x9000}); err == nil || len(placed) != 0 || tab.Sites[0x9000] != nil {
		t.Fatalf("placing at an unmapped address: err %v, placed %v", err, placed)
	}
	// Restore puts every byte back (before a detach).
	if err := tab.Restore(mem); err != nil {
		t.Fatal(err)
	}
	want := append([]byte(nil), code...)
	want[3], want[4] = 0x91, 0x92
	if string(mem.b) != string(want) || len(tab.Sites) != 0 {
		t.Fatalf("after restore: % x, %d sites", mem.b, len(tab.Sites))
	}
}
