package cfi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-delve/delve/pkg/dwarf/frame"
)

// ErrNoFrameInfo reports a pc that no frame description entry (FDE) of
// .debug_frame or .eh_frame covers, so there is no unwind rule for it.
var ErrNoFrameInfo = errors.New("no call frame information")

// DWARF register numbers of x86-64 (System V psABI, figure "DWARF Register
// Number Mapping"), as used by FrameRules, Rule and EvalCFAExpr. Note that
// they do not follow the hardware encoding: 1 is rdx and 2 is rcx.
//
//	0 rax   1 rdx   2 rcx   3 rbx   4 rsi   5 rdi   6 rbp   7 rsp
//	8-15 r8-r15   16 return address (the rip column)   17-32 xmm0-xmm15
const (
	DwarfRAX uint64 = 0
	DwarfRDX uint64 = 1
	DwarfRCX uint64 = 2
	DwarfRBX uint64 = 3
	DwarfRSI uint64 = 4
	DwarfRDI uint64 = 5
	DwarfRBP uint64 = 6
	DwarfRSP uint64 = 7
	DwarfR8  uint64 = 8 // r8 to r15 are 8 to 15
	DwarfR12 uint64 = 12
	DwarfR13 uint64 = 13
	DwarfR14 uint64 = 14
	DwarfR15 uint64 = 15
	// DwarfRA is the return-address column of x86-64 CFI. As an input
	// register of a DWARF expression it stands for rip.
	DwarfRA uint64 = 16
)

// RegNames names the x86-64 registers by DWARF number, rip as 16: the
// registers an unwound frame can know.
var RegNames = [17]string{"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip"}

// calleeSaved are the registers the x86-64 ABI makes a callee preserve
// besides rsp: when the CFI says nothing about them they still hold the
// caller's values.
var calleeSaved = []uint64{DwarfRBX, DwarfRBP, DwarfR12, DwarfR13, DwarfR14, DwarfR15}

// RuleKind says how to recover one value of the caller's frame.
type RuleKind int

const (
	// RuleUndefined: the value cannot be recovered. For the return-address
	// column it marks the outermost frame (glibc's _start, thread starts).
	RuleUndefined RuleKind = iota
	// RuleSameValue: the register still holds the caller's value.
	RuleSameValue
	// RuleOffset: the value was saved in memory at CFA+Offset.
	RuleOffset
	// RuleValOffset: the value is CFA+Offset itself (nothing to read).
	RuleValOffset
	// RuleRegister: the value is in register Reg (a DWARF number).
	RuleRegister
	// RuleExpression: the value was saved in memory at the address that
	// the DWARF expression Expr computes, with the CFA pushed first.
	RuleExpression
	// RuleValExpression: the value is the result of the DWARF expression
	// Expr, with the CFA pushed first.
	RuleValExpression
	// RuleCFA: the value is the CFA itself. At gives rsp this rule
	// when the CFI does not say otherwise: the caller's rsp is the CFA.
	RuleCFA
)

var ruleNames = [...]string{"undefined", "same-value", "offset", "val-offset", "register", "expression", "val-expression", "cfa"}

func (k RuleKind) String() string {
	if k >= 0 && int(k) < len(ruleNames) {
		return ruleNames[k]
	}
	return fmt.Sprintf("RuleKind(%d)", int(k))
}

// Rule says how to recover one value of the caller's frame; which fields
// matter depends on Kind.
type Rule struct {
	Kind   RuleKind
	Offset int64  // RuleOffset, RuleValOffset
	Reg    uint64 // RuleRegister: DWARF register number
	Expr   []byte // RuleExpression, RuleValExpression: DWARF expression
}

func (r Rule) String() string {
	switch r.Kind {
	case RuleOffset, RuleValOffset:
		return fmt.Sprintf("%s(%+d)", r.Kind, r.Offset)
	case RuleRegister:
		return fmt.Sprintf("register(%d)", r.Reg)
	case RuleExpression, RuleValExpression:
		return fmt.Sprintf("%s(% x)", r.Kind, r.Expr)
	}
	return r.Kind.String()
}

