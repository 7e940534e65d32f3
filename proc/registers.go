package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// Register is one register of a frame, as the client sees it.
type Register = ptrace.Register

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
		it, _, ok := d.walker().ToLogical(regs, level+th.hide)
		if !ok {
			return fmt.Errorf("no frame %d", level)
		}
		f := it.Frame()
		if f.Index == 0 {
			out = ptrace.RegisterList(&regs)
			return nil
		}
		order := []int{16, 7, 6, 3, 12, 13, 14, 15, 0, 2, 1, 4, 5, 8, 9, 10, 11}
		for _, r := range order {
			if f.Known[r] {
				out = append(out, Register{Name: cfi.RegNames[r], Value: f.R[r]})
			}
		}
		return nil
	})
	return out, err
}

// VectorRegister is an SSE or x87 control register, as bytes.
type VectorRegister = ptrace.VectorRegister

// VectorRegisters returns the innermost frame's xmm0–xmm15 and the
// floating-point control and status registers of thread tid.
func (d *Debugger) VectorRegisters(tid int) ([]VectorRegister, error) {
	var out []VectorRegister
	err := d.onStopped(tid, func(*thread) error {
		fp, err := d.tr.GetFPRegs(tid)
		if err != nil {
			return err
		}
		out = fp.List()
		return nil
	})
	return out, err
}

// FlagsString decodes the x86 flags a person looks at ("ZF PF IF").
func FlagsString(v uint64) string { return ptrace.FlagsString(v) }
