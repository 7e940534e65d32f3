package symbols

import (
	"strings"
	"sync"

	"github.com/ianlancetaylor/demangle"
)

// cxxIndex maps demangled C++ names to functions: with parameters
// ("shapes::Circle::area() const") and without ("shapes::Circle::area"),
// so a person can name a function the way the source spells it.
type cxxIndex struct {
	once  sync.Once
	names map[string]*Function
}

// DisplayName is the name to show for fn: a C++ function's qualified,
// demangled name (without parameters), else its plain name.
func (fn *Function) DisplayName() string {
	if strings.HasPrefix(fn.LinkageName, "_Z") {
		if s, err := demangle.ToString(fn.LinkageName, demangle.NoParams); err == nil {
			return s
		}
	}
	if strings.HasPrefix(fn.Name, "_Z") {
		if s, err := demangle.ToString(fn.Name, demangle.NoParams); err == nil {
			return s
		}
	}
	return fn.Name
}

// lookupCxx finds a function by its demangled C++ name.
func (f *File) lookupCxx(name string) *Function {
	x := &f.cxx
	x.once.Do(func() {
		x.names = map[string]*Function{}
		add := func(mangled string, fn *Function) {
			if !strings.HasPrefix(mangled, "_Z") {
				return
			}
			for _, opt := range [][]demangle.Option{nil, {demangle.NoParams}} {
				if s, err := demangle.ToString(mangled, opt...); err == nil {
					if _, dup := x.names[s]; !dup {
						x.names[s] = fn
					}
				}
			}
		}
		for _, fn := range f.Functions() {
			add(fn.LinkageName, fn)
		}
		for _, t := range f.symTables() {
			if t == nil {
				continue
			}
			for i := range t.syms {
				if t.isFunc(int32(i)) {
					add(t.name(int32(i)), t.function(int32(i)))
				}
			}
		}
	})
	return x.names[strings.TrimSpace(name)]
}

// DemangleType turns a mangled C++ type name, as std::type_info::name()
// gives it ("St13runtime_error"), into the source's spelling
// ("std::runtime_error"); a name that does not demangle is returned as it
// is. The demangler takes only whole symbols, so the type is demangled as
// the parameter of a function f.
func DemangleType(mangled string) string {
	s, err := demangle.ToString("_Z1f" + mangled)
	if err != nil || !strings.HasPrefix(s, "f(") || !strings.HasSuffix(s, ")") {
		return mangled
	}
	return s[2 : len(s)-1]
}
