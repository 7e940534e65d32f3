package proc

import (
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

// SetSourceMap replaces the source map.
func (d *Debugger) SetSourceMap(m SourceMap) {
	clean := make(SourceMap, 0, len(m))
	for _, p := range m {
		if p[0] != "" && p[1] != "" {
			clean = append(clean, [2]string{filepath.Clean(p[0]), filepath.Clean(p[1])})
		}
	}
	_ = d.do(func() error {
		d.srcMap = clean
		if d.p != nil {
			d.p.sources = nil // what is "here" changed
		}
		return nil
	})
}

// local turns a path from the debug information into where it is here.
func (d *Debugger) local(path string) string {
	return remap(d.srcMap, path, 0, 1)
}

// compiled turns a client's path into the one in the debug information.
func (d *Debugger) compiled(path string) string {
	return remap(d.srcMap, path, 1, 0)
}

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
