package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The x86 debug registers, reached through the user area: DR0–DR3 hold
// watched addresses, DR6 says which fired, DR7 enables them and sets their
// length and access kind.
const (
	debugRegOffset = 848 // offsetof(struct user, u_debugreg) on x86-64
	DR6            = 6
	DR7            = 7
	TrapHwBkpt     = 4 // TRAP_HWBKPT: a hardware breakpoint or watchpoint
)

// SetDebugReg writes debug register n of stopped thread tid. The kernel
// refuses (EINVAL) an address that is not aligned to its length or a DR7
// that enables an impossible combination.
func (t *Tracer) SetDebugReg(tid, n int, v uint64) error {
	return t.run(func() error {
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_POKEUSR, uintptr(tid), uintptr(debugRegOffset+8*n), uintptr(v), 0, 0)
		if e != 0 {
			return wrap("PTRACE_POKEUSER", tid, e)
		}
		return nil
	})
}

// DebugReg reads debug register n of stopped thread tid.
func (t *Tracer) DebugReg(tid, n int) (uint64, error) {
	var v uint64
	err := t.run(func() error {
		// The raw system call stores the word at data, unlike glibc's
		// wrapper, which returns it.
		_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_PEEKUSR, uintptr(tid), uintptr(debugRegOffset+8*n), uintptr(unsafe.Pointer(&v)), 0, 0)
		if e != 0 {
			return wrap("PTRACE_PEEKUSER", tid, e)
		}
		return nil
	})
	return v, err
}
