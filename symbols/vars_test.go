package symbols

import (
	"encoding/binary"
	"errors"
	"os/exec"
	"slices"
	"sync"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols/dwarfsec"
)

// buildVars compiles testdata/vars.c with the given gcc flags (cached like
// buildC).
func buildVars(t *testing.T, flags ...string) string {
	t.Helper()
	src := "testdata/vars.c"
	key := cacheKey(t, "gcc-vars", flags, []string{src})
	return cached(t, key, func(out string) error {
		args := append(append([]string{}, flags...), "-o", out, absPath(t, src))
		return runGCC(t, args)
	})
}

func runGCC(t *testing.T, args []string) error {
	t.Helper()
	gcc, err := lookGCC()
	if err != nil {
		t.Skip("gcc not installed")
	}
	if b, err := execCombined(gcc, args...); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
	return nil
}

func innerPC(t *testing.T, f *File) uint64 {
	t.Helper()
	src := absPath(t, "testdata/vars.c")
	pcs, _, err := f.LineToPCs(src, mark(t, markers(t, src), "inner"))
	if err != nil || len(pcs) == 0 {
		t.Fatalf("LineToPCs(inner) = %v, %v", pcs, err)
	}
	return pcs[0]
}

func byName(vs []Variable) map[string]Variable {
	m := make(map[string]Variable)
	for _, v := range vs {
		m[v.Name] = v
	}
	return m
}

var wantTypes = map[string]string{
	"i": "int", "inner": "long int", "s_calls": "int", "ui": "unsigned int", "sh": "short int",
	"ll": "long long int", "c": "char", "uc": "unsigned char", "flag": "_Bool", "fl": "float",
	"db": "double", "ip": "int *", "cp": "char *", "ccp": "const char *", "sp": "struct shape",
	"un": "union u", "col": "enum color", "arr": "int [10]", "grid": "int [3][4]",
	"fp": "int (*)(int)", "cnt": "count_t", "bp": "struct blob *", "out": "int [4]",
	"argc": "int", "argv": "char **",
}

func TestLocalsO0(t *testing.T) {
	for _, flags := range [][]string{{"-O0", "-g"}, {"-O0", "-gdwarf-4"}} {
		t.Run(flags[1], func(t *testing.T) {
			f := openT(t, buildVars(t, flags...))
			pc := innerPC(t, f)
			vars, fb, err := f.LocalsAt(pc)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(fb, []byte{0x9c}) {
				t.Errorf("frame base % x, want 9c (DW_OP_call_frame_cfa)", fb)
			}
			var names []string
			for _, v := range vars {
				names = append(names, v.Name)
			}
			if len(names) < 4 || names[0] != "i" || names[1] != "inner" ||
				!slices.Equal(names[len(names)-2:], []string{"argc", "argv"}) {
				t.Errorf("order %v: want inner block first, parameters last", names)
			}
			if n := len(vars); n != len(wantTypes) {
				t.Errorf("%d variables %v, want %d (shadowed i once)", n, names, len(wantTypes))
			}
			m := byName(vars)
			for name, want := range wantTypes {
				if v, ok := m[name]; !ok {
					t.Errorf("no variable %s", name)
				} else if v.Type.Name != want {
					t.Errorf("%s: type %q, want %q", name, v.Type.Name, want)
				}
			}
			if v := m["i"]; v.DeclLine != mark(t, markers(t, "testdata/vars.c"), "inner")-2 {
				t.Errorf("i declared at %d: the outer i was not shadowed", v.DeclLine)
			}
			if !m["argc"].Param || m["i"].Param || !m["s_calls"].Static {
				t.Errorf("Param/Static flags wrong: %+v %+v %+v", m["argc"], m["i"], m["s_calls"])
			}
			checkShapes(t, m)
			checkEvalO0(t, f, m)
		})
	}
}

