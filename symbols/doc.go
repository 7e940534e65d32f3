// Package symbols answers questions about a native x86-64 ELF program that
// can be settled without a running process: which source line and function
// an address belongs to, where a breakpoint for a source line or function
// should go, which ELF symbol covers an address, and how to find the
// caller's frame from an address (see FrameAt; the call frame information
// of .debug_frame and .eh_frame is read by the subpackage cfi, which knows
// nothing of a File). DWARF below what debug/dwarf offers (the sections
// read once, unit headers, .debug_aranges, location lists) is read by the
// subpackage dwarfsec, which knows nothing of a File either.
//
// It reads only the file, through debug/elf, debug/dwarf and Delve's DWARF
// expression evaluator (github.com/go-delve/delve/pkg/dwarf/op), so the
// debugger core can keep all ptrace knowledge elsewhere and this package
// can be tested against compiled binaries without starting them.
//
// All addresses are link-time addresses, exactly as they appear in the ELF
// file. For a position-independent executable or a shared library the caller
// subtracts the load bias before asking and adds it to every answer.
//
// A File is immutable once NewFile returns. The DWARF indexes and the call
// frame table are built on first use (each guarded by a sync.Once) so that
// opening many shared libraries stays cheap; every method is safe for
// concurrent use.
package symbols