// FrameRules is the unwind rule set in force at one pc: how to compute the
// canonical frame address (CFA, the value of rsp just before the call
// instruction that entered the function pushed the return address) and how
// to recover the caller's registers from it.
//
// Register numbers are DWARF numbers (x86-64: 0 rax, 1 rdx, 2 rcx, 3 rbx,
// 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15, 16 return address; see DwarfRAX
// and the constants after it).
type FrameRules struct {
	// CFA = value of register CFAReg + CFAOffset, unless CFAExpr is set.
	CFAReg    uint64
	CFAOffset int64
	// CFAExpr is non-nil when the CFA is a DWARF expression instead (PLT
	// entries, some hand-written assembly); EvalCFAExpr computes the usual
	// kind.
	CFAExpr []byte
	// Regs holds a rule for the return-address column (RetReg), for rsp
	// (RuleCFA unless the CFI says otherwise) and for the callee-saved rbx,
	// rbp and r12-r15 (RuleSameValue when the CFI does not mention them),
	// plus whatever else the CFI describes. A register missing from Regs
	// is undefined in the caller (a caller-saved register).
	Regs map[uint64]Rule
	// RetReg is the return-address column, 16 on x86-64.
	RetReg uint64
	// Low and High bound the range [Low, High) of the FDE that gave the
	// rules; the rules themselves may change inside it.
	Low, High uint64
	// Signal marks a signal trampoline (augmentation "S", as on glibc's
	// __restore_rt): its return address is the interrupted instruction
	// itself, so an unwinder must not subtract 1 from it to find the line.
	Signal bool
}

// ReturnAddress returns the rule for the return address, the RetReg entry.
func (r *FrameRules) ReturnAddress() Rule { return r.Regs[r.RetReg] }

// Table is the call frame information of one ELF object: the FDEs of its
// .debug_frame and .eh_frame, each sorted by start address without overlaps
// so that FDEForPC can binary-search it.
type Table struct {
	debug, eh frame.FrameDescriptionEntries
}

// NewTable reads the call frame information of an ELF object. debugFrame
// and ehFrame return the bytes of its .debug_frame and .eh_frame sections;
// either is nil when the object has no such section. ehAddr is the
// link-time address of .eh_frame, whose pc-relative pointers are relative
// to it. isCode reports whether a link-time pc lies in executable code: the
// FDEs of functions the linker discarded keep their size but start at 0 (or
// a tombstone) in .debug_frame, and must not shadow real code.
//
// The Table is never nil. A section that fails to parse is left out whole,
// so At answers from the other one only; the error reports why.
func NewTable(debugFrame, ehFrame func() ([]byte, error), ehAddr uint64, isCode func(pc uint64) bool) (*Table, error) {
	t := &Table{}
	var errs []error
	if debugFrame != nil {
		fdes, err := parseSection(debugFrame, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf(".debug_frame: %w", err))
		}
		t.debug = tidy(fdes, isCode)
	}
	if ehFrame != nil {
		if ehAddr == 0 {
			// Parse tells the two formats apart by a non-zero address.
			errs = append(errs, errors.New(".eh_frame: section has address 0"))
		} else {
			fdes, err := parseSection(ehFrame, ehAddr)
			if err != nil {
				errs = append(errs, fmt.Errorf(".eh_frame: %w", err))
			}
			t.eh = tidy(fdes, isCode)
		}
	}
	if len(errs) > 0 {
		return t, fmt.Errorf("cfi: reading call frame information: %w", errors.Join(errs...))
	}
	return t, nil
}

// At returns the unwind rules at the link-time address pc, or an error
// wrapping ErrNoFrameInfo when no FDE covers pc. When both .debug_frame and
// .eh_frame describe pc, .debug_frame wins. Other errors report CFI that
// could not be interpreted. The result is the caller's to modify.
func (t *Table) At(pc uint64) (*FrameRules, error) {
	fde, eh := t.fdeAt(pc)
	if fde == nil {
		return nil, fmt.Errorf("cfi: pc %#x: %w", pc, ErrNoFrameInfo)
	}
	r, err := rowAt(fde, pc, eh)
	if err != nil {
		return nil, fmt.Errorf("cfi: call frame information for pc %#x (FDE %#x-%#x): %w", pc, fde.Begin(), fde.End(), err)
	}
	return r, nil
}

// fdeAt finds the FDE covering pc, from .debug_frame first; eh reports
// that it came from .eh_frame. It returns nil when none covers pc.
func (t *Table) fdeAt(pc uint64) (fde *frame.FrameDescriptionEntry, eh bool) {
	if fde, err := t.debug.FDEForPC(pc); err == nil {
		return fde, false
	}
	if fde, err := t.eh.FDEForPC(pc); err == nil {
		return fde, true
	}
	return nil, false
}

