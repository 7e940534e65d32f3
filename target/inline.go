package target

import (
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Inlined calls are frames of their own, as in gdb and lldb: one machine
// frame whose pc lies in code inlined twice is three frames to the user,
// each with its function and line, sharing the machine frame's registers.
// Frame levels the client sees count these frames; unwinding counts
// machine frames, so the two are mapped here.

// inlinedAt returns the inlined calls at a runtime address (a call site's
// pc-1 above frame 0), innermost first. Modules other than the executable
// are looked into only once their debug information is indexed: indexing
// libc's takes a second, too much for a stack walk, and its sources are not
// on this machine anyway. Within one stop the answer does not change, so
// the frames counted and the frames named agree.
func (d *Debugger) inlinedAt(look uint64) []symbols.InlinedCall {
	m := d.moduleAt(look)
	if m == nil || m.sym == nil || !m.sym.HasDWARF() || m != d.p.exe && !m.sym.Indexed() {
		return nil
	}
	pc := look - m.bias
	if calls, ok := m.inlined[pc]; ok {
		return calls
	}
	calls := m.sym.InlinedAt(pc)
	if m.inlined == nil {
		m.inlined = map[uint64][]symbols.InlinedCall{}
	}
	m.inlined[pc] = calls
	return calls
}

// describeLogical names frame f: the function (or inlined function) and
// the line it is at. An inlined call's caller is at the call's line.
func (d *Debugger) describeLogical(f *Frame) {
	named := d.describe(f.PC, !f.exact)
	named.CFA, named.exact = f.CFA, f.exact
	named.phys, named.calls, named.inl = f.phys, f.calls, f.inl
	if len(f.calls) > 0 {
		if f.inl < len(f.calls) {
			named.Func = f.calls[f.inl].Func.DisplayName()
			named.Offset = 0
		}
		if f.inl > 0 {
			c := f.calls[f.inl-1]
			named.File, named.Line, named.Column = "", 0, 0
			if c.CallLine > 0 && d.haveSource(c.CallFile) {
				named.File, named.Line, named.Column = c.CallFile, c.CallLine, c.CallColumn
			}
		}
	}
	*f = named
}

// unwindToLogical returns the unwinder state of the machine frame holding
// frame level, that machine frame's number, and which inlined call at its
// pc the frame is (-1: the function itself). It walks no further than
// needed, so frame 0 of a condition on the trap path costs one lookup.
func (d *Debugger) unwindToLogical(regs ptrace.Regs, level int) (u *unwinder, phys, inl int, ok bool) {
	u = &unwinder{mem: &pageCache{mem: d.p.mem}}
	u.init(&regs)
	exact := true
	for phys = 0; ; phys++ {
		look := u.r[symbols.DwarfRA]
		if !exact {
			look--
		}
		n := len(d.inlinedAt(look))
		if level < n {
			return u, phys, level, true
		}
		if level == n {
			return u, phys, -1, true
		}
		level -= n + 1
		ok, signal := d.unwindOne(u, !exact, phys == 0)
		if !ok {
			return nil, 0, 0, false
		}
		exact = signal
	}
}
