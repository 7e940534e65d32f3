package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/internal/daptest"
)

type instruction struct {
	Address          string `json:"address"`
	InstructionBytes string `json:"instructionBytes"`
	Instruction      string `json:"instruction"`
	Symbol           string `json:"symbol"`
	Line             int    `json:"line"`
	PresentationHint string `json:"presentationHint"`
}

func disassemble(t testing.TB, c *daptest.Client, ref string, instOffset, count int) []instruction {
	t.Helper()
	var body struct {
		Instructions []instruction `json:"instructions"`
	}
	c.MustSucceed("disassemble", map[string]any{"memoryReference": ref, "instructionOffset": instOffset, "instructionCount": count, "resolveSymbols": true}).DecodeBody(t, &body)
	if len(body.Instructions) != count {
		t.Fatalf("disassemble returned %d instructions, want %d", len(body.Instructions), count)
	}
	return body.Instructions
}

func addrOf(t testing.TB, ref string) uint64 {
	t.Helper()
	a, err := strconv.ParseUint(strings.TrimPrefix(ref, "0x"), 16, 64)
	if err != nil {
		t.Fatalf("bad address %q", ref)
	}
	return a
}

// A function breakpoint stops in the function after its prologue; the
// disassembly around the stop lands on real instruction boundaries,
// backwards too; an instruction breakpoint placed from it stops there.
func TestFunctionInstructionBreakpointsAndDisassembly(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, nil)
	var body struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"name": "add"}, {"name": "no_such_function"}}}).DecodeBody(t, &body)
	if len(body.Breakpoints) != 2 || !body.Breakpoints[0].Verified || body.Breakpoints[1].Verified || body.Breakpoints[1].Message == "" {
		t.Fatalf("function breakpoints: %+v", body.Breakpoints)
	}
	c.MustSucceed("configurationDone", nil)
	st := expectStopped(t, c, "function breakpoint")
	fr := top(t, c, st.ThreadID)
	if fr.Name != "add" || fr.Line != f.line(t, "BP:add") {
		t.Fatalf("function breakpoint stopped in %s line %d", fr.Name, fr.Line)
	}
	pc := addrOf(t, fr.InstructionPointerReference)

	ins := disassemble(t, c, fr.InstructionPointerReference, -4, 12)
	if addrOf(t, ins[4].Address) != pc {
		t.Fatalf("instruction 4 is at %s, want the pc %#x: %+v", ins[4].Address, pc, ins)
	}
	for i := 1; i < len(ins); i++ {
		prev, cur := addrOf(t, ins[i-1].Address), addrOf(t, ins[i].Address)
		n := len(strings.Fields(ins[i-1].InstructionBytes))
		if cur != prev+uint64(n) {
			t.Fatalf("instruction %d at %#x does not follow %#x (+%d bytes)", i, cur, prev, n)
		}
		if ins[i].PresentationHint == "invalid" {
			t.Fatalf("invalid instruction inside add: %+v", ins[i])
		}
	}
	if !strings.HasPrefix(ins[0].Symbol, "add") || ins[0].Instruction == "" {
		t.Fatalf("first instruction %+v, want it in add", ins[0])
	}
	// Only whole instructions: the first of add is at its start, and add
	// begins with pushing the frame pointer (gcc -O0).
	first := disassemble(t, c, fr.InstructionPointerReference, -40, 41)
	found := false
	for _, in := range first {
		if in.Symbol == "add" && strings.Contains(in.Instruction, "push") && strings.Contains(in.Instruction, "rbp") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no `push %%rbp` at add's start in %+v", first)
	}
	// VS Code's Disassembly view opens with 200 instructions before the pc
	// and 200 from it, and puts the pc at index 200: more than the program
	// has before add, so the rest is padding, but the pc stays in place
	// and the addresses rise.
	page := disassemble(t, c, fr.InstructionPointerReference, -200, 400)
	if addrOf(t, page[200].Address) != pc {
		t.Fatalf("instruction 200 of VS Code's first page is at %s, want the pc %#x", page[200].Address, pc)
	}
	for i := 1; i < len(page); i++ {
		if addrOf(t, page[i].Address) <= addrOf(t, page[i-1].Address) {
			t.Fatalf("instruction %d at %s does not follow %s", i, page[i].Address, page[i-1].Address)
		}
	}

	// An instruction breakpoint a few instructions on.
	target := ins[6].Address
	var ib struct {
		Breakpoints []breakpoint `json:"breakpoints"`
	}
	c.MustSucceed("setInstructionBreakpoints", map[string]any{"breakpoints": []map[string]any{{"instructionReference": target}}}).DecodeBody(t, &ib)
	if len(ib.Breakpoints) != 1 || !ib.Breakpoints[0].Verified {
		t.Fatalf("instruction breakpoint: %+v", ib.Breakpoints)
	}
	c.MustSucceed("setFunctionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	st = expectStopped(t, c, "instruction breakpoint")
	if got := top(t, c, st.ThreadID).InstructionPointerReference; addrOf(t, got) != addrOf(t, target) {
		t.Fatalf("instruction breakpoint stopped at %s, want %s", got, target)
	}
	if len(st.HitBreakpointIDs) != 1 || st.HitBreakpointIDs[0] != ib.Breakpoints[0].ID {
		t.Fatalf("hitBreakpointIds %v", st.HitBreakpointIDs)
	}
	c.MustSucceed("setInstructionBreakpoints", map[string]any{"breakpoints": []map[string]any{}})
	c.MustSucceed("continue", map[string]any{"threadId": st.ThreadID})
	expectExit(t, c, 0)
}

// breakpointLocations lists the lines of a range that have code.
func TestBreakpointLocations(t *testing.T) {
	f := buildC(t, "hello")
	c := startAdapter(t)
	launch(t, c, f, nil)
	add := f.line(t, "BP:add")
	var body struct {
		Breakpoints []struct {
			Line int `json:"line"`
		} `json:"breakpoints"`
	}
	c.MustSucceed("breakpointLocations", map[string]any{"source": map[string]any{"path": f.src}, "line": add - 1, "endLine": add + 3}).DecodeBody(t, &body)
	var lines []int
	for _, b := range body.Breakpoints {
		lines = append(lines, b.Line)
	}
	// add's opening line, its two statements and its closing brace; the
	// blank line after it has no code.
	want := []int{add - 1, add, add + 1, add + 2}
	if len(lines) != len(want) {
		t.Fatalf("breakpoint locations %v, want %v", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("breakpoint locations %v, want %v", lines, want)
		}
	}
	c.MustSucceed("disconnect", nil)
}
