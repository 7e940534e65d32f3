// Package breakpoint holds the breakpoints of a process. Table is the
// physical side: the int3 bytes written into its code, the original bytes
// they replaced, and who keeps each one inserted (the client's
// breakpoints, stepping, the dynamic loader's hook), owners of a type the
// table does not look into. Set adds the logical side: the breakpoints as
// the client set them, by request group, each with its Conditions (a
// condition, a hit count, a log message) parsed once and decided at each
// hit.
//
// Memory goes through the Memory given to each call and expressions are
// evaluated in a scope the caller supplies, so all of it is tested
// without a process. A Table or Set belongs to the goroutine that owns the
// process; it is not safe for concurrent use.
package breakpoint

import (
	"errors"
	"fmt"
)

// Int3 is the x86 breakpoint instruction.
const Int3 = 0xCC

// Memory is how the table reads and writes the program's code.
type Memory interface {
	ReadAt(b []byte, addr uint64) (int, error)
	WriteAt(b []byte, addr uint64) (int, error)
}

// Site is a physical breakpoint: one address, the byte it replaced, and the
// owners that keep it inserted.
type Site[O comparable] struct {
	Addr     uint64
	Orig     byte
	Inserted bool
	Owners   []O  // logical breakpoints placed here
	Temp     int  // temporary (stepping) owners
	Loader   bool // the dynamic loader's _dl_debug_state
}

// Table is the physical breakpoints of a process, by address.
type Table[O comparable] struct {
	Sites map[uint64]*Site[O]
}

// NewTable makes an empty table.
func NewTable[O comparable]() *Table[O] {
	return &Table[O]{Sites: map[uint64]*Site[O]{}}
}

// Add makes site addr exist and be inserted.
func (t *Table[O]) Add(mem Memory, addr uint64) (*Site[O], error) {
	s := t.Sites[addr]
	if s == nil {
		s = &Site[O]{Addr: addr}
		t.Sites[addr] = s
	}
	if !s.Inserted {
		var b [1]byte
		if _, err := mem.ReadAt(b[:], addr); err != nil {
			delete(t.Sites, addr)
			return nil, err
		}
		if _, err := mem.WriteAt([]byte{Int3}, addr); err != nil {
			delete(t.Sites, addr)
			return nil, err
		}
		s.Orig, s.Inserted = b[0], true
	}
	return s, nil
}

// Release removes site s if nothing owns it any more.
func (t *Table[O]) Release(mem Memory, s *Site[O]) error {
	if len(s.Owners) > 0 || s.Temp > 0 || s.Loader {
		return nil
	}
	delete(t.Sites, s.Addr)
	if !s.Inserted {
		return nil
	}
	s.Inserted = false
	_, err := mem.WriteAt([]byte{s.Orig}, s.Addr)
	return err
}

// AddTemp places a temporary stepping breakpoint.
func (t *Table[O]) AddTemp(mem Memory, addr uint64) error {
	s, err := t.Add(mem, addr)
	if err != nil {
		return err
	}
	s.Temp++
	return nil
}

// ClearTemp removes every temporary breakpoint.
func (t *Table[O]) ClearTemp(mem Memory) {
	for _, s := range t.Sites {
		if s.Temp > 0 {
			s.Temp = 0
			_ = t.Release(mem, s)
		}
	}
}

// Place inserts owner o at each of addrs and returns the addresses where
// that worked; the error says why the others failed.
func (t *Table[O]) Place(mem Memory, o O, addrs []uint64) ([]uint64, error) {
	var errs []error
	placed := addrs[:0:0]
	for _, a := range addrs {
		s, err := t.Add(mem, a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Owners = append(s.Owners, o)
		placed = append(placed, a)
	}
	return placed, errors.Join(errs...)
}

// Unplace removes owner o from the sites at addrs.
func (t *Table[O]) Unplace(mem Memory, o O, addrs []uint64) {
	for _, a := range addrs {
		s := t.Sites[a]
		if s == nil {
			continue
		}
		for i, x := range s.Owners {
			if x == o {
				s.Owners = append(s.Owners[:i:i], s.Owners[i+1:]...)
				break
			}
		}
		_ = t.Release(mem, s)
	}
}

// Restore writes back every original byte (before a detach) and empties
// the table.
func (t *Table[O]) Restore(mem Memory) error {
	var errs []error
	for _, s := range t.Sites {
		if s.Inserted {
			if _, err := mem.WriteAt([]byte{s.Orig}, s.Addr); err != nil {
				errs = append(errs, fmt.Errorf("restoring %#x: %w", s.Addr, err))
			}
			s.Inserted = false
		}
	}
	t.Sites = map[uint64]*Site[O]{}
	return errors.Join(errs...)
}

// Shadow replaces int3 bytes in b (read at addr) by the original bytes, so
// the client sees the program's code, not our breakpoints.
func (t *Table[O]) Shadow(b []byte, addr uint64) {
	if len(t.Sites) == 0 {
		return
	}
	if len(b) < len(t.Sites) {
		// A variable's few bytes among many breakpoints: look each up.
		for i := range b {
			if s := t.Sites[addr+uint64(i)]; s != nil && s.Inserted {
				b[i] = s.Orig
			}
		}
		return
	}
	end := addr + uint64(len(b))
	for a, s := range t.Sites {
		if s.Inserted && a >= addr && a < end {
			b[a-addr] = s.Orig
		}
	}
}

// WriteAround writes data at addr with the int3 of every breakpoint in the
// range kept, its saved byte taking the new value.
func (t *Table[O]) WriteAround(mem Memory, data []byte, addr uint64) (int, error) {
	buf := append([]byte(nil), data...)
	for a, s := range t.Sites {
		if s.Inserted && a >= addr && a < addr+uint64(len(buf)) {
			s.Orig = buf[a-addr]
			buf[a-addr] = Int3
		}
	}
	return mem.WriteAt(buf, addr)
}
