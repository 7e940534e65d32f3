package dwarfsec

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"testing"
)

func TestReader(t *testing.T) {
	r := Reader{Data: []byte{0xe5, 0x8e, 0x26, 0xc0, 0xbb, 0x78, 0x02, 0xaa, 0xbb, 0x01}}
	if v := r.Uleb(); v != 624485 {
		t.Errorf("Uleb = %d", v)
	}
	if v := r.Sleb(); v != -123456 {
		t.Errorf("Sleb = %d", v)
	}
	if b := r.Block(); len(b) != 2 || b[0] != 0xaa || b[1] != 0xbb {
		t.Errorf("Block = % x", b)
	}
	if v := r.U64(); v != 0 || r.Err == nil {
		t.Errorf("U64 past the end = %d, %v", v, r.Err)
	}
	if v := r.U8(); v != 0 || r.Off != 9 {
		t.Errorf("U8 after an overrun = %d at %d", v, r.Off)
	}
}

func TestReadAranges(t *testing.T) {
	set := func(unit uint32, addrSize byte, tuples ...uint64) []byte {
		b := binary.LittleEndian.AppendUint32(nil, 0) // unit_length, set below
		b = binary.LittleEndian.AppendUint16(b, 2)
		b = binary.LittleEndian.AppendUint32(b, unit)
		b = append(b, addrSize, 0, 0, 0, 0, 0) // padded to 16
		for _, v := range append(tuples, 0, 0) {
			b = binary.LittleEndian.AppendUint64(b, v)
		}
		binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
		return b
	}
	b := set(0x40, 8, 0x1000, 0x10, 0x2000, 0)
	b = append(b, set(0x80, 4, 0x3000, 0x10)...) // not 64-bit: skipped
	b = append(b, set(0xc0, 8)...)               // no ranges, still a set
	b = append(b, 0xff, 0xff)                    // a damaged tail
	ars, sets := ReadAranges(b)
	if sets != 2 || len(ars) != 1 || ars[0] != (Arange{Lo: 0x1000, Hi: 0x1010, Unit: 0x40}) {
		t.Errorf("ReadAranges = %+v, %d sets", ars, sets)
	}
}

func TestLocLists(t *testing.T) {
	var loc []byte
	for _, v := range []uint64{^uint64(0), 0x1000, 0x10, 0x20} { // base 0x1000, then [0x10, 0x20)
		loc = binary.LittleEndian.AppendUint64(loc, v)
	}
	loc = append(loc, 1, 0, 0x50)
	loc = append(loc, make([]byte, 16)...)
	// Offset table of one entry, then: base_addressx 1, offset_pair
	// [0x10, 0x20), default_loc, end.
	lists := []byte{4, 0, 0, 0, 0x01, 1, 0x04, 0x10, 0x20, 1, 0x51, 0x05, 1, 0x52, 0x00}
	addr := binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 0), 0x2000)
	l := LocLists{Loc: loc, Loclists: lists, Addr: addr}
	v4, v5 := &Unit{Version: 4}, &Unit{Version: 5}
	for _, c := range []struct {
		u     *Unit
		off   uint64
		x     bool
		pc    uint64
		want  byte // 0: none
		isErr bool
	}{
		{u: v4, pc: 0x1010, want: 0x50},
		{u: v4, pc: 0x10},
		{u: v4, off: 48, pc: 0x1010, isErr: true},
		{u: v5, off: 0, x: true, pc: 0x2018, want: 0x51},
		{u: v5, off: 4, pc: 0x2018, want: 0x51},
		{u: v5, off: 4, pc: 0x3000, want: 0x52},
		{u: v5, off: 1, x: true, isErr: true},
		{u: v5, off: 5, isErr: true},
	} {
		expr, err := l.Find(c.u, c.off, c.x, c.pc)
		if c.isErr {
			if !errors.Is(err, ErrLocList) {
				t.Errorf("%+v: err %v, want ErrLocList", c, err)
			}
			continue
		}
		if err != nil || (c.want == 0) != (expr == nil) || (expr != nil && expr[0] != c.want) {
			t.Errorf("%+v: Find = % x, %v", c, expr, err)
		}
	}
}

// TestSections reads the checked-in binaries (DWARF 5, 4, and compressed
// sections): the units and aranges read from the bytes must agree with
// debug/dwarf, and every location list must decode (demo-gz, built at
// -O0, has none).
func TestSections(t *testing.T) {
	for _, name := range []string{"demo-O2", "demo-O2-dwarf4", "demo-gz"} {
		ef, err := elf.Open("../testdata/bin/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer ef.Close()
		s := NewSections(ef)
		d, err := s.Load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		units := ReadUnits(s.Get("info"))
		starts := map[dwarf.Offset]bool{}
		for _, u := range units {
			starts[u.Start] = true
		}
		ars, sets := ReadAranges(s.Get("aranges"))
		if sets != len(units) || len(ars) == 0 {
			t.Errorf("%s: %d aranges in %d sets for %d units", name, len(ars), sets, len(units))
		}
		for _, a := range ars {
			if !starts[a.Unit] {
				t.Errorf("%s: arange %+v names no unit", name, a)
			}
		}
		l := LocLists{Loc: s.Get("loc"), Loclists: s.Get("loclists"), Addr: s.Get("addr")}
		var u *Unit
		lists := 0
		for r := d.Reader(); ; {
			e, err := r.Next()
			if err != nil || e == nil {
				break
			}
			if e.Tag == dwarf.TagCompileUnit {
				if len(units) == 0 || units[0].Root != e.Offset {
					t.Fatalf("%s: unit at %#x, headers say %+v", name, e.Offset, units)
				}
				u, units = &units[0], units[1:]
				u.Base, _ = e.Val(dwarf.AttrLowpc).(uint64)
				if b, ok := e.Val(dwarf.AttrLoclistsBase).(int64); ok {
					u.LocBase = uint64(b)
				}
			}
			if f := e.AttrField(dwarf.AttrLocation); f != nil {
				if off, ok := f.Val.(int64); ok {
					lists++
					if _, err := l.Find(u, uint64(off), f.Class == dwarf.ClassLocList, u.Base); err != nil {
						t.Errorf("%s: DIE %#x: %v", name, e.Offset, err)
					}
				}
			}
		}
		if (lists == 0) != (name == "demo-gz") || len(units) != 0 {
			t.Errorf("%s: %d location lists, %d units not seen", name, lists, len(units))
		}
	}
}
