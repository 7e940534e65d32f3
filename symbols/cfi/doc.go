// Package cfi answers how to find the caller's frame at an address of
// x86-64 code: the rules that the call frame information (CFI) of
// .debug_frame and .eh_frame gives there for the canonical frame address
// (CFA) and for each of the caller's registers, and the value of the DWARF
// expressions those rules may hold.
//
// It reads bytes only, never a process: the caller passes the sections'
// contents, and to evaluate an expression the register values and a way to
// read memory. Delve's parser (github.com/go-delve/delve/pkg/dwarf/frame)
// splits the sections into entries; this package runs their instructions.
// Addresses are link-time addresses, as in the ELF file.
//
// A Table is immutable once NewTable returns, and safe for concurrent use.
package cfi
