package diskcache

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file comes back as written; a damaged one is refused.
func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, "x.idx", writeBytes([]byte("hello"))); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(dir, "x.idx"); err != nil || string(b) != "hello" {
		t.Fatalf("read %q, %v", b, err)
	}
	p := filepath.Join(dir, "x.idx")
	b, _ := os.ReadFile(p)
	b[0] ^= 1
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir, "x.idx"); err == nil {
		t.Error("a damaged file was read")
	}
}

// The directory stays within its bound: the least recently used files go
// first, and leftovers of interrupted writes go too.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-48 * time.Hour)
	for i, name := range []string{"a.idx", "b.idx", "c.idx", "d.idx"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, 100), 0o600); err != nil {
			t.Fatal(err)
		}
		at := old.Add(time.Duration(i) * time.Hour) // a is the oldest
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	// b is written again: the most recent now, it outlives c.
	b := filepath.Join(dir, "b.idx")
	if err := os.Remove(b); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, "b.idx", writeBytes(make([]byte, 68))); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "e.idx.tmp123")
	if err := os.WriteFile(tmp, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, old, old); err != nil {
		t.Fatal(err)
	}
	prune(dir, 250)
	var left []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != "b.idx d.idx" {
		t.Errorf("after pruning to 250 bytes: %v, want b.idx d.idx", left)
	}
}

// writeBytes is a Write callback that writes b.
func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	}
}
