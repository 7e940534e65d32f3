package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

// manyLines is how many breakpoints the tests below set in one request.
const manyLines = 5000

// bigFixture writes and builds a C program whose function body has
// manyLines statement lines, one per line, so every one of them has code;
// it returns the fixture and the first of those lines. main stops at
// BP:main first.
func bigFixture(t testing.TB) (fixture, int) {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("volatile long x;\n\nstatic void body(void) {\n")
	first := 4
	for i := 0; i < manyLines; i++ {
		fmt.Fprintf(&sb, "\tx = x * 3 + %d;\n", i)
	}
	sb.WriteString("}\n\nint main(void) {\n\tx = 1; /* BP:main */\n\tbody();\n\treturn 0;\n}\n")
	// A fixed path, so the compiled fixture is cached between runs (the
	// path is part of the cache key).
	dir := filepath.Join(os.TempDir(), "dap-ptrace-generated")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, fmt.Sprintf("many%d.c", manyLines))
	if old, err := os.ReadFile(src); err != nil || string(old) != sb.String() {
		tmp := fmt.Sprintf("%s.%d.tmp", src, os.Getpid())
		if err := os.WriteFile(tmp, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, src); err != nil {
			t.Fatal(err)
		}
	}
	return fixture{bin: daptest.BuildC(t, src, "-g", "-O0"), src: src}, first
}

// manyBreakpoints is the setBreakpoints arguments for every statement
// line of bigFixture, each with a condition that never holds.
func manyBreakpoints(src string, first int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"source":{"path":%q},"breakpoints":[`, src)
	for i := 0; i < manyLines; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"line":%d,"condition":"x == -%d"}`, first+i, i+1)
	}
	sb.WriteString("]}")
	return sb.String()
}

// One setBreakpoints with 5,000 conditional breakpoints: every one is
// verified at its own line, with an id of its own; and the program, whose
// conditions never hold, runs to its end.
func TestSetBreakpoints5000(t *testing.T) {
	f, first := bigFixture(t)
	c := startAdapter(t)
	st := stopAt(t, c, f, nil, "BP:main")
	var body struct {
		Breakpoints []struct {
			breakpoint
			Reason string `json:"reason"`
		} `json:"breakpoints"`
	}
	c.MustSucceed("setBreakpoints", json.RawMessage(manyBreakpoints(f.src, first))).DecodeBody(t, &body)
	if len(body.Breakpoints) != manyLines {
		t.Fatalf("%d breakpoints answered for %d", len(body.Breakpoints), manyLines)
	}
	ids := map[int]bool{}
	for i, bp := range body.Breakpoints {
		if !bp.Verified || bp.Line != first+i || ids[bp.ID] {
			t.Fatalf("breakpoint %d of line %d: %+v", i, first+i, bp)
		}
		ids[bp.ID] = true
	}
	// In a file no loaded object was built from, all wait for a library.
	elsewhere := "/nowhere/" + filepath.Base(f.src)
	c.MustSucceed("setBreakpoints", json.RawMessage(manyBreakpoints(elsewhere, first))).DecodeBody(t, &body)
	if len(body.Breakpoints) != manyLines {
		t.Fatalf("%d breakpoints answered for %d", len(body.Breakpoints), manyLines)
	}
	for i, bp := range body.Breakpoints {
		if bp.Verified || bp.Reason != "pending" || !strings.Contains(bp.Message, "not a source file") {
			t.Fatalf("breakpoint %d in %s: %+v", i, elsewhere, bp)
		}
	}
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

// BenchmarkSetBreakpoints5000 times one setBreakpoints with 5,000
// conditional breakpoints in one file, while stopped: "new" where the file
// had none, "same" where it had these already (what a client sends when
// one breakpoint of the file changes), "pending" in a file no loaded object
// was built from. ms/setBreakpoints is the figure.
func BenchmarkSetBreakpoints5000(b *testing.B) {
	f, first := bigFixture(b)
	raw := startRawAt(b, f, "BP:main")
	set := raw.request("setBreakpoints", manyBreakpoints(f.src, first))
	clear := raw.request("setBreakpoints", fmt.Sprintf(`{"source":{"path":%q},"breakpoints":[]}`, f.src))
	elsewhere := raw.request("setBreakpoints", manyBreakpoints("/nowhere/"+filepath.Base(f.src), first))
	for _, tc := range []struct {
		name    string
		before  [][]byte
		request []byte
	}{
		{"new", [][]byte{clear}, set},
		{"same", [][]byte{clear, set}, set},
		{"pending", nil, elsewhere},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for _, m := range tc.before {
					raw.send(m)
					raw.until(b, `"command":"setBreakpoints"`)
				}
				b.StartTimer()
				start := time.Now()
				raw.send(tc.request)
				raw.until(b, `"command":"setBreakpoints"`)
				total += time.Since(start)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/setBreakpoints")
		})
	}
	raw.close(b)
}
