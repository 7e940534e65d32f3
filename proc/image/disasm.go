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
// away from addr (negative: before it); |instOffset| and count are at most
// MaxDisassemble. Instruction boundaries before addr are found by decoding
// forward from the start of the function that holds them, so backward
// disassembly lands on the instructions the program really executes.
// Before the first function found, the bytes are decoded forward and cut
// at the first known boundary; where that gives too few instructions,
// unreadable or undecodable memory, entries are Invalid, one byte each, so
// exactly count entries come back and the one at -instOffset is at addr,
// as DAP asks.
func (im *Image) Disassemble(addr uint64, instOffset, count int, symbolic bool) ([]Instruction, error) {
	if instOffset < -MaxDisassemble || instOffset > MaxDisassemble {
		return nil, fmt.Errorf("instructionOffset %d is more than the %d instructions one request may move", instOffset, MaxDisassemble)
	}
	count = min(max(count, 0), MaxDisassemble)
	if instOffset >= 0 {
		all := im.decodeRange(addr, 0, instOffset+count, symbolic)
		return all[min(instOffset, len(all)):], nil
	}
	want := -instOffset
	bounds := im.boundsBefore(addr, want)
	first := addr
	if len(bounds) > 0 {
		first = bounds[0]
	}
	var out []Instruction
	if missing := want - len(bounds); missing > 0 {
		out = im.fillBefore(first, missing, symbolic)
	}
	rest := im.decodeRange(first, 0, len(bounds)+max(count+instOffset, 0), symbolic)
	out = append(out, rest...)
	return out[:min(count, len(out))], nil
}

// boundsBefore returns up to n instruction starts before addr, ascending,
// decoding forward from function starts; it stops where no function is
// known.
func (im *Image) boundsBefore(addr uint64, n int) []uint64 {
	var bounds []uint64
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
	return bounds[max(len(bounds)-n, 0):]
}

// fillBefore makes exactly n entries for the memory just before end, where
// no instruction boundary is known: the n bytes before end are decoded
// forward, an instruction that would cross end counting as one invalid
// byte, and what that leaves short is made up with invalid one-byte
// entries further back. Near address 0 there may be fewer.
func (im *Image) fillBefore(end uint64, n int, symbolic bool) []Instruction {
	n = min(n, int(min(end, uint64(MaxDisassemble))))
	start := end - uint64(n)
	got := im.decodeRange(start, end, n, symbolic)
	short := n - len(got)
	short = min(short, int(start))
	b := make([]byte, short)
	k, _ := im.mem.ReadAt(b, start-uint64(short))
	pad := make([]Instruction, 0, short+len(got))
	for i := range short {
		var one []byte
		if i < k {
			one = b[i : i+1]
		}
		pad = append(pad, invalidAt(start-uint64(short-i), one))
	}
	return append(pad, got...)
}

// invalidAt is an entry for a byte that is not known to be an instruction.
func invalidAt(addr uint64, b []byte) Instruction {
	in := Instruction{Addr: addr, Text: "(bad)", Invalid: true}
	if len(b) > 0 {
		in.Bytes = b[:1]
	} else {
		in.Text = "<unreadable>"
	}
	return in
}

// decodeRange decodes up to n instructions from start; with limit not 0,
// none may extend past limit (one that would is an invalid byte) and
// decoding stops there.
func (im *Image) decodeRange(start, limit uint64, n int, symbolic bool) []Instruction {
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
	for len(out) < n && (limit == 0 || pc < limit) {
		code := read(pc)
		ins, err := x86asm.Decode(code, 64)
		if len(code) == 0 || err != nil || limit != 0 && pc+uint64(ins.Len) > limit {
			out = append(out, invalidAt(pc, code))
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
	if fn := funcIn(m, addr-m.Bias, im.dwarfReady(m)); fn != nil {
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
