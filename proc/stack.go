package proc

import (
	"github.com/dap-ptrace/dap-ptrace/proc/stack"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// Frame is one frame of a thread's stack.
type Frame = stack.Frame

// MaxFrames bounds a stack walk: a corrupt stack can loop.
const MaxFrames = stack.MaxFrames

// Stack returns frames [start, start+levels) of thread tid (levels 0: all)
// and the total number of frames. The walk is done once per stop and cached
// until the process runs again, so paging costs a slice.
func (d *Debugger) Stack(tid, start, levels int) ([]Frame, int, error) {
	var out []Frame
	var total int
	err := d.onStopped(tid, func(th *thread) error {
		p := d.p
		w, ok := p.stacks[tid]
		if !ok {
			regs, err := d.regsOf(th)
			if err != nil {
				return err
			}
			// Walk it all (totalFrames is exact), but name only the frames
			// asked for; inlined calls the stop hides are frame 0's
			// innermost ones.
			w = d.walkerFor(th).Walk(regs, th.hide)
			if p.stacks == nil {
				p.stacks = map[int]*stack.Walked{}
			}
			p.stacks[tid] = w
		}
		total = w.Len()
		start = min(start, total)
		end := total
		if levels > 0 && start+levels < end {
			end = start + levels
		}
		for i := start; i < end; i++ {
			out = append(out, d.walker().Frame(w, i))
		}
		return nil
	})
	return out, total, err
}

// frameCFA returns the CFA of thread tid's innermost frame.
func (d *Debugger) frameCFA(tid int) uint64 {
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return 0
	}
	return d.unwind(regs, 1)[0].CFA
}

// unwind walks up to max machine frames (see stack.Walker.Unwind).
func (d *Debugger) unwind(regs ptrace.Regs, max int) []Frame {
	return d.walker().Unwind(regs, max)
}

// walker walks the process's stacks.
func (d *Debugger) walker() stack.Walker {
	return stack.Walker{Img: d.p.img, Mem: d.p.mem}
}

// walkerFor walks th's stack: a thread's, or a parked goroutine's.
func (d *Debugger) walkerFor(th *thread) stack.Walker {
	w := d.walker()
	w.Saved = th.parked != nil
	return w
}
