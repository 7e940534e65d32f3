package image

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
	Name       string
	Start, End uint64   // End 0: no known end, unknownListing instructions
	addrs      []uint64 // addrs[i] is line i+1 (line 1 is a header)
	text       string
}

// ListingLine returns the key of the disassembly listing holding pc (the
// start of the function around it), the listing's name, and the line of pc
// in it. The listing is made once per function; ListingText gives its
// text.
func (im *Image) ListingLine(pc uint64) (key uint64, name string, line int) {
	key, l := im.listingAt(pc)
	i, _ := slices.BinarySearch(l.addrs, pc+1) // addrs[:i] are at or before pc
	return key, l.Name, max(i, 1)
}

// ListingText returns the text of listing key (a Frame's Listing), made the
// first time it is asked for.
func (im *Image) ListingText(key uint64) (string, error) {
	l, ok := im.listings[key]
	if !ok {
		return "", fmt.Errorf("no disassembly listing at %#x", key)
	}
	if l.text == "" {
		l.text = im.listingText(l)
	}
	return l.text, nil
}

func (im *Image) listingAt(pc uint64) (uint64, *listing) {
	start, end, name := pc, uint64(0), ""
	if fn, m := im.FuncAt(pc); fn != nil {
		for _, r := range fn.Ranges {
			if pc >= r[0]+m.Bias && pc < r[1]+m.Bias {
				start, end = r[0]+m.Bias, r[1]+m.Bias
			}
		}
		name = fn.DisplayName()
		if m.Name != "" {
			name = m.Name + "`" + name
		}
	}
	if l, ok := im.listings[start]; ok {
		return start, l
	}
	if name == "" {
		name = fmt.Sprintf("%#x", pc)
		if m := im.ModuleAt(pc); m != nil {
			name = fmt.Sprintf("%s`%#x", m.Name, pc)
		}
	}
	l := &listing{Name: name, Start: start, End: end}
	l.addrs = append(l.addrs, start) // the header line stands for the start
	l.addrs = append(l.addrs, im.InstructionStarts(start, end)...)
	if im.listings == nil {
		im.listings = map[uint64]*listing{}
	}
	im.listings[start] = l
	return start, l
}

// InstructionStarts decodes the lengths of the instructions from start to
// end (unknownListing of them when end is 0): an undecodable byte counts
// as a one-byte instruction, as the disassembly shows it.
func (im *Image) InstructionStarts(start, end uint64) []uint64 {
	n := uint64(unknownListing * 16)
	if end > start {
		n = min(end-start, maxListing*4)
	}
	code := make([]byte, n)
	k, _ := im.mem.ReadAt(code, start)
	code = code[:k]
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
func (im *Image) listingText(l *listing) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "; %s (disassembly: no source is available)\n", l.Name)
	for _, in := range im.decodeRange(l.Start, 0, len(l.addrs)-1, true) {
		off := ""
		if in.Symbol != "" {
			off = " <" + in.Symbol + ">"
		}
		fmt.Fprintf(&sb, "%#x%s:  %-24s %s\n", in.Addr, off, in.HexBytes(), in.Text)
	}
	return sb.String()
}

// ListingAddrs returns the address of each line of listing key (index 0
// is line 1, the header, which stands for the start).
func (im *Image) ListingAddrs(key uint64) ([]uint64, error) {
	l, ok := im.listings[key]
	if !ok {
		return nil, fmt.Errorf("no disassembly listing at %#x", key)
	}
	return l.addrs, nil
}
