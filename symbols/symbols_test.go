package symbols

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

type config struct {
	name         string
	flags        []string
	optimized    bool
	pie          bool
	version      int  // expected DWARF version of the first unit
	compressed   bool // .debug_info must carry SHF_COMPRESSED
	inlinedTwice bool // scale() is inlined twice into main
}

var configs = []config{
	{name: "O0-dwarf5-pie", flags: []string{"-O0", "-g", "-fPIE", "-pie"}, pie: true, version: 5},
	{name: "O0-dwarf4", flags: []string{"-O0", "-gdwarf-4"}, pie: true, version: 4},
	{name: "O0-nopie", flags: []string{"-O0", "-g", "-fno-PIE", "-no-pie"}, version: 5},
	{name: "O0-gz", flags: []string{"-O0", "-g", "-gz"}, pie: true, version: 5, compressed: true},
	{name: "O2", flags: []string{"-O2", "-g"}, optimized: true, pie: true, version: 5, inlinedTwice: true},
	{name: "O2-dwarf4-nopie", flags: []string{"-O2", "-gdwarf-4", "-fno-PIE", "-no-pie"}, optimized: true, version: 4, inlinedTwice: true},
}

func TestCPrograms(t *testing.T) {
	prog, helper := absPath(t, "testdata/prog.c"), absPath(t, "testdata/helper.c")
	pm, hm := markers(t, prog), markers(t, helper)
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := openT(t, buildC(t, c.flags...))
			checkFileFacts(t, f, c)
			checkFuncs(t, f, c, prog, helper, pm)
			checkLines(t, f, c, prog, helper, pm, hm)
		})
	}
}

func checkFileFacts(t *testing.T, f *File, c config) {
	if f.PIE() != c.pie {
		t.Errorf("PIE() = %v, want %v", f.PIE(), c.pie)
	}
	if !f.HasDWARF() {
		t.Fatal("HasDWARF() = false")
	}
	if err := f.DWARFError(); err != nil {
		t.Errorf("DWARFError() = %v", err)
	}
	if name, off, ok := f.SymbolAt(f.Entry()); !ok || name != "_start" || off != 0 {
		t.Errorf("SymbolAt(Entry()=%#x) = %q, %d, %v; want _start, 0", f.Entry(), name, off, ok)
	}
	if !c.pie && f.Entry() < 0x400000 {
		t.Errorf("non-PIE entry %#x below the usual 0x400000 base", f.Entry())
	}
	sec := f.ELF().Section(".debug_info")
	if sec == nil {
		t.Fatal("no .debug_info")
	}
	if got := sec.Flags&elf.SHF_COMPRESSED != 0; got != c.compressed {
		t.Errorf(".debug_info compressed = %v, want %v", got, c.compressed)
	}
	data, err := sec.Data()
	if err != nil || len(data) < 6 {
		t.Fatalf(".debug_info data: %v", err)
	}
	if v := int(binary.LittleEndian.Uint16(data[4:])); v != c.version {
		t.Errorf("DWARF version %d, want %d (flags %v)", v, c.version, c.flags)
	}
}

