package stack

import (
	"fmt"
	"slices"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Inlined calls are frames of their own, as in gdb and lldb: one machine
// frame whose pc lies in code inlined twice is three frames to the user,
// each with its function and line, sharing the machine frame's registers.
// Frame levels the client sees count these frames; unwinding counts
// machine frames, so the two are mapped here.

// ToLogical walks to the machine frame holding frame level, and returns
// the walk there (its Frame is that machine frame), and which inlined call
// at its pc the frame is (-1: the function itself). It walks no further
// than needed, so frame 0 of a condition on the trap path costs one
// lookup.
func (w Walker) ToLogical(regs ptrace.Regs, level int) (it *unwind.Iterator, inl int, ok bool) {
	it = w.Iterator(regs)
	for it.Next() {
		f := it.Frame()
		n := len(w.Img.InlinedAt(f.Look()))
		if level < n {
			return it, level, true
		}
		if level == n {
			return it, -1, true
		}
		level -= n + 1
	}
	return nil, 0, false
}

// A stop at the first instruction of inlined code is, to a person, still
// at the call: a breakpoint on the line `r = sumsq(a, b)` whose code begins
// with sumsq's body must stop in the caller, at that line, and stepIn then
// enters sumsq without running anything, as in gdb. A stop therefore hides
// some of the inlined calls that start exactly at its pc, and frame levels
// the client sees count from the first frame not hidden.

// FrameFor finds how a stop at pc can show the frame a step started in
// (the inlined calls from, innermost first) or one of its callers: how
// many calls to hide. ok is false when pc is only reachable as a frame
// inside the starting one. strict asks for a caller (stepOut).
func (w Walker) FrameFor(pc uint64, from []symbols.InlinedCall, strict bool) (hide int, ok bool) {
	c := w.Img.InlinedAt(pc)
	maxHide := w.Img.AtEntry(pc, c)
	for k := 0; k <= maxHide; k++ {
		rest := c[k:]
		if len(rest) > len(from) || strict && len(rest) == len(from) {
			continue
		}
		if slices.EqualFunc(rest, from[len(from)-len(rest):], sameCall) {
			return k, true
		}
	}
	return 0, false
}

// Reachable keeps the addresses of pcs a step from the frame from may stop
// at (FrameFor).
func (w Walker) Reachable(pcs []uint64, from []symbols.InlinedCall, strict bool) []uint64 {
	out := pcs[:0]
	for _, pc := range pcs {
		if _, ok := w.FrameFor(pc, from, strict); ok {
			out = append(out, pc)
		}
	}
	return out
}

// sameCall tells whether two entries are the same inlined copy: each has
// a Function of its own.
func sameCall(a, b symbols.InlinedCall) bool { return a.Func == b.Func }

// Context is what reading a frame's variables needs.
type Context struct {
	Frame unwind.Frame // the machine frame
	Look  uint64       // pc to look variables up at (call site above frame 0)
	Mod   *image.Module
	Inl   int // which inlined call at Look the frame is; -1: the function
	// caller continues the walk to the calling frame: DW_OP_entry_value
	// reads the call site there.
	caller unwind.Iterator
	w      Walker
}

// Context finds frame level of a thread stopped at regs.
func (w Walker) Context(regs ptrace.Regs, level int) (*Context, error) {
	it, inl, ok := w.ToLogical(regs, level)
	if !ok {
		return nil, fmt.Errorf("no frame %d", level)
	}
	f := it.Frame()
	c := &Context{Frame: f, Look: f.Look(), Inl: inl, caller: *it, w: w}
	c.Mod = w.Img.ModuleAt(c.Look)
	return c, nil
}

// Locals returns the frame's locals and arguments and its frame base;
// nothing for a frame in code without symbols.
func (c *Context) Locals() ([]symbols.Variable, []byte, error) {
	if c.Mod == nil || c.Mod.Sym == nil {
		return nil, nil, nil
	}
	return c.Mod.LocalsAt(c.Look-c.Mod.Bias, c.Inl)
}

// Location is what evaluating a location expression in the frame needs.
func (c *Context) Location(frameBase []byte) symbols.LocContext {
	var bias uint64
	if c.Mod != nil {
		bias = c.Mod.Bias
	}
	return symbols.LocContext{
		Regs:       c.Frame.Get,
		CFA:        c.Frame.CFA,
		FrameBase:  frameBase,
		Read:       c.w.Mem.ReadAt,
		Bias:       bias,
		EntryValue: func(block []byte) (uint64, error) { return c.w.Img.EntryValue(c.caller, block) },
	}
}
