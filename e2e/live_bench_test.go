package e2e

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// BenchmarkLiveEvaluate is one evaluate of a global while the program
// runs (a live watch), and what it costs the program: its loop's rate
// while the adapter answers evaluates back to back, beside its rate with
// no requests (rate-change-% is the difference).
func BenchmarkLiveEvaluate(b *testing.B) {
	f := buildC(b, "live")
	raw := startRawAt(b, f, "run")
	defer raw.close(b)
	raw.until(b, `"event":"output"`)
	read := func() (uint64, time.Time) {
		raw.send(raw.request("evaluate", `{"expression":"counter","context":"watch"}`))
		m := raw.until(b, `"command":"evaluate"`)
		var r struct {
			Body struct {
				Result string `json:"result"`
			} `json:"body"`
		}
		if err := json.Unmarshal(m, &r); err != nil {
			b.Fatal(err)
		}
		v, err := strconv.ParseUint(r.Body.Result, 10, 64)
		if err != nil {
			b.Fatalf("counter = %q", r.Body.Result)
		}
		return v, time.Now()
	}
	rate := func(v0 uint64, t0 time.Time, v1 uint64, t1 time.Time) float64 {
		return float64(v1-v0) / t1.Sub(t0).Seconds()
	}
	// Idle: two reads a measuring window apart.
	v0, t0 := read()
	time.Sleep(300 * time.Millisecond)
	v1, t1 := read()
	idle := rate(v0, t0, v1, t1)
	b.ResetTimer()
	v2, t2 := read()
	for i := 0; i < b.N; i++ {
		raw.send(raw.request("evaluate", `{"expression":"counter","context":"watch"}`))
		raw.until(b, `"command":"evaluate"`)
	}
	v3, t3 := read()
	b.StopTimer()
	busy := rate(v2, t2, v3, t3)
	b.ReportMetric(idle/1e6, "Mloops/s-idle")
	b.ReportMetric(busy/1e6, "Mloops/s-busy")
	b.ReportMetric(100*(busy-idle)/idle, "rate-change-%")
}
