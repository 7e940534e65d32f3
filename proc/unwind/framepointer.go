package unwind

import (
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// Prologue says where a function sets up its frame pointer.
type Prologue struct {
	Entry               uint64 // the function's runtime address
	Pushes              bool   // push %rbp; mov %rsp,%rbp
	AfterPush, AfterMov uint64 // runtime addresses just after each
}

// DecodePrologue reads the first instructions of a function, code being
// its first bytes (breakpoints taken out) and entry its runtime address.
func DecodePrologue(code []byte, entry uint64) Prologue {
	p := Prologue{Entry: entry}
	off := 0
	for k := 0; k < 4 && off < len(code); k++ {
		ins, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			break
		}
		next := entry + uint64(off+ins.Len)
		switch {
		case ins.Op == x86asm.PUSH && ins.Args[0] == x86asm.RBP:
			p.AfterPush = next
		case ins.Op == x86asm.MOV && ins.Args[0] == x86asm.RBP && ins.Args[1] == x86asm.RSP && p.AfterPush != 0:
			p.AfterMov, p.Pushes = next, true
		}
		off += ins.Len
		if p.Pushes {
			break
		}
	}
	return p
}

var errUnreadable = errors.New("the stack is not readable there")

// frameStep computes a frame's CFA and its caller's pc and rbp from frame
// pointers, for code without CFI.
func (it *Iterator) frameStep(pc, rsp, rbp uint64, top bool) (cfa, ret, callerRBP uint64, err error) {
	word := func(a uint64) (uint64, bool) {
		var b [8]byte
		if _, err := it.mem.mem.ReadAt(b[:], a); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint64(b[:]), true
	}
	// both reports the outcome of the reads: an unreadable word ends the
	// walk with an error, a plausible one continues it.
	both := func(cfa, r, b uint64, ok bool) (uint64, uint64, uint64, error) {
		if !ok {
			return cfa, 0, 0, errUnreadable
		}
		return cfa, r, b, nil
	}
	pro, known := it.code.Prologue(pc)
	if !known {
		if top {
			// Unknown code, innermost frame: most likely a call just
			// landed here; the return address is on top of the stack.
			r, ok := word(rsp)
			if ok && !it.code.Mapped(r) {
				return rsp + 8, r, rbp, fmt.Errorf("no function is known at %#x and the top of the stack is not a return address", pc)
			}
			return both(rsp+8, r, rbp, ok)
		}
		return rsp, 0, 0, ErrNoRules
	}
	switch {
	case !pro.Pushes:
		if !top {
			return rsp, 0, 0, errors.New("the function keeps no frame pointer")
		}
		r, ok := word(rsp)
		if ok && pc != pro.Entry {
			return rsp + 8, r, rbp, errors.New("the function keeps no frame pointer")
		}
		return both(rsp+8, r, rbp, ok)
	case pc < pro.AfterPush:
		r, ok := word(rsp)
		return both(rsp+8, r, rbp, ok)
	case pc < pro.AfterMov:
		r, ok1 := word(rsp + 8)
		b, ok2 := word(rsp)
		return both(rsp+16, r, b, ok1 && ok2)
	}
	if it.code.IsRet(pc) {
		r, ok := word(rsp)
		return both(rsp+8, r, rbp, ok)
	}
	r, ok1 := word(rbp + 8)
	b, ok2 := word(rbp)
	return both(rbp+16, r, b, ok1 && ok2)
}
