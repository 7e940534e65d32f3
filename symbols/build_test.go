package symbols

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// Test binaries are cached under os.TempDir() by a hash of everything that
// shapes them, so a second `go test` run (and the slow `go build` of the Go
// program with -N -l) costs nothing.

var (
	cSources  = []string{"testdata/prog.c", "testdata/helper.c"}
	markerRe  = regexp.MustCompile(`LINE:([A-Za-z0-9_]+)`)
	cacheRoot = filepath.Join(os.TempDir(), "dap-ptrace-symbols-test")
)

func absPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// cacheKey hashes the inputs of a build: tool, flags, and source paths and
// contents (paths matter because they end up in the DWARF).
func cacheKey(t *testing.T, tool string, flags, sources []string) string {
	t.Helper()
	h := sha256.New()
	h.Write([]byte(tool + "\x00" + strings.Join(flags, "\x00") + "\x00"))
	for _, s := range sources {
		data, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(absPath(t, s) + "\x00"))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// cached returns the cached output for key, running build(tmpOut) to create
// it. The output is renamed into place so concurrent test processes never
// see a half-written binary.
func cached(t *testing.T, key string, build func(out string) error) string {
	t.Helper()
	final := filepath.Join(cacheRoot, key)
	if _, err := os.Stat(final); err == nil {
		return final
	}
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(cacheRoot, "build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out")
	if err := build(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out, final); err != nil {
		t.Fatal(err)
	}
	return final
}

// buildC compiles the C test program with the given gcc flags.
func buildC(t *testing.T, flags ...string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	key := cacheKey(t, "gcc", flags, cSources)
	return cached(t, key, func(out string) error {
		args := append(append([]string{}, flags...), "-o", out)
		for _, s := range cSources {
			args = append(args, absPath(t, s))
		}
		cmd := exec.Command(gcc, args...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("gcc %v: %v\n%s", args, err, b)
		}
		return nil
	})
}

// buildGo builds testdata/goprog without optimisation or inlining, the way
// a debugger user would.
func buildGo(t *testing.T) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("go toolchain not found")
		}
	}
	flags := []string{"build", "-gcflags=all=-N -l", runtime.Version()}
	key := cacheKey(t, "go", flags, []string{"testdata/goprog/main.go"})
	return cached(t, key, func(out string) error {
		cmd := exec.Command(goTool, "build", "-gcflags=all=-N -l", "-o", out, ".")
		cmd.Dir = absPath(t, "testdata/goprog")
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GOTOOLCHAIN=local", "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, b)
		}
		return nil
	})
}

// markers maps every LINE:name marker in a source file to its line number.
func markers(t *testing.T, path string) map[string]int {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m := make(map[string]int)
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		for _, sub := range markerRe.FindAllStringSubmatch(sc.Text(), -1) {
			if _, dup := m[sub[1]]; dup {
				t.Fatalf("%s: marker %s twice", path, sub[1])
			}
			m[sub[1]] = n
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func mark(t *testing.T, m map[string]int, name string) int {
	t.Helper()
	n, ok := m[name]
	if !ok {
		t.Fatalf("no marker LINE:%s", name)
	}
	return n
}

func openT(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
