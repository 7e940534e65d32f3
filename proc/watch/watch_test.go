package watch

import (
	"encoding/binary"
	"syscall"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// regs is a Host of one thread's debug registers and eight bytes of
// memory at 0x1000: enough for what needs no process.
type regs struct {
	dr  map[int]uint64
	mem [8]byte
}

func (r *regs) Read(buf []byte, addr uint64) error          { copy(buf, r.mem[addr-0x1000:]); return nil }
func (r *regs) DebugReg(tid, reg int) (uint64, error)       { return r.dr[reg], nil }
func (r *regs) SetDebugReg(tid, reg int, v uint64) error    { r.dr[reg] = v; return nil }
func (r *regs) Mprotect(tid int, pg uint64, prot int) error { return nil }
func (r *regs) Maps() ([]image.Mapping, error)              { return nil, nil }
func (r *regs) Output(category, text string)                {}
func (r *regs) Step(tid int) (syscall.Signal, error)        { return syscall.SIGTRAP, nil }
func (r *regs) Defer(tid int, sig syscall.Signal)           {}
func (r *regs) Fault(tid int) (uint64, bool)                { return 0, false }
func (r *regs) AccessSize(tid int) int                      { return 0 }

func TestRegistersAndHits(t *testing.T) {
	h := &regs{dr: map[int]uint64{}}
	var s Set[string]
	a := &Watch[string]{ID: 1, Name: "a", Addr: 0x1000, Size: 4, Access: AccessWrite}
	b := &Watch[string]{ID: 2, Name: "b", Addr: 0x1004, Size: 2, Access: AccessReadWrite, Format: 'u'}
	s.Replace(h, []*Watch[string]{a, b}, true, "")
	if err := s.Apply(h, 7); err != nil {
		t.Fatal(err)
	}
	// Slot 0: enabled, writes, 4 bytes; slot 1: enabled, reads and
	// writes, 2 bytes (Intel SDM vol. 3, 18.2.4).
	want := uint64(1 | 1<<2 | 0b01<<16 | 0b11<<18 | 0b11<<20 | 0b01<<22)
	if h.dr[0] != 0x1000 || h.dr[1] != 0x1004 || h.dr[ptrace.DR7] != want {
		t.Fatalf("debug registers %#x %#x DR7 %#b, want DR7 %#b", h.dr[0], h.dr[1], h.dr[ptrace.DR7], want)
	}
	binary.LittleEndian.PutUint32(h.mem[:], 0xfffffffe)
	h.dr[ptrace.DR6] = 0b01
	s.TakeDR6(h, 7)
	if !s.Fired(7) || h.dr[ptrace.DR6] != 0 {
		t.Fatalf("fired %v, DR6 %#x after TakeDR6", s.Fired(7), h.dr[ptrace.DR6])
	}
	hits := s.Hits(h, 7, func(*Watch[string]) bool { return false })
	if got := Describe(hits, []int{1}); got != "a: 0 → -2" {
		t.Fatalf("description %q", got)
	}
	if s.Fired(7) {
		t.Fatal("Hits left the thread's accesses behind")
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		addr   uint64
		size   int
		access string
		ok     bool
	}{{0x1000, 8, AccessWrite, true}, {0x1002, 4, AccessWrite, false}, {0x1000, 3, AccessWrite, false}, {0x1000, 4, "read", false}} {
		if got := Check(c.addr, c.size, c.access) == ""; got != c.ok {
			t.Errorf("Check(%#x, %d, %q) ok = %v", c.addr, c.size, c.access, got)
		}
	}
}
