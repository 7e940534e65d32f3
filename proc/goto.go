package proc

import (
	"fmt"
)

// "Jump to Cursor": the thread's pc is moved to another line of the
// function it is stopped in, without running anything between. Other
// functions are refused: their frame is not set up, and running on would
// corrupt the stack.

// GotoTargets returns the addresses of source:line in the function thread
// tid (0: the thread of the last stop) is stopped in, one per location as
// a breakpoint would have them.
func (d *Debugger) GotoTargets(tid int, source string, line int) ([]uint64, error) {
	var out []uint64
	err := d.do(func() error {
		if err := d.needStopped(); err != nil {
			return err
		}
		th := d.p.threads[d.p.current]
		if tid != 0 {
			var err error
			if th, err = d.threadFor(tid); err != nil {
				return err
			}
		}
		if th == nil {
			return &ThreadError{Tid: tid}
		}
		regs, err := d.regsOf(th)
		if err != nil {
			return err
		}
		out, err = d.p.img.LineInFunc(regs.Rip, d.srcMap.Compiled(source), line)
		return err
	})
	return out, err
}

// Goto moves thread tid's pc to addr, a GotoTargets address, and reports
// the thread stopped there (reason "goto").
func (d *Debugger) Goto(tid int, addr uint64) error {
	return d.onStopped(tid, func(th *thread) error {
		if err := running(th); err != nil {
			return err
		}
		regs, err := d.tr.GetRegs(th.tid)
		if err != nil {
			return err
		}
		fn, _ := d.p.img.FuncAt(regs.Rip)
		if to, _ := d.p.img.FuncAt(addr); fn == nil || to != fn {
			return fmt.Errorf("%#x is not in the function the thread is stopped in", addr)
		}
		if err := d.tr.SetPC(th.tid, addr); err != nil {
			return err
		}
		// Standing there as on a breakpoint hit: a resume executes the
		// instruction, any breakpoint on it included, without a stop.
		th.rehit, th.hitAt = false, addr
		d.stopped(Stop{Reason: "goto", Tid: th.tid})
		return nil
	})
}
