package proc

import (
	"sort"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
)

// site is a physical breakpoint of the table.
type site = breakpoint.Site[*Breakpoint]

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

// breakpoints is the table of a process: its physical breakpoints, and
// the logical ones as the client set them.
type breakpoints struct {
	*breakpoint.Table[*Breakpoint]
	groups map[string][]*Breakpoint // as the client set them, by request group
	nextID int
}

func newBreakpoints() *breakpoints {
	return &breakpoints{Table: breakpoint.NewTable[*Breakpoint](), groups: map[string][]*Breakpoint{}, nextID: 1}
}

// place inserts bp at each of its addresses; it keeps those that worked.
func (t *breakpoints) place(mem breakpoint.Memory, bp *Breakpoint) error {
	placed, err := t.Place(mem, bp, bp.Addrs)
	bp.Addrs = placed
	return err
}

// unplace removes bp from its sites.
func (t *breakpoints) unplace(mem breakpoint.Memory, bp *Breakpoint) {
	t.Unplace(mem, bp, bp.Addrs)
}

// idsAt returns the client ids of the breakpoints at addr, sorted.
func (t *breakpoints) idsAt(addr uint64) []int {
	s := t.Sites[addr]
	if s == nil {
		return nil
	}
	ids := make([]int, 0, len(s.Owners))
	for _, o := range s.Owners {
		ids = append(ids, o.ID)
	}
	sort.Ints(ids)
	return ids
}

// reasonAt is the DAP stop reason for a hit at addr.
func (t *breakpoints) reasonAt(addr uint64) string {
	if s := t.Sites[addr]; s != nil {
		for _, o := range s.Owners {
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
