package watch

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// PageSize is the x86-64 page: the unit of protection.
const PageSize = 4096

// softWatches is the software side of a process's data breakpoints.
type softWatches[B any] struct {
	watches []*Watch[B]
	pages   map[uint64]*softPage // by page address: the protected ones
	hits    map[int][]Hit[B]     // by thread id: accesses not yet reported
	// stepping: some watch is on a page that could not be protected, so
	// every thread runs one instruction at a time.
	stepping bool
	// mode is what the launch asked for: "" (automatic), "page" or "step"
	// (software watchpoints forced, by page protection or by stepping).
	mode string
	told bool // the method in use was told to the client
}

// softPage is a page protected for watches.
type softPage struct {
	orig int // its protection as the program mapped it
	prot int // while watched
}

// SetMode forces software watchpoints: "page" (page protection,
// single-stepping where that fails), "step" (single-stepping only), or ""
// to use the debug registers where they work. The environment variable
// DAP_PTRACE_SOFT_WATCH does the same for every session of the adapter.
func (s *Set[B]) SetMode(mode string) error {
	switch mode {
	case "", "page", "step":
	default:
		return fmt.Errorf("software watchpoints: %q is not \"page\" or \"step\"", mode)
	}
	s.soft.mode = mode
	return nil
}

// Method says how data breakpoints are watched, for the client. It may
// run the hardware probe.
func (s *Set[B]) Method() string {
	if forced := forcedMode(s.soft.mode); forced != "" {
		return "software watchpoints forced (" + forced + ")"
	}
	if works, detail := ptrace.HardwareWatchpoints(); !works {
		return detail
	}
	return "hardware watchpoints (debug registers; beyond four, page protection)"
}

// forcedMode is the software method the launch or the environment forces,
// "" for none.
func forcedMode(mode string) string {
	if mode == "" {
		mode = os.Getenv("DAP_PTRACE_SOFT_WATCH")
	}
	switch strings.ToLower(mode) {
	case "1", "true", "yes", "page":
		return "page"
	case "step":
		return "step"
	}
	return ""
}

// Hardware says whether watches go into the debug registers, and why
// not. The probe runs only once a watch is actually set.
func (s *Set[B]) Hardware(setting bool) (bool, string) {
	if !setting {
		return true, ""
	}
	if forced := forcedMode(s.soft.mode); forced != "" {
		return false, "software watchpoints forced (" + forced + ")"
	}
	return ptrace.HardwareWatchpoints()
}

// setSoft makes ws the software watches, protecting the pages they need
// and opening those no longer needed. Every thread is stopped.
func (s *Set[B]) setSoft(h Host, ws []*Watch[B], hw bool, why string) {
	soft := &s.soft
	if soft.pages == nil {
		soft.pages, soft.hits = map[uint64]*softPage{}, map[int][]Hit[B]{}
	}
	if len(ws) > 0 && !soft.told {
		soft.told = true
		if !hw {
			h.Output("console", "data breakpoints: "+why+"\n")
		}
	}
	step := forcedMode(soft.mode) == "step"
	maps, _ := h.Maps()
	want := map[uint64]int{}
	orig := map[uint64]int{}
	var unprotectable []*Watch[B]
	for _, w := range ws {
		for pg := w.Addr &^ (PageSize - 1); pg < w.Addr+uint64(w.Size); pg += PageSize {
			o, ok := soft.origProt(pg, maps)
			if !ok || step {
				unprotectable = append(unprotectable, w)
				continue
			}
			prot := o &^ unix.PROT_WRITE
			if w.Access == AccessReadWrite {
				prot = unix.PROT_NONE
			}
			if cur, seen := want[pg]; seen {
				prot &= cur
			}
			want[pg], orig[pg] = prot, o
		}
	}
	for pg, sp := range soft.pages {
		if prot, ok := want[pg]; !ok || prot != sp.prot {
			if err := h.Mprotect(0, pg, sp.orig); err != nil {
				h.Output("important", fmt.Sprintf("data breakpoints: cannot restore the protection of page %#x: %v\n", pg, err))
			}
			delete(soft.pages, pg)
		}
	}
	for pg, prot := range want {
		if soft.pages[pg] != nil {
			continue
		}
		if err := h.Mprotect(0, pg, prot); err != nil {
			for _, w := range ws {
				if w.Addr&^(PageSize-1) == pg || (w.Addr+uint64(w.Size)-1)&^(PageSize-1) == pg {
					unprotectable = append(unprotectable, w)
				}
			}
			continue
		}
		soft.pages[pg] = &softPage{orig: orig[pg], prot: prot}
	}
	soft.watches = soft.watches[:0]
	for _, w := range ws {
		w.Note = "software watchpoint (page protection): " + why
		if slices.Contains(unprotectable, w) {
			if w.Access == AccessReadWrite {
				// Comparing values after each instruction sees writes only.
				w.Lost = true
				w.Note = "a read cannot be watched here: its page cannot be protected (" + why + "); watch writes only"
				continue
			}
			w.Note = "software watchpoint (single-stepping: slow): " + why
		}
		soft.watches = append(soft.watches, w)
	}
	clear(soft.hits)
	soft.stepping = len(soft.watches) > 0 && len(unprotectable) > 0
}

