package dwarfsec

import (
	"debug/dwarf"
	"debug/elf"
	"os"
	"path"
	"testing"
)

// The file names read from the line headers alone are those debug/dwarf's
// line reader gives, unit by unit, in DWARF 4 and 5, plain and compressed;
// and libc's detached debug file, when installed, is read whole.
func TestLineFileNames(t *testing.T) {
	for _, name := range []string{"demo-O0", "demo-O2", "demo-O2-dwarf4", "demo-gz"} {
		ef, err := elf.Open("../testdata/bin/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer ef.Close()
		s := NewSections(ef)
		got, ok := LineFileNames(s.Get("line"), s.Get("line_str"), s.Get("str"))
		if !ok {
			t.Fatalf("%s: headers not read", name)
		}
		d, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for r := d.Reader(); ; {
			e, err := r.Next()
			if err != nil || e == nil {
				break
			}
			if e.Tag == dwarf.TagCompileUnit {
				if lr, err := d.LineReader(e); err == nil && lr != nil {
					for _, f := range lr.Files() {
						if f != nil {
							want[path.Base(f.Name)] = true
						}
					}
				}
			}
			r.SkipChildren()
		}
		if len(want) == 0 || len(got) != len(want) {
			t.Errorf("%s: %d names from the headers, %d from debug/dwarf", name, len(got), len(want))
		}
		for n := range want {
			if !got[n] {
				t.Errorf("%s: %s missing", name, n)
			}
		}
	}
	if _, ok := LineFileNames([]byte{8, 0, 0, 0, 9, 0}, nil, nil); ok {
		t.Error("a header of version 9 was read")
	}
}

// BenchmarkLineFileNamesLibc is the cost of ruling a source out of libc
// without indexing it (from libc6-dbg, inflated first).
func BenchmarkLineFileNamesLibc(b *testing.B) {
	const dbg = "/usr/lib/debug/.build-id/93/ac61ec5a8eb1396f9fbd350e3169a558528a40.debug"
	if _, err := os.Stat(dbg); err != nil {
		b.Skip("libc6-dbg of this libc not installed")
	}
	ef, err := elf.Open(dbg)
	if err != nil {
		b.Fatal(err)
	}
	defer ef.Close()
	s := NewSections(ef)
	line, lineStr, str := s.Get("line"), s.Get("line_str"), s.Get("str")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		names, ok := LineFileNames(line, lineStr, str)
		if !ok || len(names) < 100 {
			b.Fatalf("%d names, ok %v", len(names), ok)
		}
	}
}
