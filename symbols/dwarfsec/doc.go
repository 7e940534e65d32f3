// Package dwarfsec reads DWARF at the level of its sections, below what
// debug/dwarf offers: each section read (and decompressed) once for every
// reader, the headers of the units of .debug_info, .debug_aranges, the
// location lists of .debug_loc and .debug_loclists, and a reader of
// DWARF's byte encodings.
//
// It knows nothing of the package symbols built on it, so that package
// can keep to the questions a debugger asks. Addresses are link-time
// addresses, as in the ELF file; only 64-bit little-endian DWARF (x86-64)
// is read.
//
// Sections is safe for concurrent use; the other types are values that a
// caller reads from or fills in under its own lock.
package dwarfsec
