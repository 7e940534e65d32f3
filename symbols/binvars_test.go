package symbols

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// Variables, types and inlined calls of the checked-in binaries; see the
// comment at the top of bin_test.go.

// wantVar is a Variable as a test expects it: loc is compared byte for
// byte, nil meaning none (optimized out), and Const must be nil.
type wantVar struct {
	name  string
	typ   string
	param bool
	loc   []byte
	decl  int
}

// addr is DW_OP_addr a.
func addr(a uint64) []byte {
	return []byte{0x03, byte(a), byte(a >> 8), byte(a >> 16), byte(a >> 24), byte(a >> 32), byte(a >> 40), byte(a >> 48), byte(a >> 56)}
}

func checkVars(t *testing.T, what string, got []Variable, want []wantVar) {
	t.Helper()
	if len(got) != len(want) {
		var names []string
		for _, v := range got {
			names = append(names, v.Name)
		}
		t.Errorf("%s: %q, want %d variables", what, names, len(want))
		return
	}
	for i, w := range want {
		v := got[i]
		if v.Name != w.name || v.Type.String() != w.typ || v.Param != w.param || !bytes.Equal(v.Loc, w.loc) || v.Const != nil || v.DeclLine != w.decl {
			t.Errorf("%s[%d] = %s %s param=%v loc=% x const=% x decl=%d; want %s %s param=%v loc=% x decl=%d",
				what, i, v.Name, v.Type, v.Param, v.Loc, v.Const, v.DeclLine, w.name, w.typ, w.param, w.loc, w.decl)
		}
	}
}

func locals(t *testing.T, f *File, pc uint64) []Variable {
	t.Helper()
	vars, fb, err := f.LocalsAt(pc)
	if err != nil {
		t.Fatalf("LocalsAt(%#x): %v", pc, err)
	}
	if !bytes.Equal(fb, []byte{0x9c}) {
		t.Errorf("LocalsAt(%#x): frame base % x, want 9c (DW_OP_call_frame_cfa)", pc, fb)
	}
	return vars
}

// fbreg is DW_OP_fbreg with a one-byte SLEB128 offset.
func fbreg(off int8) []byte { return []byte{0x91, byte(off) & 0x7f} }

func TestBinLocalsO0(t *testing.T) {
	forEach(t, binO0, func(t *testing.T, f *File) {
		// In the loop body the block declaring i is in scope; before the
		// loop it is not. Variables come before parameters.
		checkVars(t, "LocalsAt(0x118a)", locals(t, f, 0x118a), []wantVar{
			{"i", "int", false, fbreg(-24), lnFor},
			{"n", "count_t", false, fbreg(-20), 31},
			{"p", "struct point", false, fbreg(-48), 32},
			{"argc", "int", true, fbreg(-52), lnMainDecl},
			{"argv", "char **", true, fbreg(-64), lnMainDecl},
		})
		checkVars(t, "LocalsAt(0x116c)", locals(t, f, 0x116c), []wantVar{
			{"n", "count_t", false, fbreg(-20), 31},
			{"p", "struct point", false, fbreg(-48), 32},
			{"argc", "int", true, fbreg(-52), lnMainDecl},
			{"argv", "char **", true, fbreg(-64), lnMainDecl},
		})
		checkVars(t, "LocalsAt(0x1133)", locals(t, f, 0x1133), []wantVar{
			{"sum", "int", false, fbreg(-20), lnAddSum},
			{"a", "int", true, fbreg(-36), lnAddDecl},
			{"b", "int", true, fbreg(-40), lnAddDecl},
		})
		checkVars(t, "LocalsAt(0x114a)", locals(t, f, 0x114a), []wantVar{
			{"x", "int", true, fbreg(-20), lnScaleDecl},
		})
		if vars, fb, err := f.LocalsAt(0x1044); vars != nil || fb != nil || err != nil {
			t.Errorf("LocalsAt(_start) = %v, % x, %v; want nothing", vars, fb, err)
		}

		// n lives at CFA-20 (frame base = CFA); the frame pointer rule
		// of FrameAt gives the same CFA from rbp.
		const cfa = 0x7ffc0010
		pieces, err := EvalLocation(fbreg(-20), LocContext{CFA: cfa, FrameBase: []byte{0x9c}}, 4)
		if err != nil || len(pieces) != 1 || fmt.Sprint(pieces[0]) != fmt.Sprint(Piece{Size: 4, Addr: cfa - 20}) {
			t.Errorf("EvalLocation(n) = %+v, %v; want 4 bytes at CFA-20", pieces, err)
		}
	})
}

