package proc

import "github.com/dap-ptrace/dap-ptrace/proc/breakpoint"

// Exception filters: what setExceptionBreakpoints may ask for (see
// package breakpoint).
const (
	FilterCxxThrow = breakpoint.FilterCxxThrow
	FilterCxxCatch = breakpoint.FilterCxxCatch
	FilterGoPanic  = breakpoint.FilterGoPanic
	FilterGoFatal  = breakpoint.FilterGoFatal
)

// SetExceptionBreakpoints replaces the exception breakpoints by filters;
// unknown filters are refused.
func (d *Debugger) SetExceptionBreakpoints(filters []string) ([]Breakpoint, error) {
	specs, err := breakpoint.ExceptionSpecs(filters)
	if err != nil {
		return nil, err
	}
	return d.setGroup(kindException, kindException, "", specs)
}

// thrownType names the type being thrown by thread tid, stopped at the
// entry of __cxa_throw(void *obj, std::type_info *tinfo, void (*dest)(void *)).
func (d *Debugger) thrownType(tid int) string {
	regs, err := d.tr.GetRegs(tid)
	if err != nil || regs.Rsi == 0 {
		return ""
	}
	return d.p.img.TypeInfoName(regs.Rsi)
}

// bpStop is the stop for a hit of breakpoints ids at addr by thread tid;
// a C++ throw or catch says so, with the thrown type.
func (d *Debugger) bpStop(tid int, addr uint64, ids []int) Stop {
	st := Stop{Reason: d.p.bps.Reason(addr), Tid: tid, BreakpointIDs: ids}
	if st.Reason != "exception" {
		return st
	}
	st.Text, st.Description, st.Detail = d.p.bps.Exception(addr, func() string { return d.thrownType(tid) })
	return st
}
