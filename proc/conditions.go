package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/proc/breakpoint"
)

// Expr is an expression of a condition or a log message, compiled once by
// the Compiler given to New and evaluated at each hit, on the owner, with
// only the trapping thread stopped.
type Expr = breakpoint.Expr[*Scope]

// Compiler compiles the expressions of conditions and log messages.
type Compiler func(src string) (Expr, error)

// parseOptions checks and parses o with the session's Compiler.
func (d *Debugger) parseOptions(o Options) (*breakpoint.Conditions[*Scope], error) {
	return breakpoint.Parse(o, d.compile)
}

// shouldStop evaluates the conditions of the breakpoints at addr for a hit
// by th (which alone is stopped), prints what logpoints say, and returns the
// ids of the breakpoints that stop. Only the trapping thread's frame is
// read: a false condition costs a few reads of its registers and memory.
func (d *Debugger) shouldStop(th *thread, addr uint64) []int {
	s := d.p.bps.Sites[addr]
	if s == nil {
		return nil
	}
	return d.evalOwners(th, s.Owners, func() { th.hide = d.bpHide(addr) }) // the breakpoint's own frame
}

// evalOwners is shouldStop for the breakpoints owners that th hit; frame,
// when not nil, chooses the frame conditions are evaluated in.
func (d *Debugger) evalOwners(th *thread, owners []*Breakpoint, frame func()) []int {
	var sc *Scope
	var scErr error
	scope := func() (*Scope, error) {
		if sc == nil && scErr == nil {
			if frame != nil {
				frame()
			}
			sc, scErr = d.scope(th, 0)
		}
		return sc, scErr
	}
	var ids []int
	for _, bp := range owners {
		stop, log, err := bp.Conds.Hit(scope)
		if err != nil {
			d.ln.Output("important", fmt.Sprintf("breakpoint %d: cannot evaluate its condition: %v\n", bp.ID, err))
			stop = true // the person must see why
		}
		if log != "" {
			d.ln.Output("console", log)
		}
		if stop {
			ids = append(ids, bp.ID)
		}
	}
	return ids
}
