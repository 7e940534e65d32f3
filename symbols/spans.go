package symbols

import "sort"

// span is a half-open address interval [lo, hi) tagged with the index of
// whatever it belongs to.
type span struct {
	lo, hi uint64
	ref    int32
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
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
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
