package ptrace

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// InjectSyscall runs a system call in stopped thread tid: a `syscall`
// instruction over the one at its pc, its registers set, one step, and
// both put back. orig_rax is set to -1 so that the kernel does not take
// the thread for one interrupted in a system call and restart that over
// ours; the saved registers bring the interrupted call back afterwards. A
// signal that stops the step before it runs is handed to keep, for the
// thread to get later, and the step is tried again.
func InjectSyscall(tr *Tracer, mem *Mem, tid int, wait func() (Event, error), keep func(syscall.Signal), nr uint64, args ...uint64) (uint64, error) {
	saved, err := tr.GetRegs(tid)
	if err != nil {
		return 0, err
	}
	pc := saved.Rip
	var code [2]byte
	if _, err := mem.ReadAt(code[:], pc); err != nil {
		return 0, err
	}
	if _, err := mem.WriteAt([]byte{0x0f, 0x05}, pc); err != nil {
		return 0, err
	}
	defer func() {
		_, _ = mem.WriteAt(code[:], pc)
		_ = tr.SetRegs(tid, &saved)
	}()
	r := saved
	r.Rax, r.Orig_rax = nr, ^uint64(0)
	regArgs := []*uint64{&r.Rdi, &r.Rsi, &r.Rdx, &r.R10, &r.R8, &r.R9}
	for i, a := range args {
		*regArgs[i] = a
	}
	if err := tr.SetRegs(tid, &r); err != nil {
		return 0, err
	}
	for try := 0; try < 16; try++ {
		if err := tr.SingleStep(tid, 0); err != nil {
			return 0, err
		}
		ev, err := wait()
		if err != nil {
			return 0, err
		}
		now, err := tr.GetRegs(tid)
		if err != nil {
			return 0, err
		}
		if now.Rip == pc+2 {
			return now.Rax, nil
		}
		if ev.Kind != SignalStop || now.Rip != pc {
			return 0, fmt.Errorf("the injected system call stopped with %v at %#x", ev, now.Rip)
		}
		if ev.Signal != unix.SIGTRAP {
			keep(ev.Signal)
		}
	}
	return 0, errors.New("the injected system call never ran")
}
