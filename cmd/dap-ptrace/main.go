// Command dap-ptrace is a Debug Adapter Protocol server for native Linux
// x86-64 programs. It speaks DAP over stdin/stdout, or with --listen over
// TCP (one debug session per connection, on the loopback interface unless
// the address names another).
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/session"
	"golang.org/x/sys/unix"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	listen := flag.String("listen", "", "serve DAP over TCP on `[host:]port` instead of stdin/stdout, one session per connection;\n"+
		"without a host only this machine can connect (127.0.0.1); port 0 picks one")
	logFile := flag.String("log", "", "append a trace of every DAP message in and out to this file")
	showVersion := flag.Bool("version", false, "print the version and exit")
	launchTarget := flag.String("launch-target", "", "internal: run the program given after -- for the adapter that made this FIFO (a launch in the editor's terminal)")
	flag.Parse()
	// GOGC and GOMEMLIMIT still decide if set.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		tuneGC()
	}
	if *launchTarget != "" {
		err := session.LaunchTarget(*launchTarget, flag.Args())
		fmt.Fprintln(os.Stderr, "dap-ptrace:", err)
		os.Exit(127)
	}
	// A developer's switch: a CPU profile of the whole run, to see where a
	// cold session spends its time.
	if path := os.Getenv("DAP_PTRACE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if *showVersion {
		fmt.Println("dap-ptrace", version)
		return
	}
	if os.Getenv("DAP_PTRACE_STATS") != "" {
		printStats()
	}
	var trace io.Writer
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "dap-ptrace:", err)
			os.Exit(2)
		}
		defer f.Close()
		trace = &lockedWriter{w: f}
	}
	if *listen != "" {
		if err := serveTCP(*listen, trace); err != nil {
			fmt.Fprintln(os.Stderr, "dap-ptrace:", err)
			os.Exit(1)
		}
		return
	}
	serveStdio(trace)
}

// printStats writes the adapter's goroutine count to stderr at each
// SIGUSR1, for soak tests and for looking at a long session from outside
// (its memory is in /proc/PID/status). It is on only with DAP_PTRACE_STATS
// set, so that a stray SIGUSR1 keeps its default meaning otherwise.
func printStats() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	go func() {
		for range sigs {
			fmt.Fprintf(os.Stderr, "dap-ptrace: stats goroutines=%d\n", runtime.NumGoroutine())
		}
	}()
}

// lockedWriter serialises trace lines from several connections.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// serveStdio runs one session on stdin/stdout. It ends, cleaning up the
// debuggee, on disconnect, when stdin closes (nvim-dap closes it without a
// disconnect), or on SIGTERM/SIGINT.
func serveStdio(trace io.Writer) {
	// A 1 MiB readMemory answer is 1.4 MB of JSON: with the default 64 KiB
	// pipe it crosses in twenty-odd hand-offs between us and the client.
	// 1 MiB is the default pipe-max-size. Not a pipe, or not allowed: keep
	// what we have.
	_, _ = unix.FcntlInt(os.Stdout.Fd(), unix.F_SETPIPE_SZ, 1<<20)
	conn := dap.NewConn(os.Stdin, os.Stdout)
	if trace != nil {
		conn.SetTrace(trace)
	}
	s := session.New(conn)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	served := make(chan error, 1)
	go func() { served <- conn.Serve(s.Mux()) }()
	code := 0
	select {
	case err := <-served:
		if err != nil {
			fmt.Fprintln(os.Stderr, "dap-ptrace:", err)
		}
	case <-s.Done():
	case sig := <-sigs:
		fmt.Fprintln(os.Stderr, "dap-ptrace: got", sig, "- ending the debug session")
	}
	s.Close()
	conn.Close()
	session.FlushCaches(3 * time.Second)
	pprof.StopCPUProfile() // os.Exit skips main's deferred stop
	os.Exit(code)
}

// listenAddr is where --listen ADDR binds: a bare port or ":port" is on
// the loopback interface, since whoever connects can run programs as us;
// other hosts must be asked for by name (0.0.0.0:port, [::]:port).
func listenAddr(addr string) (bind string, loopback bool) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = "", addr // "4711"
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	return net.JoinHostPort(host, port), host == "localhost" || (ip != nil && ip.IsLoopback())
}

// serveTCP accepts connections on addr, one session each, until a signal.
func serveTCP(addr string, trace io.Writer) error {
	bind, loopback := listenAddr(addr)
	ln, err := net.Listen("tcp", bind)
	if err != nil {
		return err
	}
	// Before the startup message: whoever reads it may signal us next.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	// Tests and scripts learn the port from this line (with port 0).
	fmt.Fprintf(os.Stderr, "dap-ptrace: listening on %s\n", ln.Addr())
	if loopback {
		fmt.Fprintf(os.Stderr, "dap-ptrace: only this machine can connect (loopback); to accept other hosts, give one: --listen 0.0.0.0:PORT\n")
	} else {
		fmt.Fprintf(os.Stderr, "dap-ptrace: warning: whoever can reach %s can debug and run programs as this user\n", ln.Addr())
	}
	var mu sync.Mutex
	live := map[*session.Session]net.Conn{}
	var wg sync.WaitGroup
	go func() {
		<-sigs
		ln.Close()
		mu.Lock()
		for _, c := range live {
			c.Close() // ends Serve; the session's cleanup follows
		}
		mu.Unlock()
	}()
	for {
		nc, err := ln.Accept()
		if err != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := dap.NewConn(nc, nc)
			if trace != nil {
				conn.SetTrace(trace)
			}
			s := session.New(conn)
			s.SetServerPort(ln.Addr().(*net.TCPAddr).Port)
			mu.Lock()
			live[s] = nc
			mu.Unlock()
			served := make(chan error, 1)
			go func() { served <- conn.Serve(s.Mux()) }()
			select {
			case <-served:
			case <-s.Done():
			}
			s.Close()
			conn.Close()
			nc.Close()
			mu.Lock()
			delete(live, s)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return nil
}

// smallHeap is the heap a session may grow to before it is collected at
// all: a small program's whole session stays below it.
const smallHeap = 32 << 20

// tuneGC collects nothing until the heap nears smallHeap, then, if what
// is live is over half of it, as with GOGC=75 (an adapter's heap is
// mostly indexes read once and kept: a tighter target than Go's default
// keeps a 20,000-function program's session under 60 MiB). A first stop
// then pays for no collection of the few megabytes a small program needs.
func tuneGC() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(smallHeap)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		sentinel := &struct{ _ [32]byte }{}
		runtime.SetFinalizer(sentinel, func(any) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > smallHeap/2 {
				debug.SetGCPercent(75)
				debug.SetMemoryLimit(math.MaxInt64)
				return
			}
			arm()
		})
	}
	arm()
}
