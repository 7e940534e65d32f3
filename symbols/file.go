package symbols

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
	"github.com/dap-ptrace/dap-ptrace/symbols/dwarfsec"
)

// Sentinel errors. Errors returned by this package wrap one of these (test
// with errors.Is) and carry the detail a person needs in their message.
var (
	// ErrNotELF reports that a file is not an ELF object at all (wrong magic,
	// too short, or a directory).
	ErrNotELF = errors.New("not an ELF file")
	// ErrUnsupported reports an ELF file this debugger cannot handle: not
	// 64-bit x86-64, or not an executable or shared object.
	ErrUnsupported = errors.New("unsupported ELF file")
	// ErrNoDebugInfo reports a query that needs DWARF on a file without it.
	ErrNoDebugInfo = errors.New("no DWARF debug information")
	// ErrUnknownFile reports a source file that no compile unit mentions.
	ErrUnknownFile = errors.New("source file not found in debug information")
	// ErrNoCode reports a source line with no code at or after it (within
	// the limits described at LineToPCs).
	ErrNoCode = errors.New("no code at or after line")
)

// File is the symbol and debug information of one ELF object.
type File struct {
	path   string
	closer io.Closer
	elf    *elf.File
	pie    bool
	entry  uint64
	exec   [][2]uint64 // allocated, executable section ranges

	symOnce sync.Once
	syms    []*symTable // .symtab, .dynsym: set by symOnce

	hasDWARF bool

	// The DWARF sections are read (and decompressed) the first time a
	// query needs them, not when the file is opened: a library's debug
	// information costs a large part of a second, and a stop that only
	// names its frames from the symbol tables must not wait for it.
	dataOnce sync.Once
	secs     *dwarfsec.Sections // of dwELF
	dwData   *dwarf.Data
	dataErr  error

	dwOnce sync.Once
	dwDone atomic.Bool // dwOnce has run
	// dwCached says the index came from the on-disk cache (indexcache.go).
	dwCached bool
	dwIdx    *dwarfIndex
	dwErr    error

	cfiOnce sync.Once // call frame information, read by FrameAt
	cfiTab  *cfi.Table
	cfiErr  error

	lineNamesOnce sync.Once // the line headers' file names (MayHaveSource)
	lineNames     map[string]bool
	lineNamesOK   bool

	varsOnce sync.Once
	vars     *varData
	varsErr  error

	cxx cxxIndex // demangled C++ names, built on the first C++ lookup

	// dwELF holds the DWARF sections: the file itself, or its separate
	// debug file (debugFile, closed with the File).
	dwELF     *elf.File
	debugFile io.Closer
}

// Open opens the ELF file at path. The error names the path and wraps
// ErrNotELF, ErrUnsupported or the underlying fs error.
func Open(path string) (*File, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("symbols: %w", err)
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("symbols: %w", err)
	}
	if st.IsDir() {
		osf.Close()
		return nil, fmt.Errorf("symbols: %s is a directory: %w", path, ErrNotELF)
	}
	f, err := newFile(osf, path)
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("symbols: %s: %w", path, err)
	}
	f.closer = osf
	return f, nil
}

// NewFile reads an ELF object from r, which must stay readable until Close.
func NewFile(r io.ReaderAt) (*File, error) {
	f, err := newFile(r, "")
	if err != nil {
		return nil, fmt.Errorf("symbols: %w", err)
	}
	return f, nil
}

func newFile(r io.ReaderAt, path string) (*File, error) {
	// Check the magic ourselves: debug/elf's message for a text file
	// ("bad magic number ...") means little to a user picking a program.
	var magic [4]byte
	if n, _ := r.ReadAt(magic[:], 0); n < len(magic) || !bytes.Equal(magic[:], []byte(elf.ELFMAG)) {
		return nil, ErrNotELF
	}
	ef, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("malformed ELF file: %w", err)
	}
	if ef.Class != elf.ELFCLASS64 || ef.Machine != elf.EM_X86_64 {
		return nil, fmt.Errorf("%w: built for %s %s, not 64-bit x86-64", ErrUnsupported, ef.Class, ef.Machine)
	}
	if ef.Type != elf.ET_EXEC && ef.Type != elf.ET_DYN {
		return nil, fmt.Errorf("%w: ELF type %s is neither an executable nor a shared object", ErrUnsupported, ef.Type)
	}
	f := &File{
		path:  path,
		elf:   ef,
		pie:   ef.Type == elf.ET_DYN,
		entry: ef.Entry,
	}
	for _, s := range ef.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Flags&elf.SHF_EXECINSTR != 0 && s.Size > 0 {
			f.exec = append(f.exec, [2]uint64{s.Addr, s.Addr + s.Size})
		}
	}
	f.dwELF = ef
	if !hasSection(ef, "info") || !hasSection(ef, "line") {
		// A stripped file may have its DWARF in a separate debug file.
		if dbg, osf := findDebugFile(ef, path); dbg != nil {
			f.dwELF, f.debugFile = dbg, osf
		}
	}
	f.hasDWARF = hasSection(f.dwELF, "info") && hasSection(f.dwELF, "line")
	f.secs = dwarfsec.NewSections(f.dwELF)
	return f, nil
}

