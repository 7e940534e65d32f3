package proc

import (
	"fmt"
	"syscall"

	"github.com/dap-ptrace/dap-ptrace/proc/image"
	"github.com/dap-ptrace/dap-ptrace/proc/watch"
	"github.com/dap-ptrace/dap-ptrace/ptrace"
	"golang.org/x/sys/unix"
)

// Data breakpoints: package watch keeps them (debug registers and
// software watchpoints); this file joins it to the process: the client's
// specs, the stops they cause, and the frames watched locals live in.

// Data access kinds, as DAP names them.
const (
	AccessWrite     = watch.AccessWrite
	AccessReadWrite = watch.AccessReadWrite
)

// dataWatch is one data breakpoint in use.
type dataWatch = watch.Watch[*Breakpoint]

// DataSpec is one data breakpoint as the client sets it.
type DataSpec struct {
	Addr   uint64
	Size   int
	Access string // AccessWrite or AccessReadWrite ("" is write)
	Opts   Options
	// Label names the watched expression and Format says how to show its
	// value (i signed, u unsigned, f floating point, p address) in the
	// description of the stop, which gives the old and new values.
	Label  string
	Format byte
	// Tid is the thread whose frame named the place, if any: a place on
	// its stack is a local, whose watch ends with its frame.
	Tid int
}

// Watchable checks that the CPU can watch size bytes at addr, which
// expression expr names: 1, 2, 4 or 8 bytes, aligned to their size.
func Watchable(expr string, addr uint64, size int64) error {
	return watch.Watchable(expr, addr, size)
}

// watchHost is the Debugger as package watch sees the process.
type watchHost Debugger

func (h *watchHost) Read(buf []byte, addr uint64) error { return h.p.mem.ReadFull(buf, addr) }
func (h *watchHost) DebugReg(tid, reg int) (uint64, error) {
	return h.tr.DebugReg(tid, reg)
}
func (h *watchHost) SetDebugReg(tid, reg int, v uint64) error {
	return h.tr.SetDebugReg(tid, reg, v)
}
func (h *watchHost) Mprotect(tid int, pg uint64, prot int) error {
	d := (*Debugger)(h)
	th := d.injector()
	if tid != 0 {
		th = d.p.threads[tid]
	}
	return d.mprotectIn(th, pg, prot)
}
func (h *watchHost) Maps() ([]image.Mapping, error) { return h.p.img.Maps() }

func (h *watchHost) Step(tid int) (syscall.Signal, error) {
	d := (*Debugger)(h)
	th := d.p.threads[tid]
	th.stopped = false
	if err := d.tr.SingleStep(tid, 0); err != nil {
		th.stopped = true
		return 0, err
	}
	ev, err := d.stepWait(tid)
	if err != nil {
		return 0, err
	}
	if !ev.Stopped() {
		d.box.Requeue(ev)
		return 0, errThreadGone
	}
	th.stopped = true
	if ev.Kind != ptrace.SignalStop {
		if ev.Kind == ptrace.ExitStop {
			th.exiting = true
		}
		return 0, fmt.Errorf("stepping the faulting instruction: %v", ev)
	}
	return ev.Signal, nil
}

func (h *watchHost) Defer(tid int, sig syscall.Signal) {
	if th := h.p.threads[tid]; th != nil && th.sig == 0 {
		th.sig = sig
	}
}

func (h *watchHost) Fault(tid int) (uint64, bool) {
	si, err := h.tr.GetSigInfo(tid)
	if err != nil || si.Signo != int32(unix.SIGSEGV) || si.Code != segvAccErr {
		return 0, false
	}
	return si.Addr, true
}

func (h *watchHost) AccessSize(tid int) int {
	regs, err := h.tr.GetRegs(tid)
	if err != nil {
		return 0
	}
	if ins, ok := h.p.img.DecodeAt(regs.Rip); ok {
		return ins.MemBytes
	}
	return 0
}
func (h *watchHost) Output(category, text string) { h.ln.Output(category, text) }

func (d *Debugger) watchHost() *watchHost { return (*watchHost)(d) }

// SetDataBreakpoints replaces every data breakpoint. Where the debug
// registers work, the first four that can be watched get one; the others,
// and all of them where the registers do not fire (see
// ptrace.HardwareWatchpoints), are software watchpoints.
func (d *Debugger) SetDataBreakpoints(specs []DataSpec) ([]Breakpoint, error) {
	var out []Breakpoint
	err := d.do(func() error {
		p := d.p
		if p == nil {
			return ErrNoProcess
		}
		hw, why := p.watches.Hardware(len(specs) > 0)
		return d.whileStopped(func() {
			var ws []*dataWatch
			var all []*Breakpoint
			for _, sp := range specs {
				bp := p.bps.New(kindData)
				bp.Name, bp.Options = fmt.Sprintf("%#x/%d", sp.Addr, sp.Size), sp.Opts
				all = append(all, bp)
				access := sp.Access
				if access == "" {
					access = AccessWrite
				}
				c, err := d.parseOptions(sp.Opts)
				msg := watch.Check(sp.Addr, sp.Size, access)
				if err != nil {
					msg = err.Error()
				}
				if msg != "" {
					bp.Message = msg
					continue
				}
				bp.Conds, bp.Verified, bp.Addrs = c, true, []uint64{sp.Addr}
				name := sp.Label
				if name == "" {
					name = bp.Name
				}
				w := &dataWatch{BP: bp, ID: bp.ID, Name: name, Addr: sp.Addr, Size: sp.Size, Access: access, Format: sp.Format}
				if th, err := d.threadFor(sp.Tid); err == nil && th.parked == nil {
					if w.Scope, w.Fn = d.localScope(th.tid, sp.Addr); w.Scope != 0 {
						w.Tid = th.tid
					}
				}
				w.Old, _ = watch.Read(d.watchHost(), w)
				ws = append(ws, w)
			}
			d.replaceWatches(ws, hw, why)
			for _, bp := range all {
				out = append(out, *bp)
			}
			for _, th := range p.threads {
				if err := p.watches.Apply(d.watchHost(), th.tid); err != nil {
					d.ln.Output("important", fmt.Sprintf("cannot set the data breakpoints of thread %d: %v\n", th.tid, err))
				}
			}
		})
	})
	return out, err
}