func checkShapes(t *testing.T, m map[string]Variable) {
	sp := m["sp"].Type
	type fl struct {
		name, typ               string
		off, bitSize, bitOffset int64
	}
	want := []fl{{"origin", "struct point", 0, 0, 0}, {"flags", "unsigned int", 8, 3, 0},
		{"kind", "unsigned int", 8, 5, 3}, {"", "union {...}", 12, 0, 0}, {"tag", "char [4]", 16, 0, 0}}
	if sp.Kind != KindStruct || sp.Size != 20 || len(sp.Fields) != len(want) {
		t.Fatalf("struct shape: %+v", sp)
	}
	for i, w := range want {
		g := sp.Fields[i]
		if g.Name != w.name || g.Type.Name != w.typ || g.Offset != w.off || g.BitSize != w.bitSize || g.BitOffset != w.bitOffset {
			t.Errorf("field %d = %s %q off %d bits %d@%d, want %+v", i, g.Name, g.Type.Name, g.Offset, g.BitSize, g.BitOffset, w)
		}
	}
	if u := sp.Fields[3].Type; u.Kind != KindUnion || len(u.Fields) != 2 || u.Fields[1].Type.Name != "float" {
		t.Errorf("anonymous union: %+v", u)
	}
	if p := sp.Fields[0].Type; len(p.Fields) != 2 || p.Fields[1].Name != "y" || p.Fields[1].Offset != 4 {
		t.Errorf("struct point: %+v", p)
	}
	if g := m["grid"].Type; g.Count != 3 || g.Elem.Count != 4 || g.Elem.Elem.Kind != KindInt || g.Size != 48 {
		t.Errorf("grid: %+v", g)
	}
	if e := m["col"].Type; !slices.Equal(e.Enumerators, []Enumerator{{"RED", 0}, {"GREEN", 5}, {"BLUE", -2}}) {
		t.Errorf("enum color: %+v", e.Enumerators)
	}
	cnt := m["cnt"].Type
	if cnt.Kind != KindTypedef || cnt.Elem.Name != "myint" || cnt.Resolve().Name != "int" || cnt.Resolve().Kind != KindInt {
		t.Errorf("count_t chain: %+v", cnt)
	}
	blob := m["bp"].Type.Elem
	if d := blob.Fields[len(blob.Fields)-1]; d.Name != "data" || d.Type.Count != -1 || d.Type.Name != "char []" {
		t.Errorf("flexible member: %s %q count %d", d.Name, d.Type.Name, d.Type.Count)
	}
	ccp := m["ccp"].Type
	if ccp.Kind != KindPointer || ccp.Elem.Qualifiers != "const" || ccp.Elem.Kind != KindChar || ccp.Elem.Name != "const char" {
		t.Errorf("const char *: elem %+v", ccp.Elem)
	}
	if fp := m["fp"].Type.Elem; fp.Kind != KindFunc || len(fp.Params) != 1 || fp.Elem.Name != "int" {
		t.Errorf("function pointer target: %+v", fp)
	}
	if m["uc"].Type.Signed || !m["c"].Type.Signed || m["flag"].Type.Kind != KindBool {
		t.Errorf("char signedness / bool wrong")
	}
}

func checkEvalO0(t *testing.T, f *File, m map[string]Variable) {
	const cfa = 0x7ffd_0000_1000
	v := m["i"]
	if len(v.Loc) < 2 || v.Loc[0] != 0x91 {
		t.Fatalf("i: location % x is not DW_OP_fbreg", v.Loc)
	}
	r := dwarfsec.Reader{Data: v.Loc, Off: 1}
	off := r.Sleb()
	ctx := LocContext{CFA: cfa, FrameBase: []byte{0x9c}}
	ps, err := EvalLocation(v.Loc, ctx, v.Type.Size)
	if err != nil || len(ps) != 1 || ps[0].Addr != uint64(cfa+off) || ps[0].InReg || ps[0].Size != 4 {
		t.Errorf("EvalLocation(i) = %+v, %v; want Addr CFA%+d", ps, err, off)
	}
	const bias = 0x5555_5555_4000
	g, ok := f.LookupGlobal("g_counter")
	addr, symOK := f.LookupSymbol("g_counter")
	if !ok || !symOK || g.Type.Name != "int" || !g.External {
		t.Fatalf("LookupGlobal(g_counter) = %+v, %v; symbol %v", g, ok, symOK)
	}
	ps, err = EvalLocation(g.Loc, LocContext{Bias: bias}, 4)
	if err != nil || len(ps) != 1 || ps[0].Addr != addr+bias {
		t.Errorf("EvalLocation(g_counter) = %+v, %v; want %#x", ps, err, addr+bias)
	}
	if _, ok := f.LookupGlobal("no_such_var"); ok {
		t.Error("LookupGlobal found no_such_var")
	}
	gs, err := f.GlobalsAt(innerPC(t, f))
	if err != nil {
		t.Fatal(err)
	}
	gm := byName(gs)
	if len(gs) != 3 || gm["g_ratio"].Type.Name != "double" || !gm["g_ratio"].Static || gm["g_name"].Type.Name != "const char *" {
		t.Errorf("GlobalsAt = %+v", gs)
	}
}

