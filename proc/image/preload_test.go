package image

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"
)

// The objects a program needs are found where the dynamic loader finds
// them, LD_LIBRARY_PATH before the system directories, and handed to the
// module the loader reports, once.
func TestPreloadFindsNeeded(t *testing.T) {
	ef, err := elf.Open("/bin/ls")
	if err != nil {
		t.Skip("no /bin/ls:", err)
	}
	defer ef.Close()
	libc := RealPath(find("libc.so.6", []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"}))
	if libc == "" {
		t.Skip("no libc.so.6 in the system directories")
	}
	var pl preloads
	pl.walk(ef, "/bin", "")
	if pl.files[libc] == nil {
		t.Fatalf("libc (%s) not preloaded: %v", libc, pl.files)
	}
	sf := pl.take(libc)
	if sf == nil || sf.Path() != libc && RealPath(sf.Path()) != libc {
		t.Fatalf("take(%s) = %v", libc, sf)
	}
	defer sf.Close()
	if pl.take("/nowhere/libnothing.so") != nil {
		t.Error("an object never preloaded was handed out")
	}
	pl.close()

	// A copy in a directory of LD_LIBRARY_PATH wins, as with the loader.
	dir := t.TempDir()
	b, err := os.ReadFile(libc)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "libc.so.6")
	if err := os.WriteFile(copyPath, b, 0o755); err != nil {
		t.Fatal(err)
	}
	var pl2 preloads
	pl2.walk(ef, "/bin", "/nonexistent:"+dir)
	defer pl2.close()
	if pl2.files[RealPath(copyPath)] == nil || pl2.files[libc] != nil {
		t.Fatalf("with LD_LIBRARY_PATH=%s: preloaded %v", dir, keys(pl2.files))
	}
}

func keys(m map[string]*preload) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
