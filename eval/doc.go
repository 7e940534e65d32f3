// Package eval reads values and evaluates expressions in a stopped
// program: C values as a person reads them (integers, characters, enums,
// pointers, structs, unions, bitfields, arrays) and Go values from the Go
// compiler's DWARF and the runtime's structures (strings, slices, maps,
// interfaces, channels); C-like expressions with Go's indexing, len and cap;
// assignment to variables and registers; completions.
//
// It knows no process and no ptrace: a Frame (a stopped thread's frame) or
// a Program (the stopped process) lends it memory that reads as the
// program's own under breakpoints, the loaded objects, and a frame's pc,
// variables and location context. The debugger core implements them (see
// proc.Scope and proc.View) and calls into eval on its owner goroutine,
// while the thread stays stopped; nothing here keeps a Frame past the call.
// Objects and Vars are valid until the program runs again.
package eval
