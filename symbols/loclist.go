package symbols

import (
	"debug/dwarf"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// unitHdr is what location lists need to know about one unit of
// .debug_info: its version picks .debug_loc (2-4) or .debug_loclists (5),
// and its base address and bases resolve list entries.
type unitHdr struct {
	start    dwarf.Offset // offset of the unit header in .debug_info
	root     dwarf.Offset // offset of its root DIE, past the header
	version  int
	base     uint64 // DW_AT_low_pc of the unit's root DIE
	addrBase uint64 // DW_AT_addr_base
	locBase  uint64 // DW_AT_loclists_base
	noted    bool   // the three above are read from the root DIE
}

var errLocList = errors.New("malformed location list")

// readUnitHdrs lists the units of .debug_info from their headers.
func readUnitHdrs(info []byte) []unitHdr {
	var out []unitHdr
	for off := 0; off+11 <= len(info); {
		n := uint64(binary.LittleEndian.Uint32(info[off:]))
		hdr := 4
		if n == 0xffffffff {
			if off+12 > len(info) {
				break
			}
			n, hdr = binary.LittleEndian.Uint64(info[off+4:]), 12
		}
		if off+hdr+2 > len(info) {
			break
		}
		u := unitHdr{start: dwarf.Offset(off), version: int(binary.LittleEndian.Uint16(info[off+hdr:]))}
		u.root = u.start + dwarf.Offset(rootAt(info[off+hdr:], hdr, u.version))
		out = append(out, u)
		next := uint64(off) + uint64(hdr) + n
		if n == 0 || next > uint64(len(info)) {
			break
		}
		off = int(next)
	}
	return out
}

// rootAt is the size of a unit header whose unit_length field took hdr
// bytes (4, or 12 for 64-bit DWARF) and whose rest (version first) is b.
func rootAt(b []byte, hdr, version int) int {
	off := 4 // abbrev_offset's size
	if hdr == 12 {
		off = 8
	}
	if version < 5 {
		return hdr + 2 + off + 1 // version, abbrev_offset, address_size
	}
	n := hdr + 2 + 1 + 1 + off // version, unit_type, address_size, abbrev_offset
	if len(b) > 2 {
		switch b[2] { // DWARF 5 section 7.5.1: unit types
		case 4, 5: // skeleton, split compile: dwo_id
			n += 8
		case 2, 6: // type, split type: signature, type_offset
			n += 8 + off
		}
	}
	return n
}

// unitOf returns the unit holding the DIE at off, or nil.
func (v *varData) unitOf(off dwarf.Offset) *unitHdr {
	i := sort.Search(len(v.units), func(i int) bool { return v.units[i].start > off }) - 1
	if i < 0 {
		return nil
	}
	return &v.units[i]
}

// locExpr returns the expression of a location-class attribute of e valid
// at pc: the block itself for exprloc, or the matching location-list entry.
// It returns nil without error when the list has no entry for pc.
func (v *varData) locExpr(e *dwarf.Entry, attr dwarf.Attr, pc uint64) ([]byte, error) {
	fld := e.AttrField(attr)
	if fld == nil {
		return nil, nil
	}
	switch val := fld.Val.(type) {
	case []byte:
		return val, nil
	case int64:
		u := v.unitOf(e.Offset)
		if u == nil {
			return nil, fmt.Errorf("%w: no unit for DIE %#x", errLocList, e.Offset)
		}
		off := uint64(val)
		if fld.Class == dwarf.ClassLocList { // DW_FORM_loclistx: an index into the offset table
			p := u.locBase + 4*off
			if p+4 > uint64(len(v.loclists)) {
				return nil, fmt.Errorf("%w: loclistx %d out of range", errLocList, off)
			}
			off = u.locBase + uint64(binary.LittleEndian.Uint32(v.loclists[p:]))
		}
		if u.version >= 5 {
			return v.findLLE(u, off, pc)
		}
		return v.findLoc(u, off, pc)
	}
	return nil, nil
}

// findLoc searches a DWARF 2-4 .debug_loc list.
func (v *varData) findLoc(u *unitHdr, off, pc uint64) ([]byte, error) {
	data := v.loc
	base := u.base
	for {
		if off+16 > uint64(len(data)) {
			return nil, fmt.Errorf("%w: .debug_loc offset %#x", errLocList, off)
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
			return nil, fmt.Errorf("%w: .debug_loc offset %#x", errLocList, off)
		}
		n := uint64(binary.LittleEndian.Uint16(data[off:]))
		off += 2
		if off+n > uint64(len(data)) {
			return nil, fmt.Errorf("%w: .debug_loc offset %#x", errLocList, off)
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
func (v *varData) findLLE(u *unitHdr, off, pc uint64) ([]byte, error) {
	r := byteReader{data: v.loclists, off: off}
	base := u.base
	var dflt []byte
	for n := 0; n < maxLocListEntries && r.err == nil; n++ {
		code := r.u8()
		var lo, hi uint64
		switch code {
		case lleEndOfList:
			if r.err != nil {
				break
			}
			return dflt, nil
		case lleBaseAddressx:
			base = v.addrx(u, r.uleb(), &r)
			continue
		case lleBaseAddress:
			base = r.u64()
			continue
		case lleGNUViewPair:
			r.uleb()
			r.uleb()
			continue
		case lleStartxEndx:
			lo = v.addrx(u, r.uleb(), &r)
			hi = v.addrx(u, r.uleb(), &r)
		case lleStartxLength:
			lo = v.addrx(u, r.uleb(), &r)
			hi = lo + r.uleb()
		case lleOffsetPair:
			lo = base + r.uleb()
			hi = base + r.uleb()
		case lleStartEnd:
			lo, hi = r.u64(), r.u64()
		case lleStartLength:
			lo = r.u64()
			hi = lo + r.uleb()
		case lleDefaultLoc:
			dflt = r.block()
			continue
		default:
			return nil, fmt.Errorf("%w: unknown DW_LLE code %#x at .debug_loclists+%#x", errLocList, code, r.off-1)
		}
		expr := r.block()
		if r.err == nil && pc >= lo && pc < hi {
			return expr, nil
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %v", errLocList, r.err)
	}
	return nil, fmt.Errorf("%w: list at %#x does not end", errLocList, off)
}

// addrx reads entry i of the unit's .debug_addr table.
func (v *varData) addrx(u *unitHdr, i uint64, r *byteReader) uint64 {
	p := u.addrBase + 8*i
	if p+8 > uint64(len(v.addr)) {
		if r.err == nil {
			r.err = fmt.Errorf("address index %d out of range", i)
		}
		return 0
	}
	return binary.LittleEndian.Uint64(v.addr[p:])
}

// byteReader decodes DWARF's little-endian and LEB128 encodings, remembering
// the first overrun.
type byteReader struct {
	data []byte
	off  uint64
	err  error
}

func (r *byteReader) need(n uint64) bool {
	if r.err != nil {
		return false
	}
	if r.off+n > uint64(len(r.data)) || r.off+n < r.off {
		r.err = fmt.Errorf("truncated data at offset %#x", r.off)
		return false
	}
	return true
}

func (r *byteReader) u8() byte {
	if !r.need(1) {
		return 0
	}
	r.off++
	return r.data[r.off-1]
}

func (r *byteReader) skip(n uint64) {
	if r.need(n) {
		r.off += n
	}
}

func (r *byteReader) u64() uint64 {
	if !r.need(8) {
		return 0
	}
	r.off += 8
	return binary.LittleEndian.Uint64(r.data[r.off-8:])
}

func (r *byteReader) uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		b := r.u8()
		if r.err != nil {
			return 0
		}
		if shift < 64 {
			v |= uint64(b&0x7f) << shift
		}
		if b < 0x80 {
			return v
		}
	}
}

func (r *byteReader) sleb() int64 {
	var v int64
	var shift uint
	for {
		b := r.u8()
		if r.err != nil {
			return 0
		}
		if shift < 64 {
			v |= int64(b&0x7f) << shift
		}
		shift += 7
		if b < 0x80 {
			if shift < 64 && b&0x40 != 0 {
				v |= -1 << shift
			}
			return v
		}
	}
}

func (r *byteReader) block() []byte {
	n := r.uleb()
	if !r.need(n) {
		return nil
	}
	r.off += n
	return r.data[r.off-n : r.off]
}

// readAranges reads .debug_aranges: which unit (by header offset) holds
// which addresses. It gives up on a set it cannot read, keeping those
// before it: a pc it does not cover is then looked up another way.
func readAranges(b []byte) (spanIndex, []dwarf.Offset) {
	var spans []span
	var units []dwarf.Offset
	for off := 0; off+4 <= len(b); {
		n, hdr := uint64(binary.LittleEndian.Uint32(b[off:])), 4
		offSize := 4
		if n == 0xffffffff {
			if off+12 > len(b) {
				break
			}
			n, hdr, offSize = binary.LittleEndian.Uint64(b[off+4:]), 12, 8
		}
		end := uint64(off) + uint64(hdr) + n
		p := off + hdr + 2 // past the version
		if n == 0 || end > uint64(len(b)) || p+offSize+2 > int(end) {
			break
		}
		var unit uint64
		if offSize == 4 {
			unit = uint64(binary.LittleEndian.Uint32(b[p:]))
		} else {
			unit = binary.LittleEndian.Uint64(b[p:])
		}
		p += offSize
		if addrSize, segSize := b[p], b[p+1]; addrSize == 8 && segSize == 0 {
			// Tuples are aligned to twice the address size from the set's
			// start.
			p += 2
			if pad := (p - off) % 16; pad != 0 {
				p += 16 - pad
			}
			ref := int32(len(units))
			units = append(units, dwarf.Offset(unit))
			for ; p+16 <= int(end); p += 16 {
				lo, size := binary.LittleEndian.Uint64(b[p:]), binary.LittleEndian.Uint64(b[p+8:])
				if lo == 0 && size == 0 {
					break
				}
				if size > 0 {
					spans = append(spans, span{lo: lo, hi: lo + size, ref: ref})
				}
			}
		}
		off = int(end)
	}
	return newSpanIndex(spans), units
}
