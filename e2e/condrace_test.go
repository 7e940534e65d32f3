package e2e

import "testing"

// A conditional breakpoint in code four threads run at once stops where
// its condition holds, every time: stepping over it for a thread whose
// condition is false must not let another thread pass it unseen.
func TestConditionHitAmongThreads(t *testing.T) {
	f := buildC(t, "condrace")
	for round := 0; round < 2; round++ {
		c := startAdapter(t)
		launch(t, c, f, nil)
		c.MustSucceed("setBreakpoints", map[string]any{"source": map[string]any{"path": f.src},
			"breakpoints": []map[string]any{{"line": f.line(t, "BP:hot"), "condition": "id == 2 && i == 250"}}})
		c.MustSucceed("configurationDone", nil)
		st := expectStopped(t, c, "breakpoint")
		fr := top(t, c, st.ThreadID)
		if id, i := evaluate(t, c, fr.ID, "id").Result, evaluate(t, c, fr.ID, "i").Result; id != "2" || i != "250" {
			t.Fatalf("round %d: stopped with id %s, i %s", round, id, i)
		}
		setBreakpoints(t, c, f.src)
		c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
		expectExit(t, c, 0)
	}
}
