package cfi

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/go-delve/delve/pkg/dwarf/frame"
	"golang.org/x/arch/x86/x86asm"
)

// buildProg compiles testdata/cfi.c with the given gcc flags. Like the
// symbols tests, it caches the binary under os.TempDir() by a hash of the
// flags and the source, and renames it into place so that concurrent test
// processes never see a half-written one.
func buildProg(t *testing.T, flags ...string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	src, err := filepath.Abs("testdata/cfi.c")
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, f := range flags {
		h.Write([]byte(f + "\x00"))
	}
	h.Write([]byte(src + "\x00"))
	h.Write(text)
	root := filepath.Join(os.TempDir(), "dap-ptrace-cfi-test")
	final := filepath.Join(root, hex.EncodeToString(h.Sum(nil))[:20])
	if _, err := os.Stat(final); err == nil {
		return final
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(root, "build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out")
	args := append(append([]string{}, flags...), "-o", out, src)
	if b, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
	if err := os.Rename(out, final); err != nil {
		t.Fatal(err)
	}
	return final
}

// object is an ELF file and its Table, read the way symbols.File reads it.
type object struct {
	elf *elf.File
	tab *Table
	err error // from NewTable
}

func openObject(t *testing.T, path string) *object {
	t.Helper()
	ef, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ef.Close() })
	var code [][2]uint64 // allocated, executable section ranges
	for _, s := range ef.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Flags&elf.SHF_EXECINSTR != 0 && s.Size > 0 {
			code = append(code, [2]uint64{s.Addr, s.Addr + s.Size})
		}
	}
	isCode := func(pc uint64) bool {
		for _, r := range code {
			if pc >= r[0] && pc < r[1] {
				return true
			}
		}
		return false
	}
	var debugFrame, ehFrame func() ([]byte, error)
	var ehAddr uint64
	if s := ef.Section(".debug_frame"); s != nil && s.Type != elf.SHT_NOBITS {
		debugFrame = s.Data
	}
	if s := ef.Section(".eh_frame"); s != nil && s.Type != elf.SHT_NOBITS {
		ehFrame, ehAddr = s.Data, s.Addr
	}
	o := &object{elf: ef}
	o.tab, o.err = NewTable(debugFrame, ehFrame, ehAddr, isCode)
	return o
}

// function is a function of the ELF symbol tables.
type function struct {
	Name      string
	Low, High uint64
}

func (o *object) lookupFunc(t *testing.T, name string) *function {
	t.Helper()
	for _, syms := range []func() ([]elf.Symbol, error){o.elf.Symbols, o.elf.DynamicSymbols} {
		all, _ := syms()
		for _, s := range all {
			if s.Name == name && elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Size > 0 {
				return &function{Name: name, Low: s.Value, High: s.Value + s.Size}
			}
		}
	}
	t.Fatalf("%s not found", name)
	return nil
}

type cfiConfig struct {
	name  string
	flags []string
	// Which sections must describe cfi_pusher.
	debugFrame, ehFrame bool
	framePointer        bool
}

var cfiConfigs = []cfiConfig{
	{name: "O2-omitfp-pie", flags: []string{"-O2", "-fomit-frame-pointer", "-fPIE", "-pie"}, ehFrame: true},
	{name: "O2-omitfp-nopie", flags: []string{"-O2", "-fomit-frame-pointer", "-fno-PIE", "-no-pie"}, ehFrame: true},
	{name: "O0-fp-pie", flags: []string{"-O0", "-fPIE", "-pie"}, ehFrame: true, framePointer: true},
	{name: "O0-fp-nopie", flags: []string{"-O0", "-fno-PIE", "-no-pie"}, ehFrame: true, framePointer: true},
	// Without asynchronous unwind tables gcc leaves .eh_frame to the C
	// runtime's own objects and writes the program's CFI to .debug_frame.
	{name: "debug-frame-only", flags: []string{"-O2", "-fomit-frame-pointer", "-g", "-fno-asynchronous-unwind-tables"}, debugFrame: true},
	{name: "debug-frame-only-O0-nopie", flags: []string{"-O0", "-g", "-fno-asynchronous-unwind-tables", "-fno-PIE", "-no-pie"}, debugFrame: true, framePointer: true},
	{name: "both-sections", flags: []string{"-O2", "-fomit-frame-pointer", "-DBOTH_CFI_SECTIONS"}, debugFrame: true, ehFrame: true},
}

