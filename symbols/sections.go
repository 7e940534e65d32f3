package symbols

import (
	"debug/dwarf"
	"debug/elf"
	"strings"
	"sync"
)

// sections holds a file's DWARF sections, each read (and, in a debug file
// from libc6-dbg, decompressed) once for every reader: the DWARF data the
// line index is built from and the variables' location lists share the
// bytes instead of inflating .debug_info twice.
type sections struct {
	mu sync.Mutex
	m  map[string]*section
}

type section struct {
	once sync.Once
	data []byte
}

// dwarfSection returns the bytes of .debug_<suffix> (or the older
// .zdebug_<suffix>) of the file the DWARF is read from, nil when it is
// absent or unreadable.
func (f *File) dwarfSection(suffix string) []byte {
	f.secs.mu.Lock()
	if f.secs.m == nil {
		f.secs.m = map[string]*section{}
	}
	s := f.secs.m[suffix]
	if s == nil {
		s = &section{}
		f.secs.m[suffix] = s
	}
	f.secs.mu.Unlock()
	s.once.Do(func() {
		sec := f.dwELF.Section(".debug_" + suffix)
		if sec == nil {
			sec = f.dwELF.Section(".zdebug_" + suffix)
		}
		if sec == nil || sec.Type == elf.SHT_NOBITS {
			return
		}
		if b, err := sec.Data(); err == nil {
			s.data = b
		}
	})
	return s.data
}

// dwarfSuffixes are the sections a dwarf.Data is made of: the five it
// starts with, then the DWARF 5 ones it takes with AddSection.
var dwarfSuffixes = []string{"abbrev", "info", "str", "line", "ranges", "addr", "line_str", "str_offsets", "rnglists", "loclists"}

// loadDWARF makes the file's dwarf.Data from its sections, inflating them
// two at a time (libc's debug file holds ten megabytes of them). Files
// whose DWARF needs relocating or has type units go through debug/elf's
// own reader.
func (f *File) loadDWARF() (*dwarf.Data, error) {
	if !plainDWARF(f.dwELF) {
		return f.dwELF.DWARF()
	}
	var wg sync.WaitGroup
	work := make(chan string)
	for range 2 {
		wg.Go(func() {
			for suffix := range work {
				f.dwarfSection(suffix)
			}
		})
	}
	// The largest first, so that the two workers end together.
	for _, s := range []string{"info", "loclists", "line", "abbrev", "str", "ranges", "rnglists", "addr", "line_str", "str_offsets", "loc"} {
		work <- s
	}
	close(work)
	wg.Wait()
	d, err := dwarf.New(f.dwarfSection("abbrev"), nil, nil, f.dwarfSection("info"), f.dwarfSection("line"), nil, f.dwarfSection("ranges"), f.dwarfSection("str"))
	if err != nil {
		return nil, err
	}
	for _, s := range dwarfSuffixes[5:] {
		if b := f.dwarfSection(s); b != nil {
			if err := d.AddSection(".debug_"+s, b); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// plainDWARF says whether ef's DWARF can be read section by section as
// it is: no relocation applies to it (an executable or shared object's
// never does; debug/elf handles the rest) and it has no .debug_types.
func plainDWARF(ef *elf.File) bool {
	debug := map[int]bool{}
	for i, s := range ef.Sections {
		if strings.HasSuffix(s.Name, "debug_types") {
			return false
		}
		if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			debug[i] = true
		}
	}
	for _, s := range ef.Sections {
		if (s.Type == elf.SHT_RELA || s.Type == elf.SHT_REL) && debug[int(s.Info)] {
			return false
		}
	}
	return true
}
