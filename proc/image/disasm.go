package image

import (
	"fmt"
	"strings"

	"golang.org/x/arch/x86/x86asm"
)

// Instruction is one disassembled instruction.
type Instruction struct {
	Addr    uint64
	Bytes   []byte
	Text    string
	Symbol  string // function+offset, when known
	File    string
	Line    int
	Invalid bool // unreadable or undecodable memory
}

// MaxDisassemble bounds one disassembly.
const MaxDisassemble = 10000

// Disassemble decodes count instructions starting instOffset instructions
// away from addr (negative: before it). Instruction boundaries before addr
// are found by decoding forward from the start of the function that holds
// them, so backward disassembly lands on the instructions the program
// really executes; where nothing is known, unreadable or undecodable bytes
// come back as Invalid entries, one byte each, so the count is always met.
func (im *Image) Disassemble(addr uint64, instOffset, count int, symbolic bool) []Instruction {
	count = min(max(count, 0), MaxDisassemble)
	instOffset = max(instOffset, -MaxDisassemble)
	start := addr
	if instOffset < 0 {
		start = im.backFrom(addr, -instOffset)
		instOffset = 0
	}
	all := im.decodeRange(start, instOffset+count, symbolic)
	return all[min(instOffset, len(all)):]
}

// backFrom returns the address n instructions before addr, decoding forward
// from function starts; without a known start, it counts one byte per
// instruction (the client then sees the bytes as invalid).
func (im *Image) backFrom(addr uint64, n int) uint64 {
	var bounds []uint64 // instruction starts before addr, ascending
	end := addr
	for len(bounds) < n {
		fn, m := im.FuncAt(end - 1)
		if fn == nil {
			break
		}
		low := fn.Low + m.Bias
		var seg []uint64
		for pc := low; pc < end; {
			ins, ok := im.DecodeAt(pc)
			if !ok {
				break
			}
			seg = append(seg, pc)
			pc += uint64(ins.Len)
		}
		bounds = append(seg, bounds...)
		if low >= end || low == 0 {
			break
		}
		end = low
	}
	if len(bounds) >= n {
		return bounds[len(bounds)-n]
	}
	missing := uint64(n - len(bounds))
	if len(bounds) > 0 {
		end = bounds[0]
	}
	if end < missing {
		return 0
	}
	return end - missing
}

func (im *Image) decodeRange(start uint64, n int, symbolic bool) []Instruction {
	out := make([]Instruction, 0, n)
	buf := make([]byte, 0, 4096)
	var bufAt uint64
	read := func(pc uint64) []byte {
		if pc < bufAt || pc+16 > bufAt+uint64(len(buf)) {
			buf = buf[:cap(buf)]
			k, _ := im.mem.ReadAt(buf, pc)
			buf, bufAt = buf[:k], pc
		}
		return buf[pc-bufAt:]
	}
	pc := start
	for len(out) < n {
		code := read(pc)
		ins, err := x86asm.Decode(code, 64)
		if len(code) == 0 || err != nil {
			in := Instruction{Addr: pc, Text: "(bad)", Invalid: true}
			if len(code) > 0 {
				in.Bytes = []byte{code[0]}
			} else {
				in.Text = "<unreadable>"
			}
			out = append(out, in)
			pc++
			continue
		}
		in := Instruction{Addr: pc, Bytes: append([]byte(nil), code[:ins.Len]...)}
		var sym func(uint64) (string, uint64)
		if symbolic {
			sym = im.SymbolFor
		}
		in.Text = x86asm.GNUSyntax(ins, pc, sym)
		if name, base := im.SymbolFor(pc); name != "" {
			in.Symbol = name
			if pc != base {
				in.Symbol = fmt.Sprintf("%s+%d", name, pc-base)
			}
		}
		if le, ok := im.LineAt(pc); ok {
			in.File, in.Line = im.Local(le.File), le.Line
		}
		out = append(out, in)
		pc += uint64(ins.Len)
	}
	return out
}

// SymbolFor names the function or symbol holding addr and its start.
func (im *Image) SymbolFor(addr uint64) (string, uint64) {
	m := im.ModuleAt(addr)
	if m == nil || m.Sym == nil {
		return "", 0
	}
	if fn := m.Sym.FuncAt(addr - m.Bias); fn != nil {
		return fn.DisplayName(), fn.Low + m.Bias
	}
	if name, off, ok := m.Sym.SymbolAt(addr - m.Bias); ok {
		return name, addr - off
	}
	return "", 0
}

// hexBytes formats instruction bytes as the client shows them.
func hexBytes(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

// HexBytes is the instruction's bytes as hex pairs separated by spaces.
func (in Instruction) HexBytes() string { return hexBytes(in.Bytes) }

// DecodeAt decodes the instruction at pc as the program has it.
func (im *Image) DecodeAt(pc uint64) (x86asm.Inst, bool) {
	var b [16]byte
	n, _ := im.mem.ReadAt(b[:], pc)
	ins, err := x86asm.Decode(b[:n], 64)
	return ins, err == nil
}
