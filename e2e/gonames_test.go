package e2e

import "testing"

// Go package-level variables are found as a Go user names them: by their
// short name inside their package and as pkg.name anywhere; and one can
// be watched (a data breakpoint on main.watched).
func TestGoPackageVariables(t *testing.T) {
	f := buildGo(t, "govals")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:inspect")
	fr := top(t, c, st.ThreadID)
	for expr, want := range map[string]string{"counter": "7", "main.counter": "7", "counter * 2": "14", "watched": "0", "main.watched": "0"} {
		if got := evaluate(t, c, fr.ID, expr).Result; got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	var info struct {
		DataID *string `json:"dataId"`
	}
	c.MustSucceed("dataBreakpointInfo", map[string]any{"name": "main.watched", "frameId": fr.ID}).DecodeBody(t, &info)
	if info.DataID == nil || *info.DataID == "" {
		t.Fatalf("main.watched cannot be watched: %+v", info)
	}
	c.MustSucceed("disconnect", nil)
}
