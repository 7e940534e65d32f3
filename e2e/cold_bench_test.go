package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// Cold benchmarks start a new adapter for every iteration, as an editor
// does for every session: what a user waits for after pressing F5, with
// nothing cached in the adapter. Each has a warm twin above (one adapter,
// a new stop per iteration). DAP_BENCH_ADAPTER=lldb-vscode-16 runs the
// same sessions against another adapter, in the same run, for comparison.

// coldStop starts a fresh adapter, launches f with args to a stop at
// marker, and returns the client and the time from starting the adapter
// to the stopped event.
func coldStop(b *testing.B, f fixture, marker string, args ...string) (*rawClient, time.Duration) {
	t0 := time.Now()
	raw := startRawAt(b, f, marker, args...)
	return raw, raw.stoppedAt.Sub(t0)
}

// timeRequest sends one request and returns how long its response took.
func (r *rawClient) timeRequest(b *testing.B, command, args string) ([]byte, time.Duration) {
	msg := r.request(command, args)
	t0 := time.Now()
	r.send(msg)
	m := r.until(b, `"command":"`+command+`"`)
	return m, time.Since(t0)
}

// reportMS reports the mean of durations as milliseconds per session.
func reportMS(b *testing.B, d time.Duration, unit string) {
	b.ReportMetric(float64(d.Microseconds())/1000/float64(b.N), unit)
}

// BenchmarkColdLaunchToStop is launch to the first breakpoint stop of a
// small C program (libc with its detached debug information loaded).
func BenchmarkColdLaunchToStop(b *testing.B) {
	f := buildC(b, "hello")
	var stop time.Duration
	for i := 0; i < b.N; i++ {
		raw, d := coldStop(b, f, "BP:add")
		stop += d
		raw.close(b)
	}
	reportMS(b, stop, "ms-to-stop")
}

// BenchmarkColdFirstStack1000 is the first full stackTrace of a 1000-frame
// stack in a fresh adapter.
func BenchmarkColdFirstStack1000(b *testing.B) {
	f := buildC(b, "recurse")
	var stack time.Duration
	for i := 0; i < b.N; i++ {
		raw, _ := coldStop(b, f, "BP:bottom", "1000")
		m, d := raw.timeRequest(b, "stackTrace", fmt.Sprintf(`{"threadId":%d,"startFrame":0,"levels":0}`, raw.tid))
		if !bytes.Contains(m, []byte(`"totalFrames":100`)) {
			b.Fatalf("not a 1000-frame stack: %.200s", m[len(m)-200:])
		}
		stack += d
		raw.close(b)
	}
	reportMS(b, stack, "ms-first-stack")
}

// BenchmarkColdStacks9Threads is threads plus the top 20 frames of each of
// nine threads, first thing after the first stop of a fresh adapter.
func BenchmarkColdStacks9Threads(b *testing.B) { benchColdThreads(b, 8, 20) }

// BenchmarkCold1000Threads is a program with 1000 threads besides main:
// launch to a breakpoint stop once they are all running, then threads and
// the stopped thread's first stackTrace.
func BenchmarkCold1000Threads(b *testing.B) { benchColdThreads(b, 1000, 0) }

// benchColdThreads runs the threads fixture with n parked threads to
// BP:ready, then times threads and the stacks of the first `each` threads
// (0: only the stopped thread's).
func benchColdThreads(b *testing.B, n, each int) {
	f := buildC(b, "threads")
	var stop, list, stacks time.Duration
	for i := 0; i < b.N; i++ {
		raw, d := coldStop(b, f, "BP:ready", strconv.Itoa(n))
		stop += d
		m, d := raw.timeRequest(b, "threads", `{}`)
		list += d
		all := threadIDs(b, m, n+1)
		ids := []int{raw.tid}
		if each > 0 {
			ids = all[:min(each, len(all))]
		}
		for _, id := range ids {
			_, d := raw.timeRequest(b, "stackTrace", fmt.Sprintf(`{"threadId":%d,"startFrame":0,"levels":20}`, id))
			stacks += d
		}
		raw.close(b)
	}
	reportMS(b, stop, "ms-to-stop")
	reportMS(b, list, "ms-threads")
	reportMS(b, stacks, "ms-stacks")
}

// BenchmarkCold20kFunctions is launch to a stop in main of a C program of
// 20,000 functions, and the adapter's peak RSS for that session.
func BenchmarkCold20kFunctions(b *testing.B) {
	f := bigProgram(b, 20000)
	var stop time.Duration
	var peak float64
	for i := 0; i < b.N; i++ {
		raw, d := coldStop(b, f, "BP:main")
		stop += d
		peak = max(peak, peakRSSMiB(b, raw.cmd.Process.Pid))
		raw.close(b)
	}
	reportMS(b, stop, "ms-to-stop")
	b.ReportMetric(peak, "MiB-peak-RSS")
}

