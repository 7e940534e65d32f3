package proc

import (
	"errors"
	"fmt"
	"sort"
)

// int3 is the x86 breakpoint instruction.
const int3 = 0xCC

// site is a physical breakpoint: one address, the byte it replaced, and the
// owners that keep it inserted.
type site struct {
	addr     uint64
	orig     byte
	inserted bool
	owners   []*Breakpoint // logical breakpoints placed here
	temp     int           // temporary (stepping) owners
	loader   bool          // the dynamic loader's _dl_debug_state
}

// Breakpoint is a logical breakpoint: what the client set, keyed by its id.
type Breakpoint struct {
	ID       int
	Kind     string // "source", "function", "instruction"
	Source   string // as the client named it
	Line     int    // requested line
	Name     string // function name, for function breakpoints
	Verified bool
	Pending  bool // not resolved yet: its code may come with a library
	Message  string
	// Where it resolved: the line actually used and its addresses.
	File   string
	Actual int
	Addrs  []uint64

	key string // identifies it within its group across requests

	Options             // as the client set them
	opts    *conditions // parsed; nil for a plain breakpoint
}

// breakpoints is the table of a process. Inserting and removing bytes goes
// through the functions given, so the table is testable without a process.
type breakpoints struct {
	sites  map[uint64]*site
	groups map[string][]*Breakpoint // as the client set them, by request group
	nextID int
}

func newBreakpoints() *breakpoints {
	return &breakpoints{sites: map[uint64]*site{}, groups: map[string][]*Breakpoint{}, nextID: 1}
}

// memIO is how the table reads and writes the debuggee's code.
type memIO interface {
	ReadAt(b []byte, addr uint64) (int, error)
	WriteAt(b []byte, addr uint64) (int, error)
}

// add makes site addr exist and be inserted.
func (t *breakpoints) add(mem memIO, addr uint64) (*site, error) {
	s := t.sites[addr]
	if s == nil {
		s = &site{addr: addr}
		t.sites[addr] = s
	}
	if !s.inserted {
		var b [1]byte
		if _, err := mem.ReadAt(b[:], addr); err != nil {
			delete(t.sites, addr)
			return nil, err
		}
		if _, err := mem.WriteAt([]byte{int3}, addr); err != nil {
			delete(t.sites, addr)
			return nil, err
		}
		s.orig, s.inserted = b[0], true
	}
	return s, nil
}

// release removes site s if nothing owns it any more.
func (t *breakpoints) release(mem memIO, s *site) error {
	if len(s.owners) > 0 || s.temp > 0 || s.loader {
		return nil
	}
	delete(t.sites, s.addr)
	if !s.inserted {
		return nil
	}
	s.inserted = false
	_, err := mem.WriteAt([]byte{s.orig}, s.addr)
	return err
}

// addTemp places a temporary stepping breakpoint.
func (t *breakpoints) addTemp(mem memIO, addr uint64) error {
	s, err := t.add(mem, addr)
	if err != nil {
		return err
	}
	s.temp++
	return nil
}

// clearTemp removes every temporary breakpoint.
func (t *breakpoints) clearTemp(mem memIO) {
	for _, s := range t.sites {
		if s.temp > 0 {
			s.temp = 0
			_ = t.release(mem, s)
		}
	}
}

// place inserts bp at each of its addresses.
func (t *breakpoints) place(mem memIO, bp *Breakpoint) error {
	var errs []error
	placed := bp.Addrs[:0:0]
	for _, a := range bp.Addrs {
		s, err := t.add(mem, a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.owners = append(s.owners, bp)
		placed = append(placed, a)
	}
	bp.Addrs = placed
	return errors.Join(errs...)
}

// unplace removes bp from its sites.
func (t *breakpoints) unplace(mem memIO, bp *Breakpoint) {
	for _, a := range bp.Addrs {
		s := t.sites[a]
		if s == nil {
			continue
		}
		for i, o := range s.owners {
			if o == bp {
				s.owners = append(s.owners[:i:i], s.owners[i+1:]...)
				break
			}
		}
		_ = t.release(mem, s)
	}
}

// idsAt returns the client ids of the breakpoints at addr, sorted.
func (t *breakpoints) idsAt(addr uint64) []int {
	s := t.sites[addr]
	if s == nil {
		return nil
	}
	ids := make([]int, 0, len(s.owners))
	for _, o := range s.owners {
		ids = append(ids, o.ID)
	}
	sort.Ints(ids)
	return ids
}

// reasonAt is the DAP stop reason for a hit at addr.
func (t *breakpoints) reasonAt(addr uint64) string {
	if s := t.sites[addr]; s != nil {
		for _, o := range s.owners {
			switch o.Kind {
			case "function":
				return "function breakpoint"
			case "instruction":
				return "instruction breakpoint"
			case kindException:
				return "exception"
			}
		}
	}
	return "breakpoint"
}

// restore writes back every original byte (before a detach).
func (t *breakpoints) restore(mem memIO) error {
	var errs []error
	for _, s := range t.sites {
		if s.inserted {
			if _, err := mem.WriteAt([]byte{s.orig}, s.addr); err != nil {
				errs = append(errs, fmt.Errorf("restoring %#x: %w", s.addr, err))
			}
			s.inserted = false
		}
	}
	t.sites = map[uint64]*site{}
	return errors.Join(errs...)
}

// shadow replaces int3 bytes in b (read at addr) by the original bytes, so
// the client sees the program's code, not our breakpoints.
func (t *breakpoints) shadow(b []byte, addr uint64) {
	if len(t.sites) == 0 {
		return
	}
	if len(b) < len(t.sites) {
		// A variable's few bytes among many breakpoints: look each up.
		for i := range b {
			if s := t.sites[addr+uint64(i)]; s != nil && s.inserted {
				b[i] = s.orig
			}
		}
		return
	}
	end := addr + uint64(len(b))
	for a, s := range t.sites {
		if s.inserted && a >= addr && a < end {
			b[a-addr] = s.orig
		}
	}
}
