package target

import (
	"fmt"
	"strings"
)

// A frame in code without source still needs something an editor can open
// and mark the current line in, as lldb-dap does: the disassembly of the
// function holding it, as a text document with one instruction per line.

// maxListing bounds one listing; a function longer than that is listed
// from its start up to it.
const maxListing = 20000

// unknownListing is how much is listed from a pc that no symbol covers:
// where the code starts cannot be known, so it starts at the pc.
const unknownListing = 64

// listing is the disassembly of one function, for a source of its own.
type listing struct {
	name  string
	addrs []uint64 // addrs[i] is line i+1
	text  string
}

// ListingAt returns the key of the disassembly listing holding pc (the
// start of the function around it), the listing's name, and the line of pc
// in it. The listing is built once per function; ListingText returns its
// text.
func (d *Debugger) ListingAt(pc uint64) (key uint64, name string, line int, err error) {
	err = d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		var l *listing
		key, l = d.listingAt(pc)
		name = l.name
		for i, a := range l.addrs {
			if a > pc {
				break
			}
			line = i + 1
		}
		line = max(line, 1)
		return nil
	})
	return key, name, line, err
}

// ListingText returns the text of the listing ListingAt gave key for.
func (d *Debugger) ListingText(key uint64) (string, error) {
	var text string
	err := d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		l, ok := d.p.listings[key]
		if !ok {
			return fmt.Errorf("no disassembly listing at %#x", key)
		}
		text = l.text
		return nil
	})
	return text, err
}

func (d *Debugger) listingAt(pc uint64) (uint64, *listing) {
	p := d.p
	start, end, name := pc, uint64(0), ""
	if fn, m := d.funcAt(pc); fn != nil {
		for _, r := range fn.Ranges {
			if pc >= r[0]+m.bias && pc < r[1]+m.bias {
				start, end = r[0]+m.bias, r[1]+m.bias
			}
		}
		name = fn.DisplayName()
		if m.name != "" {
			name = m.name + "`" + name
		}
	}
	if l, ok := p.listings[start]; ok {
		return start, l
	}
	if name == "" {
		name = fmt.Sprintf("%#x", pc)
		if m := d.moduleAt(pc); m != nil {
			name = fmt.Sprintf("%s`%#x", m.name, pc)
		}
	}
	var ins []Instruction
	if end > start {
		// Decode up to the function's end: instructions are at least one
		// byte, so end-start of them always reach it.
		ins = d.decodeRange(start, int(min(end-start, maxListing)), true)
		for i, in := range ins {
			if in.Addr >= end {
				ins = ins[:i]
				break
			}
		}
	} else {
		ins = d.decodeRange(start, unknownListing, true)
	}
	l := &listing{name: name}
	var sb strings.Builder
	fmt.Fprintf(&sb, "; %s (disassembly: no source is available)\n", name)
	l.addrs = append(l.addrs, start) // the header line stands for the start
	for _, in := range ins {
		off := ""
		if in.Symbol != "" {
			off = " <" + in.Symbol + ">"
		}
		fmt.Fprintf(&sb, "%#x%s:  %-24s %s\n", in.Addr, off, in.HexBytes(), in.Text)
		l.addrs = append(l.addrs, in.Addr)
	}
	l.text = sb.String()
	if p.listings == nil {
		p.listings = map[uint64]*listing{}
	}
	p.listings[start] = l
	return start, l
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
		l, ok := d.p.listings[key]
		if !ok {
			return fmt.Errorf("no disassembly listing at %#x", key)
		}
		for _, line := range lines {
			a := uint64(0)
			if line >= 2 && line <= len(l.addrs) {
				a = l.addrs[line-1]
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
