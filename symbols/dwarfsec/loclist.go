package dwarfsec

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrLocList wraps every error of a location list the sections do not
// hold or cannot decode, so that a caller can tell a damaged file from
// its own mistakes.
var ErrLocList = errors.New("malformed location list")

// LocLists are the sections location lists are read from, kept apart from
// Sections so that a lookup is a slice read, never a lock or a map.
type LocLists struct {
	Loc      []byte // .debug_loc (DWARF 2-4)
	Loclists []byte // .debug_loclists (DWARF 5)
	Addr     []byte // .debug_addr, for the DWARF 5 entries that index it
}

// Find returns the expression of the list of unit u at off valid at pc,
// nil without error when the list has no entry for pc. When loclistx is
// set (an attribute of class loclist, DW_FORM_loclistx), off is an index
// into the unit's offset table rather than an offset. u's version picks
// the section, and its bases must have been noted from the root DIE.
func (l *LocLists) Find(u *Unit, off uint64, loclistx bool, pc uint64) ([]byte, error) {
	if loclistx {
		p := u.LocBase + 4*off
		if p+4 > uint64(len(l.Loclists)) {
			return nil, fmt.Errorf("%w: loclistx %d out of range", ErrLocList, off)
		}
		off = u.LocBase + uint64(binary.LittleEndian.Uint32(l.Loclists[p:]))
	}
	if u.Version >= 5 {
		return l.findLLE(u, off, pc)
	}
	return l.findLoc(u, off, pc)
}

// findLoc searches a DWARF 2-4 .debug_loc list.
func (l *LocLists) findLoc(u *Unit, off, pc uint64) ([]byte, error) {
	data := l.Loc
	base := u.Base
	for {
		if off+16 > uint64(len(data)) {
			return nil, fmt.Errorf("%w: .debug_loc offset %#x", ErrLocList, off)
		}
		lo, hi := binary.LittleEndian.Uint64(data[off:]), binary.LittleEndian.Uint64(data[off+8:])
		off += 16
		switch {
		case lo == 0 && hi == 0:
			return nil, nil
		case lo == ^uint64(0):
			base = hi
			continue
		}
		if off+2 > uint64(len(data)) {
			return nil, fmt.Errorf("%w: .debug_loc offset %#x", ErrLocList, off)
		}
		n := uint64(binary.LittleEndian.Uint16(data[off:]))
		off += 2
		if off+n > uint64(len(data)) {
			return nil, fmt.Errorf("%w: .debug_loc offset %#x", ErrLocList, off)
		}
		if pc >= base+lo && pc < base+hi {
			return data[off : off+n], nil
		}
		off += n
	}
}

// DW_LLE_* codes of DWARF 5, plus GNU's view pair (emitted by gcc before
// the entries when views are on; we skip it).
const (
	lleEndOfList      = 0x00
	lleBaseAddressx   = 0x01
	lleStartxEndx     = 0x02
	lleStartxLength   = 0x03
	lleOffsetPair     = 0x04
	lleDefaultLoc     = 0x05
	lleBaseAddress    = 0x06
	lleStartEnd       = 0x07
	lleStartLength    = 0x08
	lleGNUViewPair    = 0x09
	maxLocListEntries = 1 << 16
)

// findLLE searches a DWARF 5 .debug_loclists list.
func (l *LocLists) findLLE(u *Unit, off, pc uint64) ([]byte, error) {
	r := Reader{Data: l.Loclists, Off: off}
	base := u.Base
	var dflt []byte
	for n := 0; n < maxLocListEntries && r.Err == nil; n++ {
		code := r.U8()
		var lo, hi uint64
		switch code {
		case lleEndOfList:
			if r.Err != nil {
				break
			}
			return dflt, nil
		case lleBaseAddressx:
			base = l.addrx(u, r.Uleb(), &r)
			continue
		case lleBaseAddress:
			base = r.U64()
			continue
		case lleGNUViewPair:
			r.Uleb()
			r.Uleb()
			continue
		case lleStartxEndx:
			lo = l.addrx(u, r.Uleb(), &r)
			hi = l.addrx(u, r.Uleb(), &r)
		case lleStartxLength:
			lo = l.addrx(u, r.Uleb(), &r)
			hi = lo + r.Uleb()
		case lleOffsetPair:
			lo = base + r.Uleb()
			hi = base + r.Uleb()
		case lleStartEnd:
			lo, hi = r.U64(), r.U64()
		case lleStartLength:
			lo = r.U64()
			hi = lo + r.Uleb()
		case lleDefaultLoc:
			dflt = r.Block()
			continue
		default:
			return nil, fmt.Errorf("%w: unknown DW_LLE code %#x at .debug_loclists+%#x", ErrLocList, code, r.Off-1)
		}
		expr := r.Block()
		if r.Err == nil && pc >= lo && pc < hi {
			return expr, nil
		}
	}
	if r.Err != nil {
		return nil, fmt.Errorf("%w: %v", ErrLocList, r.Err)
	}
	return nil, fmt.Errorf("%w: list at %#x does not end", ErrLocList, off)
}

// addrx reads entry i of the unit's .debug_addr table.
func (l *LocLists) addrx(u *Unit, i uint64, r *Reader) uint64 {
	p := u.AddrBase + 8*i
	if p+8 > uint64(len(l.Addr)) {
		if r.Err == nil {
			r.Err = fmt.Errorf("address index %d out of range", i)
		}
		return 0
	}
	return binary.LittleEndian.Uint64(l.Addr[p:])
}
