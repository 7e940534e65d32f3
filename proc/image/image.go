// Package image is what a traced process's loaded objects say about its
// addresses: which ELF object is mapped where, the function, line, inlined
// calls and CFI at a pc, whether a source file is on this machine, and the
// disassembly of code without source. It reads the process only through
// /proc and a Memory, never with ptrace, and keeps what it learns (symbols
// are opened once per object, answers cached per pc).
//
// An Image belongs to the goroutine that owns the process (proc's owner
// loop): it is not safe for concurrent use. Reading an object's symbols the
// first time can take long (a second for libc with detached debug
// information); EnsureIndexed reports that through Progress.
package image

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/proc/unwind"
	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Memory reads the process's memory as the program sees it: bytes under a
// breakpoint read as the original ones.
type Memory interface {
	ReadAt(b []byte, addr uint64) (int, error)
}

// Image is the loaded objects of one process.
type Image struct {
	pid       int
	mem       Memory
	Exe       *Module
	mods      map[string]*Module // by path, loaded on demand for frames
	lastMod   *Module            // ModuleAt's last answer: stacks stay in a few modules
	sources   map[string]bool    // source files found on this machine, or not
	srcMap    SourceMap
	listings  map[uint64]*listing        // disassembly of code without source, by start
	prologues map[uint64]unwind.Prologue // by function start
	// Progress, when set, is told the start (title) and end ("") of a
	// long read of debug information.
	Progress func(title string)
	pre      preloads // objects opened ahead of the loader (preload)
}

// New makes the image of process pid; LoadExe then records its
// executable.
func New(pid int, mem Memory, srcMap SourceMap) *Image {
	return &Image{pid: pid, mem: mem, mods: map[string]*Module{}, srcMap: srcMap}
}

// LoadExe records the executable and its load bias, read from the auxv's
// AT_ENTRY: exact for PIE and non-PIE alike, and known at the exec stop
// before the dynamic loader has run.
func (im *Image) LoadExe(exe *symbols.File) error {
	entry, err := auxvEntry(im.pid)
	if err != nil {
		return err
	}
	m := &Module{Path: RealPath(exe.Path()), Name: filepath.Base(exe.Path()), Sym: exe, Bias: entry - exe.Entry()}
	im.Exe = m
	im.mods[m.Path] = m
	// The first breakpoint and the first stop need the executable's
	// index: read it while the program starts (the owner's first query
	// waits for it, if it is not done by then).
	// Then the libraries it needs, before the loader maps them: after
	// the executable, whose index the first breakpoints wait for.
	ldPath := environ(im.pid, "LD_LIBRARY_PATH")
	go func() {
		_ = exe.DWARFError()
		_ = exe.CFIError()
		im.pre.walk(exe.ELF(), filepath.Dir(exe.Path()), ldPath)
	}()
	return nil
}

// UnreadableExe records an executable whose symbols cannot be read, so
// that every lookup still has one.
func (im *Image) UnreadableExe(path string) {
	im.Exe = &Module{Path: path, Name: path}
	im.mods[path] = im.Exe
}

// Loaded updates the objects from the dynamic loader's list (path to load
// bias) and returns those new and those gone since the last call. The
// executable and objects only seen in frames are not reported.
func (im *Image) Loaded(list map[string]uint64) (added, removed []*Module) {
	maps, _ := readMaps(im.pid)
	for path, bias := range list {
		m := im.mods[path]
		if m != nil && m.Announced {
			continue
		}
		if m == nil {
			m = &Module{Path: path, Name: filepath.Base(path), Bias: bias}
			if sf := im.pre.take(path); sf != nil {
				m.Sym = sf // being prepared since the executable was known
			} else if sf, err := symbols.Open(path); err == nil {
				m.Sym = sf
				go prepare(sf)
			}
			im.mods[path] = m
		}
		m.Start, m.End = MappedRange(maps, path)
		m.Announced = true
		added = append(added, m)
	}
	for path, m := range im.mods {
		if _, ok := list[path]; ok || !m.Announced {
			continue
		}
		delete(im.mods, path)
		if im.lastMod == m {
			im.lastMod = nil
		}
		for key := range im.listings {
			if key >= m.Start && key < m.End {
				delete(im.listings, key)
			}
		}
		if m.Sym != nil {
			m.Sym.Close()
		}
		removed = append(removed, m)
	}
	return added, removed
}

