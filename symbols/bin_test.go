package symbols

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// The tests in bin_test.go and binvars_test.go read the binaries checked in
// under testdata/bin, built by its build.sh from demo.c and util.c. Unlike
// the tests that compile testdata/*.c, they need no compiler, so they run
// everywhere and always on the same bytes; their expected values are
// literals read off `objdump -d -l` and `llvm-dwarfdump`, so any change in
// what the parsers answer fails here rather than moving along with gcc.
//
// The code of demo-O0, demo-gz and demo-split is identical (they differ in
// how the DWARF is stored), and so is that of demo-O2 and demo-O2-dwarf4
// (they differ in the DWARF version): each fact is checked on every binary
// it holds for.

var (
	binO0 = []string{"demo-O0", "demo-gz", "demo-split"}
	binO2 = []string{"demo-O2", "demo-O2-dwarf4"}
)

// Line numbers in demo.c and util.c that the tests use.
const (
	lnAddDecl   = 18 // int add(int a, int b)
	lnAddBrace  = 19
	lnAddSum    = 20 // int sum = a + b;
	lnAddRet    = 21
	lnAddEnd    = 22
	lnScaleDecl = 24 // static inline int scale(int x)
	lnScaleBody = 26 // return x * 3 + sink;
	lnMainDecl  = 29
	lnMainBrace = 30
	lnFor       = 34 // for (int i = 0; ...
	lnCall      = 35 // n += add(n, i);
	lnForEnd    = 36 // } of the loop: no code
	lnScale1    = 37 // sink = scale(n);
	lnScale2    = 38 // sink = scale(sink + argc);
	lnMainEnd   = 41
	lnTwiceDecl = 4 // util.c
)

func openBin(t *testing.T, name string) *File {
	t.Helper()
	return openT(t, filepath.Join("testdata", "bin", name))
}

// forEach runs check on each named binary in its own subtest.
func forEach(t *testing.T, names []string, check func(t *testing.T, f *File)) {
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			check(t, openBin(t, name))
		})
	}
}

// sectionVersion reads the 2-byte version that follows the 4-byte unit
// length at the start of .debug_info and .debug_line (32-bit DWARF).
func sectionVersion(t *testing.T, ef *elf.File, name string) int {
	t.Helper()
	s := ef.Section(name)
	if s == nil {
		t.Fatalf("no %s section", name)
	}
	b, err := s.Data()
	if err != nil || len(b) < 6 {
		t.Fatalf("%s: %d bytes, %v", name, len(b), err)
	}
	return int(binary.LittleEndian.Uint16(b[4:]))
}

func TestBinFileFacts(t *testing.T) {
	tests := []struct {
		name       string
		entry      uint64
		version    int  // of the first unit and of the line table
		compressed bool // SHF_COMPRESSED debug sections
		split      bool // DWARF only in demo-split.debug
	}{
		{name: "demo-O0", entry: 0x1040, version: 5},
		{name: "demo-O2", entry: 0x10d0, version: 5},
		{name: "demo-O2-dwarf4", entry: 0x10d0, version: 4},
		{name: "demo-gz", entry: 0x1040, version: 5, compressed: true},
		{name: "demo-split", entry: 0x1040, version: 5, split: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := openBin(t, tt.name)
			if !f.PIE() {
				t.Error("PIE() = false; gcc's default on Debian is PIE")
			}
			if !f.HasDWARF() {
				t.Fatal("HasDWARF() = false")
			}
			if err := f.DWARFError(); err != nil {
				t.Errorf("DWARFError() = %v", err)
			}
			if f.Entry() != tt.entry {
				t.Errorf("Entry() = %#x, want %#x", f.Entry(), tt.entry)
			}
			if name, off, ok := f.SymbolAt(tt.entry + 4); name != "_start" || off != 4 || !ok {
				t.Errorf("SymbolAt(entry+4) = %q, %d, %v; want _start, 4", name, off, ok)
			}
			if got, want := f.Sources(), []string{"/src/demo.c", "/src/util.c"}; !slices.Equal(got, want) {
				t.Errorf("Sources() = %q, want %q (build.sh maps the build directory to /src)", got, want)
			}

			ef := f.ELF()
			if tt.split {
				if ef.Section(".debug_info") != nil || ef.Section(".gnu_debuglink") == nil {
					t.Fatal("demo-split should have .gnu_debuglink and no .debug_info")
				}
				return
			}
			info := ef.Section(".debug_info")
			if info == nil {
				t.Fatal("no .debug_info")
			}
			if got := info.Flags&elf.SHF_COMPRESSED != 0; got != tt.compressed {
				t.Errorf(".debug_info SHF_COMPRESSED = %v, want %v", got, tt.compressed)
			}
			for _, sec := range []string{".debug_info", ".debug_line"} {
				if v := sectionVersion(t, ef, sec); v != tt.version {
					t.Errorf("%s version %d, want %d", sec, v, tt.version)
				}
			}
			// DWARF 5 keeps location lists in .debug_loclists, DWARF 4 in
			// .debug_loc; -O0 code needs none.
			wantLoc := map[string]string{"demo-O2": ".debug_loclists", "demo-O2-dwarf4": ".debug_loc"}[tt.name]
			for _, sec := range []string{".debug_loclists", ".debug_loc"} {
				if got := ef.Section(sec) != nil; got != (sec == wantLoc) {
					t.Errorf("section %s present = %v", sec, got)
				}
			}
		})
	}
}

