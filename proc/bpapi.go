package proc

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
	"github.com/dap-ptrace/dap-ptrace/symbols"
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
	switch bp.Kind {
	case kindSource:
		d.resolveLine(bp)
	case kindFunction:
		d.resolveFunc(bp)
	case kindException:
		d.resolveFuncAt(bp, true) // at the entry: before anything is thrown
	case kindInstruction:
		d.resolveAddr(bp, sp.Addr)
	}
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

// resolveLine finds the addresses of a source breakpoint in the executable
// or a loaded library. A file no loaded object was built from leaves it
// pending: a library loaded later may bring it.
func (d *Debugger) resolveLine(bp *Breakpoint) {
	bp.Verified, bp.Pending, bp.Message, bp.Addrs = false, false, "", nil
	pl, err := d.p.img.LineCode(d.srcMap.Compiled(bp.Source), bp.Line)
	switch {
	case errors.Is(err, symbols.ErrNoDebugInfo):
		bp.Message = fmt.Sprintf("%s has no debug information (build it with -g)", d.p.img.Exe.Name)
	case errors.Is(err, symbols.ErrUnknownFile):
		bp.Pending = true
		bp.Message = fmt.Sprintf("%s is not a source file of %s or of a loaded library; the breakpoint is set when a library built from it is loaded", filepath.Base(bp.Source), d.p.img.Exe.Name)
	case err != nil:
		bp.Message = err.Error()
	default:
		bp.Addrs, bp.Actual, bp.File, bp.Verified = pl.Addrs, pl.Line, pl.File, true
	}
}

// resolveFunc finds a function breakpoint's address: after the prologue of
// the named function, in the executable or a loaded library.
func (d *Debugger) resolveFunc(bp *Breakpoint) { d.resolveFuncAt(bp, false) }

// resolveFuncAt is resolveFunc, at the function's entry when entry is set.
func (d *Debugger) resolveFuncAt(bp *Breakpoint, entry bool) {
	bp.Verified, bp.Pending, bp.Message, bp.Addrs = false, false, "", nil
	pl, ok := d.p.img.FuncCode(bp.Name, entry)
	if !ok {
		bp.Pending = true
		bp.Message = fmt.Sprintf("no function named %q in the program or its loaded libraries (yet)", bp.Name)
		return
	}
	bp.Addrs, bp.File, bp.Actual, bp.Verified = pl.Addrs, pl.File, pl.Line, true
}

// resolveAddr checks that an instruction breakpoint's address is code we
// can read.
func (d *Debugger) resolveAddr(bp *Breakpoint, addr uint64) {
	bp.Verified, bp.Message, bp.Addrs = false, "", nil
	if addr == 0 {
		bp.Message = "no instruction there"
		return
	}
	var b [1]byte
	if _, err := d.p.mem.ReadAt(b[:], addr); err != nil {
		bp.Message = fmt.Sprintf("address %#x is not mapped", addr)
		return
	}
	bp.Addrs, bp.Verified = []uint64{addr}, true
	if le, ok := d.p.img.LineAt(addr); ok {
		bp.File, bp.Actual = d.srcMap.Local(le.File), le.Line
	}
}

// BreakpointLocations lists the lines in [line, endLine] of source where a
// breakpoint would stay on its line (endLine 0: just line).
func (d *Debugger) BreakpointLocations(source string, line, endLine int) ([]int, error) {
	var out []int
	err := d.do(func() error {
		p := d.p
		if p == nil {
			return ErrNoProcess
		}
		if endLine < line {
			endLine = line
		}
		endLine = min(endLine, line+10000)
		for l := line; l <= endLine; l++ {
			if _, actual, err := p.img.Exe.Sym.LineToPCs(d.srcMap.Compiled(source), l); err == nil && actual == l {
				out = append(out, l)
			} else if errors.Is(err, symbols.ErrUnknownFile) || errors.Is(err, symbols.ErrNoDebugInfo) {
				return nil
			}
		}
		return nil
	})
	return out, err
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