// symTables returns .symtab, then .dynsym (either may be nil), read on
// first use: a library's tables cost milliseconds that a launch must not
// wait for when nothing asks for them before the first stop (Warm builds
// them in the background).
func (f *File) symTables() []*symTable {
	f.symOnce.Do(func() {
		// A stripped or damaged symbol table is no reason to refuse the
		// file: DWARF or the other table may still answer.
		symtab := readSymTable(f.elf, elf.SHT_SYMTAB)
		if symtab == nil && f.SeparateDebugInfo() {
			// A stripped library's static functions are named only in
			// its debug file's symbol table.
			symtab = readSymTable(f.dwELF, elf.SHT_SYMTAB)
		}
		dynsym := readSymTable(f.elf, elf.SHT_DYNSYM)
		f.syms = []*symTable{symtab, dynsym}
	})
	return f.syms
}

// dwarfData reads the DWARF sections, once.
func (f *File) dwarfData() (*dwarf.Data, error) {
	f.dataOnce.Do(func() {
		if !f.hasDWARF {
			f.dataErr = ErrNoDebugInfo
			return
		}
		f.dwData, f.dataErr = f.secs.Load()
	})
	return f.dwData, f.dataErr
}

func hasSection(ef *elf.File, suffix string) bool {
	return ef.Section(".debug_"+suffix) != nil || ef.Section(".zdebug_"+suffix) != nil
}

// Close releases the file opened by Open. It is a no-op for NewFile.
func (f *File) Close() error {
	if f.debugFile != nil {
		f.debugFile.Close()
		f.debugFile = nil
	}
	if f.closer == nil {
		return nil
	}
	c := f.closer
	f.closer = nil
	return c.Close()
}

// Path returns the path given to Open, or "" for NewFile.
func (f *File) Path() string { return f.path }

// PIE reports whether the object is ET_DYN, i.e. whether it is loaded at a
// bias the caller has to subtract from runtime addresses.
func (f *File) PIE() bool { return f.pie }

// Entry returns the link-time ELF entry point.
func (f *File) Entry() uint64 { return f.entry }

// HasDWARF reports whether the file (or its separate debug file) has
// .debug_info and .debug_line sections, compressed or not. Whether they
// can be read is known at the first query that reads them.
func (f *File) HasDWARF() bool { return f.hasDWARF }

// ELF exposes the parsed ELF file for callers needing sections or program
// headers; it must be treated as read-only.
func (f *File) ELF() *elf.File { return f.elf }

// isExec reports whether addr lies in executable code. Line sequences and
// subprograms of functions discarded by the linker keep address 0 (or a
// tombstone) and would otherwise shadow real code.
func (f *File) isExec(addr uint64) bool {
	for _, r := range f.exec {
		if addr >= r[0] && addr < r[1] {
			return true
		}
	}
	return false
}

// index returns the DWARF index, building it on first use. It is nil when
// the file has no DWARF.
func (f *File) index() *dwarfIndex {
	f.dwOnce.Do(func() {
		cacheable := f.hasDWARF && f.DebugInfoSize() >= IndexCacheMin
		if cacheable {
			if x, err := f.loadIndex(); x != nil {
				f.dwIdx, f.dwErr, f.dwCached = x, err, true
				return
			}
		}
		d, err := f.dwarfData()
		if err != nil {
			if f.hasDWARF {
				f.dwErr = fmt.Errorf("reading DWARF: %w", err)
			}
			return
		}
		f.dwIdx, f.dwErr = buildIndex(f, d)
		if cacheable && f.dwIdx != nil {
			dir, x, err := IndexCacheDir(), f.dwIdx, f.dwErr
			name, stamp := f.cacheKey()
			saving.Add(1)
			go func() {
				defer saving.Done()
				saveIndex(x, err, dir, name, stamp)
			}()
		}
	})
	f.dwDone.Store(true)
	return f.dwIdx
}

// DWARFError returns the first problem met while indexing the DWARF data, if
// any. Indexing keeps whatever it read before the problem, so queries may
// still answer for the units before it.
func (f *File) DWARFError() error {
	f.index()
	return f.dwErr
}