func checkFuncs(t *testing.T, f *File, c config, prog, helper string, pm map[string]int) {
	main := f.LookupFunc("main")
	if main == nil {
		t.Fatal(`LookupFunc("main") = nil`)
	}
	if main.Name != "main" || main.File != prog || main.Line != mark(t, pm, "maindecl") || !main.HasLines {
		t.Errorf("main = %+v, want name main at %s:%d with lines", main, prog, mark(t, pm, "maindecl"))
	}
	if main.Low >= main.High || len(main.Ranges) == 0 || main.Ranges[0] != [2]uint64{main.Low, main.High} {
		t.Errorf("main range [%#x,%#x) ranges %x", main.Low, main.High, main.Ranges)
	}
	if h := f.LookupFunc("helper"); h == nil || h.File != helper || !h.HasLines {
		t.Errorf(`LookupFunc("helper") = %+v, want a function in %s`, h, helper)
	}
	if add := f.LookupFunc("add"); add == nil || add.Line != mark(t, pm, "adddecl") {
		t.Errorf(`LookupFunc("add") = %+v, want line %d`, add, mark(t, pm, "adddecl"))
	}
	if fn := f.LookupFunc("no_such_function"); fn != nil {
		t.Errorf("LookupFunc(no_such_function) = %+v", fn)
	}
	// ELF-only function: _start comes from crt1.o, which has no DWARF.
	if st := f.LookupFunc("_start"); st == nil || st.Low != f.Entry() || st.HasLines {
		t.Errorf(`LookupFunc("_start") = %+v, want ELF function at entry %#x`, st, f.Entry())
	}
	for _, pc := range []uint64{main.Low, main.Low + 1, main.High - 1} {
		if got := f.FuncAt(pc); got != main {
			t.Errorf("FuncAt(%#x) = %+v, want main", pc, got)
		}
	}
	if got := f.FuncAt(f.Entry()); got == nil || got.Name != "_start" {
		t.Errorf("FuncAt(entry) = %+v, want _start from ELF symbols", got)
	}
	if got := f.FuncAt(0); got != nil {
		t.Errorf("FuncAt(0) = %+v, want nil", got)
	}
	for _, off := range []uint64{0, 3} {
		if name, o, ok := f.SymbolAt(main.Low + off); !ok || name != "main" || o != off {
			t.Errorf("SymbolAt(main+%d) = %q, %d, %v", off, name, o, ok)
		}
	}
	sink := elfSymbol(t, f, "sink")
	if name, o, ok := f.SymbolAt(sink.Value + 2); !ok || name != "sink" || o != 2 {
		t.Errorf("SymbolAt(&sink+2) = %q, %d, %v", name, o, ok)
	}

	stmts := f.StmtPCs(main.Low, main.High)
	if len(stmts) < 3 || !slices.IsSorted(stmts) || stmts[0] < main.Low || stmts[len(stmts)-1] >= main.High {
		t.Errorf("StmtPCs(main) = %x", stmts)
	}
	if len(slices.Compact(slices.Clone(stmts))) != len(stmts) {
		t.Errorf("StmtPCs(main) has duplicates: %x", stmts)
	}

	pe := f.PrologueEnd(main)
	le, ok := f.LineAt(pe)
	if c.optimized {
		if pe < main.Low || pe >= main.High || !ok {
			t.Errorf("PrologueEnd(main) = %#x outside [%#x,%#x)", pe, main.Low, main.High)
		}
	} else {
		if pe <= main.Low || pe >= main.High || !ok || le.Line != mark(t, pm, "mainfirst") {
			t.Errorf("PrologueEnd(main) = %#x (line %d), want after %#x at line %d", pe, le.Line, main.Low, mark(t, pm, "mainfirst"))
		}
		if e, ok := f.LineAt(main.Low); !ok || e.Line != mark(t, pm, "mainbrace") || e.File != prog || !e.IsStmt {
			t.Errorf("LineAt(main.Low) = %+v, want %s:%d", e, prog, mark(t, pm, "mainbrace"))
		}
		add := f.LookupFunc("add")
		if e, _ := f.LineAt(f.PrologueEnd(add)); e.Line != mark(t, pm, "addbody") {
			t.Errorf("PrologueEnd(add) at line %d, want %d", e.Line, mark(t, pm, "addbody"))
		}
	}
	if got := f.PrologueEnd(f.LookupFunc("_start")); got != f.Entry() {
		t.Errorf("PrologueEnd(_start) = %#x, want entry %#x", got, f.Entry())
	}
}