func TestBinLocalsO2(t *testing.T) {
	var (
		reg     = func(r byte) []byte { return []byte{0x50 + r} } // DW_OP_reg0..31
		lit0    = []byte{0x30, 0x9f}                              // DW_OP_lit0, DW_OP_stack_value
		pAtFunc = []byte{0x55, 0x93, 0x04, 0x93, 0x04, 0x34, 0x9f, 0x93, 0x08}
		pInLoop = []byte{0x59, 0x93, 0x04, 0x93, 0x04, 0x34, 0x9f, 0x93, 0x08}
	)
	forEach(t, binO2, func(t *testing.T, f *File) {
		// Location lists (.debug_loclists or .debug_loc) pick the
		// entry for each pc.
		checkVars(t, "LocalsAt(0x1040)", locals(t, f, 0x1040), []wantVar{
			// i's block has an empty range at 0x1040: not in scope.
			{"n", "count_t", false, lit0, 31},
			{"p", "struct point", false, pAtFunc, 32}, // x in rdi, padding, y = 4
			{"argc", "int", true, reg(5), lnMainDecl},
			{"argv", "char **", true, reg(4), lnMainDecl},
		})
		checkVars(t, "LocalsAt(0x1058)", locals(t, f, 0x1058), []wantVar{
			{"i", "int", false, reg(1), lnFor},
			{"n", "count_t", false, reg(2), 31},
			{"p", "struct point", false, pInLoop, 32},
			{"argc", "int", true, reg(9), lnMainDecl},
			{"argv", "char **", true, reg(3), lnMainDecl},
		})
		checkVars(t, "LocalsAt(0x1060)", locals(t, f, 0x1060)[:1], []wantVar{
			{"i", "int", false, reg(4), lnFor}, // rsi, around the call to add
		})
		// After the loop n's list has no entry: optimized out. argc is
		// only known as its value at entry; DWARF 4 spells that with
		// the GNU extension.
		entry := []byte{0xa3, 0x01, 0x55, 0x9f} // DW_OP_entry_value(DW_OP_reg5), DW_OP_stack_value
		if f.Path() == filepath.Join("testdata", "bin", "demo-O2-dwarf4") {
			entry[0] = 0xf3 // DW_OP_GNU_entry_value
		}
		vars := locals(t, f, 0x10a0)
		if len(vars) != 4 || vars[0].Name != "n" || vars[0].Loc != nil || vars[2].Name != "argc" || !bytes.Equal(vars[2].Loc, entry) {
			t.Errorf("LocalsAt(0x10a0) = %+v; want n without location, argc = % x", vars, entry)
		}
		checkVars(t, "LocalsAt(0x11c3)", locals(t, f, 0x11c3), []wantVar{
			{"sum", "int", false, reg(0), lnAddSum},
			{"a", "int", true, reg(5), lnAddDecl},
			{"b", "int", true, reg(4), lnAddDecl},
		})
		checkVars(t, "LocalsAt(0x11c0)", locals(t, f, 0x11c0)[:1], []wantVar{
			{"sum", "int", false, []byte{0x75, 0x00, 0x74, 0x00, 0x22, 0x9f}, lnAddSum}, // rdi+rsi
		})

		// p at main's entry: x in rdi, 4 bytes of padding optimized out,
		// y the constant 4.
		regs := func(r uint64) (uint64, bool) { return 0x1234567, r == cfi.DwarfRDI }
		pieces, err := EvalLocation(pAtFunc, LocContext{Regs: regs}, 16)
		want := []Piece{
			{Size: 4, InReg: true, Reg: cfi.DwarfRDI},
			{Size: 4, Missing: true},
			{Size: 8, IsValue: true, Value: []byte{4, 0, 0, 0, 0, 0, 0, 0}},
		}
		if err != nil || fmt.Sprint(pieces) != fmt.Sprint(want) {
			t.Errorf("EvalLocation(p) = %+v, %v; want %+v", pieces, err, want)
		}
	})
}

func TestBinInlined(t *testing.T) {
	forEach(t, binO2, func(t *testing.T, f *File) {
		for _, tt := range []struct {
			pc       uint64
			callLine int    // 0: not in inlined code
			x        []byte // scale's parameter
		}{
			{0x106b, lnScale1, []byte{0x52}},                               // rcx
			{0x1077, lnScale1, []byte{0x52}},                               // second range of the first copy
			{0x1074, 0, nil},                                               // between its ranges
			{0x1085, lnScale2, []byte{0x70, 0x00, 0x75, 0x00, 0x22, 0x9f}}, // rax+rdi
			{0x108e, lnScale2, []byte{0x50}},                               // rax
			{0x1091, lnScale2, nil},                                        // past x's list
			{0x1093, 0, nil},
		} {
			calls := f.InlinedAt(tt.pc)
			if tt.callLine == 0 {
				if calls != nil {
					t.Errorf("InlinedAt(%#x) = %#v, want nil", tt.pc, calls)
				}
				continue
			}
			if len(calls) != 1 || calls[0].Func.Name != "scale" || filepath.Base(calls[0].CallFile) != "demo.c" ||
				calls[0].CallLine != tt.callLine || calls[0].CallColumn != 9 {
				t.Errorf("InlinedAt(%#x) = %+v, want scale called at demo.c:%d:9", tt.pc, calls, tt.callLine)
				continue
			}
			vars, fb, err := f.InlinedLocalsAt(tt.pc, 0)
			if err != nil || !bytes.Equal(fb, []byte{0x9c}) {
				t.Fatalf("InlinedLocalsAt(%#x, 0): % x, %v", tt.pc, fb, err)
			}
			checkVars(t, fmt.Sprintf("InlinedLocalsAt(%#x, 0)", tt.pc), vars, []wantVar{
				{"x", "int", true, tt.x, lnScaleDecl},
			})
		}
	})
	forEach(t, binO0, func(t *testing.T, f *File) {
		if calls := f.InlinedAt(0x114a); calls != nil {
			t.Errorf("InlinedAt in -O0 scale = %#v, want nil", calls)
		}
	})
}

