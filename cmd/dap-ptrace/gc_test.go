package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// A heap that outgrows smallHeap's half is collected as with GOGC=75 and
// no memory limit: never left to a limit it is about to exceed, where the
// collector would run without pause.
func TestTuneGCLetsGo(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	tuneGC()
	if pct, lim := gcSettings(); pct != -1 || lim != smallHeap {
		t.Fatalf("GC percent %d and memory limit %d after tuneGC, want off (-1) and %d", pct, lim, smallHeap)
	}
	live := make([][]byte, 0, 24)
	for range 24 {
		live = append(live, make([]byte, 1<<20))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC() // the finalizer of the cycle's sentinel looks at the live heap
		pct, lim := gcSettings()
		if pct == 75 && lim == math.MaxInt64 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GC percent still %d, memory limit %d, with %d MiB live", pct, lim, len(live))
		}
		runtime.Gosched()
	}
	runtime.KeepAlive(live)
}

// gcSettings reads GOGC and the memory limit in force without changing
// them (debug's setters would, for an instant the finalizer could see).
func gcSettings() (pct int64, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}
