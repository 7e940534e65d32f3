package proc

import (
	"fmt"
)

// C++ exceptions stop where lldb-dap and gdb stop them: on the C++
// runtime's throw and catch entry points (__cxa_throw, __cxa_begin_catch),
// as breakpoints that stay pending until libstdc++ (or the program, linked
// statically) brings them. A throw is reported with the thrown type, read
// from __cxa_throw's second argument (a std::type_info *) at its entry.
//
// Go panics stop where Delve stops them: an unrecovered panic at
// runtime.fatalpanic, a fatal error (runtime.throw, runtime.fatal: "all
// goroutines are asleep", "concurrent map writes") at its entry, with the
// panic's value or the error's text as the stop's Detail.

// Exception filters: what setExceptionBreakpoints may ask for.
const (
	FilterCxxThrow = "cpp_throw"
	FilterCxxCatch = "cpp_catch"
	FilterGoPanic  = "go_panic"
	FilterGoFatal  = "go_fatal"
)

// filterFuncs are the functions each filter stops at.
var filterFuncs = map[string][]string{
	FilterCxxThrow: {"__cxa_throw"},
	FilterCxxCatch: {"__cxa_begin_catch"},
	FilterGoPanic:  {"runtime.fatalpanic"},
	FilterGoFatal:  {"runtime.throw", "runtime.fatal"},
}

// goStops says how a stop at a Go runtime exception function is shown: its
// text, and the expression (in that function's frame) for its detail.
var goStops = map[string][2]string{
	"runtime.fatalpanic": {"panic", "msgs.arg"},
	"runtime.throw":      {"fatal error", "s"},
	"runtime.fatal":      {"fatal error", "s"},
}

// SetExceptionBreakpoints replaces the exception breakpoints by filters;
// unknown filters are refused.
func (d *Debugger) SetExceptionBreakpoints(filters []string) ([]Breakpoint, error) {
	specs := make([]spec, 0, len(filters))
	for _, f := range filters {
		fns, ok := filterFuncs[f]
		if !ok {
			return nil, fmt.Errorf("unknown exception filter %q (known: %s, %s, %s, %s)", f, FilterCxxThrow, FilterCxxCatch, FilterGoPanic, FilterGoFatal)
		}
		for _, fn := range fns {
			specs = append(specs, spec{Key: f + " " + fn, Name: fn})
		}
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
	st.Text, st.Description = "C++ exception", "C++ exception caught"
	for _, o := range d.p.bps.Sites[addr].Owners {
		if g, ok := goStops[o.Name]; ok && o.Kind == kindException {
			st.Text, st.Description, st.Detail = g[0], "Go "+g[0], g[1]
		}
		if o.Kind == kindException && o.Name == "__cxa_throw" {
			st.Description = "C++ exception thrown"
			if t := d.thrownType(tid); t != "" {
				st.Text, st.Description = t, "C++ exception thrown: "+t
			}
		}
	}
	return st
}
