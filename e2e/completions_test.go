package e2e

import (
	"slices"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

type completionItem struct {
	Label  string `json:"label"`
	Type   string `json:"type"`
	Start  int    `json:"start"`
	Length int    `json:"length"`
}

func complete(t testing.TB, c *daptest.Client, frameID int, text string) []completionItem {
	t.Helper()
	var body struct {
		Targets []completionItem `json:"targets"`
	}
	c.MustSucceed("completions", map[string]any{"frameId": frameID, "text": text, "column": len(text) + 1}).DecodeBody(t, &body)
	return body.Targets
}

func labels(items []completionItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Label)
	}
	return out
}

// The debug console completes the frame's variables and the unit's
// globals, members after "." and "->" (anonymous members' too), and
// registers after "$"; each item replaces the word being typed.
func TestCompletions(t *testing.T) {
	f := buildC(t, "values")
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:inspect")
	frames, _ := stackTrace(t, c, st.ThreadID, 0, 5)
	if got := labels(complete(t, c, frames[1].ID, "p")); !slices.Equal(got, []string{"pt", "ppt"}) && !slices.Equal(got, []string{"ppt", "pt"}) {
		t.Errorf(`"p" in main: %v`, got)
	}
	if got := labels(complete(t, c, frames[1].ID, "g_")); !slices.Contains(got, "g_total") || !slices.Contains(got, "g_ratio") {
		t.Errorf(`"g_" in main: %v`, got)
	}
	items := complete(t, c, frames[0].ID, "1 + s->")
	if got := labels(items); !slices.Contains(got, "origin") || !slices.Contains(got, "label") || !slices.Contains(got, "i") || !slices.Contains(got, "f") {
		t.Errorf(`"s->" in inspect: %v`, got)
	}
	items = complete(t, c, frames[0].ID, "s->origin.")
	if got := labels(items); !slices.Equal(got, []string{"x", "y"}) || items[0].Type != "property" || items[0].Start != len("s->origin.")+1 || items[0].Length != 0 {
		t.Errorf(`"s->origin." in inspect: %+v`, items)
	}
	items = complete(t, c, frames[0].ID, "loc")
	if len(items) != 1 || items[0].Label != "local" || items[0].Start != 1 || items[0].Length != 3 {
		t.Errorf(`"loc": %+v`, items)
	}
	if got := labels(complete(t, c, frames[0].ID, "$ri")); !slices.Equal(got, []string{"$rip"}) {
		t.Errorf(`"$ri": %v`, got)
	}
	if got := complete(t, c, frames[0].ID, "nosuch."); len(got) != 0 {
		t.Errorf(`"nosuch.": %v`, got)
	}
	c.MustSucceed("disconnect", nil)
}