// parseSection parses one CFI section with Delve's parser; ehAddr is the
// section's link-time address for .eh_frame (its pc-relative pointers are
// relative to it) and 0 for .debug_frame.
func parseSection(data func() ([]byte, error), ehAddr uint64) (fdes frame.FrameDescriptionEntries, err error) {
	b, err := data()
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			fdes, err = nil, fmt.Errorf("malformed section: %v", r)
		}
	}()
	fdes, err = frame.Parse(b, binary.LittleEndian, 0, 8, ehAddr)
	if err != nil {
		return nil, err
	}
	if ehAddr == 0 {
		fixCIEv4(fdes)
	}
	return fdes, nil
}

// fixCIEv4 repairs the CIEs of version 4 that Parse misreads. A version 4
// .debug_frame CIE (what LLVM writes for DWARF 4 and 5) has address_size and
// segment_selector_size bytes after the augmentation string, which Parse
// takes for the code and data alignment factors; so it reads the code
// alignment factor as the return-address register and leaves the data
// alignment factor and the return-address register at the head of the
// initial instructions.
func fixCIEv4(fdes frame.FrameDescriptionEntries) {
	done := make(map[*frame.CommonInformationEntry]bool)
	for _, fde := range fdes {
		cie := fde.CIE
		if cie == nil || done[cie] {
			continue
		}
		done[cie] = true
		if cie.Version != 4 || cie.Augmentation != "" {
			continue
		}
		r := &reader{b: cie.InitialInstructions}
		daf := r.sleb()
		ra := r.uleb()
		if r.err != nil {
			continue
		}
		cie.CodeAlignmentFactor = cie.ReturnAddressRegister
		cie.DataAlignmentFactor = daf
		cie.ReturnAddressRegister = ra
		cie.InitialInstructions = r.b
	}
}

// tidy keeps the FDEs that describe real code, sorted by address. FDEs of
// functions the linker discarded keep their size but start at 0 (or a
// tombstone) in .debug_frame; they, empty FDEs, and any FDE overlapping an
// earlier one are dropped, so that FDEForPC's binary search is sound.
func tidy(fdes frame.FrameDescriptionEntries, isCode func(pc uint64) bool) frame.FrameDescriptionEntries {
	out := make(frame.FrameDescriptionEntries, 0, len(fdes))
	for _, fde := range fdes {
		if fde.CIE != nil && fde.End() > fde.Begin() && isCode(fde.Begin()) {
			out = append(out, fde)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Begin() < out[j].Begin() })
	kept := out[:0]
	var end uint64
	for _, fde := range out {
		if len(kept) > 0 && fde.Begin() < end {
			continue
		}
		kept = append(kept, fde)
		end = fde.End()
	}
	return slices.Clip(kept)
}

// DWARF call frame instructions (DWARF 5 section 6.4.2; the GNU ones from
// binutils' include/dwarf2.def).
const (
	cfaAdvanceLoc    = 0x40 // high two bits; delta in the low six
	cfaOffset        = 0x80 // high two bits; register in the low six
	cfaRestore       = 0xc0 // high two bits; register in the low six
	cfaNop           = 0x00
	cfaSetLoc        = 0x01
	cfaAdvanceLoc1   = 0x02
	cfaAdvanceLoc2   = 0x03
	cfaAdvanceLoc4   = 0x04
	cfaOffsetExt     = 0x05
	cfaRestoreExt    = 0x06
	cfaUndefined     = 0x07
	cfaSameValue     = 0x08
	cfaRegister      = 0x09
	cfaRememberState = 0x0a
	cfaRestoreState  = 0x0b
	cfaDefCFA        = 0x0c
	cfaDefCFAReg     = 0x0d
	cfaDefCFAOffset  = 0x0e
	cfaDefCFAExpr    = 0x0f
	cfaExpression    = 0x10
	cfaOffsetExtSF   = 0x11
	cfaDefCFASF      = 0x12
	cfaDefCFAOffSF   = 0x13
	cfaValOffset     = 0x14
	cfaValOffsetSF   = 0x15
	cfaValExpression = 0x16
	cfaGNUArgsSize   = 0x2e
	cfaGNUNegOffExt  = 0x2f
)

// state is the row of the CFI table that its program is building.
type state struct {
	cfaReg  uint64
	cfaOff  int64
	cfaExpr []byte
	regs    map[uint64]Rule
}

func (r state) clone() state {
	r.regs = cloneRules(r.regs)
	return r
}