// replaceWatches makes ws the process's watches and tells their
// breakpoints how each is kept.
func (d *Debugger) replaceWatches(ws []*dataWatch, hw bool, why string) {
	d.p.watches.Replace(d.watchHost(), ws, hw, why)
	for _, w := range ws {
		if w.Note != "" {
			w.BP.Message = w.Note
		}
		if w.Lost {
			w.BP.Verified, w.BP.Addrs = false, nil
		}
	}
}

// applyWatches writes the debug registers of every stopped thread.
func (d *Debugger) applyWatches() {
	for _, th := range d.p.threads {
		if th.stopped && !th.exiting {
			_ = d.p.watches.Apply(d.watchHost(), th.tid)
		}
	}
}

// takeDR6 notes which debug registers fired in thread th.
func (d *Debugger) takeDR6(th *thread) { d.p.watches.TakeDR6(d.watchHost(), th.tid) }

// watchStop turns the watches that fired in th, debug registers and
// software watches alike, into the breakpoints that stop, their conditions
// evaluated; nil when none does.
func (d *Debugger) watchStop(th *thread) *Stop {
	hits := d.p.watches.Hits(d.watchHost(), th.tid, d.watchEnded)
	owners := make([]*Breakpoint, len(hits))
	for i, h := range hits {
		owners[i] = h.W.BP
	}
	ids := d.evalOwners(th, owners, nil)
	if len(ids) == 0 {
		return nil
	}
	return &Stop{Reason: "data breakpoint", Tid: th.tid, BreakpointIDs: ids, Description: watch.Describe(hits, ids)}
}

// refreshWatches takes the current value of every watch as the one to
// compare with.
func (d *Debugger) refreshWatches() { d.p.watches.Refresh(d.watchHost()) }

// clearWatches takes every data breakpoint out of every thread (before a
// detach: the process must not trap on our watches once we are gone).
func (d *Debugger) clearWatches() {
	var stopped []int
	for _, th := range d.p.threads {
		if th.stopped && !th.exiting {
			stopped = append(stopped, th.tid)
		}
	}
	d.p.watches.Clear(d.watchHost(), stopped)
}

// localScope finds whether addr is a local of thread tid and returns the
// frame holding it (stack.Walker.LocalFrame); zeros for anything else.
func (d *Debugger) localScope(tid int, addr uint64) (cfa, fn uint64) {
	if tid == 0 || d.p.threads[tid] == nil {
		return 0, 0
	}
	regs, err := d.tr.GetRegs(tid)
	if err != nil {
		return 0, 0
	}
	return d.walker().LocalFrame(regs, addr)
}

// watchEnded says whether the frame of watch w's local has returned: its
// thread is gone, or no frame of its stack has the frame's CFA in the
// same function (the next call at the same depth has the same CFA). The
// first time, the client is told, and the watch stops counting; it is
// taken out at the next stop, when every thread is stopped.
func (d *Debugger) watchEnded(w *dataWatch) bool {
	if w.Scope == 0 || w.Ended {
		return w.Ended
	}
	if th := d.p.threads[w.Tid]; th != nil && !th.exiting {
		regs, err := d.tr.GetRegs(w.Tid)
		if err != nil {
			return false // running: cannot tell now
		}
		if d.walker().FrameLive(regs, w.Scope, w.Fn) {
			return false
		}
	}
	w.Ended = true
	w.BP.Verified, w.BP.Message = false, fmt.Sprintf("%s was a local of a function that has returned: its watch ended with its frame", w.Name)
	d.ln.Output("console", fmt.Sprintf("data breakpoint %d on %s ended: the function it was a local of returned\n", w.ID, w.Name))
	d.ln.BreakpointChanged(*w.BP)
	return true
}

// pruneWatches takes out the watches whose frames returned; the world is
// stopped.
func (d *Debugger) pruneWatches() {
	if d.p.watches.Prune(d.watchHost(), d.watchEnded) {
		d.applyWatches()
	}
}

// rewatch watches again, after an execve, the watches of the old image
// that named a global the new program has too, with the same size: the
// same program run again, a launcher's child. The others are reported
// removed.
func (d *Debugger) rewatch(old []*dataWatch) {
	p := d.p
	hw, why := p.watches.Hardware(len(old) > 0)
	var kept []*dataWatch
	for _, w := range old {
		if a, ok := d.p.img.GlobalAddr(w.Name, w.Size); w.Scope == 0 && ok {
			w.Addr, w.BP.Addrs = a, []uint64{a}
			w.Old, _ = watch.Read(d.watchHost(), w)
			kept = append(kept, w)
			continue
		}
		w.BP.Verified, w.BP.Message = false, "the program ran execve: the watched memory is gone"
		d.ln.BreakpointChanged(*w.BP)
	}
	if len(kept) == 0 {
		return
	}
	d.replaceWatches(kept, hw, why)
	for _, w := range kept {
		d.ln.BreakpointChanged(*w.BP)
	}
	if p.watches.UsesRegisters() {
		if err := p.watches.Apply(d.watchHost(), p.pid); err != nil {
			d.ln.Output("important", fmt.Sprintf("cannot set the data breakpoints after execve: %v\n", err))
		}
	}
}
