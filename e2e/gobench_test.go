package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Go benchmarks: a program with 1000 parked goroutines (gogoroutines),
// stopped in main. DAP_BENCH_ADAPTER="dlv dap" runs the same against
// Delve, in the same run, for comparison.

// BenchmarkGoThreads1001 is one `threads` request listing every goroutine
// with its name.
func BenchmarkGoThreads1001(b *testing.B) {
	f := buildGo(b, "gogoroutines")
	raw := startRawAt(b, f, "BP:goparked", "1000")
	defer raw.close(b)
	if n := len(goWorkers(b, raw)); n != 1000 {
		b.Fatalf("%d goroutines in main.worker, want 1000", n)
	}
	raw.roundTrips(b, raw.request("threads", `{}`), `"command":"threads"`)
}

// BenchmarkGoParkedStack is the first stackTrace (20 frames) of a parked
// goroutine: each iteration asks for another one (run it with
// -benchtime=Nx, N at most 1000, so that none is asked twice).
func BenchmarkGoParkedStack(b *testing.B) {
	f := buildGo(b, "gogoroutines")
	raw := startRawAt(b, f, "BP:goparked", "1000")
	defer raw.close(b)
	ids := goWorkers(b, raw)
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, d := raw.timeRequest(b, "stackTrace", fmt.Sprintf(`{"threadId":%d,"startFrame":0,"levels":20}`, ids[i%len(ids)]))
		if !strings.Contains(string(m), "main.worker") {
			b.Fatalf("goroutine %d: no main.worker frame: %.400s", ids[i%len(ids)], m)
		}
		total += d
	}
	b.StopTimer()
	reportMS(b, total, "ms/stack")
}

// goWorkers lists the ids of the goroutines whose name says main.worker.
func goWorkers(b *testing.B, raw *rawClient) []int {
	raw.send(raw.request("threads", `{}`))
	m := raw.until(b, `"command":"threads"`)
	var body struct {
		Body struct {
			Threads []struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"threads"`
		} `json:"body"`
	}
	if err := json.Unmarshal(m, &body); err != nil {
		b.Fatal(err)
	}
	var ids []int
	for _, th := range body.Body.Threads {
		if strings.Contains(th.Name, "main.worker") {
			ids = append(ids, th.ID)
		}
	}
	return ids
}
