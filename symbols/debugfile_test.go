package symbols

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A stripped executable finds its DWARF in a separate debug file named by
// .gnu_debuglink, next to it or in its .debug directory; a debug file whose
// CRC does not match is not used.
func TestSeparateDebugFile(t *testing.T) {
	for _, tool := range []string{"gcc", "objcopy", "strip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found", tool)
		}
	}
	src, err := filepath.Abs(filepath.Join("testdata", "prog.c"))
	if err != nil {
		t.Fatal(err)
	}
	helper := filepath.Join(filepath.Dir(src), "helper.c")
	run := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	for _, sub := range []string{"", ".debug"} {
		dir := t.TempDir()
		run(dir, "gcc", "-g", "-O0", "-o", "prog", src, helper)
		run(dir, "objcopy", "--only-keep-debug", "prog", "prog.debug")
		run(dir, "strip", "--strip-debug", "prog")
		run(dir, "objcopy", "--add-gnu-debuglink=prog.debug", "prog")
		if sub != "" {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(dir, "prog.debug"), filepath.Join(dir, sub, "prog.debug")); err != nil {
				t.Fatal(err)
			}
		}
		f, err := Open(filepath.Join(dir, "prog"))
		if err != nil {
			t.Fatal(err)
		}
		if !f.HasDWARF() {
			t.Fatalf("debug file in %q not found", sub)
		}
		line := markers(t, src)["mainfirst"]
		pcs, actual, err := f.LineToPCs(src, line)
		if err != nil || len(pcs) == 0 || actual != line {
			t.Fatalf("LineToPCs through the debug file: %v %d %v", pcs, actual, err)
		}
		if fn := f.FuncAt(pcs[0]); fn == nil || fn.Name != "main" || !fn.HasLines {
			t.Fatalf("FuncAt %+v", fn)
		}
		f.Close()

		// Damage the debug file: the CRC no longer matches.
		dbg := filepath.Join(dir, sub, "prog.debug")
		b, err := os.ReadFile(dbg)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)-1] ^= 0xff
		if err := os.WriteFile(dbg, b, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err = Open(filepath.Join(dir, "prog"))
		if err != nil {
			t.Fatal(err)
		}
		if f.HasDWARF() {
			t.Fatalf("a debug file with the wrong CRC was used")
		}
		f.Close()
	}
}
