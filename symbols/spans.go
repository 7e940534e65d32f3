package symbols

import (
	"cmp"
	"slices"
	"sort"
)

// span is a half-open address interval [lo, hi) tagged with the index of
// whatever it belongs to.
type span struct {
	lo, hi uint64
	ref    int32
	pos    int32 // place in the input, for a stable order (fills padding)
}

// spanIndex finds the intervals containing an address. Intervals may overlap
// or nest (inlined code, sloppy producers), so it keeps, for every position
// in lo order, the largest hi seen so far: walking backwards from the last
// interval starting at or below the address can stop as soon as that prefix
// maximum no longer reaches it.
type spanIndex struct {
	spans []span
	maxHi []uint64
}

func newSpanIndex(spans []span) spanIndex {
	// A plain sort on (lo, input place) is the stable sort, at a fraction
	// of its cost on the tens of thousands of symbols of a library.
	for i := range spans {
		spans[i].pos = int32(i)
	}
	slices.SortFunc(spans, func(a, b span) int {
		if c := cmp.Compare(a.lo, b.lo); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	})
	maxHi := make([]uint64, len(spans))
	var m uint64
	for i, s := range spans {
		m = max(m, s.hi)
		maxHi[i] = m
	}
	return spanIndex{spans: spans, maxHi: maxHi}
}

// each calls fn for every interval containing x, greatest lo first (so
// nested intervals come innermost first), until fn returns false.
func (x *spanIndex) each(addr uint64, fn func(s span) bool) {
	i := sort.Search(len(x.spans), func(i int) bool { return x.spans[i].lo > addr }) - 1
	for ; i >= 0 && x.maxHi[i] > addr; i-- {
		if s := x.spans[i]; s.hi > addr {
			if !fn(s) {
				return
			}
		}
	}
}

// first returns the innermost interval containing addr.
func (x *spanIndex) first(addr uint64) (span, bool) {
	var found span
	ok := false
	x.each(addr, func(s span) bool {
		found, ok = s, true
		return false
	})
	return found, ok
}

// overlapping calls fn for every interval intersecting [lo, hi).
func (x *spanIndex) overlapping(lo, hi uint64, fn func(s span)) {
	i := sort.Search(len(x.spans), func(i int) bool { return x.spans[i].lo >= hi }) - 1
	for ; i >= 0 && x.maxHi[i] > lo; i-- {
		if s := x.spans[i]; s.hi > lo {
			fn(s)
		}
	}
}