type wantLine struct {
	pc     uint64
	file   string // base name
	line   int
	col    int
	isStmt bool
}

func checkLineAt(t *testing.T, f *File, want []wantLine) {
	t.Helper()
	for _, w := range want {
		e, ok := f.LineAt(w.pc)
		if !ok || e.PC > w.pc || filepath.Base(e.File) != w.file || e.Line != w.line || e.Column != w.col || e.IsStmt != w.isStmt {
			t.Errorf("LineAt(%#x) = %+v, %v; want %s:%d:%d is_stmt=%v", w.pc, e, ok, w.file, w.line, w.col, w.isStmt)
		}
	}
}

type wantPCs struct {
	file   string
	line   int
	pcs    []uint64
	actual int
	err    error
}

func checkLineToPCs(t *testing.T, f *File, want []wantPCs) {
	t.Helper()
	for _, w := range want {
		pcs, actual, err := f.LineToPCs(w.file, w.line)
		if w.err != nil {
			if !errors.Is(err, w.err) {
				t.Errorf("LineToPCs(%s, %d) = %#x, %d, %v; want error %v", w.file, w.line, pcs, actual, err, w.err)
			}
			continue
		}
		if err != nil || actual != w.actual || !slices.Equal(pcs, w.pcs) {
			t.Errorf("LineToPCs(%s, %d) = %#x, %d, %v; want %#x, %d", w.file, w.line, pcs, actual, err, w.pcs, w.actual)
		}
	}
}

func TestBinLinesO0(t *testing.T) {
	forEach(t, binO0, func(t *testing.T, f *File) {
		checkLineAt(t, f, []wantLine{
			{0x1129, "demo.c", lnAddBrace, 1, true}, // add's entry
			{0x1132, "demo.c", lnAddBrace, 1, true}, // last prologue byte
			{0x1133, "demo.c", lnAddSum, 6, true},
			{0x1153, "demo.c", lnScaleBody, 15, true}, // second row of a line
			{0x118a, "demo.c", lnCall, 8, true},       // discriminator 3
			{0x119c, "demo.c", lnFor, 33, true},       // i++
			{0x11a0, "demo.c", lnFor, 20, true},       // i < argc + 2
			{0x1232, "demo.c", lnMainEnd, 1, true},    // main's ret
			{0x1233, "util.c", 5, 1, true},            // the next unit
			{0x1258, "util.c", 8, 1, true},
		})
		// 0x1259 is the end_sequence of util.c's table; 0x1000 is .init,
		// which has no rows.
		for _, pc := range []uint64{0x1259, 0x1000} {
			if e, ok := f.LineAt(pc); ok {
				t.Errorf("LineAt(%#x) = %+v, want none", pc, e)
			}
		}
		checkLineToPCs(t, f, []wantPCs{
			{"demo.c", lnAddSum, []uint64{0x1133}, lnAddSum, nil},
			// The loop line has rows at 0x1181, 0x1188, 0x119c and
			// 0x11a0: one breakpoint, at its first instruction.
			{"demo.c", lnFor, []uint64{0x1181}, lnFor, nil},
			{"demo.c", lnForEnd, []uint64{0x11ab}, lnScale1, nil},
			{"demo.c", lnMainDecl, []uint64{0x115d}, lnMainBrace, nil},
			// A blank line between functions moves to the next one.
			{"demo.c", 17, []uint64{0x1129}, lnAddBrace, nil},
			{"demo.c", lnScaleDecl, []uint64{0x1143}, 25, nil},
			// Full path, as DWARF spells it, and a suffix of it.
			{"/src/demo.c", lnScale2, []uint64{0x11bb}, lnScale2, nil},
			{"src/util.c", 7, []uint64{0x1249}, 7, nil},
			{"util.c", 1, []uint64{0x1233}, 5, nil},
			{"demo.c", 42, nil, 0, ErrNoCode},
			{"util.c", 9, nil, 0, ErrNoCode},
			{"mo.c", 20, nil, 0, ErrUnknownFile}, // not at a '/' boundary
			{"other/demo.c", 20, nil, 0, ErrUnknownFile},
		})
		want := []uint64{0x1129, 0x1133, 0x113e, 0x1141}
		if got := f.StmtPCs(0x1129, 0x1143); !slices.Equal(got, want) {
			t.Errorf("StmtPCs(add) = %#x, want %#x", got, want)
		}
		want = []uint64{0x1181, 0x1188, 0x118a, 0x1199, 0x119c, 0x11a0}
		if got := f.StmtPCs(0x1181, 0x11ab); !slices.Equal(got, want) {
			t.Errorf("StmtPCs(loop) = %#x, want %#x", got, want)
		}
	})
}