// Close closes the symbol files of every object.
func (im *Image) Close() {
	im.pre.close()
	for _, m := range im.mods {
		if m.Sym != nil {
			m.Sym.Close()
		}
	}
}

// SetSourceMap replaces the source map; what is "here" is found anew.
func (im *Image) SetSourceMap(m SourceMap) {
	im.srcMap = m
	im.sources = nil
}

// Maps reads the process's memory mappings.
func (im *Image) Maps() ([]Mapping, error) { return readMaps(im.pid) }

// AuxvValue reads one entry of the process's auxiliary vector.
func (im *Image) AuxvValue(key uint64) (uint64, error) { return auxvValue(im.pid, key) }

// Module is one ELF object mapped into the process.
type Module struct {
	Path       string
	Name       string
	Start, End uint64                           // mapped address range
	Bias       uint64                           // runtime address minus link-time address
	Sym        *symbols.File                    // nil when its symbols cannot be read
	Announced  bool                             // a module event was sent for it
	frames     map[uint64]*unwind.Row           // CFI rules by link-time pc
	inlined    map[uint64][]symbols.InlinedCall // by link-time pc, likewise
	locals     map[localsKey]localsEntry        // a frame's variables, likewise
}

// LocalsAt returns the locals and arguments of the frame at link-time pc
// (inl: which inlined call there, -1 the function) and its frame base.
// Variables, their locations included, depend on the pc only, so they are
// read from DWARF once per pc: a conditional breakpoint asks at every hit.
func (m *Module) LocalsAt(pc uint64, inl int) ([]symbols.Variable, []byte, error) {
	key := localsKey{pc: pc, inl: inl}
	if e, ok := m.locals[key]; ok {
		return e.vars, e.frameBase, nil
	}
	vars, fb, err := m.Sym.InlinedLocalsAt(pc, inl)
	if err != nil {
		return vars, fb, err
	}
	if m.locals == nil {
		m.locals = map[localsKey]localsEntry{}
	}
	m.locals[key] = localsEntry{vars, fb}
	return vars, fb, nil
}

type localsKey struct {
	pc  uint64
	inl int
}

type localsEntry struct {
	vars      []symbols.Variable
	frameBase []byte
}

func auxvEntry(pid int) (uint64, error) {
	v, err := auxvValue(pid, 9) // AT_ENTRY
	if err == nil && v == 0 {
		err = fmt.Errorf("process %d has no AT_ENTRY in its auxiliary vector", pid)
	}
	return v, err
}

func readAuxv(pid int) ([]byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", pid))
	if err != nil {
		return nil, fmt.Errorf("cannot read the auxiliary vector of %d: %w", pid, err)
	}
	return b, nil
}

// Mapping is one line of /proc/PID/maps.
type Mapping struct {
	Start, End, Off uint64
	Perms           string
	Path            string
}

func readMaps(pid int) ([]Mapping, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []Mapping
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 {
			continue
		}
		lo, hi, _ := strings.Cut(fs[0], "-")
		var m Mapping
		m.Start, _ = strconv.ParseUint(lo, 16, 64)
		m.End, _ = strconv.ParseUint(hi, 16, 64)
		m.Off, _ = strconv.ParseUint(fs[2], 16, 64)
		m.Perms = fs[1]
		if len(fs) >= 6 {
			m.Path = fs[5]
		}
		ms = append(ms, m)
	}
	return ms, sc.Err()
}

// ModuleAt finds the ELF object mapped at pc, loading its symbols on first
// use. Objects whose symbols cannot be read still get a Module (no sym).
func (im *Image) ModuleAt(pc uint64) *Module {
	if m := im.lastMod; m != nil && pc >= m.Start && pc < m.End {
		return m
	}
	for _, m := range im.mods {
		if m.End > m.Start && pc >= m.Start && pc < m.End {
			im.lastMod = m
			return m
		}
	}
	ms, err := readMaps(im.pid)
	if err != nil {
		return nil
	}
	var hit *Mapping
	for i := range ms {
		if pc >= ms[i].Start && pc < ms[i].End {
			hit = &ms[i]
			break
		}
	}
	if hit == nil || !strings.HasPrefix(hit.Path, "/") {
		return nil
	}
	// The object's range spans all of its mappings; the lowest one (file
	// offset 0) is where a shared object's link-time address 0 lands.
	lo, hi := hit.Start, hit.End
	for _, m := range ms {
		if m.Path == hit.Path {
			lo, hi = min(lo, m.Start), max(hi, m.End)
		}
	}
	m := im.mods[hit.Path]
	if m == nil {
		m = &Module{Path: hit.Path, Name: filepath.Base(hit.Path)}
		if sf, err := symbols.Open(hit.Path); err == nil {
			m.Sym = sf
			if sf.PIE() {
				m.Bias = lo
			}
		}
		im.mods[hit.Path] = m
	}
	m.Start, m.End = lo, hi
	return m
}

