package breakpoint

import (
	"fmt"
	"slices"
	"sort"
)

// The kinds of logical breakpoint. DAP replaces all breakpoints of one
// group with each request: those of one source file, or all function
// breakpoints, or all instruction breakpoints, or the exception filters.
const (
	KindSource      = "source"
	KindFunction    = "function"
	KindInstruction = "instruction"
	KindException   = "exception"
	KindData        = "data"
)

// Breakpoint is a logical breakpoint: what the client set, keyed by its
// id. S is the scope its conditions are evaluated in.
type Breakpoint[S any] struct {
	ID       int
	Kind     string // one of the Kind constants
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

	Options                // as the client set them
	Conds   *Conditions[S] // Options parsed; nil for a plain breakpoint
}

// Spec is one breakpoint a client asks for; Key identifies it across
// requests, so that a breakpoint that stays keeps its id.
type Spec struct {
	Key  string
	Line int
	Name string
	Addr uint64
	Opts Options
}

// Set is the breakpoints of a process: the physical table, and the
// logical breakpoints as the client set them, by request group.
type Set[S any] struct {
	*Table[*Breakpoint[S]]
	groups map[string][]*Breakpoint[S]
	nextID int
}

// NewSet returns an empty set; ids start at 1.
func NewSet[S any]() *Set[S] {
	return &Set[S]{Table: NewTable[*Breakpoint[S]](), groups: map[string][]*Breakpoint[S]{}, nextID: 1}
}

// New makes a breakpoint with the next id, in no group.
func (t *Set[S]) New(kind string) *Breakpoint[S] {
	bp := &Breakpoint[S]{ID: t.nextID, Kind: kind}
	t.nextID++
	return bp
}

// Each calls f with every breakpoint of every group.
func (t *Set[S]) Each(f func(*Breakpoint[S])) {
	for _, group := range t.groups {
		for _, bp := range group {
			f(bp)
		}
	}
}

// Insert inserts bp at each of its addresses; it keeps those that worked.
func (t *Set[S]) Insert(mem Memory, bp *Breakpoint[S]) error {
	placed, err := t.Place(mem, bp, bp.Addrs)
	bp.Addrs = placed
	return err
}

// Remove removes bp from its sites.
func (t *Set[S]) Remove(mem Memory, bp *Breakpoint[S]) {
	t.Unplace(mem, bp, bp.Addrs)
}

// IDsAt returns the client ids of the breakpoints at addr, sorted.
func (t *Set[S]) IDsAt(addr uint64) []int {
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

// Reason is the DAP stop reason for a hit at addr.
func (t *Set[S]) Reason(addr uint64) string {
	if s := t.Sites[addr]; s != nil {
		for _, o := range s.Owners {
			switch o.Kind {
			case KindFunction:
				return "function breakpoint"
			case KindInstruction:
				return "instruction breakpoint"
			case KindException:
				return "exception"
			}
		}
	}
	return "breakpoint"
}

// Plain says whether every breakpoint at addr stops unconditionally: only
// then can a hit seen while stopping the world be reported later without
// evaluating anything.
func (t *Set[S]) Plain(addr uint64) bool {
	s := t.Sites[addr]
	if s == nil {
		return false
	}
	for _, o := range s.Owners {
		if o.Conds != nil {
			return false
		}
	}
	return true
}

// Replace makes specs the breakpoints of group, of one kind (and source
// file, for source breakpoints), and returns them in order. A breakpoint
// whose key stays keeps its id and, where it resolves to the same
// addresses, its inserted bytes. resolve sets a breakpoint's Verified,
// Pending, Message, Addrs and where it resolved; parse parses its
// options. Every thread is stopped.
func (t *Set[S]) Replace(mem Memory, group, kind, source string, specs []Spec,
	resolve func(*Breakpoint[S], Spec), parse func(Options) (*Conditions[S], error)) []Breakpoint[S] {
	old := map[string]*Breakpoint[S]{}
	for _, bp := range t.groups[group] {
		old[bp.key] = bp
	}
	wanted := make(map[string]bool, len(specs))
	for _, sp := range specs {
		wanted[sp.Key] = true
	}
	for key, bp := range old {
		if !wanted[key] {
			t.Remove(mem, bp)
		}
	}
	var keep []*Breakpoint[S]
	var pending string // why the source's lines wait for a library, once one does
	out := make([]Breakpoint[S], 0, len(specs))
	for _, sp := range specs {
		bp := old[sp.Key]
		var placed []uint64 // where bp is inserted now: a verified one is
		if bp == nil {
			bp = t.New(kind)
			bp.Source, bp.Line, bp.Name, bp.key = source, sp.Line, sp.Name, sp.Key
		} else if bp.Verified {
			placed = slices.Clone(bp.Addrs)
		}
		delete(old, sp.Key)
		if bp.Options != sp.Opts {
			bp.Options, bp.Conds = sp.Opts, nil // a changed condition starts counting anew
		}
		if kind == KindSource && pending != "" {
			// No loaded object was built from the file: no other line
			// of it is found either, and each look matches the name
			// against every file of every module.
			bp.Verified, bp.Pending, bp.Message, bp.Addrs = false, true, pending, nil
		} else {
			resolve(bp, sp)
			if kind == KindSource && bp.Pending {
				pending = bp.Message
			}
		}
		if bp.Conds == nil {
			c, err := parse(bp.Options)
			if err != nil {
				bp.Verified, bp.Pending, bp.Message = false, false, err.Error()
			}
			bp.Conds = c
		}
		// One that stays where it is stays inserted: clients resend all
		// of a file's breakpoints when one changes, and 5,000 unchanged
		// ones must not cost 5,000 removals and insertions.
		if !bp.Verified || !slices.Equal(placed, bp.Addrs) {
			t.Unplace(mem, bp, placed)
			if bp.Verified {
				if err := t.Insert(mem, bp); err != nil && len(bp.Addrs) == 0 {
					bp.Verified, bp.Message = false, fmt.Sprintf("cannot insert a breakpoint: %v", err)
				}
			}
		}
		keep = append(keep, bp)
		out = append(out, *bp)
	}
	if len(keep) == 0 {
		delete(t.groups, group)
	} else {
		t.groups[group] = keep
	}
	return out
}
