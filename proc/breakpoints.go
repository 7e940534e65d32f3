package proc

import (
	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
)

// Breakpoint is a logical breakpoint: what the client set, keyed by its id.
type Breakpoint = breakpoint.Breakpoint[*Scope]

// Options are what a client may attach to a breakpoint: a condition, a hit
// condition, and a log message that turns it into a logpoint.
type Options = breakpoint.Options

// site is a physical breakpoint of the table.
type site = breakpoint.Site[*Breakpoint]

// breakpoints is the table of a process: its physical breakpoints, and
// the logical ones as the client set them.
type breakpoints = breakpoint.Set[*Scope]

// The kinds of logical breakpoint.
const (
	kindSource      = breakpoint.KindSource
	kindFunction    = breakpoint.KindFunction
	kindInstruction = breakpoint.KindInstruction
	kindException   = breakpoint.KindException
	kindData        = breakpoint.KindData
)