// Modules returns the executable first, then the other loaded objects.
func (im *Image) Modules() []*Module {
	out := []*Module{im.Exe}
	for _, m := range im.mods {
		if m != im.Exe {
			out = append(out, m)
		}
	}
	return out
}

// RealPath resolves symbolic links, keeping path when that fails.
func RealPath(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	return path
}

// MappedRange is the address range the mappings of path cover.
func MappedRange(maps []Mapping, path string) (lo, hi uint64) {
	for _, m := range maps {
		if m.Path != path {
			continue
		}
		if lo == 0 || m.Start < lo {
			lo = m.Start
		}
		hi = max(hi, m.End)
	}
	return lo, hi
}

func auxvValue(pid int, key uint64) (uint64, error) {
	b, err := readAuxv(pid)
	if err != nil {
		return 0, err
	}
	for i := 0; i+16 <= len(b); i += 16 {
		if binary.LittleEndian.Uint64(b[i:]) == key {
			return binary.LittleEndian.Uint64(b[i+8:]), nil
		}
	}
	return 0, nil
}

// Location is what is known of the code at an address.
type Location struct {
	Func   string
	File   string // only when the file is on this machine
	Line   int
	Column int
	Module string
	Offset uint64 // the address minus the symbol's, when Func came from ELF symbols
}

// Describe names the code at pc; call sites (caller) are looked up at
// pc-1, so a call's own line is shown, not the next one.
func (im *Image) Describe(pc uint64, caller bool) Location {
	var f Location
	look := pc
	if caller {
		look--
	}
	m := im.ModuleAt(look)
	if m == nil {
		return f
	}
	f.Module = m.Name
	if m.Sym == nil {
		f.Offset = look - m.Start
		return f
	}
	ready := im.dwarfReady(m)
	if fn := funcIn(m, look-m.Bias, ready); fn != nil {
		f.Func = fn.DisplayName()
		if !fn.HasLines {
			f.Offset = pc - (fn.Low + m.Bias)
		}
	} else if name, off, ok := m.Sym.SymbolAt(look - m.Bias); ok {
		f.Func, f.Offset = name, off+(pc-look)
	} else {
		f.Offset = pc - m.Start
	}
	if !ready {
		return f
	}
	if le, ok := m.Sym.LineAt(look - m.Bias); ok && le.Line > 0 && im.HaveSource(le.File) {
		f.File, f.Line, f.Column = im.Local(le.File), le.Line, le.Column
	}
	return f
}

// dwarfReady says whether m's DWARF can be asked without a long wait: it
// has none, it is indexed, it is the executable (whose index nearly every
// request needs, and which LoadExe starts reading at once), it is small
// enough to read now, or it is the project's own (being read since it was
// mapped). A large library's from a separate debug file (libc's, from
// libc6-dbg, takes a second) is read only when something needs it
// (EnsureIndexed: a breakpoint in its sources); until then its code is
// named from its symbol tables, with no lines, which is all a stop or a
// stack needs.
func (im *Image) dwarfReady(m *Module) bool {
	switch {
	case m.Sym == nil || !m.Sym.HasDWARF() || m.Sym.Indexed() || m == im.Exe:
		return true
	case m.Sym.DebugInfoSize() < slowDebugInfo:
		_ = m.Sym.DWARFError()
		return true
	case !m.Sym.SeparateDebugInfo():
		// A project's own library, being indexed since it was mapped
		// (prepare): its lines and steps are wanted as much as the
		// executable's.
		im.EnsureIndexed(m)
		return true
	}
	return false
}

// prepare builds, in the background from the moment an object is mapped
// (or known to be needed), what the first stop or stack through it will
// ask for: its symbols and call frame table, and, when its DWARF is its
// own (a project's library, not a distribution's, whose debug file is
// separate and whose sources are not here), its index, as the
// executable's is.
func prepare(sf *symbols.File) {
	sf.Warm()
	if sf.HasDWARF() && !sf.SeparateDebugInfo() {
		_ = sf.DWARFError()
	}
}