func TestTable(t *testing.T) {
	for _, c := range cfiConfigs {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			o := openObject(t, buildProg(t, c.flags...))
			if o.err != nil {
				t.Fatalf("NewTable: %v", o.err)
			}
			fn := o.lookupFunc(t, "cfi_pusher")
			checkSections(t, o, c, fn.Low)
			if c.framePointer {
				checkFramePointer(t, o, fn)
			} else {
				checkPushPop(t, o, fn)
			}
			checkPLT(t, o)
			checkNoFrame(t, o.tab)
		})
	}
}

// checkSections checks which CFI sections exist and describe pc, and that
// .debug_frame wins when both do.
func checkSections(t *testing.T, o *object, c cfiConfig, pc uint64) {
	t.Helper()
	if got := o.elf.Section(".debug_frame") != nil; got != c.debugFrame {
		t.Errorf(".debug_frame present = %v, want %v", got, c.debugFrame)
	}
	tab := o.tab
	_, errD := tab.debug.FDEForPC(pc)
	_, errE := tab.eh.FDEForPC(pc)
	if (errD == nil) != c.debugFrame || (errE == nil) != c.ehFrame {
		t.Errorf("pc %#x covered by .debug_frame=%v .eh_frame=%v, want %v %v", pc, errD == nil, errE == nil, c.debugFrame, c.ehFrame)
	}
	if _, eh := tab.fdeAt(pc); c.debugFrame && eh {
		t.Errorf("pc %#x answered from .eh_frame though .debug_frame covers it", pc)
	}
	for name, fdes := range map[string]frame.FrameDescriptionEntries{"debug": tab.debug, "eh": tab.eh} {
		for i := 1; i < len(fdes); i++ {
			if fdes[i].Begin() < fdes[i-1].End() {
				t.Errorf("%s FDEs %d and %d out of order or overlapping", name, i-1, i)
			}
		}
	}
}

func frameAtT(t *testing.T, tab *Table, pc uint64) *FrameRules {
	t.Helper()
	r, err := tab.At(pc)
	if err != nil {
		t.Fatalf("At(%#x): %v", pc, err)
	}
	return r
}

// checkEntryRules checks the rules every x86-64 function starts with.
func checkEntryRules(t *testing.T, r *FrameRules, pc uint64) {
	t.Helper()
	if r.CFAExpr != nil || r.CFAReg != DwarfRSP || r.CFAOffset != 8 {
		t.Errorf("at entry %#x: CFA reg %d%+d expr %x, want rsp+8", pc, r.CFAReg, r.CFAOffset, r.CFAExpr)
	}
	if r.RetReg != DwarfRA {
		t.Errorf("RetReg = %d, want 16", r.RetReg)
	}
	if ra := r.ReturnAddress(); ra.Kind != RuleOffset || ra.Offset != -8 {
		t.Errorf("at entry %#x: return address %v, want offset(-8)", pc, ra)
	}
	if sp := r.Regs[DwarfRSP]; sp.Kind != RuleCFA {
		t.Errorf("at entry %#x: rsp %v, want cfa", pc, sp)
	}
	for _, reg := range calleeSaved {
		if rule := r.Regs[reg]; rule.Kind != RuleSameValue {
			t.Errorf("at entry %#x: register %d %v, want same-value", pc, reg, rule)
		}
	}
}

var x86ToDwarf = map[x86asm.Reg]uint64{
	x86asm.RAX: 0, x86asm.RDX: 1, x86asm.RCX: 2, x86asm.RBX: 3, x86asm.RSI: 4, x86asm.RDI: 5,
	x86asm.RBP: 6, x86asm.RSP: 7, x86asm.R8: 8, x86asm.R9: 9, x86asm.R10: 10, x86asm.R11: 11,
	x86asm.R12: 12, x86asm.R13: 13, x86asm.R14: 14, x86asm.R15: 15,
}

type insn struct {
	pc   uint64
	inst x86asm.Inst
}

