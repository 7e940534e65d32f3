package image

import (
	"os"
	"path/filepath"
	"strings"
)

// A program built on another machine (a CI runner, a container) names its
// sources by where they were there. A source map, lldb-dap's "sourceMap",
// pairs such a prefix with where the same files are here: frames, stops,
// breakpoints and loaded sources show local paths, and breakpoints set on
// local paths find the compiled ones.

// SourceMap is a list of {compiled prefix, local prefix} pairs; the first
// whose prefix matches whole path components is used.
type SourceMap [][2]string

// Clean returns the pairs of m with both paths given, cleaned.
func (m SourceMap) Clean() SourceMap {
	clean := make(SourceMap, 0, len(m))
	for _, p := range m {
		if p[0] != "" && p[1] != "" {
			clean = append(clean, [2]string{filepath.Clean(p[0]), filepath.Clean(p[1])})
		}
	}
	return clean
}

// Local turns a path from the debug information into where it is here.
func (m SourceMap) Local(path string) string { return remap(m, path, 0, 1) }

// Compiled turns a client's path into the one in the debug information.
func (m SourceMap) Compiled(path string) string { return remap(m, path, 1, 0) }

// Local is the image's source map's Local.
func (im *Image) Local(path string) string { return im.srcMap.Local(path) }

func remap(m SourceMap, path string, from, to int) string {
	for _, p := range m {
		prefix := p[from]
		if path == prefix {
			return p[to]
		}
		if rest, ok := strings.CutPrefix(path, prefix+"/"); ok {
			return filepath.Join(p[to], rest)
		}
	}
	return path
}

// HaveSource says whether a source file is on this machine. Code whose
// source is not (libc with Debian's detached debug information, say) is
// presented and stepped like code without line information: a person can
// read its disassembly, not a file the editor cannot open.
func (im *Image) HaveSource(file string) bool {
	if file == "" {
		return false
	}
	if ok, seen := im.sources[file]; seen {
		return ok
	}
	_, err := os.Stat(im.Local(file))
	if im.sources == nil {
		im.sources = map[string]bool{}
	}
	im.sources[file] = err == nil
	return err == nil
}

// SourceAt says whether pc has a line whose source file is here.
func (im *Image) SourceAt(pc uint64) bool {
	le, ok := im.LineAt(pc)
	return ok && im.HaveSource(le.File)
}

// Sources lists the source files of the executable and the loaded
// libraries that have line information.
func (im *Image) Sources() []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range im.Modules() {
		if m.Sym == nil {
			continue
		}
		for _, f := range m.Sym.Sources() {
			if f = im.Local(f); !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
