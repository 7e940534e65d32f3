package session

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
	"golang.org/x/sys/unix"
)

// A program launched with "console": "integratedTerminal" (or
// "externalTerminal") runs in the editor's terminal, where a person can type
// to it: the client starts, at our runInTerminal request, this adapter's own
// binary as a launcher (--launch-target), which tells us its pid through a
// FIFO, waits until we have attached, and executes the program. We follow
// it into the exec as into a launch; the program's output goes to the
// terminal, not to output events.

// launchTimeout bounds how long the client may take to start the launcher
// and the launcher to be attached.
const launchTimeout = 20 * time.Second

// launchInTerminal asks the client to run the program in a terminal and
// debugs it from its execve on.
func (s *Session) launchInTerminal(args launchArgs, cfg proc.LaunchConfig) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("cannot find the adapter's own binary to start the program in a terminal: %v", err)
	}
	dir, err := os.MkdirTemp("", "dap-ptrace-launch")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	fifo := filepath.Join(dir, "pid")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		return 0, fmt.Errorf("cannot make the launcher's FIFO: %v", err)
	}
	// Opened before the request, without blocking, so that the launcher's
	// open for writing finds a reader.
	f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	kind := "integrated"
	if args.Console == "externalTerminal" {
		kind = "external"
	}
	env := map[string]any{}
	for _, kv := range args.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	s.conn.SendRequest("runInTerminal", godap.RunInTerminalRequestArguments{
		Kind:  kind,
		Title: filepath.Base(args.Program),
		Cwd:   cfg.Cwd,
		Args:  append([]string{self, "--launch-target", fifo, "--", cfg.Program}, cfg.Args...),
		Env:   env,
	})
	_ = f.SetReadDeadline(time.Now().Add(launchTimeout))
	var buf [32]byte
	var got []byte
	for !strings.HasSuffix(string(got), "\n") {
		n, err := f.Read(buf[:])
		got = append(got, buf[:n]...)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, fmt.Errorf("the terminal did not start the program within %v (does the client run runInTerminal requests?)", launchTimeout)
		}
		if err != nil && n == 0 && len(got) == 0 {
			// No writer yet (EOF before the launcher opens it): wait.
			time.Sleep(5 * time.Millisecond)
		}
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(got)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("the launcher sent %q, not a process id", got)
	}
	if err := s.dbg.LaunchAttached(pid, cfg); err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return 0, err
	}
	return pid, nil
}

// LaunchTarget is the launcher's side (--launch-target FIFO -- PROGRAM
// ARGS...): it lets the adapter trace it, sends its pid, waits to be
// traced and executes the program. It returns only on failure.
func LaunchTarget(fifo string, argv []string) error {
	if len(argv) == 0 {
		return errors.New("no program to run")
	}
	// Under Yama ptrace_scope 1 only an ancestor may attach; the adapter is
	// not ours.
	_ = unix.Prctl(unix.PR_SET_PTRACER, unix.PR_SET_PTRACER_ANY, 0, 0, 0)
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot reach the debug adapter: %v", err)
	}
	_, err = fmt.Fprintf(f, "%d\n", os.Getpid())
	f.Close()
	if err != nil {
		return fmt.Errorf("cannot reach the debug adapter: %v", err)
	}
	deadline := time.Now().Add(launchTimeout)
	for !traced() {
		if time.Now().After(deadline) {
			return errors.New("the debug adapter did not attach")
		}
		// Nothing to wait on but the kernel's TracerPid: poll it.
		time.Sleep(time.Millisecond)
	}
	path := argv[0]
	if p, err := lookPath(path); err == nil {
		path = p
	}
	return syscall.Exec(path, argv, os.Environ())
}

// traced reads this process's TracerPid.
func traced() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			return strings.TrimSpace(v) != "0"
		}
	}
	return false
}

// lookPath finds a program named without a slash in $PATH, as a shell would.
func lookPath(name string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in $PATH", name)
}