// decode disassembles the function's entry range.
func decode(t *testing.T, o *object, fn *function) []insn {
	t.Helper()
	code := make([]byte, fn.High-fn.Low)
	for _, p := range o.elf.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && fn.Low >= p.Vaddr && fn.High <= p.Vaddr+p.Filesz {
			if _, err := p.ReadAt(code, int64(fn.Low-p.Vaddr)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var out []insn
	for off := 0; off < len(code); {
		inst, err := x86asm.Decode(code[off:], 64)
		if err != nil {
			t.Fatalf("decoding %s+%#x: %v", fn.Name, off, err)
		}
		out = append(out, insn{fn.Low + uint64(off), inst})
		off += inst.Len
	}
	return out
}

// checkPushPop follows rsp through a function without a frame pointer and
// checks the CFA rule (rsp + 8 + bytes pushed) at every instruction, and
// where each pushed register was saved.
func checkPushPop(t *testing.T, o *object, fn *function) {
	t.Helper()
	checkEntryRules(t, frameAtT(t, o.tab, fn.Low), fn.Low)
	depth := int64(8)
	saved := map[uint64]int64{} // DWARF register -> CFA offset of its slot
	pushes := 0
	for _, in := range decode(t, o, fn) {
		r := frameAtT(t, o.tab, in.pc)
		if r.CFAExpr != nil || r.CFAReg != DwarfRSP || r.CFAOffset != depth {
			t.Errorf("%#x (%v): CFA reg %d%+d, want rsp%+d", in.pc, in.inst, r.CFAReg, r.CFAOffset, depth)
		}
		for reg, off := range saved {
			if rule := r.Regs[reg]; rule.Kind != RuleOffset || rule.Offset != off {
				t.Errorf("%#x (%v): register %d %v, want offset(%d)", in.pc, in.inst, reg, rule, off)
			}
		}
		switch in.inst.Op {
		case x86asm.PUSH:
			depth += 8
			pushes++
			if reg, ok := in.inst.Args[0].(x86asm.Reg); ok {
				saved[x86ToDwarf[reg]] = -depth
			}
			if pushes == 1 {
				// Right after the first push, as the brief of this test.
				r := frameAtT(t, o.tab, in.pc+uint64(in.inst.Len))
				if r.CFAReg != DwarfRSP || r.CFAOffset != 16 {
					t.Errorf("after first push: CFA reg %d%+d, want rsp+16", r.CFAReg, r.CFAOffset)
				}
			}
		case x86asm.POP:
			depth -= 8
			// The slot is dead, but gcc does not say so: the rule
			// stays until the next FDE, so stop checking it.
			if reg, ok := in.inst.Args[0].(x86asm.Reg); ok {
				delete(saved, x86ToDwarf[reg])
			}
		case x86asm.RET:
			if depth != 8 {
				t.Errorf("ret at %#x with %d bytes pushed", in.pc, depth-8)
			}
			depth = 8
		case x86asm.SUB, x86asm.ADD:
			if in.inst.Args[0] == x86asm.RSP {
				if imm, ok := in.inst.Args[1].(x86asm.Imm); ok {
					if in.inst.Op == x86asm.SUB {
						depth += int64(imm)
					} else {
						depth -= int64(imm)
					}
				}
			}
		}
	}
	if pushes == 0 {
		t.Errorf("%s pushes nothing: the test program no longer exercises the CFA offset", fn.Name)
	}
}

// checkFramePointer checks the classic prologue: push %rbp; mov %rsp,%rbp.
func checkFramePointer(t *testing.T, o *object, fn *function) {
	t.Helper()
	checkEntryRules(t, frameAtT(t, o.tab, fn.Low), fn.Low)
	ins := decode(t, o, fn)
	if len(ins) < 3 || ins[0].inst.Op != x86asm.PUSH || ins[0].inst.Args[0] != x86asm.RBP {
		t.Fatalf("%s does not start with push %%rbp: %v", fn.Name, ins[0].inst)
	}
	r := frameAtT(t, o.tab, ins[1].pc)
	if r.CFAReg != DwarfRSP || r.CFAOffset != 16 {
		t.Errorf("after push %%rbp: CFA reg %d%+d, want rsp+16", r.CFAReg, r.CFAOffset)
	}
	if rule := r.Regs[DwarfRBP]; rule.Kind != RuleOffset || rule.Offset != -16 {
		t.Errorf("after push %%rbp: rbp %v, want offset(-16)", rule)
	}
	movAt := -1
	for i, in := range ins {
		if in.inst.Op == x86asm.MOV && in.inst.Args[0] == x86asm.RBP && in.inst.Args[1] == x86asm.RSP {
			movAt = i
			break
		}
	}
	if movAt < 0 || movAt+1 >= len(ins) {
		t.Fatalf("%s has no mov %%rsp,%%rbp", fn.Name)
	}
	// From the mov up to the leave the rules are the frame pointer's.
	for _, in := range ins[movAt+1:] {
		if in.inst.Op == x86asm.LEAVE || in.inst.Op == x86asm.POP {
			break
		}
		r := frameAtT(t, o.tab, in.pc)
		if r.CFAExpr != nil || r.CFAReg != DwarfRBP || r.CFAOffset != 16 {
			t.Errorf("%#x (%v): CFA reg %d%+d, want rbp+16", in.pc, in.inst, r.CFAReg, r.CFAOffset)
		}
		if rule := r.Regs[DwarfRBP]; rule.Kind != RuleOffset || rule.Offset != -16 {
			t.Errorf("%#x: rbp %v, want offset(-16)", in.pc, rule)
		}
		if ra := r.ReturnAddress(); ra.Kind != RuleOffset || ra.Offset != -8 {
			t.Errorf("%#x: return address %v, want offset(-8)", in.pc, ra)
		}
	}
	// After leave the CFA is back on rsp.
	last := ins[len(ins)-1]
	if last.inst.Op == x86asm.RET {
		r := frameAtT(t, o.tab, last.pc)
		if r.CFAReg != DwarfRSP || r.CFAOffset != 8 {
			t.Errorf("at ret: CFA reg %d%+d, want rsp+8", r.CFAReg, r.CFAOffset)
		}
	}
}

// pltCFAExpr is the CFA expression GNU ld gives every lazy PLT entry.
var pltCFAExpr = []byte{0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22}

// checkPLT checks the first PLT entry after PLT0 gets ld's CFA expression,
// and that EvalCFAExpr computes it.
func checkPLT(t *testing.T, o *object) {
	t.Helper()
	plt := o.elf.Section(".plt")
	if plt == nil || plt.Size < 32 {
		t.Log("no lazy PLT entries; skipping the PLT check")
		return
	}
	pc := plt.Addr + 16
	r := frameAtT(t, o.tab, pc)
	if !bytes.Equal(r.CFAExpr, pltCFAExpr) {
		t.Fatalf("CFA expression in PLT entry %#x = % x, want % x", pc, r.CFAExpr, pltCFAExpr)
	}
	cfa, err := EvalCFAExpr(r.CFAExpr, func(reg uint64) uint64 {
		switch reg {
		case DwarfRSP:
			return 0x7ff0
		case DwarfRA:
			return pc + 11 // after the push in the entry
		}
		return 0
	})
	if err != nil || cfa != 0x7ff0+16 {
		t.Errorf("EvalCFAExpr = %#x, %v; want %#x", cfa, err, 0x7ff0+16)
	}
}

func checkNoFrame(t *testing.T, tab *Table) {
	t.Helper()
	for _, pc := range []uint64{0, 1, ^uint64(0)} {
		if r, err := tab.At(pc); !errors.Is(err, ErrNoFrameInfo) {
			t.Errorf("At(%#x) = %v, %v; want ErrNoFrameInfo", pc, r, err)
		}
	}
	// The bytes gcc pads functions with lie between FDEs.
	for i := 1; i < len(tab.eh); i++ {
		gap := tab.eh[i-1].End()
		if gap < tab.eh[i].Begin() {
			if _, err := tab.debug.FDEForPC(gap); err == nil {
				continue
			}
			if _, err := tab.At(gap); !errors.Is(err, ErrNoFrameInfo) {
				t.Errorf("At(%#x) between FDEs: %v, want ErrNoFrameInfo", gap, err)
			}
			return
		}
	}
}

func TestTableLibc(t *testing.T) {
	const path = "/lib/x86_64-linux-gnu/libc.so.6"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s: %v", path, err)
	}
	o := openObject(t, path)
	if o.err != nil {
		t.Fatalf("NewTable: %v", o.err)
	}
	fn := o.lookupFunc(t, "qsort")
	r := frameAtT(t, o.tab, fn.Low)
	checkEntryRules(t, r, fn.Low)
	if r.Low > fn.Low || r.High <= fn.Low {
		t.Errorf("FDE %#x-%#x does not cover qsort at %#x", r.Low, r.High, fn.Low)
	}

	// Every function .eh_frame_hdr indexes must have its FDE, found at
	// exactly the start the linker recorded.
	starts := ehFrameHdrStarts(t, o.elf)
	if len(starts) < 1000 {
		t.Fatalf(".eh_frame_hdr lists only %d FDEs", len(starts))
	}
	for _, pc := range starts {
		fde, eh := o.tab.fdeAt(pc)
		if fde == nil || !eh || fde.Begin() != pc {
			t.Fatalf("no .eh_frame FDE starting at %#x, listed in .eh_frame_hdr", pc)
		}
	}
	if len(o.tab.eh) != len(starts) {
		t.Errorf("%d FDEs parsed, .eh_frame_hdr lists %d", len(o.tab.eh), len(starts))
	}
	compareWithDelve(t, o.tab.eh)
}

// ehFrameHdrStarts decodes the binary search table of .eh_frame_hdr in
// the encoding GNU ld writes.
func ehFrameHdrStarts(t *testing.T, ef *elf.File) []uint64 {
	t.Helper()
	s := ef.Section(".eh_frame_hdr")
	if s == nil {
		t.Skip("no .eh_frame_hdr")
	}
	b, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	// version 1, eh_frame_ptr pcrel|sdata4, fde_count udata4, table datarel|sdata4
	if len(b) < 12 || b[0] != 1 || b[1] != 0x1b || b[2] != 0x03 || b[3] != 0x3b {
		t.Skipf(".eh_frame_hdr with unexpected encodings % x", b[:4])
	}
	n := int(binary.LittleEndian.Uint32(b[8:]))
	if len(b) < 12+8*n {
		t.Fatalf(".eh_frame_hdr truncated")
	}
	starts := make([]uint64, n)
	for i := range starts {
		starts[i] = s.Addr + uint64(int64(int32(binary.LittleEndian.Uint32(b[12+8*i:]))))
	}
	return starts
}

// compareWithDelve checks the CFA rule against Delve's EstablishFrame at a
// sample of pcs of every FDE, and every saved-register rule Delve gets
// right (it reports DW_CFA_restore as "undefined", which we do not).
func compareWithDelve(t *testing.T, fdes frame.FrameDescriptionEntries) {
	t.Helper()
	compared, restoreDiffs := 0, 0
	for _, fde := range fdes {
		size := fde.End() - fde.Begin()
		step := max(size/8, 1)
		for pc := fde.Begin(); pc < fde.End(); pc += step {
			mine, err := rowAt(fde, pc, true)
			if err != nil {
				t.Fatalf("rowAt(%#x): %v", pc, err)
			}
			theirs, err := fde.EstablishFrame(pc)
			if err != nil {
				t.Fatalf("EstablishFrame(%#x): %v", pc, err)
			}
			compared++
			switch theirs.CFA.Rule {
			case frame.RuleCFA:
				if mine.CFAExpr != nil || mine.CFAReg != theirs.CFA.Reg || mine.CFAOffset != theirs.CFA.Offset {
					t.Errorf("%#x: CFA reg %d%+d, Delve %d%+d", pc, mine.CFAReg, mine.CFAOffset, theirs.CFA.Reg, theirs.CFA.Offset)
				}
			case frame.RuleExpression:
				if !bytes.Equal(mine.CFAExpr, theirs.CFA.Expression) {
					t.Errorf("%#x: CFA expression % x, Delve % x", pc, mine.CFAExpr, theirs.CFA.Expression)
				}
			}
			for reg, rule := range theirs.Regs {
				got := mine.Regs[reg]
				switch rule.Rule {
				case frame.RuleOffset:
					if got.Kind != RuleOffset || got.Offset != rule.Offset {
						t.Errorf("%#x: register %d %v, Delve offset(%d)", pc, reg, got, rule.Offset)
					}
				case frame.RuleUndefined:
					if got.Kind != RuleUndefined {
						restoreDiffs++
					}
				}
			}
		}
	}
	t.Logf("compared %d rows with Delve; %d register rules differ where Delve handles DW_CFA_restore as undefined", compared, restoreDiffs)
}

// TestCFIParsing runs hand-made .debug_frame bytes through the parser and
// the interpreter: a version 4 CIE (as LLVM writes), DW_CFA_restore,
// remember/restore_state and val_offset.
func TestCFIParsing(t *testing.T) {
	const begin = 0x1000
	var sec []byte
	le := binary.LittleEndian
	entry := func(id uint32, body []byte) {
		for len(body)%8 != 4 {
			body = append(body, 0) // DW_CFA_nop
		}
		sec = le.AppendUint32(sec, uint32(4+len(body)))
		sec = le.AppendUint32(sec, id)
		sec = append(sec, body...)
	}
	entry(0xffffffff, []byte{
		4, 0, // version 4, augmentation ""
		8, 0, // address_size, segment_selector_size
		1, 0x78, 16, // code alignment 1, data alignment -8, return address column 16
		0x0c, 7, 8, // DW_CFA_def_cfa rsp+8
		0x90, 1, // DW_CFA_offset r16 at cfa-8
	})
	fde := le.AppendUint64(nil, begin)
	fde = le.AppendUint64(fde, 0x10)
	fde = append(fde,
		0x41,     // advance 1
		0x0e, 16, // DW_CFA_def_cfa_offset 16
		0x86, 2, // DW_CFA_offset rbp at cfa-16
		0x41,    // advance 1 -> begin+2
		0xc6,    // DW_CFA_restore rbp
		0x0a,    // DW_CFA_remember_state
		0x0e, 8, // DW_CFA_def_cfa_offset 8
		0x07, 12, // DW_CFA_undefined r12
		0x41,       // advance 1 -> begin+3
		0x0b,       // DW_CFA_restore_state
		0x14, 3, 2, // DW_CFA_val_offset rbx, 2*-8
		0x09, 13, 0, // DW_CFA_register r13 in rax
		0x16, 14, 2, 0x77, 0x10, // DW_CFA_val_expression r14: breg7 16
		0x41,                // advance 1 -> begin+4
		0x0f, 2, 0x77, 0x20, // DW_CFA_def_cfa_expression breg7 32
		0x41, // advance 1 -> begin+5
		0x0b, // DW_CFA_restore_state without a remember
	)
	entry(0, fde)

	fdes, err := parseSection(func() ([]byte, error) { return sec, nil }, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(fdes) != 1 || fdes[0].Begin() != begin || fdes[0].End() != begin+0x10 {
		t.Fatalf("parsed %d FDEs", len(fdes))
	}
	row := func(pc uint64) *FrameRules {
		t.Helper()
		r, err := rowAt(fdes[0], pc, false)
		if err != nil {
			t.Fatalf("rowAt(%#x): %v", pc, err)
		}
		return r
	}
	want := func(pc uint64, cfaOff int64, reg uint64, rule Rule) {
		t.Helper()
		r := row(pc)
		if r.CFAReg != DwarfRSP || r.CFAOffset != cfaOff || r.CFAExpr != nil {
			t.Errorf("%#x: CFA reg %d%+d expr %x, want rsp%+d", pc, r.CFAReg, r.CFAOffset, r.CFAExpr, cfaOff)
		}
		if got := r.Regs[reg]; got.Kind != rule.Kind || got.Offset != rule.Offset || got.Reg != rule.Reg || !bytes.Equal(got.Expr, rule.Expr) {
			t.Errorf("%#x: register %d %v, want %v", pc, reg, got, rule)
		}
		if ra := r.ReturnAddress(); ra.Kind != RuleOffset || ra.Offset != -8 {
			t.Errorf("%#x: return address %v", pc, ra)
		}
	}
	want(begin, 8, DwarfRBP, Rule{Kind: RuleSameValue})
	want(begin+1, 16, DwarfRBP, Rule{Kind: RuleOffset, Offset: -16})
	want(begin+2, 8, DwarfRBP, Rule{Kind: RuleSameValue})
	want(begin+2, 8, DwarfR12, Rule{Kind: RuleUndefined})
	want(begin+3, 16, DwarfR12, Rule{Kind: RuleSameValue})
	want(begin+3, 16, DwarfRBX, Rule{Kind: RuleValOffset, Offset: -16})
	want(begin+3, 16, DwarfR13, Rule{Kind: RuleRegister, Reg: DwarfRAX})
	want(begin+3, 16, DwarfR14, Rule{Kind: RuleValExpression, Expr: []byte{0x77, 0x10}})
	if r := row(begin + 4); !bytes.Equal(r.CFAExpr, []byte{0x77, 0x20}) {
		t.Errorf("CFA expression % x", r.CFAExpr)
	}
	if _, err := rowAt(fdes[0], begin+5, false); err == nil {
		t.Error("unbalanced DW_CFA_restore_state: no error")
	}

	// Truncated or garbage input gives errors, never a panic.
	for n := range sec {
		fdes, err := parseSection(func() ([]byte, error) { return sec[:n], nil }, 0)
		if err != nil {
			continue
		}
		for _, fde := range fdes {
			if fde.CIE != nil {
				for pc := fde.Begin(); pc < fde.Begin()+8; pc++ {
					rowAt(fde, pc, false)
				}
			}
		}
	}
}
