package target

import (
	"encoding/binary"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
	"golang.org/x/arch/x86/x86asm"
)

// Frame is one frame of a thread's stack.
type Frame struct {
	PC  uint64 // the frame's current address (a return address above frame 0)
	CFA uint64 // canonical frame address: the caller's stack pointer after return
	// What is known of the code at PC (looked up at PC-1 above frame 0, so a
	// call's own line is shown, not the next one).
	Func   string
	File   string
	Line   int
	Column int
	Module string
	Offset uint64 // PC minus the symbol's address, when Func came from ELF symbols
}

// MaxFrames bounds a stack walk: a corrupt stack can loop.
const MaxFrames = 100000

// Stack returns frames [start, start+levels) of thread tid (levels 0: all)
// and the total number of frames. The walk is done once per stop and cached
// until the process runs again, so paging costs a slice.
func (d *Debugger) Stack(tid, start, levels int) ([]Frame, int, error) {
	var out []Frame
	var total int
	err := d.do(func() error {
		if err := d.needStopped(); err != nil {
			return err
		}
		p := d.p
		if p.threads[tid] == nil {
			return &ThreadError{Tid: tid}
		}
		frames, ok := p.stacks[tid]
		if !ok {
			regs, err := d.tr.GetRegs(tid)
			if err != nil {
				return err
			}
			frames = d.unwindRegs(regs, MaxFrames)
			if p.stacks == nil {
				p.stacks = map[int][]Frame{}
			}
			p.stacks[tid] = frames
		}
		total = len(frames)
		if start > total {
			start = total
		}
		end := total
		if levels > 0 && start+levels < end {
			end = start + levels
		}
		out = append(out, frames[start:end]...)
		return nil
	})
	return out, total, err
}

// frameCFA returns the CFA of thread tid's innermost frame.
func (d *Debugger) frameCFA(tid int) uint64 {
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return 0
	}
	return d.unwindRegs(regs, 1)[0].CFA
}

// unwindRegs walks a stack with frame pointers, reading the prologue of each
// function to know where its frame pointer is set up. It stops at the first
// frame it cannot trust (code without symbols or without a frame pointer);
// CFI-based unwinding replaces this for such code.
func (d *Debugger) unwindRegs(regs ptrace.Regs, max int) []Frame {
	pc, rsp, rbp := regs.Rip, regs.Rsp, regs.Rbp
	var frames []Frame
	for i := 0; i < max; i++ {
		f := d.describe(pc, i > 0)
		cfa, ret, callerRBP, ok := d.frameStep(pc, rsp, rbp, i == 0)
		f.CFA = cfa
		frames = append(frames, f)
		if !ok || ret == 0 || cfa <= rsp {
			break
		}
		pc, rsp, rbp = ret, cfa, callerRBP
	}
	return frames
}

// describe names the code at pc; call sites are looked up at pc-1.
func (d *Debugger) describe(pc uint64, caller bool) Frame {
	f := Frame{PC: pc}
	look := pc
	if caller {
		look--
	}
	m := d.moduleAt(look)
	if m == nil {
		return f
	}
	f.Module = m.name
	if m.sym == nil {
		f.Offset = look - m.start
		return f
	}
	if fn := m.sym.FuncAt(look - m.bias); fn != nil {
		f.Func = fn.Name
		if !fn.HasLines {
			f.Offset = pc - (fn.Low + m.bias)
		}
	} else if name, off, ok := m.sym.SymbolAt(look - m.bias); ok {
		f.Func, f.Offset = name, off+(pc-look)
	} else {
		f.Offset = pc - m.start
	}
	if le, ok := m.sym.LineAt(look - m.bias); ok && le.Line > 0 {
		f.File, f.Line, f.Column = le.File, le.Line, le.Column
	}
	return f
}

// frameStep computes a frame's CFA and its caller's pc and rbp.
func (d *Debugger) frameStep(pc, rsp, rbp uint64, top bool) (cfa, ret, callerRBP uint64, ok bool) {
	p := d.p
	word := func(a uint64) (uint64, bool) {
		var b [8]byte
		if _, err := p.mem.ReadAt(b[:], a); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint64(b[:]), true
	}
	fn, m := d.funcAt(pc)
	if fn == nil {
		if top {
			// Unknown code, innermost frame: most likely a call just
			// landed here; the return address is on top of the stack.
			r, ok := word(rsp)
			return rsp + 8, r, rbp, ok && d.moduleAt(r) != nil
		}
		return rsp, 0, 0, false
	}
	pro := d.prologue(m, fn)
	switch {
	case !pro.pushes:
		if !top {
			return rsp, 0, 0, false
		}
		r, ok := word(rsp)
		return rsp + 8, r, rbp, ok && pc == fn.Low+m.bias
	case pc < pro.afterPush:
		r, ok := word(rsp)
		return rsp + 8, r, rbp, ok
	case pc < pro.afterMov:
		r, ok1 := word(rsp + 8)
		b, ok2 := word(rsp)
		return rsp + 16, r, b, ok1 && ok2
	}
	if ins, ok := d.decodeAt(pc); ok && ins.Op == x86asm.RET {
		r, ok := word(rsp)
		return rsp + 8, r, rbp, ok
	}
	r, ok1 := word(rbp + 8)
	b, ok2 := word(rbp)
	return rbp + 16, r, b, ok1 && ok2
}

// prologueInfo says where a function sets up its frame pointer.
type prologueInfo struct {
	pushes              bool   // push %rbp; mov %rsp,%rbp
	afterPush, afterMov uint64 // runtime addresses just after each
}

// prologue decodes the start of fn (cached per function).
func (d *Debugger) prologue(m *module, fn *symbols.Function) prologueInfo {
	p := d.p
	low := fn.Low + m.bias
	if p.prologues == nil {
		p.prologues = map[uint64]prologueInfo{}
	}
	if pi, ok := p.prologues[low]; ok {
		return pi
	}
	var pi prologueInfo
	var b [32]byte
	n, _ := p.mem.ReadAt(b[:], low)
	p.bps.shadow(b[:n], low)
	off := 0
	for k := 0; k < 4 && off < n; k++ {
		ins, err := x86asm.Decode(b[off:n], 64)
		if err != nil {
			break
		}
		next := low + uint64(off+ins.Len)
		switch {
		case ins.Op == x86asm.PUSH && ins.Args[0] == x86asm.RBP:
			pi.afterPush = next
		case ins.Op == x86asm.MOV && ins.Args[0] == x86asm.RBP && ins.Args[1] == x86asm.RSP && pi.afterPush != 0:
			pi.afterMov, pi.pushes = next, true
		}
		off += ins.Len
		if pi.pushes {
			break
		}
	}
	p.prologues[low] = pi
	return pi
}

// funcAt finds the function at a runtime address and its module.
func (d *Debugger) funcAt(pc uint64) (*symbols.Function, *module) {
	m := d.moduleAt(pc)
	if m == nil || m.sym == nil {
		return nil, nil
	}
	fn := m.sym.FuncAt(pc - m.bias)
	if fn == nil {
		return nil, nil
	}
	return fn, m
}

// lineAt returns the line-table row covering a runtime address, with its
// PC made a runtime address too.
func (d *Debugger) lineAt(pc uint64) (symbols.LineEntry, bool) {
	m := d.moduleAt(pc)
	if m == nil || m.sym == nil {
		return symbols.LineEntry{}, false
	}
	le, ok := m.sym.LineAt(pc - m.bias)
	if !ok || le.Line == 0 {
		return le, false
	}
	le.PC += m.bias
	return le, true
}
