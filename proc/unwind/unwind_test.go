package unwind

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// stack is memory holding words from base up.
type stack struct {
	base  uint64
	words []uint64
}

func (s *stack) ReadAt(b []byte, addr uint64) (int, error) {
	n := 0
	for n < len(b) {
		a := addr + uint64(n)
		i := (a - s.base) / 8
		if a < s.base || i >= uint64(len(s.words)) {
			return n, errors.New("unmapped")
		}
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], s.words[i])
		n += copy(b[n:], w[(a-s.base)%8:])
	}
	return n, nil
}

// fpCode is code with frame pointers set up everywhere: every function
// starts at a multiple of 0x100 with push %rbp; mov %rsp,%rbp.
type fpCode struct{}

func (fpCode) Rules(uint64) *Row { return nil }
func (fpCode) Prologue(pc uint64) (Prologue, bool) {
	e := pc &^ 0xff
	return Prologue{Entry: e, Pushes: true, AfterPush: e + 1, AfterMov: e + 4}, true
}
func (fpCode) Mapped(uint64) bool { return true }
func (fpCode) IsRet(uint64) bool  { return false }

func regsAt(pc, rsp, rbp uint64) Regs {
	var r [NumRegs]uint64
	r[cfi.DwarfRA], r[cfi.DwarfRSP], r[cfi.DwarfRBP] = pc, rsp, rbp
	return AllKnown(r)
}

func TestFramePointerWalk(t *testing.T) {
	// Three frames: f (pc 0x1010) called by g (returns to 0x2020), called by
	// main (returns to 0x3030), whose saved rbp is 0: the chain's end.
	const base = 0x7000
	mem := &stack{base: base, words: []uint64{
		0, 0, // f's locals
		base + 0x20, 0x2020, // f's frame at 0x7010: saved rbp, return address
		base + 0x30, 0x3030, // g's frame at 0x7020
		0, 0, // main's frame at 0x7030: the end
	}}
	frames, err := Walk(regsAt(0x1010, base, base+0x10), mem, fpCode{}, 100)
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	want := []struct {
		pc, cfa uint64
		exact   bool
	}{{0x1010, base + 0x20, true}, {0x2020, base + 0x30, false}, {0x3030, base + 0x40, false}}
	if len(frames) != len(want) {
		t.Fatalf("%d frames, want %d: %+v", len(frames), len(want), frames)
	}
	for i, w := range want {
		f := frames[i]
		if f.PC() != w.pc || f.CFA != w.cfa || f.Exact != w.exact || f.Index != i {
			t.Errorf("frame %d: pc %#x cfa %#x exact %v, want %#x %#x %v", i, f.PC(), f.CFA, f.Exact, w.pc, w.cfa, w.exact)
		}
	}
	if f := frames[1]; f.Look() != 0x201f {
		t.Errorf("frame 1 looks code up at %#x, want the call at 0x201f", f.Look())
	}
}

func TestTruncatedWalkSaysSo(t *testing.T) {
	// g's saved rbp points outside the readable stack: the walk stops
	// there with an error, not as if main had been reached.
	const base = 0x7000
	mem := &stack{base: base, words: []uint64{0, 0, base + 0x1000, 0x2020}}
	it := New(regsAt(0x1010, base, base+0x10), mem, fpCode{})
	n := 0
	for it.Next() {
		n++
	}
	var e *Error
	if n != 2 || !errors.As(it.Err(), &e) || e.PC != 0x2020 {
		t.Fatalf("%d frames, err %v; want 2 frames and an error at 0x2020", n, it.Err())
	}
}

func TestCopyContinuesOnItsOwn(t *testing.T) {
	const base = 0x7000
	mem := &stack{base: base, words: []uint64{0, 0, base + 0x20, 0x2020, 0, 0x3030}}
	it := New(regsAt(0x1010, base, base+0x10), mem, fpCode{})
	it.Next()
	peek := *it
	if !peek.Next() {
		t.Fatal("the copy found no caller")
	}
	if f := peek.Frame(); f.PC() != 0x2020 {
		t.Fatalf("the copy's next frame is %#x, want 0x2020", f.PC())
	}
	if f := it.Frame(); f.PC() != 0x1010 {
		t.Fatalf("the original moved to %#x", f.PC())
	}
}