func TestBinLinesO2(t *testing.T) {
	forEach(t, binO2, func(t *testing.T, f *File) {
		checkLineAt(t, f, []wantLine{
			// Six is_stmt rows (lines 30, 31, 32, 34 twice) and a
			// non-statement row for 30 share main's entry: the last
			// is_stmt row wins.
			{0x1040, "demo.c", lnFor, 20, true},
			{0x1041, "demo.c", lnMainBrace, 1, false},
			{0x1052, "demo.c", 31, 10, false},
			{0x1058, "demo.c", lnCall, 3, true},
			{0x105f, "demo.c", lnCall, 8, false},
			// The two inlined copies of scale: its body line, between
			// rows of the calling lines.
			{0x106b, "demo.c", lnScaleBody, 2, true},
			{0x1074, "demo.c", 39, 9, false},
			{0x1079, "demo.c", lnScale1, 7, false},
			{0x1085, "demo.c", lnScaleBody, 2, true},
			{0x1091, "demo.c", lnScaleBody, 15, false},
			{0x10be, "demo.c", lnMainEnd, 1, false},
			{0x10c7, "demo.c", 31, 10, false}, // the cold loop-skipping path
			{0x11c0, "demo.c", lnAddRet, 2, true},
			{0x11c3, "demo.c", lnAddEnd, 1, false},
			{0x11df, "util.c", 7, 2, true},
		})
		checkLineToPCs(t, f, []wantPCs{
			// One address per inlined copy of scale.
			{"demo.c", lnScaleBody, []uint64{0x106b, 0x1085}, lnScaleBody, nil},
			{"demo.c", lnScaleDecl, []uint64{0x106b, 0x1085}, lnScaleDecl, nil},
			// is_stmt rows at 0x1040 and 0x1066, one function: one address.
			{"demo.c", lnFor, []uint64{0x1040}, lnFor, nil},
			{"demo.c", lnCall, []uint64{0x1058}, lnCall, nil},
			{"demo.c", lnScale2, []uint64{0x107f}, lnScale2, nil},
			{"demo.c", lnAddSum, []uint64{0x11c0}, lnAddSum, nil},
			// add's closing brace and main's have only non-statement rows,
			// and nothing follows them inside their functions.
			{"demo.c", lnAddEnd, nil, 0, ErrNoCode},
			{"demo.c", lnMainEnd, nil, 0, ErrNoCode},
			{"util.c", 6, []uint64{0x11d0}, 6, nil},
			{"util.c", 8, nil, 0, ErrNoCode},
		})
		want := []uint64{0x1040, 0x1058, 0x1066, 0x106b, 0x107f, 0x1085, 0x1099, 0x109e}
		if got := f.StmtPCs(0x1040, 0x10cb); !slices.Equal(got, want) {
			t.Errorf("StmtPCs(main) = %#x, want %#x", got, want)
		}
	})
}