// origProt is the protection the program gave page pg: ours if we protect
// it already, else from the memory map.
func (s *softWatches[B]) origProt(pg uint64, maps []image.Mapping) (int, bool) {
	if sp := s.pages[pg]; sp != nil {
		return sp.orig, true
	}
	for _, m := range maps {
		if pg >= m.Start && pg < m.End {
			if strings.HasPrefix(m.Path, "[v") { // [vvar], [vdso], [vsyscall]
				return 0, false
			}
			prot := 0
			if strings.Contains(m.Perms, "r") {
				prot |= unix.PROT_READ
			}
			if strings.Contains(m.Perms, "w") {
				prot |= unix.PROT_WRITE
			}
			if strings.Contains(m.Perms, "x") {
				prot |= unix.PROT_EXEC
			}
			return prot, true
		}
	}
	return 0, false
}

// Protects says whether addr is on a page a software watch protects.
func (s *Set[B]) Protects(addr uint64) bool {
	return s.soft.pages[addr&^(PageSize-1)] != nil
}

// Protecting says whether some page is protected.
func (s *Set[B]) Protecting() bool { return len(s.soft.pages) > 0 }

// Page is the protection page pg has as the program mapped it (orig) and
// while watched (prot); ok is false when no watch protects it.
func (s *Set[B]) Page(pg uint64) (orig, prot int, ok bool) {
	sp := s.soft.pages[pg]
	if sp == nil {
		return 0, 0, false
	}
	return sp.orig, sp.prot, true
}

// Pages calls f with each protected page and its protection as the
// program mapped it.
func (s *Set[B]) Pages(f func(pg uint64, orig int)) {
	for pg, sp := range s.soft.pages {
		f(pg, sp.orig)
	}
}

// Compare reads every software watch and records as seen by thread tid
// the ones whose value changed and the ones the access [addr, addr+n)
// touched (a write to a read-only page; any access to a no-access page
// for a read-write watch). addr 0: no access known (a single step). It
// reports whether software watches saw something by tid not reported yet.
func (s *Set[B]) Compare(h Host, tid int, addr uint64, n int) bool {
	soft := &s.soft
	var writeOnly bool
	if sp := soft.pages[addr&^(PageSize-1)]; addr != 0 && sp != nil {
		writeOnly = sp.prot&unix.PROT_READ != 0
	}
	for _, w := range soft.watches {
		v, err := Read(h, w)
		if err != nil {
			continue
		}
		touched := addr != 0 && addr < w.Addr+uint64(w.Size) && w.Addr < addr+uint64(n) &&
			(writeOnly || w.Access == AccessReadWrite)
		if v != w.Old || touched {
			soft.hits[tid] = append(soft.hits[tid], Hit[B]{W: w, Old: w.Old, New: v})
			s.fire(tid, softBit)
		}
		w.Old = v
	}
	return s.fired[tid]&softBit != 0
}

// Stepping says whether threads must run one instruction at a time for a
// watch on a page that could not be protected.
func (s *Set[B]) Stepping() bool {
	return s.soft.stepping && len(s.soft.watches) > 0
}

// softClear opens every protected page (before a detach: the program must
// not fault on our protection once we are gone).
func (s *Set[B]) softClear(h Host) {
	for pg, sp := range s.soft.pages {
		_ = h.Mprotect(0, pg, sp.orig)
		delete(s.soft.pages, pg)
	}
	s.soft.watches, s.soft.stepping = nil, false
	clear(s.soft.hits)
}

// ErrProgramFault says that the faulting instruction faults for a reason
// of its own once our page is open (it also touches an unmapped page):
// the program's SIGSEGV, to be delivered.
var ErrProgramFault = errors.New("the program's own fault")

// Fault says whether thread tid's SIGSEGV is an access to a page a watch
// protects, and where.
func (s *Set[B]) Fault(h Host, tid int) (uint64, bool) {
	if !s.Protecting() {
		return 0, false
	}
	addr, ok := h.Fault(tid)
	return addr, ok && s.Protects(addr)
}

// Complete completes the access thread tid faulted on at addr: the page
// opened, the instruction stepped (every other thread is stopped, so none
// writes the open page unseen), the page closed again; then the watched
// values are compared and the accesses recorded for Hits.
func (s *Set[B]) Complete(h Host, tid int, addr uint64) error {
	n := max(h.AccessSize(tid), 1)
	var opened []uint64
	defer func() {
		for _, pg := range opened {
			if _, prot, ok := s.Page(pg); ok {
				if err := h.Mprotect(tid, pg, prot); err != nil {
					h.Output("important", fmt.Sprintf("data breakpoints: cannot protect page %#x again: %v\n", pg, err))
				}
			}
		}
	}()
	open := func(a uint64) error {
		pg := a &^ (PageSize - 1)
		orig, _, _ := s.Page(pg)
		if err := h.Mprotect(tid, pg, orig); err != nil {
			return err
		}
		opened = append(opened, pg)
		return nil
	}
	if err := open(addr); err != nil {
		return err
	}
	for try := 0; ; try++ {
		if try == 16 {
			return errors.New("the faulting instruction never completed")
		}
		sig, err := h.Step(tid)
		if err != nil {
			return err
		}
		if sig == unix.SIGTRAP {
			break
		}
		if sig == unix.SIGSEGV {
			// It reaches into a second watched page (a write across the
			// boundary), or faults for a reason of its own.
			if a2, ok := s.Fault(h, tid); ok {
				if err := open(a2); err != nil {
					return err
				}
				continue
			}
			return ErrProgramFault
		}
		h.Defer(tid, sig)
	}
	if s.UsesRegisters() {
		s.TakeDR6(h, tid)
	}
	s.Compare(h, tid, addr, n)
	return nil
}