func cloneRules(m map[uint64]Rule) map[uint64]Rule {
	c := make(map[uint64]Rule, len(m)+len(calleeSaved)+2)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// rowAt runs the CIE's initial instructions and then the FDE's up to pc.
//
// This interpreter replaces Delve's FrameDescriptionEntry.EstablishFrame,
// which (in v1.27.2) turns DW_CFA_restore into "undefined" because it
// never records the CIE's initial rules, does not scale DW_CFA_val_offset
// by the data alignment factor, and panics on an unbalanced
// DW_CFA_restore_state. Delve still parses the sections and finds the FDE.
func rowAt(fde *frame.FrameDescriptionEntry, pc uint64, eh bool) (*FrameRules, error) {
	cie := fde.CIE
	m := &machine{
		eh:  eh,
		caf: cie.CodeAlignmentFactor,
		daf: cie.DataAlignmentFactor,
		row: state{regs: make(map[uint64]Rule)},
	}
	if err := m.run(cie.InitialInstructions, 0, ^uint64(0)); err != nil {
		return nil, fmt.Errorf("CIE initial instructions: %w", err)
	}
	m.initial = cloneRules(m.row.regs)
	m.stack = nil
	if err := m.run(fde.Instructions, fde.Begin(), pc); err != nil {
		return nil, err
	}
	row := m.row
	r := &FrameRules{
		CFAReg:    row.cfaReg,
		CFAOffset: row.cfaOff,
		CFAExpr:   slices.Clone(row.cfaExpr),
		Regs:      row.regs,
		RetReg:    cie.ReturnAddressRegister,
		Low:       fde.Begin(),
		High:      fde.End(),
		Signal:    strings.HasPrefix(cie.Augmentation, "z") && strings.ContainsRune(cie.Augmentation, 'S'),
	}
	for k, rule := range r.Regs {
		if rule.Expr != nil {
			rule.Expr = slices.Clone(rule.Expr)
			r.Regs[k] = rule
		}
	}
	if _, ok := r.Regs[DwarfRSP]; !ok {
		r.Regs[DwarfRSP] = Rule{Kind: RuleCFA}
	}
	for _, reg := range calleeSaved {
		if _, ok := r.Regs[reg]; !ok {
			r.Regs[reg] = Rule{Kind: RuleSameValue}
		}
	}
	if _, ok := r.Regs[r.RetReg]; !ok {
		r.Regs[r.RetReg] = Rule{Kind: RuleUndefined}
	}
	return r, nil
}

type machine struct {
	eh      bool // running .eh_frame instructions
	caf     uint64
	daf     int64
	row     state
	initial map[uint64]Rule // rules after the CIE, for DW_CFA_restore
	stack   []state         // DW_CFA_remember_state
}

// run executes instructions starting at location loc and stops before the
// first advance past pc.
func (m *machine) run(code []byte, loc, pc uint64) error {
	r := &reader{b: code}
	for len(r.b) > 0 && r.err == nil {
		op := r.byte()
		var next uint64
		advance := false
		switch op & 0xc0 {
		case cfaAdvanceLoc:
			next, advance = loc+uint64(op&0x3f)*m.caf, true
		case cfaOffset:
			m.row.regs[uint64(op&0x3f)] = Rule{Kind: RuleOffset, Offset: int64(r.uleb()) * m.daf}
		case cfaRestore:
			m.restore(uint64(op & 0x3f))
		default:
			switch op {
			case cfaNop:
			case cfaSetLoc:
				// .eh_frame encodes the operand with the CIE's pointer
				// encoding, which Parse keeps to itself; gcc and the GNU
				// assembler never emit this instruction.
				if m.eh {
					return errors.New("DW_CFA_set_loc in .eh_frame is not supported")
				}
				next, advance = r.u(8), true
			case cfaAdvanceLoc1:
				next, advance = loc+r.u(1)*m.caf, true
			case cfaAdvanceLoc2:
				next, advance = loc+r.u(2)*m.caf, true
			case cfaAdvanceLoc4:
				next, advance = loc+r.u(4)*m.caf, true
			case cfaOffsetExt:
				reg, off := r.uleb(), r.uleb()
				m.row.regs[reg] = Rule{Kind: RuleOffset, Offset: int64(off) * m.daf}
			case cfaRestoreExt:
				m.restore(r.uleb())
			case cfaUndefined:
				m.row.regs[r.uleb()] = Rule{Kind: RuleUndefined}
			case cfaSameValue:
				m.row.regs[r.uleb()] = Rule{Kind: RuleSameValue}
			case cfaRegister:
				reg, reg2 := r.uleb(), r.uleb()
				m.row.regs[reg] = Rule{Kind: RuleRegister, Reg: reg2}
			case cfaRememberState:
				m.stack = append(m.stack, m.row.clone())
			case cfaRestoreState:
				if len(m.stack) == 0 {
					return errors.New("DW_CFA_restore_state without DW_CFA_remember_state")
				}
				// The CFA is part of the saved state too (DWARF 5 6.4.2.4).
				m.row = m.stack[len(m.stack)-1]
				m.stack = m.stack[:len(m.stack)-1]
			case cfaDefCFA:
				m.row.cfaReg, m.row.cfaOff, m.row.cfaExpr = r.uleb(), int64(r.uleb()), nil
			case cfaDefCFASF:
				m.row.cfaReg, m.row.cfaOff, m.row.cfaExpr = r.uleb(), r.sleb()*m.daf, nil
			case cfaDefCFAReg:
				m.row.cfaReg, m.row.cfaExpr = r.uleb(), nil
			case cfaDefCFAOffset:
				m.row.cfaOff, m.row.cfaExpr = int64(r.uleb()), nil
			case cfaDefCFAOffSF:
				m.row.cfaOff, m.row.cfaExpr = r.sleb()*m.daf, nil
			case cfaDefCFAExpr:
				m.row.cfaExpr = r.block()
				if m.row.cfaExpr == nil && r.err == nil {
					m.row.cfaExpr = []byte{}
				}
			case cfaExpression, cfaValExpression:
				kind := RuleExpression
				if op == cfaValExpression {
					kind = RuleValExpression
				}
				reg := r.uleb()
				expr := r.block()
				if expr == nil {
					expr = []byte{}
				}
				m.row.regs[reg] = Rule{Kind: kind, Expr: expr}
			case cfaOffsetExtSF:
				reg, off := r.uleb(), r.sleb()
				m.row.regs[reg] = Rule{Kind: RuleOffset, Offset: off * m.daf}
			case cfaValOffset:
				reg, off := r.uleb(), r.uleb()
				m.row.regs[reg] = Rule{Kind: RuleValOffset, Offset: int64(off) * m.daf}
			case cfaValOffsetSF:
				reg, off := r.uleb(), r.sleb()
				m.row.regs[reg] = Rule{Kind: RuleValOffset, Offset: off * m.daf}
			case cfaGNUArgsSize:
				r.uleb()
			case cfaGNUNegOffExt:
				reg, off := r.uleb(), r.uleb()
				m.row.regs[reg] = Rule{Kind: RuleOffset, Offset: -int64(off) * m.daf}
			default:
				return fmt.Errorf("unknown call frame instruction %#02x", op)
			}
		}
		if r.err != nil {
			return r.err
		}
		if advance {
			if next > pc {
				return nil
			}
			loc = next
		}
	}
	return r.err
}

// restore gives reg back the rule the CIE gave it, or none (which At
// then reports as undefined, or same-value for a callee-saved register).
func (m *machine) restore(reg uint64) {
	if rule, ok := m.initial[reg]; ok {
		m.row.regs[reg] = rule
	} else {
		delete(m.row.regs, reg)
	}
}

// reader decodes the operands of call frame instructions; the first
// error sticks and later reads return zero.
type reader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated call frame instructions")

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = errTruncated
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// u reads an n-byte little-endian unsigned value.
func (r *reader) u(n int) uint64 {
	if r.err != nil || len(r.b) < n {
		r.err = errTruncated
		return 0
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(r.b[i])
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uleb() uint64 {
	v, _ := r.leb()
	return v
}

func (r *reader) sleb() int64 {
	v, shift := r.leb()
	if shift < 64 && v&(1<<(shift-1)) != 0 {
		v |= ^uint64(0) << shift // sign-extend
	}
	return int64(v)
}

// leb reads the bits of a LEB128 number and how many bits it had (7 per
// byte); bits past 64 are dropped.
func (r *reader) leb() (v uint64, shift uint) {
	for {
		c := r.byte()
		if r.err != nil {
			return 0, 7
		}
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 {
			return v, shift
		}
	}
}

// block reads a ULEB128 length and that many bytes.
func (r *reader) block() []byte {
	n := r.uleb()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errTruncated
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}