type wantFunc struct {
	name      string
	low, high uint64
	file      string // base name
	line      int
	prologue  uint64 // PrologueEnd
}

func checkBinFuncs(t *testing.T, f *File, want []wantFunc) {
	t.Helper()
	fns := f.Functions()
	if len(fns) != len(want) {
		var names []string
		for _, fn := range fns {
			names = append(names, fn.Name)
		}
		t.Fatalf("Functions() = %q, want %d functions", names, len(want))
	}
	for i, w := range want {
		fn := fns[i]
		if fn.Name != w.name || fn.Low != w.low || fn.High != w.high || filepath.Base(fn.File) != w.file ||
			fn.Line != w.line || !fn.HasLines || !slices.Equal(fn.Ranges, [][2]uint64{{w.low, w.high}}) {
			t.Errorf("Functions()[%d] = %+v, want %s [%#x, %#x) %s:%d", i, fn, w.name, w.low, w.high, w.file, w.line)
		}
		if got := f.LookupFunc(w.name); got != fn {
			t.Errorf("LookupFunc(%q) = %+v, want the same *Function as Functions()[%d]", w.name, got, i)
		}
		for _, pc := range []uint64{w.low, w.high - 1} {
			if got := f.FuncAt(pc); got != fn {
				t.Errorf("FuncAt(%#x) = %+v, want %s", pc, got, w.name)
			}
		}
		if got := f.PrologueEnd(fn); got != w.prologue {
			t.Errorf("PrologueEnd(%s) = %#x, want %#x", w.name, got, w.prologue)
		}
	}
}

func TestBinFuncsO0(t *testing.T) {
	forEach(t, binO0, func(t *testing.T, f *File) {
		// gcc marks no prologue_end; the second line's row ends the
		// prologue (push rbp; mov rsp,rbp; spill the arguments).
		checkBinFuncs(t, f, []wantFunc{
			{name: "add", low: 0x1129, high: 0x1143, file: "demo.c", line: lnAddDecl, prologue: 0x1133},
			{name: "scale", low: 0x1143, high: 0x115d, file: "demo.c", line: lnScaleDecl, prologue: 0x114a},
			{name: "main", low: 0x115d, high: 0x1233, file: "demo.c", line: lnMainDecl, prologue: 0x116c},
			{name: "twice", low: 0x1233, high: 0x1259, file: "util.c", line: lnTwiceDecl, prologue: 0x123a},
		})
		// _start has no DWARF: FuncAt falls back to its ELF symbol.
		if fn := f.FuncAt(0x1044); fn == nil || fn.Name != "_start" || fn.Low != 0x1040 || fn.HasLines {
			t.Errorf("FuncAt(0x1044) = %+v, want _start from .symtab", fn)
		}
		if fn := f.LookupFunc("nosuch"); fn != nil {
			t.Errorf("LookupFunc(nosuch) = %+v", fn)
		}
	})
}

func TestBinFuncsO2(t *testing.T) {
	forEach(t, binO2, func(t *testing.T, f *File) {
		// Several lines' is_stmt rows at the entry: nothing to skip.
		checkBinFuncs(t, f, []wantFunc{
			{name: "main", low: 0x1040, high: 0x10cb, file: "demo.c", line: lnMainDecl, prologue: 0x1040},
			{name: "add", low: 0x11c0, high: 0x11c4, file: "demo.c", line: lnAddDecl, prologue: 0x11c0},
			{name: "twice", low: 0x11d0, high: 0x11e3, file: "util.c", line: lnTwiceDecl, prologue: 0x11d0},
		})
		// scale only exists inlined: its code belongs to main.
		main := f.LookupFunc("main")
		for _, pc := range []uint64{0x106b, 0x1085, 0x1091} {
			if fn := f.FuncAt(pc); fn != main {
				t.Errorf("FuncAt(%#x) in inlined scale = %+v, want main", pc, fn)
			}
		}
		if fn := f.LookupFunc("scale"); fn != nil {
			t.Errorf("LookupFunc(scale) = %+v; it has no out-of-line copy", fn)
		}
		// The padding after main belongs to nothing.
		if fn := f.FuncAt(0x10cc); fn != nil {
			t.Errorf("FuncAt(0x10cc) = %+v, want nil", fn)
		}
	})
}

type wantFrame struct {
	pc     uint64
	cfaReg uint64
	cfaOff int64
	rbp    cfi.Rule // the rule for rbp
	rbx    cfi.Rule
}

