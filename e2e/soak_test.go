package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// BenchmarkSoak is a long session: soakHits breakpoint hits, each followed
// by what an editor asks at every stop (threads, the top of the stack,
// scopes, the locals and arguments). It reports the adapter's resident
// memory (VmRSS) and goroutine count after 1,000 hits and at the end,
// which should be flat. Run it alone, once:
//
//	go test -run XXX -bench Soak -benchtime 1x -timeout 60m ./e2e/
//
// DAP_SOAK_HITS sets another number of hits.
func BenchmarkSoak(b *testing.B) {
	if testing.Short() {
		b.Skip("a soak of 100,000 breakpoint hits is not short")
	}
	hits := 100000
	if v, err := strconv.Atoi(os.Getenv("DAP_SOAK_HITS")); err == nil && v > 0 {
		hits = v
	}
	f := loopFixture(b)
	var stderr *bufio.Reader
	raw := startRawWith(b, f, "BP:bump", func(cmd *exec.Cmd) {
		cmd.Env = append(os.Environ(), "DAP_PTRACE_STATS=1")
		r, w, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = w
		stderr = bufio.NewReader(r)
		b.Cleanup(func() { r.Close(); w.Close() })
	})
	raw.send(raw.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[{"line":%d}]}`, f.src, f.line(b, "BP:bump"))))
	raw.until(b, `"command":"setBreakpoints"`)
	pid := raw.cmd.Process.Pid
	stats := func() (rssKiB, goroutines int) {
		if err := raw.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
			b.Fatal(err)
		}
		for goroutines == 0 {
			line, err := stderr.ReadString('\n')
			if err != nil {
				b.Fatalf("adapter stderr: %v", err)
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "dap-ptrace: stats goroutines="); ok {
				goroutines, _ = strconv.Atoi(v)
			}
		}
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				rssKiB, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			}
		}
		return rssKiB, goroutines
	}
	cont := raw.request("continue", fmt.Sprintf(`{"threadId":%d}`, raw.tid))
	threads := raw.request("threads", `{}`)
	var rss1k, g1k int
	b.ResetTimer()
	for i := 1; i <= hits; i++ {
		raw.send(cont)
		raw.until(b, `"event":"stopped"`)
		raw.send(threads)
		raw.until(b, `"command":"threads"`)
		frame := rawFrame0(b, raw)
		for _, scope := range []string{"Locals", "Arguments"} {
			ref := rawScope(b, raw, frame, scope)
			raw.send(raw.request("variables", fmt.Sprintf(`{"variablesReference":%d}`, ref)))
			raw.until(b, `"command":"variables"`)
		}
		if i == min(1000, hits) {
			rss1k, g1k = stats()
		}
	}
	b.StopTimer()
	rss, g := stats()
	b.ReportMetric(float64(rss1k), "rss-KiB-1k")
	b.ReportMetric(float64(rss), "rss-KiB-end")
	b.ReportMetric(float64(g1k), "goroutines-1k")
	b.ReportMetric(float64(g), "goroutines-end")
	b.Logf("after 1000 hits: VmRSS %d KiB, %d goroutines; after %d hits: VmRSS %d KiB, %d goroutines", rss1k, g1k, hits, rss, g)
	raw.close(b)
}
