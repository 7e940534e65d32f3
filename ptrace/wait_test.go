package ptrace

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Wait statuses as the kernel encodes them (wait(2), ptrace(2)): exit code
// in bits 8-15; a killing signal in bits 0-6 with the core flag 0x80; a
// stop as 0x7f with the stop signal in bits 8-15 and a ptrace event in
// bits 16-23.
func TestDecodeWaitStatus(t *testing.T) {
	stop := func(sig unix.Signal, event int) unix.WaitStatus {
		return unix.WaitStatus(0x7f | int(sig)<<8 | event<<16)
	}
	for _, tc := range []struct {
		name string
		ws   unix.WaitStatus
		want Event
	}{
		{"exit 0", 0, Event{Kind: Exited}},
		{"exit 3", 3 << 8, Event{Kind: Exited, ExitCode: 3}},
		{"killed by SIGKILL", unix.WaitStatus(unix.SIGKILL), Event{Kind: Signaled, Signal: unix.SIGKILL}},
		{"SIGSEGV with a core", unix.WaitStatus(unix.SIGSEGV) | 0x80, Event{Kind: Signaled, Signal: unix.SIGSEGV, Core: true}},
		{"breakpoint trap", stop(unix.SIGTRAP, 0), Event{Kind: SignalStop, Signal: unix.SIGTRAP}},
		{"SIGSTOP", stop(unix.SIGSTOP, 0), Event{Kind: SignalStop, Signal: unix.SIGSTOP}},
		{"a signal for the program", stop(unix.SIGUSR1, 0), Event{Kind: SignalStop, Signal: unix.SIGUSR1}},
		{"system call stop (TRACESYSGOOD)", stop(unix.SIGTRAP|0x80, 0), Event{Kind: SyscallStop, Signal: unix.SIGTRAP}},
		{"clone", stop(unix.SIGTRAP, unix.PTRACE_EVENT_CLONE), Event{Kind: CloneStop, Signal: unix.SIGTRAP}},
		{"fork", stop(unix.SIGTRAP, unix.PTRACE_EVENT_FORK), Event{Kind: ForkStop, Signal: unix.SIGTRAP}},
		{"vfork", stop(unix.SIGTRAP, unix.PTRACE_EVENT_VFORK), Event{Kind: ForkStop, Signal: unix.SIGTRAP, VFork: true}},
		{"exec", stop(unix.SIGTRAP, unix.PTRACE_EVENT_EXEC), Event{Kind: ExecStop, Signal: unix.SIGTRAP}},
		{"exit event", stop(unix.SIGTRAP, unix.PTRACE_EVENT_EXIT), Event{Kind: ExitStop, Signal: unix.SIGTRAP}},
		// A group-stop under SEIZE carries PTRACE_EVENT_STOP with the
		// stopping signal; x/sys/unix's TrapCause reads an event only with
		// SIGTRAP, so it decodes as a stop with SIGSTOP, which the debugger
		// tells from a signal to deliver with PTRACE_GETSIGINFO (EINVAL
		// for a group-stop: ErrGroupStop), as ptrace(2) allows.
		{"group stop under SEIZE", stop(unix.SIGSTOP, unix.PTRACE_EVENT_STOP), Event{Kind: SignalStop, Signal: unix.SIGSTOP}},
		{"PTRACE_INTERRUPT", stop(unix.SIGTRAP, unix.PTRACE_EVENT_STOP), Event{Kind: EventStop, Signal: unix.SIGTRAP}},
	} {
		tc.want.Tid = 42
		if got := decode(42, tc.ws); got != tc.want {
			t.Errorf("%s (%#x): %+v, want %+v", tc.name, uint32(tc.ws), got, tc.want)
		}
	}
}
