package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/proc/stack"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
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
		regs, err := d.regsOf(th)
		if err != nil {
			return err
		}
		it, _, ok := d.walkerFor(th).ToLogical(regs, level+th.hide)
		if !ok {
			return fmt.Errorf("no frame %d", level)
		}
		f := it.Frame()
		if f.Index == 0 && th.parked == nil {
			out = ptrace.RegisterList(&regs)
			return nil
		}
		out = stack.Registers(f)
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
	err := d.onStopped(tid, func(th *thread) error {
		if err := running(th); err != nil {
			return err
		}
		fp, err := d.tr.GetFPRegs(th.tid)
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
