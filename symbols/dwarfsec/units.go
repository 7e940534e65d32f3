package dwarfsec

import (
	"debug/dwarf"
	"encoding/binary"
)

// Unit is what location lists need to know about one unit of
// .debug_info: its version picks .debug_loc (2-4) or .debug_loclists (5),
// and its base address and bases resolve list entries. The header gives
// the first three fields; the other three are attributes of the root DIE,
// which the caller reads with debug/dwarf and records here.
type Unit struct {
	Start    dwarf.Offset // offset of the unit header in .debug_info
	Root     dwarf.Offset // offset of its root DIE, past the header
	Version  int
	Base     uint64 // DW_AT_low_pc of the unit's root DIE
	AddrBase uint64 // DW_AT_addr_base
	LocBase  uint64 // DW_AT_loclists_base
	Noted    bool   // the three above are read from the root DIE
}

// ReadUnits lists the units of .debug_info from their headers, without
// decoding a DIE: finding a variable's unit must not cost a walk of
// libc's 1,600 units. It stops at the first header it cannot read.
func ReadUnits(info []byte) []Unit {
	var out []Unit
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
		u := Unit{Start: dwarf.Offset(off), Version: int(binary.LittleEndian.Uint16(info[off+hdr:]))}
		u.Root = u.Start + dwarf.Offset(rootAt(info[off+hdr:], hdr, u.Version))
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

// Arange is one address range of .debug_aranges, with the unit it
// belongs to named by the offset of its header (not of its root DIE).
type Arange struct {
	Lo, Hi uint64
	Unit   dwarf.Offset
}

// ReadAranges reads .debug_aranges: which unit (by header offset) holds
// which addresses. It gives up on a set it cannot read, keeping those
// before it: a pc it does not cover is then looked up another way. sets
// counts the sets read (those of 64-bit addresses without segments), with
// ranges or without: a caller trusts the section when it has any.
func ReadAranges(b []byte) (ranges []Arange, sets int) {
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
			sets++
			for ; p+16 <= int(end); p += 16 {
				lo, size := binary.LittleEndian.Uint64(b[p:]), binary.LittleEndian.Uint64(b[p+8:])
				if lo == 0 && size == 0 {
					break
				}
				if size > 0 {
					ranges = append(ranges, Arange{Lo: lo, Hi: lo + size, Unit: dwarf.Offset(unit)})
				}
			}
		}
		off = int(end)
	}
	return ranges, sets
}
