package dwarfsec

import (
	"bytes"
	"encoding/binary"
	"path"
)

// LineFileNames lists the base names of the files every line program of
// .debug_line (line) names in its header, reading the headers only, not
// the programs, and no other section than the string sections a DWARF 5
// header points into (lineStr: .debug_line_str, str: .debug_str). It is
// how a library's DWARF can say "that source is not mine" without being
// indexed. ok is false when some header cannot be read (an unknown form,
// a version it does not know): nothing can then be ruled out.
func LineFileNames(line, lineStr, str []byte) (names map[string]bool, ok bool) {
	names = map[string]bool{}
	for off := uint64(0); off+4 <= uint64(len(line)); {
		r := &Reader{Data: line, Off: off}
		n, offSize := uint64(r.u32()), uint64(4)
		if n == 0xffffffff {
			n, offSize = r.U64(), 8
		}
		end := r.Off + n
		if r.Err != nil || n == 0 || end > uint64(len(line)) || end < r.Off {
			return names, false
		}
		r.Data = line[:end] // a header never reads into the next unit
		if !lineHeaderFiles(r, offSize, lineStr, str, names) {
			return names, false
		}
		off = end
	}
	return names, true
}

// lineHeaderFiles reads one line program header from r, just past its
// unit_length, adding its files' base names.
func lineHeaderFiles(r *Reader, offSize uint64, lineStr, str []byte, names map[string]bool) bool {
	version := r.u16()
	if version < 2 || version > 5 {
		return false
	}
	if version >= 5 {
		r.Skip(2) // address_size, segment_selector_size
	}
	r.Skip(offSize) // header_length
	r.Skip(1)       // minimum_instruction_length
	if version >= 4 {
		r.Skip(1) // maximum_operations_per_instruction
	}
	r.Skip(3) // default_is_stmt, line_base, line_range
	opcodeBase := r.U8()
	if opcodeBase > 0 {
		r.Skip(uint64(opcodeBase) - 1) // standard_opcode_lengths
	}
	if version < 5 {
		for r.cstring() != nil { // include_directories
		}
		for {
			name := r.cstring()
			if len(name) == 0 {
				break
			}
			names[path.Base(string(name))] = true
			r.Uleb() // directory index
			r.Uleb() // modification time
			r.Uleb() // length
		}
		return r.Err == nil
	}
	// DWARF 5 (section 6.2.4.1): described entries, directories then
	// files; only the files' DW_LNCT_path matters.
	for table := 0; table < 2; table++ {
		formats := make([][2]uint64, r.U8())
		for i := range formats {
			formats[i] = [2]uint64{r.Uleb(), r.Uleb()}
		}
		count := r.Uleb()
		for i := uint64(0); i < count && r.Err == nil; i++ {
			for _, f := range formats {
				s, ok := r.form(f[1], offSize, lineStr, str)
				if !ok {
					return false
				}
				if table == 1 && f[0] == lnctPath && s != nil {
					names[path.Base(string(s))] = true
				}
			}
		}
	}
	return r.Err == nil
}

// lnctPath is DW_LNCT_path.
const lnctPath = 1

// form reads one attribute value of form (those a line header uses),
// returning it when it is a string.
func (r *Reader) form(form, offSize uint64, lineStr, str []byte) ([]byte, bool) {
	switch form {
	case 0x08: // DW_FORM_string
		return r.cstring(), true
	case 0x1f, 0x0e: // DW_FORM_line_strp, DW_FORM_strp
		sec := lineStr
		if form == 0x0e {
			sec = str
		}
		var o uint64
		if offSize == 8 {
			o = r.U64()
		} else {
			o = uint64(r.u32())
		}
		if o >= uint64(len(sec)) {
			return nil, false
		}
		s := sec[o:]
		if i := bytes.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return s, true
	case 0x0f: // DW_FORM_udata
		r.Uleb()
	case 0x0b: // DW_FORM_data1
		r.Skip(1)
	case 0x05: // DW_FORM_data2
		r.Skip(2)
	case 0x06: // DW_FORM_data4
		r.Skip(4)
	case 0x07: // DW_FORM_data8
		r.Skip(8)
	case 0x1e: // DW_FORM_data16 (an MD5)
		r.Skip(16)
	case 0x09: // DW_FORM_block
		r.Block()
	default: // strx and others: their sections are not at hand
		return nil, false
	}
	return nil, r.Err == nil
}

// u16 reads a 2-byte little-endian value.
func (r *Reader) u16() uint16 {
	if !r.need(2) {
		return 0
	}
	r.Off += 2
	return binary.LittleEndian.Uint16(r.Data[r.Off-2:])
}

// u32 reads a 4-byte little-endian value.
func (r *Reader) u32() uint32 {
	if !r.need(4) {
		return 0
	}
	r.Off += 4
	return binary.LittleEndian.Uint32(r.Data[r.Off-4:])
}

// cstring reads a NUL-terminated string, nil for the empty one (a table's
// end) or at an overrun.
func (r *Reader) cstring() []byte {
	if r.Err != nil {
		return nil
	}
	rest := r.Data[r.Off:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		r.need(uint64(len(rest)) + 1) // records the overrun
		return nil
	}
	r.Off += uint64(i) + 1
	if i == 0 {
		return nil
	}
	return rest[:i]
}
