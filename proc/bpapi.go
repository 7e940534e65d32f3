package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
	"github.com/dap-ptrace/dap-ptrace/proc/image"
)

// spec is one breakpoint a client asks for.
type spec = breakpoint.Spec

// SetBreakpoints replaces the breakpoints of one source file by lines. It
// returns one Breakpoint per line, in order; a line without code is
// unverified with a message. A breakpoint that stays on the same line keeps
// its id.
//
// opts, when not nil, holds each line's condition, hit condition and log
// message.
func (d *Debugger) SetBreakpoints(source string, lines []int, opts []Options) ([]Breakpoint, error) {
	specs := make([]spec, len(lines))
	for i, l := range lines {
		specs[i] = spec{Key: fmt.Sprint(l), Line: l}
		if i < len(opts) {
			specs[i].Opts = opts[i]
		}
	}
	return d.setGroup(kindSource+":"+source, kindSource, source, specs)
}

// SetFunctionBreakpoints replaces the function breakpoints. A name is a
// C function, a Go package-qualified function (main.main), or a symbol.
func (d *Debugger) SetFunctionBreakpoints(names []string, opts []Options) ([]Breakpoint, error) {
	specs := make([]spec, len(names))
	for i, n := range names {
		specs[i] = spec{Key: n, Name: n}
		if i < len(opts) {
			specs[i].Opts = opts[i]
		}
	}
	return d.setGroup(kindFunction, kindFunction, "", specs)
}

// SetInstructionBreakpoints replaces the instruction breakpoints.
func (d *Debugger) SetInstructionBreakpoints(addrs []uint64) ([]Breakpoint, error) {
	specs := make([]spec, len(addrs))
	for i, a := range addrs {
		specs[i] = spec{Key: fmt.Sprintf("%#x", a), Addr: a}
	}
	return d.setGroup(kindInstruction, kindInstruction, "", specs)
}

func (d *Debugger) setGroup(group, kind, source string, specs []spec) ([]Breakpoint, error) {
	var out []Breakpoint
	err := d.do(func() error {
		p := d.p
		if p == nil {
			for _, sp := range specs {
				out = append(out, Breakpoint{Kind: kind, Source: source, Line: sp.Line, Message: "no program is loaded yet"})
			}
			return nil
		}
		return d.whileStopped(func() {
			out = d.p.bps.Replace(d.p.mem, group, kind, source, specs, d.resolve, d.parseOptions)
		})
	})
	return out, err
}

// resolve finds where bp goes, by its kind, in the code loaded now.
func (d *Debugger) resolve(bp *Breakpoint, sp spec) {
	im := d.p.img
	var pl image.Placement
	switch bp.Kind {
	case kindSource:
		pl = im.PlaceLine(bp.Source, bp.Line)
	case kindFunction:
		pl = im.PlaceFunc(bp.Name, false)
	case kindException:
		pl = im.PlaceFunc(bp.Name, true) // at the entry: before anything is thrown
	case kindInstruction:
		pl = im.PlaceAddr(sp.Addr)
	}
	bp.Verified = len(pl.Addrs) > 0
	bp.Addrs, bp.File, bp.Actual, bp.Message, bp.Pending = pl.Addrs, pl.File, pl.Line, pl.Message, pl.Pending
}

// whileStopped runs f with every thread stopped, resuming afterwards if the
// process was running (breakpoint bytes change only in a stopped world, so
// no thread traps on a byte that is being removed).
func (d *Debugger) whileStopped(f func()) error {
	p := d.p
	wasRunning := p.running
	if wasRunning {
		d.stopWorld()
		if d.p == nil {
			return ErrNoProcess
		}
	}
	f()
	if wasRunning {
		p.running = false
		return d.resume()
	}
	return nil
}

// BreakpointLocations lists the lines in [line, endLine] of source where a
// breakpoint would stay on its line (endLine 0: just line).
func (d *Debugger) BreakpointLocations(source string, line, endLine int) ([]int, error) {
	return inImage(d, false, func(im *image.Image) ([]int, error) { return im.StayingLines(source, line, endLine), nil })
}

// SetListingBreakpoints replaces the breakpoints set in the disassembly
// listing key by its lines: each is an instruction breakpoint on the
// instruction at that line. A line that holds no instruction (the header,
// past the end) comes back unverified.
func (d *Debugger) SetListingBreakpoints(key uint64, lines []int, opts []Options) ([]Breakpoint, error) {
	var addrs []uint64
	err := d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		laddrs, err := d.p.img.ListingAddrs(key)
		if err != nil {
			return err
		}
		for _, line := range lines {
			a := uint64(0)
			if line >= 2 && line <= len(laddrs) {
				a = laddrs[line-1]
			}
			addrs = append(addrs, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	specs := make([]spec, len(lines))
	for i, line := range lines {
		specs[i] = spec{Key: fmt.Sprint(line), Line: line, Addr: addrs[i]}
		if i < len(opts) {
			specs[i].Opts = opts[i]
		}
	}
	return d.setGroup(fmt.Sprintf("listing:%#x", key), kindInstruction, "", specs)
}