// funcIn finds the function at link-time pc of m: from DWARF when ready,
// else from the symbol tables.
func funcIn(m *Module, pc uint64, ready bool) *symbols.Function {
	if ready {
		return m.Sym.FuncAt(pc)
	}
	return m.Sym.SymbolFuncAt(pc)
}

// DescribeInlined names a frame that is inlined call inl of calls (the
// inlined calls at pc, innermost first; inl == len(calls) is the function
// they sit in): its function, and its line, which for an inlined call's
// caller is the call's line.
func (im *Image) DescribeInlined(pc uint64, exact bool, calls []symbols.InlinedCall, inl int) Location {
	loc := im.Describe(pc, !exact)
	if inl < len(calls) {
		loc.Func, loc.Offset = calls[inl].Func.DisplayName(), 0
	}
	if inl > 0 {
		c := calls[inl-1]
		loc.File, loc.Line, loc.Column = "", 0, 0
		if c.CallLine > 0 && im.HaveSource(c.CallFile) {
			loc.File, loc.Line, loc.Column = im.Local(c.CallFile), c.CallLine, c.CallColumn
		}
	}
	return loc
}

// Prologue decodes the start of fn (cached per function).
func (im *Image) Prologue(m *Module, fn *symbols.Function) unwind.Prologue {
	low := fn.Low + m.Bias
	if pi, ok := im.prologues[low]; ok {
		return pi
	}
	var b [32]byte
	n, _ := im.mem.ReadAt(b[:], low)
	pi := unwind.DecodePrologue(b[:n], low)
	if im.prologues == nil {
		im.prologues = map[uint64]unwind.Prologue{}
	}
	im.prologues[low] = pi
	return pi
}

// FuncAt finds the function at a runtime address and its Module.
func (im *Image) FuncAt(pc uint64) (*symbols.Function, *Module) {
	m := im.ModuleAt(pc)
	if m == nil || m.Sym == nil {
		return nil, nil
	}
	fn := funcIn(m, pc-m.Bias, im.dwarfReady(m))
	if fn == nil {
		return nil, nil
	}
	return fn, m
}

// LineAt returns the line-table row covering a runtime address, with its
// PC made a runtime address too.
func (im *Image) LineAt(pc uint64) (symbols.LineEntry, bool) {
	m := im.ModuleAt(pc)
	if m == nil || m.Sym == nil || !im.dwarfReady(m) {
		return symbols.LineEntry{}, false
	}
	le, ok := m.Sym.LineAt(pc - m.Bias)
	if !ok || le.Line == 0 {
		return le, false
	}
	le.PC += m.Bias
	return le, true
}

// FrameRules returns the CFI rules at a link-time pc, nil without any. They
// are cached per pc for the life of the Module: a deep recursion asks for
// the same few pcs a thousand times per walk.
func (m *Module) FrameRules(pc uint64) *unwind.Row {
	if r, ok := m.frames[pc]; ok {
		return r
	}
	var row *unwind.Row
	if r, err := m.Sym.FrameAt(pc); err == nil && r != nil {
		row = unwind.NewRow(r)
	}
	if m.frames == nil {
		m.frames = map[uint64]*unwind.Row{}
	}
	m.frames[pc] = row
	return row
}

// slowDebugInfo is the size of .debug_info (as stored) from which reading
// it takes long enough to tell the client: libc's is 2.3 MB, a test
// program's a few KB.
const slowDebugInfo = 1 << 20

// EnsureIndexed reads a Module's debug information, if not done yet,
// telling the client: it takes a second for libc with its detached debug
// information, and an editor would otherwise look frozen.
func (im *Image) EnsureIndexed(m *Module) {
	if m.Sym == nil || !m.Sym.HasDWARF() || m.Sym.Indexed() {
		return
	}
	if m.Sym.DebugInfoSize() < slowDebugInfo {
		_ = m.Sym.DWARFError()
		return
	}
	if im.Progress != nil {
		im.Progress("Reading the debug information of " + m.Name)
		defer im.Progress("")
	}
	_ = m.Sym.DWARFError() // builds the index
}

