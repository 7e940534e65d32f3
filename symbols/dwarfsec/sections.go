package dwarfsec

import (
	"debug/dwarf"
	"debug/elf"
	"strings"
	"sync"
)

// Sections holds a file's DWARF sections, each read (and, in a debug file
// from libc6-dbg, decompressed) once for every reader: the DWARF data the
// line index is built from and the variables' location lists share the
// bytes instead of inflating .debug_info twice.
type Sections struct {
	ef *elf.File
	mu sync.Mutex
	m  map[string]*section
}

type section struct {
	once sync.Once
	data []byte
}

// NewSections reads nothing yet: a library's debug information costs a
// large part of a second, and a section is read the first time it is
// asked for.
func NewSections(ef *elf.File) *Sections {
	return &Sections{ef: ef, m: map[string]*section{}}
}

// Get returns the bytes of .debug_<suffix> (or the older .zdebug_<suffix>)
// of the file, nil when it is absent or unreadable.
func (s *Sections) Get(suffix string) []byte {
	s.mu.Lock()
	sec := s.m[suffix]
	if sec == nil {
		sec = &section{}
		s.m[suffix] = sec
	}
	s.mu.Unlock()
	sec.once.Do(func() {
		es := s.ef.Section(".debug_" + suffix)
		if es == nil {
			es = s.ef.Section(".zdebug_" + suffix)
		}
		if es == nil || es.Type == elf.SHT_NOBITS {
			return
		}
		if b, err := es.Data(); err == nil {
			sec.data = b
		}
	})
	return sec.data
}

// dwarfSuffixes are the sections a dwarf.Data is made of: the five it
// starts with, then the DWARF 5 ones it takes with AddSection.
var dwarfSuffixes = []string{"abbrev", "info", "str", "line", "ranges", "addr", "line_str", "str_offsets", "rnglists", "loclists"}

// Load makes the file's dwarf.Data from its sections, inflating them
// two at a time (libc's debug file holds ten megabytes of them). Files
// whose DWARF needs relocating or has type units go through debug/elf's
// own reader.
func (s *Sections) Load() (*dwarf.Data, error) {
	if !plainDWARF(s.ef) {
		return s.ef.DWARF()
	}
	var wg sync.WaitGroup
	work := make(chan string)
	for range 2 {
		wg.Go(func() {
			for suffix := range work {
				s.Get(suffix)
			}
		})
	}
	// The largest first, so that the two workers end together.
	for _, suffix := range []string{"info", "loclists", "line", "abbrev", "str", "ranges", "rnglists", "addr", "line_str", "str_offsets", "loc"} {
		work <- suffix
	}
	close(work)
	wg.Wait()
	d, err := dwarf.New(s.Get("abbrev"), nil, nil, s.Get("info"), s.Get("line"), nil, s.Get("ranges"), s.Get("str"))
	if err != nil {
		return nil, err
	}
	for _, suffix := range dwarfSuffixes[5:] {
		if b := s.Get(suffix); b != nil {
			if err := d.AddSection(".debug_"+suffix, b); err != nil {
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
