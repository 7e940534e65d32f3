package daptest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"
)

// cacheRoot holds built fixtures, shared by every test binary and kept
// between runs: compiling is the slow part of the end-to-end tests, and the
// key covers every input, so a hit is always right.
func cacheRoot() string { return filepath.Join(os.TempDir(), "dap-ptrace-fixtures") }

// callerPath resolves a relative path against the directory of the source
// file that called the exported helper (skip frames up), which is the test's
// package directory, so it does not depend on the working directory.
func callerPath(path string, skip int) string {
	if filepath.IsAbs(path) {
		return path
	}
	if _, file, _, ok := runtime.Caller(skip + 1); ok && filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), path)
	}
	return path // -trimpath: fall back to the working directory
}

var toolVersions sync.Map // command line -> output of its version query

// toolVersion returns the output of a version query such as "gcc --version",
// which goes into cache keys so a toolchain upgrade rebuilds fixtures.
func toolVersion(t testing.TB, name string, args ...string) string {
	t.Helper()
	key := name + " " + strings.Join(args, " ")
	if v, ok := toolVersions.Load(key); ok {
		return v.(string)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	toolVersions.Store(key, string(out))
	return string(out)
}

// cacheKey hashes parts, each length-prefixed so that no two different lists
// of parts hash alike.
func cacheKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// buildCached returns dir/name under the cache for key, running build to
// produce it if it is not there. Concurrent builders of the same key (test
// binaries run in parallel) each build to a private temp file and rename it
// into place, so a reader never sees a half-written binary.
func buildCached(t testing.TB, key, name string, build func(out string) ([]byte, error)) string {
	t.Helper()
	dir := filepath.Join(cacheRoot(), key)
	final := filepath.Join(dir, name)
	if _, err := os.Stat(final); err == nil {
		return final
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("fixture cache: %v", err)
	}
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		t.Fatalf("fixture cache: %v", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if out, err := build(tmp.Name()); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		t.Fatalf("fixture cache: %v", err)
	}
	return final
}

// BuildC compiles a C source file with gcc (a C++ one with g++) and flags (e.g. "-g", "-O0") and
// returns the binary's path. A relative src is taken relative to the calling
// test's package directory.
//
// The binary is cached per (source path and content, flags, compiler version), so only the
// first test binary pays for compiling. Headers the source includes are not
// part of the key: keep fixtures to a single file.
func BuildC(t testing.TB, src string, flags ...string) string {
	t.Helper()
	src = callerPath(src, 1)
	content, err := os.ReadFile(src)
	if err != nil {
		t.Fatalf("BuildC: %v", err)
	}
	// The source's path is part of the key: it ends up in the DWARF, and a
	// binary built from another checkout would name files the tests do not
	// set breakpoints in.
	// C++ sources go through g++, which links the C++ runtime.
	cc := "gcc"
	switch filepath.Ext(src) {
	case ".cpp", ".cc", ".cxx":
		cc = "g++"
	}
	key := cacheKey(append([]string{cc, src, string(content), toolVersion(t, cc, "--version")}, flags...)...)
	name := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	return buildCached(t, key, name, func(out string) ([]byte, error) {
		args := append(append([]string{}, flags...), "-o", out, src)
		return exec.Command(cc, args...).CombinedOutput()
	})
}

// defaultGoFlags disable optimisation and inlining, so every line has code
// and every variable lives where DWARF says.
var defaultGoFlags = []string{"-gcflags=all=-N -l"}

// BuildGo builds the Go main package in dir with `go build` and returns the
// binary's path. flags replace the default "-gcflags=all=-N -l". A relative
// dir is taken relative to the calling test's package directory.
//
// The binary is cached per (contents of every file under dir, flags, go
// version). Packages that dir imports from elsewhere are not part of the key,
// so fixtures should be self-contained.
func BuildGo(t testing.TB, dir string, flags ...string) string {
	t.Helper()
	dir = callerPath(dir, 1)
	if len(flags) == 0 {
		flags = defaultGoFlags
	}
	parts := []string{"go", toolVersion(t, "go", "version"), runtime.GOOS, runtime.GOARCH}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		parts = append(parts, rel, string(b))
		return nil
	})
	if err != nil {
		t.Fatalf("BuildGo: %v", err)
	}
	parts = append(parts, "dir", dir, "flags") // the path ends up in the DWARF
	key := cacheKey(append(parts, flags...)...)
	return buildCached(t, key, filepath.Base(dir), func(out string) ([]byte, error) {
		args := append(append([]string{"build"}, flags...), "-o", out, ".")
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		return cmd.CombinedOutput()
	})
}

// Line returns the 1-based number of the line in file that contains marker
// (e.g. "BP:loop"), failing the test if there is no such line or more than
// one. A marker must not be followed by a letter, digit or '_', so that
// "BP:loop" does not also match "BP:loop2". A relative file is taken relative
// to the calling test's package directory.
func Line(t testing.TB, file, marker string) int {
	t.Helper()
	file = callerPath(file, 1)
	content, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("Line: %v", err)
	}
	var found []int
	for i, line := range strings.Split(string(content), "\n") {
		if containsMarker(line, marker) {
			found = append(found, i+1)
		}
	}
	switch len(found) {
	case 0:
		t.Fatalf("Line: marker %q not found in %s", marker, file)
	case 1:
		return found[0]
	default:
		t.Fatalf("Line: marker %q is on several lines of %s: %v", marker, file, found)
	}
	return 0
}

func containsMarker(line, marker string) bool {
	for rest := line; ; {
		i := strings.Index(rest, marker)
		if i < 0 {
			return false
		}
		after := rest[i+len(marker):]
		r, _ := utf8.DecodeRuneInString(after)
		if after == "" || !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return true
		}
		rest = after
	}
}

var adapter struct {
	once sync.Once
	path string
	out  []byte
	err  error
}

// moduleRoot returns the directory of this module's go.mod, found from this
// source file so it works from any package's tests.
func moduleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Clean(root), nil
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside a module")
	}
	return filepath.Dir(gomod), nil
}

// BuildAdapter builds ./cmd/dap-ptrace once per test binary, with -race when
// the test binary itself was built with -race, and returns its path.
//
// It always rebuilds (the go build cache makes that cheap) rather than
// trusting a cache key, since the adapter's inputs are the whole module. The
// output path is fixed per module checkout and race mode, so runs do not
// pile up binaries in the temp dir; the rename into place keeps a test binary
// that is already running the old file unaffected.
func BuildAdapter(t testing.TB) string {
	t.Helper()
	adapter.once.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			adapter.err = err
			return
		}
		dir := filepath.Join(cacheRoot(), "adapter-"+cacheKey(root, fmt.Sprint(raceEnabled)))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			adapter.err = err
			return
		}
		tmp, err := os.CreateTemp(dir, "dap-ptrace.tmp*")
		if err != nil {
			adapter.err = err
			return
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		args := []string{"build", "-o", tmp.Name()}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./cmd/dap-ptrace")...)
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			adapter.err, adapter.out = err, out.Bytes()
			return
		}
		final := filepath.Join(dir, "dap-ptrace")
		if err := os.Rename(tmp.Name(), final); err != nil {
			adapter.err = err
			return
		}
		adapter.path = final
	})
	if adapter.err != nil {
		t.Fatalf("building cmd/dap-ptrace: %v\n%s", adapter.err, adapter.out)
	}
	return adapter.path
}
