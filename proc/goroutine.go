package proc

// Go's scheduler moves goroutines between threads: a goroutine being
// stepped over a call may come back to the step's temporary breakpoint on
// another thread than the one it left on. A step in a Go program therefore
// follows the goroutine, which the Go runtime on amd64 keeps in the
// thread's TLS, at fs:-8 (runtime.g).

// goroutineOf returns the runtime.g the thread tid is running, 0 when the
// program is not Go or the thread runs none.
func (d *Debugger) goroutineOf(tid int) uint64 {
	p := d.p
	if !p.isGo() {
		return 0
	}
	regs, err := d.tr.GetRegs(tid)
	if err != nil || regs.Fs_base == 0 {
		return 0
	}
	g, err := p.mem.Uint64(regs.Fs_base - 8)
	if err != nil {
		return 0
	}
	return g
}

// isGo reports whether the executable is a Go program (decided once).
func (p *process) isGo() bool {
	if p.goKnown {
		return p.goProgram
	}
	p.goKnown = true
	if p.img.Exe != nil && p.img.Exe.Sym != nil {
		_, p.goProgram = p.img.Exe.Sym.LookupSymbol("runtime.main")
	}
	return p.goProgram
}

// sameStepper tells whether thread th is the one a step follows: the
// stepping thread itself, or, in a Go program, another thread now running
// the stepping goroutine.
func (d *Debugger) sameStepper(st *stepper, th *thread) bool {
	if st.tid == th.tid {
		return true
	}
	return st.g != 0 && d.goroutineOf(th.tid) == st.g
}
