package proc

import (
	"slices"

	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Inlined calls are frames of their own, as in gdb and lldb: one machine
// frame whose pc lies in code inlined twice is three frames to the user,
// each with its function and line, sharing the machine frame's registers.
// Frame levels the client sees count these frames; unwinding counts
// machine frames, so the two are mapped here.

// describeLogical names frame f: the function (or inlined function) and
// the line it is at, or its disassembly listing.
func (d *Debugger) describeLogical(f *Frame) {
	f.Location = d.p.img.DescribeInlined(f.PC, f.exact, f.calls, f.inl)
	if f.File == "" {
		f.Listing, f.ListingName, f.ListingLine = d.p.img.ListingLine(f.PC)
	}
}

// unwindToLogical walks to the machine frame holding frame level, and
// returns the walk there (its Frame is that machine frame), and which
// inlined call at its pc the frame is (-1: the function itself). It walks
// no further than needed, so frame 0 of a condition on the trap path costs
// one lookup.
func (d *Debugger) unwindToLogical(regs ptrace.Regs, level int) (it *unwind.Iterator, inl int, ok bool) {
	it = d.unwinder(regs)
	for it.Next() {
		f := it.Frame()
		n := len(d.p.img.InlinedAt(f.Look()))
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
// some of the inlined calls that start exactly at its pc (thread.hide), and
// frame levels the client sees count from the first frame not hidden.

// frameFor finds how a stop at pc can show the frame a step started in
// (the inlined calls from, innermost first) or one of its callers: how
// many calls to hide. ok is false when pc is only reachable as a frame
// inside the starting one. strict asks for a caller (stepOut).
func (d *Debugger) frameFor(pc uint64, from []symbols.InlinedCall, strict bool) (hide int, ok bool) {
	c := d.p.img.InlinedAt(pc)
	maxHide := d.p.img.AtEntry(pc, c)
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

// reachable keeps the addresses of pcs a step from the frame from may stop
// at (frameFor).
func (d *Debugger) reachable(pcs []uint64, from []symbols.InlinedCall, strict bool) []uint64 {
	out := pcs[:0]
	for _, pc := range pcs {
		if _, ok := d.frameFor(pc, from, strict); ok {
			out = append(out, pc)
		}
	}
	return out
}

// sameCall tells whether two entries are the same inlined copy: each has
// a Function of its own.
func sameCall(a, b symbols.InlinedCall) bool { return a.Func == b.Func }

// hiddenFrames decides, for a stop at pc, how many inlined calls starting
// at pc to hide: for a breakpoint, what shows the frame of the line or
// function it was set on; for a step of the stopping thread, what shows
// the frame it ended in.
func (d *Debugger) hiddenFrames(pc uint64, st Stop, step *stepper) int {
	switch {
	case len(st.BreakpointIDs) > 0:
		return d.bpHide(pc)
	case step != nil && step.tid == st.Tid && st.Reason == "step" && step.keepSet:
		return min(step.keepHide, d.p.img.AtEntry(pc, d.p.img.InlinedAt(pc)))
	case step != nil && step.tid == st.Tid && st.Reason == "step" && step.fromSet && !step.instruction:
		k, _ := d.frameFor(pc, step.from, step.kind == StepOut)
		return k
	}
	return 0
}

// bpHide is hiddenFrames for a breakpoint hit at pc.
func (d *Debugger) bpHide(pc uint64) int {
	calls := d.p.img.InlinedAt(pc)
	maxHide := d.p.img.AtEntry(pc, calls)
	s := d.p.bps.Sites[pc]
	if maxHide == 0 || s == nil {
		return 0
	}
	for _, b := range s.Owners {
		switch b.Kind {
		case "function":
			return maxHide // the function's own frame, if nothing before it
		case "source":
			le, _ := d.p.img.LineAt(pc)
			for k := 0; k <= maxHide; k++ {
				line := le.Line
				if k > 0 {
					line = calls[k-1].CallLine
				}
				if line == b.Actual {
					return k
				}
			}
		}
	}
	return 0
}
