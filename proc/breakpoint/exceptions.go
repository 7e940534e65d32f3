package breakpoint

import "fmt"

// C++ exceptions stop where lldb-dap and gdb stop them: on the C++
// runtime's throw and catch entry points (__cxa_throw, __cxa_begin_catch),
// as breakpoints that stay pending until libstdc++ (or the program, linked
// statically) brings them. A throw is reported with the thrown type, read
// from __cxa_throw's second argument (a std::type_info *) at its entry.
//
// Go panics stop where Delve stops them: an unrecovered panic at
// runtime.fatalpanic, a fatal error (runtime.throw, runtime.fatal: "all
// goroutines are asleep", "concurrent map writes") at its entry, with the
// panic's value or the error's text as the stop's detail.

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

// ExceptionSpecs are the breakpoints, at function entries, that filters
// ask for; an unknown filter is refused.
func ExceptionSpecs(filters []string) ([]Spec, error) {
	specs := make([]Spec, 0, len(filters))
	for _, f := range filters {
		fns, ok := filterFuncs[f]
		if !ok {
			return nil, fmt.Errorf("unknown exception filter %q (known: %s, %s, %s, %s)", f, FilterCxxThrow, FilterCxxCatch, FilterGoPanic, FilterGoFatal)
		}
		for _, fn := range fns {
			specs = append(specs, Spec{Key: f + " " + fn, Name: fn})
		}
	}
	return specs, nil
}

// Exception describes a hit of the exception breakpoints at addr: its
// text and description, and for a Go panic or fatal error the expression
// whose value completes it (detail). thrown names the type a C++ throw
// throws, read only when needed.
func (t *Set[S]) Exception(addr uint64, thrown func() string) (text, desc, detail string) {
	text, desc = "C++ exception", "C++ exception caught"
	for _, o := range t.Sites[addr].Owners {
		if o.Kind != KindException {
			continue
		}
		if g, ok := goStops[o.Name]; ok {
			text, desc, detail = g[0], "Go "+g[0], g[1]
		}
		if o.Name == "__cxa_throw" {
			desc = "C++ exception thrown"
			if ty := thrown(); ty != "" {
				text, desc = ty, "C++ exception thrown: "+ty
			}
		}
	}
	return text, desc, detail
}
