package proc

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
func (d *Debugger) Disassemble(addr uint64, instOffset, count int, symbolic bool) ([]Instruction, error) {
	var out []Instruction
	err := d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		count = min(max(count, 0), MaxDisassemble)
		instOffset = max(instOffset, -MaxDisassemble)
		start := addr
		if instOffset < 0 {
			start = d.backFrom(addr, -instOffset)
			instOffset = 0
		}
		all := d.decodeRange(start, instOffset+count, symbolic)
		out = all[min(instOffset, len(all)):]
		return nil
	})
	return out, err
}

// backFrom returns the address n instructions before addr, decoding forward
// from function starts; without a known start, it counts one byte per
// instruction (the client then sees the bytes as invalid).
func (d *Debugger) backFrom(addr uint64, n int) uint64 {
	var bounds []uint64 // instruction starts before addr, ascending
	end := addr
	for len(bounds) < n {
		fn, m := d.funcAt(end - 1)
		if fn == nil {
			break
		}
		low := fn.Low + m.bias
		var seg []uint64
		for pc := low; pc < end; {
			ins, ok := d.decodeAt(pc)
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

func (d *Debugger) decodeRange(start uint64, n int, symbolic bool) []Instruction {
	out := make([]Instruction, 0, n)
	buf := make([]byte, 0, 4096)
	var bufAt uint64
	read := func(pc uint64) []byte {
		if pc < bufAt || pc+16 > bufAt+uint64(len(buf)) {
			buf = buf[:cap(buf)]
			k, _ := d.p.mem.ReadAt(buf, pc)
			buf, bufAt = buf[:k], pc
			d.p.bps.shadow(buf, pc)
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
			sym = d.symbolFor
		}
		in.Text = x86asm.GNUSyntax(ins, pc, sym)
		if name, base := d.symbolFor(pc); name != "" {
			in.Symbol = name
			if pc != base {
				in.Symbol = fmt.Sprintf("%s+%d", name, pc-base)
			}
		}
		if le, ok := d.lineAt(pc); ok {
			in.File, in.Line = d.local(le.File), le.Line
		}
		out = append(out, in)
		pc += uint64(ins.Len)
	}
	return out
}

// symbolFor names the function or symbol holding addr and its start.
func (d *Debugger) symbolFor(addr uint64) (string, uint64) {
	m := d.moduleAt(addr)
	if m == nil || m.sym == nil {
		return "", 0
	}
	if fn := m.sym.FuncAt(addr - m.bias); fn != nil {
		return fn.DisplayName(), fn.Low + m.bias
	}
	if name, off, ok := m.sym.SymbolAt(addr - m.bias); ok {
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
