package proc

import (
	"github.com/dap-ptrace/dap-ptrace/proc/image"
)

// A program built on another machine (a CI runner, a container) names its
// sources by where they were there. A source map, lldb-dap's "sourceMap",
// pairs such a prefix with where the same files are here: frames, stops,
// breakpoints and loaded sources show local paths, and breakpoints set on
// local paths find the compiled ones.

// SetSourceMap replaces the source map.
func (d *Debugger) SetSourceMap(m image.SourceMap) {
	clean := m.Clean()
	_ = d.do(func() error {
		d.srcMap = clean
		if d.p != nil {
			d.p.img.SetSourceMap(clean) // what is "here" changed
		}
		return nil
	})
}