func TestBinGlobals(t *testing.T) {
	tests := []struct {
		names []string
		// Addresses of counter, ratio, greeting, origin, sink and calls;
		// 0 for none.
		counter, ratio, greeting, origin, sink, calls uint64
	}{
		{binO0, 0x4010, 0x4018, 0x4030, 0x4020, 0x403c, 0x4040},
		// -O2 folds the static ratio into main: no location.
		{binO2, 0x4020, 0, 0x4028, 0x4010, 0x4034, 0x4038},
	}
	for _, tt := range tests {
		forEach(t, tt.names, func(t *testing.T, f *File) {
			main := f.LookupFunc("main")
			gs, err := f.GlobalsAt(main.Low)
			if err != nil {
				t.Fatal(err)
			}
			want := []wantVar{{"counter", "int", false, addr(tt.counter), 10}}
			if tt.ratio != 0 {
				want = append(want, wantVar{"ratio", "double", false, addr(tt.ratio), 11})
			}
			want = append(want,
				wantVar{"greeting", "const char *", false, addr(tt.greeting), 12},
				wantVar{"origin", "struct point", false, addr(tt.origin), 13},
				wantVar{"sink", "volatile int", false, addr(tt.sink), 14})
			checkVars(t, "GlobalsAt(main)", gs, want)
			for _, g := range gs {
				if g.External == (g.Name == "ratio") || g.Static != (g.Name == "ratio") {
					t.Errorf("%s: External %v Static %v", g.Name, g.External, g.Static)
				}
			}
			// Each unit has its own globals.
			gs, err = f.GlobalsAt(f.LookupFunc("twice").Low)
			checkVars(t, "GlobalsAt(twice)", gs, []wantVar{{"calls", "int", false, addr(tt.calls), 2}})
			if err != nil || len(gs) != 1 || !gs[0].Static || gs[0].External {
				t.Errorf("GlobalsAt(twice) = %+v, %v; want the static calls", gs, err)
			}

			if v, ok := f.LookupGlobal("calls"); !ok || !bytes.Equal(v.Loc, addr(tt.calls)) || !v.Static {
				t.Errorf("LookupGlobal(calls) = %+v, %v", v, ok)
			}
			if v, ok := f.LookupGlobal("sink"); !ok || !bytes.Equal(v.Loc, addr(tt.sink)) || !v.External {
				t.Errorf("LookupGlobal(sink) = %+v, %v", v, ok)
			}
			if v, ok := f.LookupGlobal("ratio"); ok != (tt.ratio != 0) {
				t.Errorf("LookupGlobal(ratio) = %+v, %v", v, ok)
			}
			if _, ok := f.LookupGlobal("n"); ok {
				t.Error("LookupGlobal found the local n")
			}
		})
	}
}

