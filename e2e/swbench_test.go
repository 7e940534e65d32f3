package e2e

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

// BenchmarkSoftWatchNeighbour is the cost of a software watchpoint (page
// protection, forced so that every machine measures the same thing) to
// the program that shares its page: one op is one write to the word beside
// the watched one, which faults, is stepped with the page open and goes
// on. Beside it, in the same run: the same writes with no watch (the
// slowdown factor, x-native), and writes caught per second on the watched
// word itself (a condition that never holds, so the program does not
// stop). 10^6 writes: -benchtime 1000000x.
func BenchmarkSoftWatchNeighbour(b *testing.B) {
	f := buildC(b, "swbench", "-g", "-O0")
	const caught = 2000
	args := []string{strconv.Itoa(b.N), strconv.Itoa(caught)}
	run := func(watch bool) (neighbour, watched time.Duration) {
		c := startAdapter(b)
		c.Timeout = 30*time.Second + time.Duration(b.N)*2*time.Millisecond // a lap is minutes at 10^6
		st := stopAt(b, c, f, map[string]any{"softwareWatchpoints": true, "args": args}, "BP:start")
		setBreakpoints(b, c, f.src, f.line(b, "BP:mid"), f.line(b, "BP:end"))
		if watch {
			info := dataBreakpointInfo(b, c, map[string]any{"frameId": top(b, c, st.ThreadID).ID, "name": "watched"})
			bps := setDataBreakpoints(b, c, map[string]any{"dataId": *info.DataID, "condition": "watched < 0"})
			if !bps[0].Verified {
				b.Fatalf("data breakpoint %+v", bps[0])
			}
		}
		lap := func() time.Duration {
			start := time.Now()
			c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
			expectStopped(b, c, "breakpoint")
			return time.Since(start)
		}
		neighbour, watched = lap(), lap()
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
		expectExit(b, c, 0)
		if got, want := output(b, c, "stdout"), fmt.Sprintf("%d %d\n", b.N-1, caught); got != want {
			b.Fatalf("stdout %q, want %q", got, want)
		}
		return neighbour, watched
	}
	b.StopTimer()
	native, _ := run(false)
	b.StartTimer()
	withWatch, watched := run(true)
	b.StopTimer()
	b.ReportMetric(float64(withWatch)/float64(b.N), "ns/op")
	b.ReportMetric(float64(withWatch)/float64(native), "x-native")
	b.ReportMetric(caught/watched.Seconds(), "caught/s")
	fmt.Printf("software watch: %d writes beside the watched word took %v (%v without the watch: %.0fx); %d writes to the watched word caught in %v: %.0f/s\n",
		b.N, withWatch.Round(time.Millisecond), native.Round(time.Microsecond), float64(withWatch)/float64(native), caught, watched.Round(time.Millisecond), caught/watched.Seconds())
}