var (
	sameValue = cfi.Rule{Kind: cfi.RuleSameValue}
	savedAt16 = cfi.Rule{Kind: cfi.RuleOffset, Offset: -16} // pushed first, just below the return address
)

func checkFrames(t *testing.T, f *File, want []wantFrame) {
	t.Helper()
	for _, w := range want {
		r, err := f.FrameAt(w.pc)
		if err != nil {
			t.Errorf("FrameAt(%#x): %v", w.pc, err)
			continue
		}
		if r.CFAReg != w.cfaReg || r.CFAOffset != w.cfaOff || r.CFAExpr != nil || r.RetReg != cfi.DwarfRA || r.Signal {
			t.Errorf("FrameAt(%#x): CFA r%d%+d expr % x ret %d, want r%d%+d", w.pc, r.CFAReg, r.CFAOffset, r.CFAExpr, r.RetReg, w.cfaReg, w.cfaOff)
		}
		if ra := r.ReturnAddress(); ra.Kind != cfi.RuleOffset || ra.Offset != -8 {
			t.Errorf("FrameAt(%#x): return address %v, want offset(-8)", w.pc, ra)
		}
		if sp := r.Regs[cfi.DwarfRSP]; sp.Kind != cfi.RuleCFA {
			t.Errorf("FrameAt(%#x): rsp %v, want cfa", w.pc, sp)
		}
		if got := r.Regs[cfi.DwarfRBP]; got.String() != w.rbp.String() {
			t.Errorf("FrameAt(%#x): rbp %v, want %v", w.pc, got, w.rbp)
		}
		if got := r.Regs[cfi.DwarfRBX]; got.String() != w.rbx.String() {
			t.Errorf("FrameAt(%#x): rbx %v, want %v", w.pc, got, w.rbx)
		}
	}
}

func TestBinFrames(t *testing.T) {
	forEach(t, binO0, func(t *testing.T, f *File) {
		checkFrames(t, f, []wantFrame{
			{0x115d, cfi.DwarfRSP, 8, sameValue, sameValue},  // main: before push %rbp
			{0x115e, cfi.DwarfRSP, 16, savedAt16, sameValue}, // before mov %rsp,%rbp
			{0x1161, cfi.DwarfRBP, 16, savedAt16, sameValue}, // frame pointer set up
			{0x11d8, cfi.DwarfRBP, 16, savedAt16, sameValue}, // the call to twice
			{0x1231, cfi.DwarfRBP, 16, savedAt16, sameValue}, // leave
			{0x1232, cfi.DwarfRSP, 8, savedAt16, sameValue},  // ret
			{0x1233, cfi.DwarfRSP, 8, sameValue, sameValue},  // twice, next FDE
		})
		r, err := f.FrameAt(0x1161)
		if err == nil && (r.Low != 0x115d || r.High != 0x1233) {
			t.Errorf("FrameAt(0x1161): FDE [%#x, %#x), want main's [0x115d, 0x1233)", r.Low, r.High)
		}
		// .init is covered by no FDE.
		if _, err := f.FrameAt(0x1000); !errors.Is(err, cfi.ErrNoFrameInfo) {
			t.Errorf("FrameAt(0x1000) error %v, want ErrNoFrameInfo", err)
		}
	})
	forEach(t, binO2, func(t *testing.T, f *File) {
		// main pushes rbx only; the early return pops it and the cold
		// path after it restores the pushed state (DW_CFA_remember_state,
		// DW_CFA_restore_state).
		checkFrames(t, f, []wantFrame{
			{0x1040, cfi.DwarfRSP, 8, sameValue, sameValue},
			{0x1041, cfi.DwarfRSP, 16, sameValue, savedAt16},
			{0x10be, cfi.DwarfRSP, 16, sameValue, savedAt16}, // pop %rbx
			{0x10bf, cfi.DwarfRSP, 8, sameValue, savedAt16},
			{0x10c6, cfi.DwarfRSP, 8, sameValue, savedAt16}, // ret
			{0x10c7, cfi.DwarfRSP, 16, sameValue, savedAt16},
			{0x11c0, cfi.DwarfRSP, 8, sameValue, sameValue}, // add: a leaf
			{0x11e2, cfi.DwarfRSP, 8, sameValue, sameValue}, // twice's ret
		})
	})
}
