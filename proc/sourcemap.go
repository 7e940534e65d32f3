package proc

import (
	"path/filepath"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
)

// A program built on another machine (a CI runner, a container) names its
// sources by where they were there. A source map, lldb-dap's "sourceMap",
// pairs such a prefix with where the same files are here: frames, stops,
// breakpoints and loaded sources show local paths, and breakpoints set on
// local paths find the compiled ones.

// SetSourceMap replaces the source map.
func (d *Debugger) SetSourceMap(m image.SourceMap) {
	clean := make(image.SourceMap, 0, len(m))
	for _, p := range m {
		if p[0] != "" && p[1] != "" {
			clean = append(clean, [2]string{filepath.Clean(p[0]), filepath.Clean(p[1])})
		}
	}
	_ = d.do(func() error {
		d.srcMap = clean
		if d.p != nil {
			d.p.img.SetSourceMap(clean) // what is "here" changed
		}
		return nil
	})
}
