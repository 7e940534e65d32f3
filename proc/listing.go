package proc

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/arch/x86/x86asm"
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
// Its lines are found by decoding instruction lengths only; the text,
// with symbols and source lines, is made when a client opens it.
type listing struct {
	name       string
	start, end uint64   // end 0: no known end, unknownListing instructions
	addrs      []uint64 // addrs[i] is line i+1 (line 1 is a header)
	text       string
}

// listingLine returns the key of the disassembly listing holding pc (the
// start of the function around it), the listing's name, and the line of pc
// in it. The listing is made once per function; ListingText gives its
// text.
func (d *Debugger) listingLine(pc uint64) (key uint64, name string, line int) {
	key, l := d.listingAt(pc)
	i, _ := slices.BinarySearch(l.addrs, pc+1) // addrs[:i] are at or before pc
	return key, l.name, max(i, 1)
}

// ListingText returns the text of listing key (a Frame's Listing), made the
// first time it is asked for.
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
		if l.text == "" {
			l.text = d.listingText(l)
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
	l := &listing{name: name, start: start, end: end}
	l.addrs = append(l.addrs, start) // the header line stands for the start
	l.addrs = append(l.addrs, d.instructionStarts(start, end)...)
	if p.listings == nil {
		p.listings = map[uint64]*listing{}
	}
	p.listings[start] = l
	return start, l
}

// instructionStarts decodes the lengths of the instructions from start to
// end (unknownListing of them when end is 0): an undecodable byte counts
// as a one-byte instruction, as the disassembly shows it.
func (d *Debugger) instructionStarts(start, end uint64) []uint64 {
	n := uint64(unknownListing * 16)
	if end > start {
		n = min(end-start, maxListing*4)
	}
	code := make([]byte, n)
	k, _ := d.p.mem.ReadAt(code, start)
	code = code[:k]
	d.p.bps.shadow(code, start)
	var out []uint64
	for off := 0; off < len(code) && len(out) < maxListing; {
		if end == 0 && len(out) == unknownListing {
			break
		}
		out = append(out, start+uint64(off))
		ins, err := x86asm.Decode(code[off:], 64)
		if err != nil || ins.Len == 0 {
			off++
			continue
		}
		off += ins.Len
	}
	return out
}

// listingText disassembles listing l, one instruction per line after a
// header, with symbols and source lines.
func (d *Debugger) listingText(l *listing) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "; %s (disassembly: no source is available)\n", l.name)
	for _, in := range d.decodeRange(l.start, len(l.addrs)-1, true) {
		off := ""
		if in.Symbol != "" {
			off = " <" + in.Symbol + ">"
		}
		fmt.Fprintf(&sb, "%#x%s:  %-24s %s\n", in.Addr, off, in.HexBytes(), in.Text)
	}
	return sb.String()
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
