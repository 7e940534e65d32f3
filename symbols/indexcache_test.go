package symbols

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// useCache points the index cache at a fresh directory and caches every
// index, however small.
func useCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DAP_PTRACE_INDEX_CACHE", dir)
	old := IndexCacheMin
	IndexCacheMin = 0
	t.Cleanup(func() { IndexCacheMin = old })
	// Cleanups run last first: the index files still being written in
	// the background land before the directory is removed.
	t.Cleanup(saving.Wait)
	return dir
}

// indexed opens path and builds or loads its index; cached says which.
func indexed(t *testing.T, path string) (f *File, cached bool) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := f.DWARFError(); err != nil {
		t.Fatal(err)
	}
	return f, f.dwCached
}

// answers is what the index answers about a binary: every function's
// name, bounds and first line, where each of its source lines goes, its
// inlined calls, the source list.
func answers(f *File) string {
	var sb strings.Builder
	x := f.index()
	fmt.Fprintln(&sb, f.Sources())
	for _, fn := range x.funcs {
		fmt.Fprintf(&sb, "%s %s %#x-%#x %v %s:%d %v\n", fn.Name, fn.LinkageName, fn.Low, fn.High, fn.Ranges, fn.File, fn.Line, fn.HasLines)
		got := f.FuncAt(fn.Low)
		le, _ := f.LineAt(fn.Low)
		fmt.Fprintf(&sb, "  at low: %s %s:%d\n", got.Name, le.File, le.Line)
		for pc := fn.Low; pc < fn.High; pc++ {
			for _, c := range f.InlinedAt(pc) {
				fmt.Fprintf(&sb, "  %#x inlined %s from %s:%d entry %#x\n", pc, c.Func.Name, c.CallFile, c.CallLine, c.Entry)
			}
		}
		if fn.File != "" {
			for l := fn.Line; l < fn.Line+12; l++ {
				pcs, actual, err := f.LineToPCs(fn.File, l)
				fmt.Fprintf(&sb, "  line %d: %#x %d %v\n", l, pcs, actual, err)
			}
		}
		if lf := f.LookupFunc(fn.Name); lf != nil {
			fmt.Fprintf(&sb, "  lookup %s: %#x\n", fn.Name, lf.Low)
		}
	}
	return sb.String()
}

// waitCached waits for the cache file of f that index writes in the
// background, and returns its path.
func waitCached(t *testing.T, dir string, f *File) string {
	t.Helper()
	saving.Wait()
	name, _ := f.cacheKey()
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no cache file: %v", err)
	}
	return path
}

// A second opening reads the index from the cache, and it answers every
// query as the index built from DWARF does, optimised code with inlined
// calls and a split debug file included.
func TestIndexCacheHit(t *testing.T) {
	for _, bin := range []string{"demo-O0", "demo-O2", "demo-gz", "demo-split"} {
		t.Run(bin, func(t *testing.T) {
			dir := useCache(t)
			path := filepath.Join("testdata", "bin", bin)
			built, cached := indexed(t, path)
			if cached {
				t.Fatal("an empty cache had an index")
			}
			waitCached(t, dir, built)
			loaded, cached := indexed(t, path)
			if !cached {
				t.Fatal("the second opening built its index again")
			}
			if a, b := answers(built), answers(loaded); a != b {
				t.Errorf("the cached index answers differently:\nbuilt:\n%s\ncached:\n%s", a, b)
			}
		})
	}
}

// A damaged or truncated cache file, one for a binary rebuilt since, or a
// file that is not a cache at all, is ignored: the index is built again,
// right.
func TestIndexCacheRejects(t *testing.T) {
	dir := useCache(t)
	src := filepath.Join("testdata", "bin", "demo-O2")
	path := filepath.Join(t.TempDir(), "demo")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
	built, _ := indexed(t, path)
	want := answers(built)
	entry := waitCached(t, dir, built)
	good, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	damaged := append([]byte(nil), good...)
	damaged[len(damaged)/2] ^= 0xff
	for name, content := range map[string][]byte{
		"truncated": good[:len(good)/3],
		"damaged":   damaged,
		"empty":     nil,
		"not gob":   []byte("hello, not a cache file, but long enough to have a checksum's length"),
	} {
		if err := os.WriteFile(entry, content, 0o644); err != nil {
			t.Fatal(err)
		}
		f, cached := indexed(t, path)
		saving.Wait() // the rebuilt index is written back: not to race the next case
		if cached {
			t.Errorf("%s cache file was used", name)
		}
		if got := answers(f); got != want {
			t.Errorf("%s cache file: the rebuilt index answers differently", name)
		}
	}
	// The binary changes (rebuilt, same build id): its time stamps differ.
	if err := os.WriteFile(entry, good, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if _, cached := indexed(t, path); cached {
		t.Error("the index of a binary changed since was used")
	}
}

// Adapters writing the same entry at once each leave a whole file behind:
// the entry read afterwards is valid.
func TestIndexCacheConcurrentWriters(t *testing.T) {
	dir := useCache(t)
	path := filepath.Join("testdata", "bin", "demo-O2")
	built, _ := indexed(t, path)
	waitCached(t, dir, built)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name, stamp := built.cacheKey()
			saveIndex(built.index(), nil, dir, name, stamp)
		}()
	}
	wg.Wait()
	left, _ := filepath.Glob(filepath.Join(dir, "*.tmp*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, cached := indexed(t, path); !cached {
		t.Error("the entry written by concurrent writers was not usable")
	}
}

// benchLib is the object the index benchmarks read: $DAP_BENCH_OBJECT, else
// libc (with libc6-dbg's detached debug information where installed).
func benchLib(b *testing.B) string {
	path := os.Getenv("DAP_BENCH_OBJECT")
	if path == "" {
		path = "/usr/lib/x86_64-linux-gnu/libc.so.6"
	}
	if _, err := os.Stat(path); err != nil {
		b.Skip(err)
	}
	return path
}

// BenchmarkIndexBuilt is reading an object's DWARF index from its DWARF.
func BenchmarkIndexBuilt(b *testing.B) {
	path := benchLib(b)
	b.Setenv("DAP_PTRACE_INDEX_CACHE", "off")
	for i := 0; i < b.N; i++ {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		_ = f.DWARFError()
		f.Close()
	}
}

// BenchmarkIndexCached is reading the same index from the index cache.
func BenchmarkIndexCached(b *testing.B) {
	path := benchLib(b)
	b.Setenv("DAP_PTRACE_INDEX_CACHE", b.TempDir())
	old := IndexCacheMin
	IndexCacheMin = 0
	defer func() { IndexCacheMin = old }()
	f, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	_ = f.DWARFError()
	f.Close()
	saving.Wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		_ = f.DWARFError()
		if !f.dwCached {
			b.Fatal("not read from the cache")
		}
		f.Close()
	}
}
