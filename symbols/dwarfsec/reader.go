package dwarfsec

import (
	"encoding/binary"
	"fmt"
)

// Reader decodes DWARF's little-endian and LEB128 encodings, remembering
// the first overrun: a caller reads a whole entry and checks Err once,
// and every read after an overrun returns zero.
type Reader struct {
	Data []byte
	Off  uint64 // where the next read starts
	Err  error  // the first overrun, if any
}

func (r *Reader) need(n uint64) bool {
	if r.Err != nil {
		return false
	}
	if r.Off+n > uint64(len(r.Data)) || r.Off+n < r.Off {
		r.Err = fmt.Errorf("truncated data at offset %#x", r.Off)
		return false
	}
	return true
}

// U8 reads a byte.
func (r *Reader) U8() byte {
	if !r.need(1) {
		return 0
	}
	r.Off++
	return r.Data[r.Off-1]
}

// Skip steps over n bytes, an operand whose value is not needed.
func (r *Reader) Skip(n uint64) {
	if r.need(n) {
		r.Off += n
	}
}

// U64 reads an 8-byte little-endian value.
func (r *Reader) U64() uint64 {
	if !r.need(8) {
		return 0
	}
	r.Off += 8
	return binary.LittleEndian.Uint64(r.Data[r.Off-8:])
}

// Uleb reads an unsigned LEB128 number; bits past the 64th are dropped
// rather than reported, as a producer never writes them.
func (r *Reader) Uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		b := r.U8()
		if r.Err != nil {
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

// Sleb reads a signed LEB128 number, dropping bits past the 64th as Uleb
// does.
func (r *Reader) Sleb() int64 {
	var v int64
	var shift uint
	for {
		b := r.U8()
		if r.Err != nil {
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

// Block reads a ULEB128 length and that many bytes, as DW_FORM_exprloc
// and location list entries hold an expression. The bytes are shared
// with Data, not copied.
func (r *Reader) Block() []byte {
	n := r.Uleb()
	if !r.need(n) {
		return nil
	}
	r.Off += n
	return r.Data[r.Off-n : r.Off]
}
