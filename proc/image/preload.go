package image

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// preloads are the shared objects a program will need, opened and warmed
// (symbols, call frame information) from the moment its executable is
// known, before the dynamic loader maps them: the first stop and stack
// through libc then find its tables built, where starting on them when
// the loader reports libc leaves a few milliseconds still to go.
type preloads struct {
	mu     sync.Mutex
	files  map[string]*preload // by real path
	closed bool                // the image is closed: nothing more is opened
}

type preload struct {
	once sync.Once
	sym  *symbols.File
	used bool // taken by Loaded, which closes it with its module
}

// maxPreloads bounds how many objects one program's preload opens.
const maxPreloads = 64

// walk opens and warms the objects ef needs (DT_NEEDED, then theirs),
// found as the dynamic loader finds them by default: DT_RPATH or
// DT_RUNPATH ($ORIGIN being origin), LD_LIBRARY_PATH (ldPath), then the
// system directories. One not found, or found where the loader does not
// take it from, is simply not used.
func (pl *preloads) walk(ef *elf.File, origin, ldPath string) {
	if ef == nil {
		return
	}
	needed, _ := ef.ImportedLibraries()
	var dirs []string
	for _, tag := range []elf.DynTag{elf.DT_RPATH, elf.DT_RUNPATH} {
		if vals, err := ef.DynString(tag); err == nil {
			for _, v := range vals {
				dirs = append(dirs, strings.Split(strings.ReplaceAll(v, "$ORIGIN", origin), ":")...)
			}
		}
	}
	dirs = append(dirs, filepath.SplitList(ldPath)...)
	dirs = append(dirs, "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib")
	for _, name := range needed {
		path := find(name, dirs)
		if path == "" {
			continue
		}
		p, fresh := pl.add(RealPath(path))
		if !fresh {
			continue
		}
		if sf := p.open(path); sf != nil {
			prepare(sf)
			pl.walk(sf.ELF(), filepath.Dir(path), ldPath)
		}
	}
}

// find is the first dirs/name that exists (name itself if it has a
// slash).
func find(name string, dirs []string) string {
	if strings.Contains(name, "/") {
		dirs = []string{""}
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// add records path, unless it is there already or the bound is reached.
func (pl *preloads) add(path string) (*preload, bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed {
		return nil, false
	}
	if pl.files == nil {
		pl.files = map[string]*preload{}
	}
	if p, ok := pl.files[path]; ok || len(pl.files) >= maxPreloads {
		return p, false
	}
	p := &preload{}
	pl.files[path] = p
	return p, true
}

// open opens the object once, whoever asks first.
func (p *preload) open(path string) *symbols.File {
	p.once.Do(func() {
		if sf, err := symbols.Open(path); err == nil {
			p.sym = sf
		}
	})
	return p.sym
}

// take hands the preloaded symbols of the object at path (as the loader
// names it) to Loaded, waiting if they are being opened; nil if it was
// not preloaded.
func (pl *preloads) take(path string) *symbols.File {
	pl.mu.Lock()
	p := pl.files[RealPath(path)]
	if p != nil {
		p.used = true
	}
	pl.mu.Unlock()
	if p == nil {
		return nil
	}
	return p.open(path)
}

// close closes the preloaded objects no module took.
func (pl *preloads) close() {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for _, p := range pl.files {
		p.once.Do(func() {}) // never opened from now on
		if !p.used && p.sym != nil {
			p.sym.Close()
		}
	}
	pl.files, pl.closed = nil, true
}

// environ reads one variable of process pid's environment.
func environ(pid int, name string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		return ""
	}
	for _, kv := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte(name+"=")); ok {
			return string(v)
		}
	}
	return ""
}