func TestBinTypes(t *testing.T) {
	forEach(t, []string{"demo-O0", "demo-O2-dwarf4"}, func(t *testing.T, f *File) {
		byName := make(map[string]*Type)
		for _, v := range locals(t, f, f.LookupFunc("main").Low) {
			byName[v.Name] = v.Type
		}
		gs, err := f.GlobalsAt(f.LookupFunc("main").Low)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range gs {
			byName[v.Name] = v.Type
		}

		p := byName["p"]
		if p == nil || p.Kind != KindStruct || p.Size != 16 || len(p.Fields) != 2 {
			t.Fatalf("p: %+v, want struct point of 16 bytes, 2 fields", p)
		}
		if x, y := p.Fields[0], p.Fields[1]; x.Name != "x" || x.Offset != 0 || x.Type.Name != "int" || x.Type.Kind != KindInt || x.Type.Size != 4 ||
			y.Name != "y" || y.Offset != 8 || y.Type.Name != "long int" || y.Type.Kind != KindInt || y.Type.Size != 8 {
			t.Errorf("struct point fields %+v", p.Fields)
		}
		if o := byName["origin"]; o != p {
			t.Errorf("origin's type %p is not p's %p: one DWARF entry, one *Type", o, p)
		}

		n := byName["n"]
		if n == nil || n.Kind != KindTypedef || n.Name != "count_t" || n.Resolve().Name != "unsigned int" || n.Resolve().Kind != KindUint || n.Resolve().Size != 4 {
			t.Errorf("n: %+v -> %+v, want count_t -> unsigned int", n, n.Resolve())
		}

		argv := byName["argv"]
		if argv == nil || argv.Kind != KindPointer || argv.Size != 8 || argv.Elem.Name != "char *" ||
			argv.Elem.Elem.Kind != KindChar || !argv.Elem.Elem.Signed || argv.Elem.Elem.Size != 1 {
			t.Errorf("argv: %+v, want char ** down to a signed 1-byte char", argv)
		}

		g := byName["greeting"]
		if g == nil || g.Kind != KindPointer || g.Qualifiers != "" || g.Elem.Qualifiers != "const" || g.Elem.Kind != KindChar {
			t.Errorf("greeting: %+v, want a pointer to const char", g)
		}
		if s := byName["sink"]; s == nil || s.Kind != KindInt || s.Qualifiers != "volatile" || s.Size != 4 {
			t.Errorf("sink: %+v, want volatile int", s)
		}
		if r := byName["ratio"]; r != nil && (r.Kind != KindFloat || r.Size != 8 || r.Name != "double") {
			t.Errorf("ratio: %+v, want double", r)
		}
	})
}

// TestBinDebugLink checks the ways a stripped file finds its debug file:
// by .gnu_debuglink beside it (checked in that way) or in its .debug
// directory, and by build id under DebugRoot; a copy whose CRC does not
// match is refused.
func TestBinDebugLink(t *testing.T) {
	exe, err := os.ReadFile("testdata/bin/demo-split")
	if err != nil {
		t.Fatal(err)
	}
	dbg, err := os.ReadFile("testdata/bin/demo-split.debug")
	if err != nil {
		t.Fatal(err)
	}
	damaged := slices.Clone(dbg)
	damaged[len(damaged)-1] ^= 0xff

	// Its build id, from `readelf -n demo-split`.
	const buildID = "9633612443ffdce432c343e1a35be43576375cfa"

	root := t.TempDir() // DebugRoot, so that /usr/lib/debug plays no part
	old := DebugRoot
	DebugRoot = root
	t.Cleanup(func() { DebugRoot = old })

	for _, tt := range []struct {
		name    string
		files   map[string][]byte // relative to a fresh directory; "" is the executable's directory
		rootDbg bool              // the debug file also under DebugRoot/.build-id
		want    bool
	}{
		{name: "beside", files: map[string][]byte{"demo-split.debug": dbg}, want: true},
		{name: "dot-debug", files: map[string][]byte{".debug/demo-split.debug": dbg}, want: true},
		{name: "crc-mismatch", files: map[string][]byte{"demo-split.debug": damaged}, want: false},
		{name: "missing", want: false},
		{name: "build-id", rootDbg: true, want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "demo-split"), exe)
			for name, b := range tt.files {
				writeFile(t, filepath.Join(dir, name), b)
			}
			id := filepath.Join(root, ".build-id", buildID[:2], buildID[2:]+".debug")
			if tt.rootDbg {
				writeFile(t, id, dbg)
				t.Cleanup(func() { os.Remove(id) })
			}
			f := openT(t, filepath.Join(dir, "demo-split"))
			if f.HasDWARF() != tt.want {
				t.Fatalf("HasDWARF() = %v, want %v", f.HasDWARF(), tt.want)
			}
			if !tt.want {
				if _, _, err := f.LineToPCs("demo.c", lnAddSum); !errors.Is(err, ErrNoDebugInfo) {
					t.Errorf("LineToPCs without DWARF: %v, want ErrNoDebugInfo", err)
				}
				// The ELF symbols still name the functions.
				if fn := f.FuncAt(0x1133); fn == nil || fn.Name != "add" || fn.HasLines {
					t.Errorf("FuncAt(0x1133) = %+v, want add from .symtab", fn)
				}
				return
			}
			if pcs, _, err := f.LineToPCs("demo.c", lnAddSum); err != nil || !slices.Equal(pcs, []uint64{0x1133}) {
				t.Errorf("LineToPCs(demo.c, %d) = %#x, %v", lnAddSum, pcs, err)
			}
			if v, ok := f.LookupGlobal("counter"); !ok || !bytes.Equal(v.Loc, addr(0x4010)) {
				t.Errorf("LookupGlobal(counter) = %+v, %v", v, ok)
			}
		})
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
