// Package watch keeps the data breakpoints of one process: which of them
// the CPU's four debug address registers watch, which pages software
// watchpoints protect, and what each access changed. It touches the
// process only through Host, which the core implements on its owner: a
// Set is owned by that goroutine and is not safe for concurrent use.
//
// The CPU's watches: x86 has four debug address registers, each watching
// 1, 2, 4 or 8 aligned bytes for writes, or for reads and writes (never
// reads alone). Every thread has its own set, so the core writes them into
// each thread (Apply), new ones included, and takes them out of each on
// detach. The CPU reports an access after it happened: the program stops
// on the instruction after the one that wrote.
//
// Software watchpoints, for machines whose debug registers do not fire
// (see ptrace.HardwareWatchpoints) and for watches beyond the four
// registers: the page that holds a watched word is made read-only (no
// access at all for a read-write watch) by an mprotect(2) the tracee runs.
// A write to the page then stops the writing thread with a SIGSEGV before
// the write happens; the core opens the page, single-steps the faulting
// instruction with every other thread stopped, closes the page again and
// asks Compare which watched values changed. A page that cannot be
// protected is watched by single-stepping every thread and comparing after
// each instruction (Stepping): slow, the last resort.
//
// Known limits, documented in the README: the kernel's own writes into a
// protected page in a system call (read(2) into a buffer there) fail with
// EFAULT instead of faulting, and a signal handler cannot run on a thread
// whose stack page is protected (watching a local variable).
package watch

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// Slots is the number of x86 debug address registers.
const Slots = 4

// Data access kinds, as DAP names them.
const (
	AccessWrite     = "write"
	AccessReadWrite = "readWrite"
)

// Host is what a Set needs of the process; every call is made on the
// owner with the threads concerned stopped.
type Host interface {
	// Read reads len(buf) bytes at addr, the program's own bytes.
	Read(buf []byte, addr uint64) error
	DebugReg(tid, reg int) (uint64, error)
	SetDebugReg(tid, reg int, v uint64) error
	// Mprotect changes the protection of the page at pg, run by stopped
	// thread tid, or by any stopped thread when tid is 0.
	Mprotect(tid int, pg uint64, prot int) error
	// Maps is the process's memory map.
	Maps() ([]image.Mapping, error)
	// Output tells the client something (category as DAP's output event).
	Output(category, text string)
	// Step runs one instruction of stopped thread tid and returns the
	// signal it stopped with.
	Step(tid int) (syscall.Signal, error)
	// Defer keeps sig for thread tid to receive when it runs on.
	Defer(tid int, sig syscall.Signal)
	// Fault is the address thread tid's SIGSEGV was for, if it stopped
	// for an access to a mapped page it may not access (SEGV_ACCERR).
	Fault(tid int) (uint64, bool)
	// AccessSize is how many bytes of memory the instruction at thread
	// tid's pc accesses, 0 when not known.
	AccessSize(tid int) int
}

// Watch is one data breakpoint in use, of the core's breakpoint type B.
type Watch[B any] struct {
	BP   B
	ID   int
	Name string // what the client watched, for the stop's description
	Addr uint64
	Size int
	// Access is AccessWrite or AccessReadWrite.
	Access string
	// Format says how its value reads: i signed, u unsigned, f floating
	// point, p address.
	Format byte
	Old    uint64 // its value when last seen
	// Scope is the CFA of the frame a watched local belongs to, Fn the
	// entry of its function and Tid its thread: the watch ends when that
	// frame returns (Scope 0: a global).
	Scope, Fn uint64
	Tid       int
	Ended     bool // its frame returned: taken out at the next stop
	// Note says how a software watch is kept, for the client; Lost that
	// it cannot be kept at all (a read on a page that cannot be
	// protected). Both are set by Replace.
	Note string
	Lost bool
}

// Hit is one access a watch saw, with the value before and after.
type Hit[B any] struct {
	W        *Watch[B]
	Old, New uint64
}

// softBit in a thread's fired bits says that software watches saw
// accesses by that thread, listed in Set.hits.
const softBit = 1 << 63

// Set is the data breakpoints of one process.
type Set[B any] struct {
	hw    [Slots]*Watch[B] // by debug register
	used  bool             // debug registers were ever set
	fired map[int]uint64   // by thread: debug registers that fired, softBit
	soft  softWatches[B]
}

