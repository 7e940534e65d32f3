package ptrace

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Why a signal came, as a person debugging a crash needs it: the faulting
// address of a SIGSEGV and whether it is unmapped or protected, what
// arithmetic fault a SIGFPE is, who sent a signal. Codes are those of
// siginfo(2).
var sigCodes = map[syscall.Signal]map[int32]string{
	syscall.SIGSEGV: {1: "address not mapped", 2: "invalid permissions for mapped object", 3: "failed address bound checks", 4: "failed protection key checks"},
	syscall.SIGBUS:  {1: "invalid address alignment", 2: "nonexistent physical address", 3: "object-specific hardware error"},
	syscall.SIGFPE: {1: "integer divide by zero", 2: "integer overflow", 3: "floating-point divide by zero", 4: "floating-point overflow",
		5: "floating-point underflow", 6: "floating-point inexact result", 7: "invalid floating-point operation", 8: "subscript out of range"},
	syscall.SIGILL: {1: "illegal opcode", 2: "illegal operand", 3: "illegal addressing mode", 4: "illegal trap", 5: "privileged opcode",
		6: "privileged register", 7: "coprocessor error", 8: "internal stack error"},
}

// senders names the si_codes of signals sent rather than raised by a fault.
var senders = map[int32]string{0: "sent by kill", -6: "sent by tkill (raise, abort)", -1: "sent by sigqueue", -2: "sent by a timer", -4: "sent by asynchronous I/O"}

// SignalDetail describes signal sig from its siginfo: why it came.
func SignalDetail(sig syscall.Signal, si SigInfo) string {
	name := SignalName(sig)
	if why, ok := sigCodes[sig][si.Code]; ok {
		// si_addr: the data address of a memory fault, the instruction's
		// of an arithmetic or illegal-instruction one.
		return fmt.Sprintf("%s: %s at %#x", name, why, si.Addr)
	}
	if who, ok := senders[si.Code]; ok {
		return fmt.Sprintf("%s: %s", name, who)
	}
	return fmt.Sprintf("%s (%s)", name, sig.String())
}

// SignalName is a signal's name as C spells it (SIGSEGV).
func SignalName(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// ThreadNames returns threads' names as a thread list shows them: each
// one's comm ("thread" when it has none) and its id. The comm files are
// read with plain system calls relative to the task directory, by a few
// goroutines, as a thousand threads are a thousand files.
func ThreadNames(pid int, tids []int) []string {
	out := make([]string, len(tids))
	dir, err := unix.Open(fmt.Sprintf("/proc/%d/task", pid), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		dir = -1
	}
	read := func(i int) {
		name := ""
		if dir >= 0 {
			if fd, err := unix.Openat(dir, strconv.Itoa(tids[i])+"/comm", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
				var b [64]byte
				n, _ := unix.Read(fd, b[:])
				unix.Close(fd)
				name = strings.TrimSpace(string(b[:max(n, 0)]))
			}
		}
		if name == "" {
			name = "thread"
		}
		out[i] = name + " (" + strconv.Itoa(tids[i]) + ")"
	}
	workers := min(runtime.GOMAXPROCS(0), len(tids)/64+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(tids); i += workers {
				read(i)
			}
		}()
	}
	wg.Wait()
	if dir >= 0 {
		unix.Close(dir)
	}
	return out
}

// Traced reads /proc/PID/status and says whether process pid has a
// tracer, and whether it exists at all.
func Traced(pid int) (traced, alive bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return false, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			return strings.TrimSpace(v) != "0", true
		}
	}
	return false, true
}

// JobStopped says whether process pid is stopped by a signal (state T),
// as a process handed over by another session waits (see
// Tracer.Attach's callers).
func JobStopped(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: comm may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'T'
}

// Handovers are processes detached stopped (SIGSTOP) for another tracer to
// take: each is continued (SIGCONT) if none took it within its timeout, or
// at Release, so that none stays stopped for ever. The zero value is ready.
type Handovers struct{ m sync.Map }

// Add watches pid from now on.
func (h *Handovers) Add(pid int, timeout time.Duration) {
	h.m.Store(pid, true)
	go func() {
		defer h.m.Delete(pid)
		for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if traced, alive := Traced(pid); traced || !alive {
				return
			}
		}
		_ = unix.Kill(pid, unix.SIGCONT)
	}()
}

// Release continues every process still waiting for a tracer.
func (h *Handovers) Release() {
	h.m.Range(func(pid, _ any) bool {
		if traced, alive := Traced(pid.(int)); !traced && alive {
			_ = unix.Kill(pid.(int), unix.SIGCONT)
		}
		return true
	})
}

// NameCache keeps the names of a process's threads for a while (nameTTL):
// names change rarely (pthread_setname_np, mostly right after a thread
// starts), and a list of a thousand threads at every stop must not read a
// thousand files. The zero value is ready; it is not safe for concurrent
// use.
type NameCache struct {
	names map[int]cachedName
}

type cachedName struct {
	name string
	at   time.Time
}

// nameTTL is how long a name read is taken as the thread's.
const nameTTL = time.Second

// Names returns the names of threads tids of process pid (see
// ThreadNames), reading again those older than nameTTL, all at once.
func (c *NameCache) Names(pid int, tids []int) []string {
	if c.names == nil || len(c.names) > 2*len(tids)+64 {
		c.names = map[int]cachedName{} // forget the threads long gone
	}
	now := time.Now()
	var stale []int
	for _, tid := range tids {
		if n, ok := c.names[tid]; !ok || now.Sub(n.at) > nameTTL {
			stale = append(stale, tid)
		}
	}
	for i, name := range ThreadNames(pid, stale) {
		c.names[stale[i]] = cachedName{name, now}
	}
	out := make([]string, len(tids))
	for i, tid := range tids {
		out[i] = c.names[tid].name
	}
	return out
}