func checkLines(t *testing.T, f *File, c config, prog, helper string, pm, hm map[string]int) {
	srcs := f.Sources()
	if !slices.Contains(srcs, prog) || !slices.Contains(srcs, helper) || !slices.IsSorted(srcs) ||
		len(slices.Compact(slices.Clone(srcs))) != len(srcs) {
		t.Errorf("Sources() = %q", srcs)
	}

	// want names the marker of the expected resolved line; "" means the
	// requested line itself.
	cases := []struct {
		file, marker, fn, want string
		o0only                 bool
	}{
		{file: "prog.c", marker: "addbody", fn: "add"},
		{file: "prog.c", marker: "call", fn: "main"},
		{file: "prog.c", marker: "print", fn: "main"},
		{file: "prog.c", marker: "mainfirst", fn: "main", o0only: true},
		{file: "prog.c", marker: "for", fn: "main", o0only: true},
		{file: "helper.c", marker: "helperbody", fn: "helper"},
		// No code on a comment line inside main: the next line with code.
		{file: "prog.c", marker: "nocode", fn: "main", want: "for", o0only: true},
		// Outside every function: forward to add's first line.
		{file: "prog.c", marker: "beforeadd", fn: "add", want: "adddecl"},
	}
	for _, tc := range cases {
		if tc.o0only && c.optimized {
			continue
		}
		m, path := pm, prog
		if tc.file == "helper.c" {
			m, path = hm, helper
		}
		line := mark(t, m, tc.marker)
		want := line
		if tc.want != "" {
			want = mark(t, m, tc.want)
		}
		pcs, actual, err := f.LineToPCs(tc.file, line)
		if err != nil || actual != want || len(pcs) != 1 {
			t.Errorf("LineToPCs(%s:%d %s) = %x, %d, %v; want one pc at line %d", tc.file, line, tc.marker, pcs, actual, err, want)
			continue
		}
		if fn := f.FuncAt(pcs[0]); fn == nil || fn.Name != tc.fn {
			t.Errorf("%s: FuncAt(%#x) = %+v, want %s", tc.marker, pcs[0], fn, tc.fn)
		}
		// Optimised code stacks several lines on one address and LineAt
		// names the last of them, so there the round trip is only
		// required to stay in the function and not go backwards.
		e, ok := f.LineAt(pcs[0])
		if !ok || e.File != path || e.PC != pcs[0] || !e.IsStmt || e.Line < want || !c.optimized && e.Line != want {
			t.Errorf("%s: LineAt(%#x) = %+v, %v; want %s:%d", tc.marker, pcs[0], e, ok, path, want)
		}
		if !slices.Contains(f.StmtPCs(pcs[0], pcs[0]+1), pcs[0]) {
			t.Errorf("%s: StmtPCs misses breakpoint address %#x", tc.marker, pcs[0])
		}
		// Every spelling of the file name resolves alike.
		for _, name := range []string{path, "testdata/" + tc.file, "symbols/testdata/" + tc.file, "./" + tc.file} {
			p2, a2, err := f.LineToPCs(name, line)
			if err != nil || a2 != actual || !slices.Equal(p2, pcs) {
				t.Errorf("LineToPCs(%q, %d) = %x, %d, %v; want %x, %d", name, line, p2, a2, err, pcs, actual)
			}
		}
	}

	if !c.optimized {
		// The for line has several is_stmt rows (init, increment,
		// condition); the breakpoint is the lowest.
		forLine := mark(t, pm, "for")
		pcs, _, _ := f.LineToPCs("prog.c", forLine)
		main := f.LookupFunc("main")
		var rows []uint64
		for _, pc := range f.StmtPCs(main.Low, main.High) {
			if e, _ := f.LineAt(pc); e.Line == forLine {
				rows = append(rows, pc)
			}
		}
		if len(rows) < 2 || len(pcs) != 1 || pcs[0] != rows[0] {
			t.Errorf("for line: rows %x, LineToPCs %x; want the single lowest row", rows, pcs)
		}
	}

	if c.inlinedTwice {
		scale := mark(t, pm, "scale")
		pcs, actual, err := f.LineToPCs("prog.c", scale)
		if err != nil || actual != scale || len(pcs) != 2 {
			t.Errorf("LineToPCs(scale) = %x, %d, %v; want 2 inlined copies", pcs, actual, err)
		}
		for _, pc := range pcs {
			if fn := f.FuncAt(pc); fn == nil || fn.Name != "main" {
				t.Errorf("FuncAt(inlined scale %#x) = %+v, want main", pc, fn)
			}
			if e, _ := f.LineAt(pc); e.Line != scale {
				t.Errorf("LineAt(inlined scale %#x) = line %d, want %d", pc, e.Line, scale)
			}
		}
	}

	// add's closing brace: code at -O0; at -O2 gcc leaves it only a
	// non-statement row, and the search must not run on into the next
	// function (scale, inlined into main).
	addEnd := mark(t, pm, "addend")
	pcs, actual, err := f.LineToPCs("prog.c", addEnd)
	if !c.optimized {
		if err != nil || actual != addEnd || len(pcs) != 1 || f.FuncAt(pcs[0]) != f.LookupFunc("add") {
			t.Errorf("LineToPCs(addend) = %x, %d, %v; want one pc in add", pcs, actual, err)
		}
	} else if hasNonStmtRow(f, f.LookupFunc("add"), addEnd) {
		if !errors.Is(err, ErrNoCode) {
			t.Errorf("LineToPCs(addend) = %x, %d, %v; want ErrNoCode", pcs, actual, err)
		}
	} else {
		t.Logf("gcc gave add's closing brace no row; function-end check not exercised")
	}

	errCases := []struct {
		file string
		line int
		want error
	}{
		{"prog.c", mark(t, pm, "aftermain"), ErrNoCode},
		{"prog.c", 100000, ErrNoCode},
		{"prog.c", 0, ErrNoCode},
		{"stdio.h", 1, ErrNoCode}, // in the file table, but no rows
		{"nosuch.c", 1, ErrUnknownFile},
		{"data/prog.c", 1, ErrUnknownFile}, // suffix only at a '/' boundary
		{"/elsewhere/prog.c", 1, ErrUnknownFile},
	}
	for _, tc := range errCases {
		pcs, _, err := f.LineToPCs(tc.file, tc.line)
		if !errors.Is(err, tc.want) || pcs != nil {
			t.Errorf("LineToPCs(%q, %d) = %x, %v; want %v", tc.file, tc.line, pcs, err, tc.want)
		} else if !strings.Contains(err.Error(), tc.file) {
			t.Errorf("error %q does not name %q", err, tc.file)
		}
	}
	if _, ok := f.LineAt(0); ok {
		t.Error("LineAt(0) found a row")
	}
}

