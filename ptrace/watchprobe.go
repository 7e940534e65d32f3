package ptrace

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Some hypervisors (a "PVM" guest, seen on AMD EPYC hosts) accept the x86
// debug registers, PTRACE_POKEUSER succeeds and DR7 reads back, yet a
// watched write never traps. Nothing in the registers tells; only a write
// does. So once per adapter process a throwaway child writes a watched word
// and we look at what stops it.

var probe struct {
	once   sync.Once
	works  bool
	detail string
}

// HardwareWatchpoints reports whether the CPU's debug registers catch a
// write on this machine, and a sentence saying what the probe saw. The
// probe runs once per adapter process, on first call (a few milliseconds);
// later calls return the cached answer.
func HardwareWatchpoints() (bool, string) {
	probe.once.Do(func() {
		start := time.Now()
		works, detail := runProbe()
		probe.works = works
		probe.detail = fmt.Sprintf("%s (probe: %v)", detail, time.Since(start).Round(100*time.Microsecond))
		fmt.Fprintf(os.Stderr, "dap-ptrace: %s\n", probe.detail)
	})
	return probe.works, probe.detail
}

// probeCode is `mov %rax,(%rbx); int3`: the watched write, then a trap
// that ends the probe if the watch did not.
var probeCode = []byte{0x48, 0x89, 0x03, 0xcc}

// runProbe starts a copy of this executable under a tracer thread of its
// own, stops it at its exec stop (before any of its code has run), writes
// probeCode over its entry point and a watch on a stack word, and lets it
// run. Its events come through the process-wide waiter like any tracee's,
// so nothing else reaps it.
func runProbe() (bool, string) {
	tr := NewTracer()
	defer tr.Close()
	pid, err := tr.Launch(LaunchConfig{Path: "/proc/self/exe", Args: []string{"dap-ptrace-watch-probe"}, Env: []string{}})
	if err != nil {
		return false, fmt.Sprintf("hardware watchpoints untested: cannot start a probe: %v", err)
	}
	evs := make(chan Event, 16)
	Watch(pid, func(ev Event) {
		select {
		case evs <- ev:
		default:
		}
	})
	next := func() (Event, bool) {
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case ev := <-evs:
				if ev.Tid == pid {
					return ev, true
				}
			case <-t.C:
				return Event{}, false
			}
		}
	}
	defer func() {
		_ = Kill(pid)
		// Wait for its end before routing stops, or the waiter would keep
		// the exit as an orphan event for ever.
		for {
			ev, ok := next()
			if !ok || !ev.Stopped() {
				break
			}
		}
		Unwatch(pid)
	}()
	fail := func(what string, err error) (bool, string) {
		return false, fmt.Sprintf("hardware watchpoints untested: %s: %v", what, err)
	}
	if ev, ok := next(); !ok || !ev.Stopped() {
		return fail("the probe did not start", fmt.Errorf("%v", ev))
	}
	regs, err := tr.GetRegs(pid)
	if err != nil {
		return fail("registers", err)
	}
	mem := NewMem(pid)
	defer mem.Close()
	if _, err := mem.WriteAt(probeCode, regs.Rip); err != nil {
		return fail("code", err)
	}
	slot := (regs.Rsp - 256) &^ 7
	at := regs.Rip
	regs.Rbx, regs.Rax = slot, 0x5eed
	if err := tr.SetRegs(pid, &regs); err != nil {
		return fail("registers", err)
	}
	// DR0 = slot, enabled locally, break on writes, 8 bytes.
	if err := tr.SetDebugReg(pid, 0, slot); err != nil {
		return fail("DR0", err)
	}
	if err := tr.SetDebugReg(pid, DR7, 1|0b01<<16|0b10<<18); err != nil {
		return fail("DR7", err)
	}
	if err := tr.Cont(Resume{Tid: pid}); err != nil {
		return fail("continue", err)
	}
	ev, ok := next()
	if !ok || ev.Kind != SignalStop || ev.Signal != unix.SIGTRAP {
		return fail("the probe did not trap", fmt.Errorf("%v", ev))
	}
	dr6, _ := tr.DebugReg(pid, DR6)
	now, err := tr.GetRegs(pid)
	if err != nil {
		return fail("registers", err)
	}
	if dr6&1 != 0 || now.Rip == at+3 {
		return true, "hardware watchpoints work: a watched write trapped"
	}
	return false, "hardware watchpoints do not fire on this machine: the debug registers were accepted but a watched write did not trap; data breakpoints use page protection"
}