// bigProgram writes and builds a C program of n small functions, each
// called from main, with a BP:main line.
func bigProgram(b *testing.B, n int) fixture {
	var sb strings.Builder
	sb.WriteString("#include <stdio.h>\n")
	writeFuncs(&sb, n)
	sb.WriteString("int main(void) {\n\tlong s = 0;\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "\ts += f%d(%d);\n", i, i)
	}
	sb.WriteString("\tprintf(\"%ld\\n\", s); /* BP:main */\n\treturn 0;\n}\n")
	src := generated(b, fmt.Sprintf("big%d.c", n), sb.String())
	return fixture{bin: daptest.BuildC(b, src, "-g", "-O0"), src: src}
}

// writeFuncs writes n small C functions, f0 to f<n-1>.
func writeFuncs(sb *strings.Builder, n int) {
	for i := 0; i < n; i++ {
		fmt.Fprintf(sb, "int f%d(int x) {\n\tint y = x * %d;\n\treturn y + %d;\n}\n", i, i%7+1, i)
	}
}

// generated writes a generated source file under the temporary
// directory, unless it is there already with that content (its path and
// content key the build cache), and returns its path.
func generated(t testing.TB, name, content string) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "dap-ptrace-generated")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, name)
	if old, err := os.ReadFile(src); err != nil || string(old) != content {
		if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// peakRSSMiB reads a process's peak resident set (VmHWM).
func peakRSSMiB(b *testing.B, pid int) float64 {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkCold1000ThreadsFloor is the raw ptrace floor under
// BenchmarkCold1000Threads: a tracer in C (testdata/ptracefloor.c) that
// does nothing but wait and continue, from the exec stop of the same
// program until its 1000 threads exist (a clone event and a first stop
// each), then stops them all as an all-stop debugger does to report a
// stop. ms-floor is the sum, ms-floor-threads and ms-floor-stop its parts.
func BenchmarkCold1000ThreadsFloor(b *testing.B) {
	tracer := buildC(b, "ptracefloor")
	f := buildC(b, "threads")
	var threads, stop float64
	for i := 0; i < b.N; i++ {
		out, err := exec.Command(tracer.bin, "2000", f.bin, "1000").Output()
		var t, s float64
		if _, serr := fmt.Sscanf(string(out), "%g ms %g ms", &t, &s); err != nil || serr != nil {
			b.Fatalf("ptracefloor: %q %v %v", out, err, serr)
		}
		threads += t
		stop += s
	}
	n := float64(b.N)
	b.ReportMetric((threads+stop)/n, "ms-floor")
	b.ReportMetric(threads/n, "ms-floor-threads")
	b.ReportMetric(stop/n, "ms-floor-stop")
}

// BenchmarkColdLibcFrame is what a user does first with a stack through a
// library (a comparator called back from libc's qsort): stackTrace, then
// the scopes and variables of the first libc frame, whose debug
// information (libc6-dbg) nothing read before.
func BenchmarkColdLibcFrame(b *testing.B) {
	f := buildC(b, "qsort")
	var total time.Duration
	for i := 0; i < b.N; i++ {
		raw, _ := coldStop(b, f, "BP:cmp")
		t0 := time.Now()
		m, _ := raw.timeRequest(b, "stackTrace", fmt.Sprintf(`{"threadId":%d,"startFrame":0,"levels":20}`, raw.tid))
		var st struct {
			Body struct {
				StackFrames []struct {
					ID   int    `json:"id"`
					Name string `json:"name"`
				} `json:"stackFrames"`
			} `json:"body"`
		}
		if err := json.Unmarshal(m, &st); err != nil || len(st.Body.StackFrames) < 3 {
			b.Fatalf("stack: %v %.300s", err, m)
		}
		frame := st.Body.StackFrames[1] // the libc function that called cmp
		m, _ = raw.timeRequest(b, "scopes", fmt.Sprintf(`{"frameId":%d}`, frame.ID))
		var sc struct {
			Body struct {
				Scopes []struct {
					Ref int `json:"variablesReference"`
				} `json:"scopes"`
			} `json:"body"`
		}
		if err := json.Unmarshal(m, &sc); err != nil || len(sc.Body.Scopes) == 0 {
			b.Fatalf("scopes of %s: %v %.300s", frame.Name, err, m)
		}
		m, _ = raw.timeRequest(b, "variables", fmt.Sprintf(`{"variablesReference":%d}`, sc.Body.Scopes[0].Ref))
		if i == 0 {
			b.Logf("frame 1 %s: %.300s", frame.Name, m)
		}
		total += time.Since(t0)
		raw.close(b)
	}
	reportMS(b, total, "ms-libc-frame")
}