// hasNonStmtRow reports whether some row of fn is for line but none of them
// is a statement.
func hasNonStmtRow(f *File, fn *Function, line int) bool {
	found := false
	for pc := fn.Low; pc < fn.High; pc++ {
		if e, ok := f.LineAt(pc); ok && e.Line == line {
			if e.IsStmt {
				return false
			}
			found = true
		}
	}
	return found
}

func elfSymbol(t *testing.T, f *File, name string) elf.Symbol {
	t.Helper()
	syms, err := f.ELF().Symbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no ELF symbol %s", name)
	return elf.Symbol{}
}

func TestNoDebugInfo(t *testing.T) {
	path := buildC(t, "-O0")
	f := openT(t, path)
	if f.HasDWARF() {
		t.Fatal("HasDWARF() = true for a binary built without -g")
	}
	if _, _, err := f.LineToPCs("prog.c", 1); !errors.Is(err, ErrNoDebugInfo) {
		t.Errorf("LineToPCs err = %v, want ErrNoDebugInfo", err)
	}
	main := f.LookupFunc("main")
	if main == nil || main.Name != "main" || main.HasLines || main.File != "" || main.High <= main.Low {
		t.Fatalf("LookupFunc(main) = %+v, want an ELF-only function", main)
	}
	if got := f.FuncAt(main.Low + 1); got != main {
		t.Errorf("FuncAt(main+1) = %+v, want %+v", got, main)
	}
	if got := f.PrologueEnd(main); got != main.Low {
		t.Errorf("PrologueEnd = %#x, want %#x", got, main.Low)
	}
	if _, ok := f.LineAt(main.Low); ok || f.Sources() != nil || f.StmtPCs(0, ^uint64(0)) != nil {
		t.Error("line queries answered without DWARF")
	}

	// NewFile reads from any ReaderAt and has no path.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nf, err := NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if nf.Path() != "" || nf.Entry() != f.Entry() || f.Path() != path || nf.Close() != nil {
		t.Errorf("NewFile: path %q entry %#x", nf.Path(), nf.Entry())
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	elfData, err := os.ReadFile(buildC(t, "-O0"))
	if err != nil {
		t.Fatal(err)
	}
	arm := slices.Clone(elfData)
	binary.LittleEndian.PutUint16(arm[18:], uint16(elf.EM_AARCH64))
	core := slices.Clone(elfData)
	binary.LittleEndian.PutUint16(core[16:], uint16(elf.ET_CORE))

	cases := []struct {
		name, path string
		want       error
		msg        string
	}{
		{"text", write("notes.txt", []byte("hello, world\n")), ErrNotELF, "not an ELF file"},
		{"short", write("short", []byte("\x7fE")), ErrNotELF, "not an ELF file"},
		{"empty", write("empty", nil), ErrNotELF, "not an ELF file"},
		{"directory", dir, ErrNotELF, "is a directory"},
		{"missing", dir + "/missing", os.ErrNotExist, "no such file"},
		{"aarch64", write("arm", arm), ErrUnsupported, "not 64-bit x86-64"},
		{"core", write("core", core), ErrUnsupported, "neither an executable"},
		{"truncated", write("trunc", elfData[:40]), nil, "malformed ELF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(tc.path)
			if err == nil {
				f.Close()
				t.Fatal("Open succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("err = %q, want it to mention %q and the path", err, tc.msg)
			}
		})
	}
}
