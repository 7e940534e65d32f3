package symbols

import (
	"os"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// The call frame table itself is tested in package cfi; these tests check
// that a File hands it the right sections and builds it once.

// checkEntry checks the rules a function starts with, rsp+8 with the
// return address just below it.
func checkEntry(t *testing.T, f *File, name string) *cfi.FrameRules {
	t.Helper()
	fn := f.LookupFunc(name)
	if fn == nil {
		t.Fatalf("%s not found", name)
	}
	r, err := f.FrameAt(fn.Low)
	if err != nil {
		t.Fatalf("FrameAt(%s at %#x): %v", name, fn.Low, err)
	}
	if r.CFAExpr != nil || r.CFAReg != cfi.DwarfRSP || r.CFAOffset != 8 {
		t.Errorf("%s: CFA reg %d%+d expr %x, want rsp+8", name, r.CFAReg, r.CFAOffset, r.CFAExpr)
	}
	if ra := r.ReturnAddress(); ra.Kind != cfi.RuleOffset || ra.Offset != -8 {
		t.Errorf("%s: return address %v, want offset(-8)", name, ra)
	}
	if r.Low > fn.Low || r.High <= fn.Low {
		t.Errorf("FDE %#x-%#x does not cover %s at %#x", r.Low, r.High, name, fn.Low)
	}
	return r
}

// TestFrameAtDebugFrame reads a program whose own functions only
// .debug_frame describes: without asynchronous unwind tables gcc leaves
// .eh_frame to the C runtime's objects.
func TestFrameAtDebugFrame(t *testing.T) {
	f := openT(t, buildC(t, "-O0", "-g", "-fno-asynchronous-unwind-tables"))
	if f.ELF().Section(".debug_frame") == nil {
		t.Fatal("no .debug_frame")
	}
	if err := f.CFIError(); err != nil {
		t.Fatalf("CFIError: %v", err)
	}
	checkEntry(t, f, "main")
}

func TestFrameAtLibc(t *testing.T) {
	const path = "/lib/x86_64-linux-gnu/libc.so.6"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s: %v", path, err)
	}
	f := openT(t, path)
	if err := f.CFIError(); err != nil {
		t.Fatalf("CFIError: %v", err)
	}
	checkEntry(t, f, "qsort")
	// glibc's signal return trampoline is marked as such. Only a symbol
	// table names it (libc's debug file's), so it is checked when found.
	if fn := f.LookupFunc("__restore_rt"); fn != nil {
		if r, err := f.FrameAt(fn.Low); err == nil && !r.Signal {
			t.Errorf("__restore_rt: Signal not set")
		}
	}
}

func TestFrameAtConcurrentFirstUse(t *testing.T) {
	f := openBin(t, "demo-O2")
	const main = 0x1040
	done := make(chan *cfi.FrameRules)
	for range 4 {
		go func() {
			r, _ := f.FrameAt(main)
			done <- r
		}()
	}
	for range 4 {
		if r := <-done; r == nil || r.CFAOffset != 8 {
			t.Errorf("concurrent FrameAt: %+v", r)
		}
	}
}
