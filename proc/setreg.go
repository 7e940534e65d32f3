package proc

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// SetRegister assigns the value that value computes in the innermost
// frame (an expression's, say) to register name of thread tid, and returns the
// register as it is now. Only frame 0's registers can be set: above it
// registers are what unwinding recovers from the stack, not a thread's
// state. Setting rip moves the thread; the stack is walked anew.
func (d *Debugger) SetRegister(tid, level int, name string, value func(*Scope) (uint64, error)) (Register, error) {
	var out Register
	err := d.onStopped(tid, func(th *thread) error {
		if err := running(th); err != nil {
			return err
		}
		regs, err := d.tr.GetRegs(th.tid)
		if err != nil {
			return err
		}
		// The frames of calls inlined at the pc share frame 0's registers.
		if it, _, ok := d.walker().ToLogical(regs, level+th.hide); !ok || it.Frame().Index != 0 {
			return fmt.Errorf("registers can only be set in the innermost frame (frame 0), not in frame %d", level)
		}
		field := ptrace.RegisterField(&regs, name)
		if field == nil {
			for _, r := range ptrace.RegisterList(&regs) {
				if r.Name == name {
					return fmt.Errorf("register %s cannot be set (only the general-purpose registers, rip and eflags)", name)
				}
			}
			return fmt.Errorf("no register %s", name)
		}
		sc, err := d.scope(th, level)
		if err != nil {
			return err
		}
		v, err := value(sc)
		if err != nil {
			return err
		}
		*field = v
		if err := d.tr.SetRegs(th.tid, &regs); err != nil {
			return err
		}
		delete(d.p.stacks, tid)
		out = Register{Name: name, Value: *field}
		return nil
	})
	return out, err
}
