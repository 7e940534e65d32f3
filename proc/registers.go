package proc

import (
	"fmt"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Register is one register of a frame, as the client sees it.
type Register struct {
	Name  string
	Value uint64
}

// FrameRegisters returns the registers of frame level of thread tid: all
// general-purpose, flags and segment registers for the innermost frame;
// for the frames above it, the ones unwinding recovers (the pc, the stack
// pointer, and the callee-saved registers the code saved).
func (d *Debugger) FrameRegisters(tid, level int) ([]Register, error) {
	var out []Register
	err := d.onStopped(tid, func(th *thread) error {
		regs, err := d.tr.GetRegs(tid)
		if err != nil {
			return err
		}
		it, _, ok := d.unwindToLogical(regs, level+th.hide)
		if !ok {
			return fmt.Errorf("no frame %d", level)
		}
		f := it.Frame()
		if f.Index == 0 {
			out = gpRegisters(&regs)
			return nil
		}
		order := []int{16, 7, 6, 3, 12, 13, 14, 15, 0, 2, 1, 4, 5, 8, 9, 10, 11}
		for _, r := range order {
			if f.Known[r] {
				out = append(out, Register{Name: symbols.RegNames[r], Value: f.R[r]})
			}
		}
		return nil
	})
	return out, err
}

func gpRegisters(r *ptrace.Regs) []Register {
	return []Register{
		{"rip", r.Rip}, {"rsp", r.Rsp}, {"rbp", r.Rbp},
		{"rax", r.Rax}, {"rbx", r.Rbx}, {"rcx", r.Rcx}, {"rdx", r.Rdx},
		{"rsi", r.Rsi}, {"rdi", r.Rdi},
		{"r8", r.R8}, {"r9", r.R9}, {"r10", r.R10}, {"r11", r.R11},
		{"r12", r.R12}, {"r13", r.R13}, {"r14", r.R14}, {"r15", r.R15},
		{"eflags", r.Eflags},
		{"cs", r.Cs}, {"ss", r.Ss}, {"ds", r.Ds}, {"es", r.Es}, {"fs", r.Fs}, {"gs", r.Gs},
		{"fs_base", r.Fs_base}, {"gs_base", r.Gs_base},
		{"orig_rax", r.Orig_rax},
	}
}

// FlagsString decodes the x86 flags a person looks at ("ZF PF IF").
func FlagsString(v uint64) string {
	names := []struct {
		bit  uint
		name string
	}{{0, "CF"}, {2, "PF"}, {4, "AF"}, {6, "ZF"}, {7, "SF"}, {8, "TF"}, {9, "IF"}, {10, "DF"}, {11, "OF"}}
	var out []string
	for _, n := range names {
		if v&(1<<n.bit) != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, " ")
}

// VectorRegister is an SSE or x87 control register, as bytes.
type VectorRegister struct {
	Name  string
	Bytes []byte // little-endian
}

// VectorRegisters returns the innermost frame's xmm0–xmm15 and the
// floating-point control and status registers of thread tid.
func (d *Debugger) VectorRegisters(tid int) ([]VectorRegister, error) {
	var out []VectorRegister
	err := d.onStopped(tid, func(*thread) error {
		fp, err := d.tr.GetFPRegs(tid)
		if err != nil {
			return err
		}
		// FXSAVE layout: fcw at 0, fsw at 2, mxcsr at 24, xmm0 at 160.
		out = append(out,
			VectorRegister{"fcw", fp[0:2]}, VectorRegister{"fsw", fp[2:4]}, VectorRegister{"mxcsr", fp[24:28]})
		for i := 0; i < 16; i++ {
			out = append(out, VectorRegister{fmt.Sprintf("xmm%d", i), fp[160+16*i : 176+16*i]})
		}
		return nil
	})
	return out, err
}
