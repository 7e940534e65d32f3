package proc

// hiddenFrames decides, for a stop at pc, how many inlined calls starting
// at pc to hide: for a breakpoint, what shows the frame of the line or
// function it was set on; for a step of the stopping thread, what shows
// the frame it ended in.
func (d *Debugger) hiddenFrames(pc uint64, st Stop, step *stepper) int {
	switch {
	case len(st.BreakpointIDs) > 0:
		return d.bpHide(pc)
	case step != nil && step.tid == st.Tid && st.Reason == "step" && step.keepSet:
		return min(step.keepHide, d.p.img.AtEntry(pc, d.p.img.InlinedAt(pc)))
	case step != nil && step.tid == st.Tid && st.Reason == "step" && step.fromSet && !step.instruction:
		k, _ := d.walker().FrameFor(pc, step.from, step.kind == StepOut)
		return k
	}
	return 0
}

// bpHide is hiddenFrames for a breakpoint hit at pc.
func (d *Debugger) bpHide(pc uint64) int {
	calls := d.p.img.InlinedAt(pc)
	maxHide := d.p.img.AtEntry(pc, calls)
	s := d.p.bps.Sites[pc]
	if maxHide == 0 || s == nil {
		return 0
	}
	for _, b := range s.Owners {
		switch b.Kind {
		case "function":
			return maxHide // the function's own frame, if nothing before it
		case "source":
			le, _ := d.p.img.LineAt(pc)
			for k := 0; k <= maxHide; k++ {
				line := le.Line
				if k > 0 {
					line = calls[k-1].CallLine
				}
				if line == b.Actual {
					return k
				}
			}
		}
	}
	return 0
}
