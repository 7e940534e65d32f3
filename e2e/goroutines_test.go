package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// In a Go program the threads are its goroutines, as in Delve: a thousand
// parked workers are listed by goroutine id, named by the function they
// wait in and why, and each one's stack and locals are read from where it
// will resume; next on one runs the program until that goroutine reaches
// its next line.
func TestGoroutinesAreThreads(t *testing.T) {
	f := buildGo(t, "gogoroutines")
	c := startAdapter(t)
	st := stopAt(t, c, f, map[string]any{"args": []string{"1000"}}, "BP:goparked")
	ts := threads(t, c)
	var workers []thread
	mainSeen := false
	for _, th := range ts {
		if th.ID == st.ThreadID {
			mainSeen = strings.Contains(th.Name, "main.main")
		}
		if strings.Contains(th.Name, "main.worker") {
			workers = append(workers, th)
		}
	}
	if len(ts) < 1001 || len(workers) != 1000 || !mainSeen {
		t.Fatalf("%d threads, %d in main.worker, stopped goroutine %d in main.main: %v; first: %+v", len(ts), len(workers), st.ThreadID, mainSeen, ts[:min(5, len(ts))])
	}
	if !strings.Contains(workers[0].Name, "[chan receive]") {
		t.Errorf("a parked worker is named %q: no wait reason", workers[0].Name)
	}
	// The 500th worker: its stack, from its saved registers, shows
	// worker at the channel receive, above main's goexit-started frame.
	w := workers[500]
	frames, _ := stackTrace(t, c, w.ID, 0, 20)
	k := -1
	for i, fr := range frames {
		if fr.Name == "main.worker" {
			k = i
			break
		}
	}
	if k < 0 || frames[k].Line != f.line(t, "BP:gopark") {
		t.Fatalf("goroutine %d: frames %+v", w.ID, frames)
	}
	id, err := strconv.Atoi(evaluate(t, c, frames[k].ID, "id").Result)
	if err != nil {
		t.Fatal(err)
	}
	if got := evaluate(t, c, frames[k].ID, "mine").Result; got != strconv.Itoa(10*id) {
		t.Errorf("goroutine %d: mine = %s with id %d", w.ID, got, id)
	}
	// Nothing went wrong on the way, so nothing was important to say.
	if s := output(t, c, "important"); s != "" {
		t.Errorf("important output in a plain session: %q", s)
	}
	// next on the parked worker: the program runs until main closes the
	// channel and the scheduler runs that worker to its next line, which
	// stops it, the same goroutine, there.
	c.MustSucceed("next", map[string]any{"threadId": w.ID})
	st = expectStopped(t, c, "step")
	if st.ThreadID != w.ID {
		t.Fatalf("next on goroutine %d stopped goroutine %d", w.ID, st.ThreadID)
	}
	expectAt(t, c, st.ThreadID, "main.worker", f.line(t, "BP:gopark")+1)
	if got := evaluate(t, c, top(t, c, st.ThreadID).ID, "id").Result; got != strconv.Itoa(id) {
		t.Errorf("the step stopped a worker with id %s, not %d", got, id)
	}
	c.MustSucceed("disconnect", nil)
}

// A client that keeps the thread id of a stop and sends next 200 times
// steps the same goroutine every time, on whichever thread the scheduler
// moved it to: every stop names that goroutine, in main, on the loop.
func TestGoNextKeepsGoroutine(t *testing.T) {
	f := buildGo(t, "gogoroutines")
	c := startAdapter(t)
	st := stopAt(t, c, f, map[string]any{"args": []string{"4"}}, "BP:gospin")
	setBreakpoints(t, c, f.src)
	g := st.ThreadID
	onThread := regexp.MustCompile(`\(thread (\d+)\)`)
	osThreads := map[string]bool{}
	for i := 0; i < 200; i++ {
		c.MustSucceed("next", map[string]any{"threadId": g})
		st := expectStopped(t, c, "step")
		if st.ThreadID != g {
			t.Fatalf("next %d stopped goroutine %d, not %d", i, st.ThreadID, g)
		}
		fr := top(t, c, g)
		if fr.Name != "main.main" {
			t.Fatalf("next %d stopped in %s line %d", i, fr.Name, fr.Line)
		}
		for _, th := range threads(t, c) {
			if m := onThread.FindStringSubmatch(th.Name); th.ID == g && m != nil {
				osThreads[m[1]] = true
			}
		}
	}
	t.Logf("the goroutine ran on %d OS threads over 200 nexts", len(osThreads))
	if len(osThreads) == 0 {
		t.Error("the stepped goroutine was never listed on a thread")
	}
	c.MustSucceed("disconnect", nil)
}

// hideSystemGoroutines leaves the runtime's goroutines out of the list.
func TestHideSystemGoroutines(t *testing.T) {
	f := buildGo(t, "gogoroutines")
	runtimeOnly := regexp.MustCompile(`^\[Go \d+\] runtime\.`)
	for _, hide := range []bool{false, true} {
		c := startAdapter(t)
		stopAt(t, c, f, map[string]any{"args": []string{"3"}, "hideSystemGoroutines": hide}, "BP:goparked")
		n := 0
		for _, th := range threads(t, c) {
			if runtimeOnly.MatchString(th.Name) && !strings.Contains(th.Name, "(thread") {
				n++
			}
		}
		if hide && n > 0 || !hide && n == 0 {
			t.Errorf("hideSystemGoroutines %v: %d runtime goroutines listed", hide, n)
		}
		c.MustSucceed("disconnect", nil)
	}
}

// A condition on a loop's body names the loop variable, in a block of
// its own (Go 1.22 gives each iteration its own i): it stops once, at the
// iteration asked for.
func TestGoLoopVariableCondition(t *testing.T) {
	f := buildGo(t, "gogoroutines")
	c := startAdapter(t)
	launch(t, c, f, map[string]any{"args": []string{"600"}})
	for _, bp := range []struct {
		marker, cond, expr, want string
	}{{"BP:gostart", "i == 500", "i", "500"}, {"BP:gospin", "i == 7", "i", "7"}} {
		var body struct {
			Breakpoints []breakpoint `json:"breakpoints"`
		}
		c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src},
			"breakpoints": []map[string]any{{"line": f.line(t, bp.marker), "condition": bp.cond}}}).DecodeBody(t, &body)
		if bp.marker == "BP:gostart" {
			c.MustSucceed("configurationDone", nil)
		} else {
			c.MustSucceed("continue", map[string]any{"threadId": 1})
		}
		st := expectStopped(t, c, "breakpoint")
		fr := top(t, c, st.ThreadID)
		if got := evaluate(t, c, fr.ID, bp.expr).Result; fr.Line != f.line(t, bp.marker) || got != bp.want {
			t.Fatalf("%s: stopped at line %d with %s = %s, want line %d and %s", bp.cond, fr.Line, bp.expr, got, f.line(t, bp.marker), bp.want)
		}
	}
	c.MustSucceed("disconnect", nil)
}
