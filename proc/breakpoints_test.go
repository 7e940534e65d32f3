package proc

import (
	"errors"
	"testing"
)

// fakeMem is code memory for testing the breakpoint table without a
// process.
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

func TestBreakpointTable(t *testing.T) {
	code := []byte{0x55, 0x48, 0x89, 0xe5, 0x90, 0xc3}
	mem := &fakeMem{base: 0x1000, b: append([]byte(nil), code...)}
	tab := newBreakpoints()

	a := &Breakpoint{ID: 1, Addrs: []uint64{0x1001, 0x1004}}
	b := &Breakpoint{ID: 2, Addrs: []uint64{0x1004}}
	if err := tab.place(mem, a); err != nil {
		t.Fatal(err)
	}
	if err := tab.place(mem, b); err != nil {
		t.Fatal(err)
	}
	if mem.b[1] != int3 || mem.b[4] != int3 {
		t.Fatalf("int3 not inserted: % x", mem.b)
	}
	if ids := tab.idsAt(0x1004); len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("ids at a shared site: %v", ids)
	}
	// Reads see the program's bytes, not ours.
	view := append([]byte(nil), mem.b...)
	tab.shadow(view, 0x1000)
	if string(view) != string(code) {
		t.Fatalf("shadowed read % x, want % x", view, code)
	}
	// A temporary owner keeps a site that loses its last logical owner.
	if err := tab.addTemp(mem, 0x1001); err != nil {
		t.Fatal(err)
	}
	tab.unplace(mem, a)
	if mem.b[1] != int3 {
		t.Fatal("site removed while a temporary breakpoint still owns it")
	}
	if mem.b[4] != int3 || len(tab.idsAt(0x1004)) != 1 {
		t.Fatal("shared site lost its other owner")
	}
	tab.clearTemp(mem)
	if mem.b[1] != code[1] {
		t.Fatalf("byte at 0x1001 is % x after the last owner left", mem.b[1])
	}
	// An address outside memory is refused and leaves no site behind.
	bad := &Breakpoint{ID: 3, Addrs: []uint64{0x9000}}
	if err := tab.place(mem, bad); err == nil || len(bad.Addrs) != 0 || tab.sites[0x9000] != nil {
		t.Fatalf("placing at an unmapped address: err %v, addrs %v", err, bad.Addrs)
	}
	// restore puts every byte back (before a detach).
	if err := tab.restore(mem); err != nil {
		t.Fatal(err)
	}
	if string(mem.b) != string(code) || len(tab.sites) != 0 {
		t.Fatalf("after restore: % x, %d sites", mem.b, len(tab.sites))
	}
}
