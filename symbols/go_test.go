package symbols

import (
	"errors"
	"sync"
	"testing"
)

// TestGoBinary checks a large, foreign-producer binary: Go's DWARF, built
// without optimisation as a debugger user would.
func TestGoBinary(t *testing.T) {
	src := absPath(t, "testdata/goprog/main.go")
	m := markers(t, src)
	f := openT(t, buildGo(t))
	if !f.HasDWARF() || f.PIE() {
		t.Fatalf("HasDWARF %v PIE %v; want DWARF, non-PIE", f.HasDWARF(), f.PIE())
	}
	mainFn := f.LookupFunc("main.main")
	if mainFn == nil || mainFn.Name != "main.main" || !mainFn.HasLines || mainFn.File != src {
		t.Fatalf(`LookupFunc("main.main") = %+v`, mainFn)
	}
	for _, tc := range []struct{ marker, fn string }{
		{"first", "main.main"},
		{"print", "main.main"},
		{"add", "main.add"},
	} {
		line := mark(t, m, tc.marker)
		pcs, actual, err := f.LineToPCs("goprog/main.go", line)
		if err != nil || actual != line || len(pcs) != 1 {
			t.Errorf("LineToPCs(main.go:%d) = %x, %d, %v", line, pcs, actual, err)
			continue
		}
		if fn := f.FuncAt(pcs[0]); fn == nil || fn.Name != tc.fn {
			t.Errorf("FuncAt(%#x) = %+v, want %s", pcs[0], fn, tc.fn)
		}
		if e, ok := f.LineAt(pcs[0]); !ok || e.File != src || e.Line != line {
			t.Errorf("LineAt(%#x) = %+v, want %s:%d", pcs[0], e, src, line)
		}
	}
	// Go marks prologue_end itself (on the frame-allocating instruction,
	// after the stack-growth check), so PrologueEnd must return that row.
	pe := f.PrologueEnd(mainFn)
	if e, ok := f.LineAt(pe); !ok || pe <= mainFn.Low || pe >= mainFn.High || !e.PrologueEnd || e.PC != pe {
		t.Errorf("PrologueEnd(main.main) = %#x (row %+v), want the prologue_end row inside (%#x,%#x)", pe, e, mainFn.Low, mainFn.High)
	}
	if fn := f.LookupFunc("runtime.mallocgc"); fn == nil || !fn.HasLines {
		t.Errorf(`LookupFunc("runtime.mallocgc") = %+v`, fn)
	}
	if name, off, ok := f.SymbolAt(mainFn.Low + 1); !ok || name != "main.main" || off != 1 {
		t.Errorf("SymbolAt(main.main+1) = %q, %d, %v", name, off, ok)
	}
	if _, _, err := f.LineToPCs("main.go", 100000); !errors.Is(err, ErrNoCode) {
		t.Errorf("line past the end: err = %v, want ErrNoCode", err)
	}
}

// TestConcurrentFirstUse races the lazy index construction; run with -race.
func TestConcurrentFirstUse(t *testing.T) {
	path := buildC(t, "-O0", "-g")
	m := markers(t, absPath(t, "testdata/prog.c"))
	f := openT(t, path)
	line := mark(t, m, "call")
	var wg sync.WaitGroup
	results := make([]uint64, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				if pcs, _, err := f.LineToPCs("prog.c", line); err == nil && len(pcs) == 1 {
					results[i] = pcs[0]
				}
			case 1:
				if fn := f.LookupFunc("main"); fn != nil {
					results[i] = fn.Low
				}
			case 2:
				if fn := f.FuncAt(f.Entry()); fn != nil {
					results[i] = fn.Low
				}
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r == 0 {
			t.Errorf("goroutine %d got no answer", i)
		}
		if i >= 3 && r != results[i%3] {
			t.Errorf("goroutine %d got %#x, goroutine %d got %#x", i, r, i%3, results[i%3])
		}
	}
}
