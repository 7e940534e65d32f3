package proc

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// The kinds of logical breakpoint, and the groups they are set in: DAP
// replaces all breakpoints of one source file, or all function
// breakpoints, or all instruction breakpoints, with each request.
const (
	kindSource      = "source"
	kindFunction    = "function"
	kindInstruction = "instruction"
)

// spec is one breakpoint a client asks for; key identifies it across
// requests, so that a breakpoint that stays keeps its id.
type spec struct {
	key  string
	line int
	name string
	addr uint64
	opts Options
}

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
		specs[i] = spec{key: fmt.Sprint(l), line: l}
		if i < len(opts) {
			specs[i].opts = opts[i]
		}
	}
	return d.setGroup(kindSource+":"+source, kindSource, source, specs)
}

// SetFunctionBreakpoints replaces the function breakpoints. A name is a
// C function, a Go package-qualified function (main.main), or a symbol.
func (d *Debugger) SetFunctionBreakpoints(names []string, opts []Options) ([]Breakpoint, error) {
	specs := make([]spec, len(names))
	for i, n := range names {
		specs[i] = spec{key: n, name: n}
		if i < len(opts) {
			specs[i].opts = opts[i]
		}
	}
	return d.setGroup(kindFunction, kindFunction, "", specs)
}

// SetInstructionBreakpoints replaces the instruction breakpoints.
func (d *Debugger) SetInstructionBreakpoints(addrs []uint64) ([]Breakpoint, error) {
	specs := make([]spec, len(addrs))
	for i, a := range addrs {
		specs[i] = spec{key: fmt.Sprintf("%#x", a), addr: a}
	}
	return d.setGroup(kindInstruction, kindInstruction, "", specs)
}

func (d *Debugger) setGroup(group, kind, source string, specs []spec) ([]Breakpoint, error) {
	var out []Breakpoint
	err := d.do(func() error {
		p := d.p
		if p == nil {
			for _, sp := range specs {
				out = append(out, Breakpoint{Kind: kind, Source: source, Line: sp.line, Message: "no program is loaded yet"})
			}
			return nil
		}
		return d.whileStopped(func() {
			out = d.replaceGroup(group, kind, source, specs)
		})
	})
	return out, err
}

func (d *Debugger) replaceGroup(group, kind, source string, specs []spec) []Breakpoint {
	p := d.p
	old := map[string]*Breakpoint{}
	for _, bp := range p.bps.groups[group] {
		old[bp.key] = bp
	}
	wanted := make(map[string]bool, len(specs))
	for _, sp := range specs {
		wanted[sp.key] = true
	}
	for key, bp := range old {
		if !wanted[key] {
			p.bps.unplace(p.mem, bp)
		}
	}
	var keep []*Breakpoint
	var pending string // why the source's lines wait for a library, once one does
	out := make([]Breakpoint, 0, len(specs))
	for _, sp := range specs {
		bp := old[sp.key]
		var placed []uint64 // where bp is inserted now: a verified one is
		if bp == nil {
			bp = &Breakpoint{ID: p.bps.nextID, Kind: kind, Source: source, Line: sp.line, Name: sp.name, key: sp.key}
			p.bps.nextID++
		} else if bp.Verified {
			placed = slices.Clone(bp.Addrs)
		}
		delete(old, sp.key)
		if bp.Options != sp.opts {
			bp.Options, bp.opts = sp.opts, nil // a changed condition starts counting anew
		}
		switch {
		case kind == kindSource && pending != "":
			// No loaded object was built from the file: no other line
			// of it is found either, and each look matches the name
			// against every file of every module.
			bp.Verified, bp.Pending, bp.Message, bp.Addrs = false, true, pending, nil
		case kind == kindSource:
			d.resolveLine(bp)
			if bp.Pending {
				pending = bp.Message
			}
		case kind == kindFunction:
			d.resolveFunc(bp)
		case kind == kindException:
			d.resolveEntry(bp)
		case kind == kindInstruction:
			d.resolveAddr(bp, sp.addr)
		}
		if bp.opts == nil {
			c, err := d.parseOptions(bp.Options)
			if err != nil {
				bp.Verified, bp.Pending, bp.Message = false, false, err.Error()
			}
			bp.opts = c
		}
		// One that stays where it is stays inserted: clients resend all
		// of a file's breakpoints when one changes, and 5,000 unchanged
		// ones must not cost 5,000 removals and insertions.
		if !bp.Verified || !slices.Equal(placed, bp.Addrs) {
			p.bps.Unplace(p.mem, bp, placed)
			if bp.Verified {
				if err := p.bps.place(p.mem, bp); err != nil && len(bp.Addrs) == 0 {
					bp.Verified, bp.Message = false, fmt.Sprintf("cannot insert a breakpoint: %v", err)
				}
			}
		}
		keep = append(keep, bp)
		out = append(out, *bp)
	}
	if len(keep) == 0 {
		delete(p.bps.groups, group)
	} else {
		p.bps.groups[group] = keep
	}
	return out
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
		specs[i] = spec{key: fmt.Sprint(line), line: line, addr: addrs[i]}
		if i < len(opts) {
			specs[i].opts = opts[i]
		}
	}
	return d.setGroup(fmt.Sprintf("listing:%#x", key), kindInstruction, "", specs)
}
