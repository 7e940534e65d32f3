package session

// handles maps DAP ids to values for as long as they are valid (until the
// next resume). Ids keep growing across resets, so a stale id from an
// earlier stop is never mistaken for a current one.
type handles[T any] struct {
	next int
	m    map[int]T
}

func (h *handles[T]) add(v T) int {
	if h.m == nil {
		h.m = map[int]T{}
	}
	h.next++
	h.m[h.next] = v
	return h.next
}

func (h *handles[T]) get(id int) (T, bool) {
	v, ok := h.m[id]
	return v, ok
}

func (h *handles[T]) reset() { h.m = nil }