// Check says why addr, size and access cannot be watched, "" if they can.
func Check(addr uint64, size int, access string) string {
	switch {
	case access != AccessWrite && access != AccessReadWrite:
		return fmt.Sprintf("the CPU watches writes, or reads and writes, not %q alone", access)
	case size != 1 && size != 2 && size != 4 && size != 8 || addr%uint64(size) != 0:
		return fmt.Sprintf("%d bytes at %#x cannot be watched: 1, 2, 4 or 8 aligned bytes only", size, addr)
	}
	return ""
}

// Watchable checks that the CPU can watch size bytes at addr, which
// expression expr names: 1, 2, 4 or 8 bytes, aligned to their size.
func Watchable(expr string, addr uint64, size int64) error {
	if size != 1 && size != 2 && size != 4 && size != 8 {
		return fmt.Errorf("%s is %d bytes; the CPU watches 1, 2, 4 or 8 bytes: watch one of its members or elements", expr, size)
	}
	if addr%uint64(size) != 0 {
		return fmt.Errorf("%s at %#x is not aligned to its %d bytes; the CPU cannot watch it", expr, addr, size)
	}
	return nil
}

// Replace makes ws the watches: the first Slots go into the debug
// registers when hw says they work, the others are software watches (why
// says why, for the client). Every thread is stopped; the caller then
// writes the registers of each (Apply).
func (s *Set[B]) Replace(h Host, ws []*Watch[B], hw bool, why string) {
	s.hw = [Slots]*Watch[B]{}
	var soft []*Watch[B]
	slot := 0
	for _, w := range ws {
		if hw && slot < Slots {
			s.hw[slot] = w
			slot++
			continue
		}
		soft = append(soft, w)
	}
	s.setSoft(h, soft, hw, why)
}

// Watches lists every watch, debug registers' first.
func (s *Set[B]) Watches() []*Watch[B] {
	var out []*Watch[B]
	for _, w := range s.hw {
		if w != nil {
			out = append(out, w)
		}
	}
	return append(out, s.soft.watches...)
}

// Watching reports whether a data breakpoint is set.
func (s *Set[B]) Watching() bool {
	return len(s.Watches()) > 0
}

// Apply writes the debug registers of stopped thread tid from the set
// (all off when it has none).
func (s *Set[B]) Apply(h Host, tid int) error {
	if s.used {
		// The kernel checks each address against the length DR7 gives
		// its slot now: switch them all off before moving any.
		if err := h.SetDebugReg(tid, ptrace.DR7, 0); err != nil {
			return err
		}
	}
	var dr7 uint64
	for i, w := range s.hw {
		if w == nil {
			continue
		}
		if err := h.SetDebugReg(tid, i, w.Addr); err != nil {
			return err
		}
		rw := uint64(0b01) // break on writes
		if w.Access == AccessReadWrite {
			rw = 0b11
		}
		length := map[int]uint64{1: 0b00, 2: 0b01, 4: 0b11, 8: 0b10}[w.Size]
		dr7 |= 1<<(2*i) | rw<<(16+4*i) | length<<(18+4*i)
	}
	if dr7 == 0 && !s.used {
		return nil // never used: leave the thread's registers alone
	}
	s.used = true
	return h.SetDebugReg(tid, ptrace.DR7, dr7)
}

// UsesRegisters says whether some watch is in a debug register.
func (s *Set[B]) UsesRegisters() bool {
	return slices.ContainsFunc(s.hw[:], func(w *Watch[B]) bool { return w != nil })
}

// TakeDR6 reads and clears which debug registers fired in thread tid,
// adding them to what Fired reports.
func (s *Set[B]) TakeDR6(h Host, tid int) {
	dr6, err := h.DebugReg(tid, ptrace.DR6)
	if err != nil {
		return
	}
	if bits := dr6 & 0xf; bits != 0 {
		s.fire(tid, bits)
		_ = h.SetDebugReg(tid, ptrace.DR6, 0)
	}
}

func (s *Set[B]) fire(tid int, bits uint64) {
	if s.fired == nil {
		s.fired = map[int]uint64{}
	}
	s.fired[tid] |= bits
}

// Fired says whether some watch saw an access by thread tid that is not
// reported yet.
func (s *Set[B]) Fired(tid int) bool { return s.fired[tid] != 0 }

