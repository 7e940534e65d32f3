// Package symbols answers questions about a native x86-64 ELF program that
// can be settled without a running process: which source line and function
// an address belongs to, where a breakpoint for a source line or function
// should go, and which ELF symbol covers an address.
//
// It reads only the file, through debug/elf and debug/dwarf, so the debugger
// core can keep all ptrace knowledge elsewhere and this package can be tested
// against compiled binaries without starting them.
//
// All addresses are link-time addresses, exactly as they appear in the ELF
// file. For a position-independent executable or a shared library the caller
// subtracts the load bias before asking and adds it to every answer.
//
// A File is immutable once NewFile returns. The DWARF indexes are built on
// first use (guarded by sync.Once) so that opening many shared libraries stays
// cheap; every method is safe for concurrent use.
package symbols
