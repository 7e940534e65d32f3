package unwind

import (
	"encoding/binary"
	"fmt"
)

// pageCache reads the stack a page at a time for one walk: a frame needs a
// word or two, and a thousand frames in a few pages cost a few system calls
// instead of thousands.
type pageCache struct {
	mem   Memory
	pages map[uint64][]byte
	// The page read last: consecutive frames are mostly on one page.
	lastBase uint64
	last     []byte
}

const cachePage = 4096

// Uint64 reads the word at addr.
func (c *pageCache) Uint64(addr uint64) (uint64, error) {
	base := addr &^ (cachePage - 1)
	if addr-base > cachePage-8 {
		var b [8]byte // straddles two pages
		if _, err := c.mem.ReadAt(b[:], addr); err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint64(b[:]), nil
	}
	pg, ok := c.last, c.last != nil && c.lastBase == base
	if !ok {
		pg, ok = c.pages[base]
	}
	if !ok {
		pg = make([]byte, cachePage)
		n, _ := c.mem.ReadAt(pg, base)
		pg = pg[:n]
		if c.pages == nil {
			c.pages = map[uint64][]byte{}
		}
		c.pages[base] = pg
	}
	c.last, c.lastBase = pg, base
	off := addr - base
	if off+8 > uint64(len(pg)) {
		return 0, fmt.Errorf("%#x is not mapped", addr)
	}
	return binary.LittleEndian.Uint64(pg[off:]), nil
}

// ReadAt reads words through the cache, anything longer directly.
func (c *pageCache) ReadAt(b []byte, addr uint64) (int, error) {
	if len(b) == 8 {
		v, err := c.Uint64(addr)
		if err != nil {
			return 0, err
		}
		binary.LittleEndian.PutUint64(b, v)
		return 8, nil
	}
	return c.mem.ReadAt(b, addr)
}