func TestLocalsO2(t *testing.T) {
	for _, flags := range [][]string{{"-O2", "-g"}, {"-O2", "-gdwarf-4"}} {
		t.Run(flags[1], func(t *testing.T) {
			f := openT(t, buildVars(t, flags...))
			// Every pc of every function: no errors, no panics.
			for _, fn := range f.Functions() {
				for pc := fn.Low; pc < fn.High; pc++ {
					if _, _, err := f.LocalsAt(pc); err != nil {
						t.Fatalf("LocalsAt(%#x in %s): %v", pc, fn.Name, err)
					}
				}
			}
			main := f.LookupFunc("main")
			regs := func(r uint64) (uint64, bool) { return 1000 + r, true }
			kinds := make(map[string]bool)
			for pc := main.Low; pc < main.High; pc++ {
				vars, fb, err := f.LocalsAt(pc)
				if err != nil {
					t.Fatal(err)
				}
				argc, ok := byName(vars)["argc"]
				if !ok || !argc.Param {
					t.Fatalf("no parameter argc at %#x", pc)
				}
				if argc.Loc == nil {
					kinds["missing"] = true
					continue
				}
				ps, err := EvalLocation(argc.Loc, LocContext{Regs: regs, CFA: 0x1000, FrameBase: fb}, 4)
				if err != nil {
					kinds["error"] = true // DW_OP_entry_value
					continue
				}
				switch {
				case ps[0].InReg:
					kinds["reg"] = true
					if pc == main.Low && ps[0].Reg != 5 {
						t.Errorf("argc at entry in register %d, want 5 (rdi)", ps[0].Reg)
					}
				case ps[0].IsValue:
					kinds["value"] = true
				default:
					kinds["mem"] = true
				}
			}
			if !kinds["reg"] {
				t.Errorf("argc never in a register at -O2: %v", kinds)
			}
			vars, _, err := f.LocalsAt(main.Low)
			if err != nil || len(vars) == 0 {
				t.Fatalf("LocalsAt(main) = %v, %v", vars, err)
			}
			if ps, err := EvalLocation(byName(vars)["argc"].Loc, LocContext{Regs: regs}, 4); err != nil || !ps[0].InReg || ps[0].Reg != 5 {
				t.Errorf("argc at main entry: %+v, %v", ps, err)
			}
		})
	}
}

func TestEvalLocationPieces(t *testing.T) {
	// lit1 stack_value piece4; piece4 (empty); reg3 piece8; fbreg -8 piece 4
	expr := []byte{0x31, 0x9f, 0x93, 4, 0x93, 4, 0x53, 0x93, 8, 0x91, 0x78, 0x93, 4}
	ps, err := EvalLocation(expr, LocContext{CFA: 0x100, FrameBase: []byte{0x9c}}, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := []Piece{
		{Size: 4, IsValue: true, Value: []byte{1, 0, 0, 0}},
		{Size: 4, Missing: true},
		{Size: 8, InReg: true, Reg: 3},
		{Size: 4, Addr: 0xf8},
	}
	if len(ps) != len(want) {
		t.Fatalf("pieces %+v", ps)
	}
	for i := range want {
		if g, w := ps[i], want[i]; g.Size != w.Size || g.IsValue != w.IsValue || !slices.Equal(g.Value, w.Value) ||
			g.Missing != w.Missing || g.InReg != w.InReg || g.Reg != w.Reg || g.Addr != w.Addr {
			t.Errorf("piece %d = %+v, want %+v", i, g, w)
		}
	}
	if _, err := EvalLocation(nil, LocContext{}, 4); !errors.Is(err, ErrOptimizedOut) {
		t.Errorf("nil expression: %v", err)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], 0x1234)
	if ps, err := EvalLocation(append([]byte{0x03}, b[:]...), LocContext{Bias: 0x1000}, 8); err != nil || ps[0].Addr != 0x2234 {
		t.Errorf("DW_OP_addr with bias: %+v, %v", ps, err)
	}
}

func TestLocalsConcurrent(t *testing.T) {
	f := openT(t, buildVars(t, "-O0", "-g"))
	pc := innerPC(t, f)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if vars, _, err := f.LocalsAt(pc); err != nil || len(vars) != len(wantTypes) {
				t.Errorf("LocalsAt: %d vars, %v", len(vars), err)
			}
			f.GlobalsAt(pc)
			f.LookupGlobal("g_name")
		}()
	}
	wg.Wait()
}

func lookGCC() (string, error) { return exec.LookPath("gcc") }

func execCombined(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}