// Forget drops what thread tid's watches saw (an access during a step the
// user sees anyway).
func (s *Set[B]) Forget(tid int) { delete(s.fired, tid) }

// Hits takes what thread tid's watches saw, leaving out the watches ended
// says have ended.
func (s *Set[B]) Hits(h Host, tid int, ended func(*Watch[B]) bool) []Hit[B] {
	bits := s.fired[tid]
	delete(s.fired, tid)
	var out []Hit[B]
	for i, w := range s.hw {
		if w != nil && bits&(1<<i) != 0 && !ended(w) {
			v, _ := Read(h, w)
			out = append(out, Hit[B]{W: w, Old: w.Old, New: v})
			w.Old = v
		}
	}
	if bits&softBit != 0 {
		for _, hit := range s.soft.hits[tid] {
			if !ended(hit.W) {
				out = append(out, hit)
			}
		}
		delete(s.soft.hits, tid)
	}
	return out
}

// Describe says what changed, for the stopped event: "counter: 5 → 6" for
// each watch whose id is in ids, once each.
func Describe[B any](hits []Hit[B], ids []int) string {
	var parts []string
	seen := map[int]bool{}
	for _, h := range hits {
		if seen[h.W.ID] || !slices.Contains(ids, h.W.ID) {
			continue
		}
		seen[h.W.ID] = true
		if h.Old == h.New {
			how := "written, unchanged"
			if h.W.Access == AccessReadWrite {
				how = "accessed, unchanged"
			}
			parts = append(parts, fmt.Sprintf("%s: %s (%s)", h.W.Name, h.W.Show(h.New), how))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s → %s", h.W.Name, h.W.Show(h.Old), h.W.Show(h.New)))
	}
	return strings.Join(parts, ", ")
}

// Read reads w's bytes as a little-endian number.
func Read[B any](h Host, w *Watch[B]) (uint64, error) {
	var b [8]byte
	if err := h.Read(b[:w.Size], w.Addr); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// Show formats a value of w as its type reads.
func (w *Watch[B]) Show(v uint64) string {
	switch w.Format {
	case 'u':
		return strconv.FormatUint(v, 10)
	case 'p':
		return fmt.Sprintf("%#x", v)
	case 'f':
		if w.Size == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(uint32(v))), 'g', -1, 32)
		}
		if w.Size == 8 {
			return strconv.FormatFloat(math.Float64frombits(v), 'g', -1, 64)
		}
	}
	shift := 64 - 8*uint(w.Size)
	return strconv.FormatInt(int64(v<<shift)>>shift, 10)
}

// Refresh takes the current value of every watch as the one to compare
// with: what the program, the kernel or the person changed while no watch
// could see it is not news.
func (s *Set[B]) Refresh(h Host) {
	for _, w := range s.Watches() {
		w.Old, _ = Read(h, w)
	}
	clear(s.soft.hits)
}

// Clear takes every watch out (before a detach: the process must not trap
// on our watches once we are gone): the pages opened, the debug registers
// of the stopped threads stopped switched off.
func (s *Set[B]) Clear(h Host, stopped []int) {
	s.softClear(h)
	if !s.used {
		return
	}
	s.hw = [Slots]*Watch[B]{}
	for _, tid := range stopped {
		_ = s.Apply(h, tid)
	}
}

// Prune takes out the watches ended says have ended; it reports whether
// a debug register was freed, so that the caller writes every stopped
// thread's registers again.
func (s *Set[B]) Prune(h Host, ended func(*Watch[B]) bool) (registers bool) {
	for i, w := range s.hw {
		if w != nil && ended(w) {
			s.hw[i], registers = nil, true
		}
	}
	keep := slices.DeleteFunc(slices.Clone(s.soft.watches), ended)
	if len(keep) != len(s.soft.watches) {
		hw, why := s.Hardware(true)
		s.setSoft(h, keep, hw, why)
	}
	return registers
}

// Execed takes every watch out after an execve and returns them: the
// kernel cleared the debug registers, the old image's pages are gone, and
// the addresses mean nothing in the new program.
func (s *Set[B]) Execed() []*Watch[B] {
	old := s.Watches()
	s.hw = [Slots]*Watch[B]{}
	s.soft.watches, s.soft.stepping = nil, false
	clear(s.soft.pages)
	clear(s.soft.hits)
	clear(s.fired)
	return old
}
