package e2e

import "testing"

// Two sessions of one adapter (--listen): while one program starts 400
// threads, whose burst of events its session's owner reaps itself with
// the process-wide waiter standing aside, the other session's breakpoint
// hits keep coming, and keep coming once the burst is over. They come
// 20 ms apart (a program that sleeps between them), too late for their
// own owner's brief watch, so only the waiter or the storm's owner can
// hand them over.
func TestThreadStormBesideAnotherSession(t *testing.T) {
	storm, ticks := buildC(t, "threads"), buildC(t, "spin")
	addr, _ := listenAdapter(t)
	dial := dialer(t, addr)
	a, b := dial(), dial()

	st := stopAt(t, b, ticks, map[string]any{"args": []string{"0"}}, "BP:tick")
	launch(t, a, storm, map[string]any{"args": []string{"400"}})
	setBreakpoints(t, a, storm.src, storm.line(t, "BP:ready"))
	stormed := make(chan stopped, 1)
	go func() {
		var s stopped
		a.ExpectEvent("stopped").DecodeBody(t, &s)
		stormed <- s
	}()
	a.MustSucceed("configurationDone", nil)
	hits, after := 0, 0
	for done := false; after < 5; hits++ {
		if done {
			after++
		}
		b.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
		if s := expectStopped(t, b, "breakpoint"); s.ThreadID != st.ThreadID {
			t.Fatalf("hit %d on thread %d, want %d", hits, s.ThreadID, st.ThreadID)
		}
		select {
		case s := <-stormed:
			if s.Reason != "breakpoint" {
				t.Fatalf("the storm's program stopped for %q, want its breakpoint", s.Reason)
			}
			done = true
		default:
		}
	}
	var th struct {
		Threads []struct{ ID int } `json:"threads"`
	}
	a.MustSucceed("threads", nil).DecodeBody(t, &th)
	if len(th.Threads) != 401 {
		t.Fatalf("the storm's program shows %d threads, want 401", len(th.Threads))
	}
	t.Logf("%d hits in the other session, the last %d after the storm", hits, after)
	a.MustSucceed("disconnect", map[string]any{"terminateDebuggee": true})
	b.MustSucceed("disconnect", map[string]any{"terminateDebuggee": true})
}