// InlinedAt returns the inlined calls at a runtime address (a call site's
// pc-1 above frame 0), innermost first. Modules other than the executable
// are looked into only once their debug information is indexed: indexing
// libc's takes a second, too much for a stack walk, and its sources are not
// on this machine anyway. Within one stop the answer does not change, so
// the frames counted and the frames named agree.
func (im *Image) InlinedAt(look uint64) []symbols.InlinedCall {
	m := im.ModuleAt(look)
	if m == nil || m.Sym == nil || !m.Sym.HasDWARF() || m != im.Exe && !m.Sym.Indexed() {
		return nil
	}
	pc := look - m.Bias
	if calls, ok := m.inlined[pc]; ok {
		return calls
	}
	calls := m.Sym.InlinedAt(pc)
	if m.inlined == nil {
		m.inlined = map[uint64][]symbols.InlinedCall{}
	}
	m.inlined[pc] = calls
	return calls
}

// AtEntry counts the innermost inlined calls at the runtime address pc
// that start there: how many a stop at pc may hide.
func (im *Image) AtEntry(pc uint64, calls []symbols.InlinedCall) int {
	m := im.ModuleAt(pc)
	if m == nil {
		return 0
	}
	n := 0
	for n < len(calls) && calls[n].Entry+m.Bias == pc {
		n++
	}
	return n
}

// FuncStmts returns every statement address of the function at pc.
func (im *Image) FuncStmts(pc uint64) []uint64 {
	fn, m := im.FuncAt(pc)
	if fn == nil {
		return nil
	}
	var out []uint64
	for _, r := range fn.Ranges {
		for _, a := range m.Sym.StmtPCs(r[0], r[1]) {
			out = append(out, a+m.Bias)
		}
	}
	return out
}

// CString reads a NUL-terminated string of at most 4 KiB.
func (im *Image) CString(addr uint64) string {
	if addr == 0 {
		return ""
	}
	var buf [256]byte
	var out []byte
	for len(out) < 4096 {
		n, _ := im.mem.ReadAt(buf[:], addr+uint64(len(out)))
		if n == 0 {
			break
		}
		if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
			return string(append(out, buf[:i]...))
		}
		out = append(out, buf[:n]...)
	}
	return string(out)
}

// The dynamic loader keeps a list of loaded objects (link_map) behind
// _r_debug and calls _dl_debug_state after each change to it (where the debugger puts a
// breakpoint to follow dlopen and dlclose as they happen). Offsets are those
// of glibc's struct r_debug and struct link_map on x86-64.
const (
	rDebugMap   = 8
	rDebugState = 24
	lmAddr      = 0
	lmName      = 8
	lmNext      = 24
	rtConsist   = 0
)

// LinkMap reads the dynamic loader's list of loaded objects behind
// _r_debug (at its runtime address rdebug): their paths, as
// /proc/PID/maps names them, and load biases. ok is false while the
// loader is changing the list.
func (im *Image) LinkMap(rdebug uint64) (objects map[string]uint64, ok bool) {
	word := func(a uint64) uint64 {
		var b [8]byte
		if _, err := im.mem.ReadAt(b[:], a); err != nil {
			return 0
		}
		return binary.LittleEndian.Uint64(b[:])
	}
	if state := word(rdebug + rDebugState); state&0xffffffff != rtConsist {
		return nil, false
	}
	objects = map[string]uint64{}
	for lm, n := word(rdebug+rDebugMap), 0; lm != 0 && n < 10000; lm, n = word(lm+lmNext), n+1 {
		name := im.CString(word(lm + lmName))
		if name == "" {
			name = im.Exe.Path // the main program's entry has no name
		}
		if filepath.IsAbs(name) {
			// Keyed like /proc/PID/maps names it: the loader says
			// /lib/..., the kernel /usr/lib/... on a merged-/usr system.
			objects[RealPath(name)] = word(lm + lmAddr)
		}
	}
	return objects, true
}

// TypeInfoName names the type a C++ std::type_info at addr describes.
func (im *Image) TypeInfoName(addr uint64) string {
	// A std::type_info is a vtable pointer and then its mangled name.
	var b [8]byte
	if _, err := im.mem.ReadAt(b[:], addr+8); err != nil {
		return ""
	}
	name := im.CString(binary.LittleEndian.Uint64(b[:]))
	if name == "" {
		return ""
	}
	return symbols.DemangleType(name)
}
