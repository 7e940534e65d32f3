package proc

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/ptrace"
)

// Data breakpoints are the CPU's: x86 has four debug address registers,
// each watching 1, 2, 4 or 8 aligned bytes for writes, or for reads and
// writes (never reads alone). Every thread has its own set, so a watch is
// written into each thread, new ones included, and taken out of each on
// detach. The CPU reports the access after it happened: the program stops
// on the instruction after the one that wrote.

// maxWatch is the number of x86 debug address registers.
const maxWatch = 4

const kindData = "data"

// Data access kinds, as DAP names them.
const (
	AccessWrite     = "write"
	AccessReadWrite = "readWrite"
)

// watch is one data breakpoint in use: a debug register's, or a software
// one (see swwatch.go).
type watch struct {
	bp     *Breakpoint
	addr   uint64
	size   int
	access string
	label  string // what the client watched, for the stop's description
	format byte   // how its value reads: see DataSpec.Format
	old    uint64 // its value when last seen
	// scope is the CFA of the frame a watched local belongs to, fn the
	// entry of its function and tid its thread: the watch ends when that
	// frame returns (scope 0: a global).
	scope, fn uint64
	tid       int
	ended     bool // its frame returned: taken out at the next stop
}

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
	if size != 1 && size != 2 && size != 4 && size != 8 {
		return fmt.Errorf("%s is %d bytes; the CPU watches 1, 2, 4 or 8 bytes: watch one of its members or elements", expr, size)
	}
	if addr%uint64(size) != 0 {
		return fmt.Errorf("%s at %#x is not aligned to its %d bytes; the CPU cannot watch it", expr, addr, size)
	}
	return nil
}

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
		hw, why := d.hardwareWatch(len(specs) > 0)
		return d.whileStopped(func() {
			p.watches = [maxWatch]*watch{}
			var soft []*watch
			var all []*Breakpoint
			slot := 0
			for _, sp := range specs {
				bp := &Breakpoint{ID: p.bps.nextID, Kind: kindData, Name: fmt.Sprintf("%#x/%d", sp.Addr, sp.Size), Options: sp.Opts}
				p.bps.nextID++
				all = append(all, bp)
				access := sp.Access
				if access == "" {
					access = AccessWrite
				}
				c, err := d.parseOptions(sp.Opts)
				switch {
				case err != nil:
					bp.Message = err.Error()
				case access != AccessWrite && access != AccessReadWrite:
					bp.Message = fmt.Sprintf("the CPU watches writes, or reads and writes, not %q alone", access)
				case sp.Size != 1 && sp.Size != 2 && sp.Size != 4 && sp.Size != 8 || sp.Addr%uint64(sp.Size) != 0:
					bp.Message = fmt.Sprintf("%d bytes at %#x cannot be watched: 1, 2, 4 or 8 aligned bytes only", sp.Size, sp.Addr)
				default:
					bp.opts, bp.Verified, bp.Addrs = c, true, []uint64{sp.Addr}
					w := &watch{bp: bp, addr: sp.Addr, size: sp.Size, access: access, label: sp.Label, format: sp.Format}
					if w.scope, w.fn = d.localScope(sp.Tid, sp.Addr); w.scope != 0 {
						w.tid = sp.Tid
					}
					w.old, _ = d.readWatch(w)
					if hw && slot < maxWatch {
						p.watches[slot] = w
						slot++
					} else {
						soft = append(soft, w)
					}
				}
			}
			d.setSoft(soft, hw, why)
			for _, bp := range all {
				out = append(out, *bp)
			}
			for _, th := range p.threads {
				if err := d.applyWatches(th.tid); err != nil {
					d.ln.Output("important", fmt.Sprintf("cannot set the data breakpoints of thread %d: %v\n", th.tid, err))
				}
			}
		})
	})
	return out, err
}

// applyWatches writes the debug registers of stopped thread tid from the
// watch table (all off when it is empty).
func (d *Debugger) applyWatches(tid int) error {
	if d.p.watched {
		// The kernel checks each address against the length DR7 gives
		// its slot now: switch them all off before moving any.
		if err := d.tr.SetDebugReg(tid, ptrace.DR7, 0); err != nil {
			return err
		}
	}
	var dr7 uint64
	for i, w := range d.p.watches {
		if w == nil {
			continue
		}
		if err := d.tr.SetDebugReg(tid, i, w.addr); err != nil {
			return err
		}
		rw := uint64(0b01) // break on writes
		if w.access == AccessReadWrite {
			rw = 0b11
		}
		length := map[int]uint64{1: 0b00, 2: 0b01, 4: 0b11, 8: 0b10}[w.size]
		dr7 |= 1<<(2*i) | rw<<(16+4*i) | length<<(18+4*i)
	}
	if dr7 == 0 && !d.p.watched {
		return nil // never used: leave the thread's registers alone
	}
	d.p.watched = true
	return d.tr.SetDebugReg(tid, ptrace.DR7, dr7)
}

// watching reports whether a data breakpoint is set, in a debug register
// or in software.
func (p *process) watching() bool {
	for _, w := range p.watches {
		if w != nil {
			return true
		}
	}
	return p.soft != nil && len(p.soft.watches) > 0
}

// takeDR6 reads and clears which debug registers fired in thread th, adding
// them to th.watchBits.
func (d *Debugger) takeDR6(th *thread) {
	dr6, err := d.tr.DebugReg(th.tid, ptrace.DR6)
	if err != nil {
		return
	}
	if bits := dr6 & 0xf; bits != 0 {
		th.watchBits |= bits
		_ = d.tr.SetDebugReg(th.tid, ptrace.DR6, 0)
	}
}

// watchStop turns the watches that fired in th, debug registers and
// software watches alike, into the breakpoints that stop, their conditions
// evaluated; nil when none does.
func (d *Debugger) watchStop(th *thread) *Stop {
	bits := th.watchBits
	th.watchBits = 0
	var owners []*Breakpoint
	var changes []watchHit
	for i, w := range d.p.watches {
		if w != nil && bits&(1<<i) != 0 && !d.watchEnded(w) {
			v, _ := d.readWatch(w)
			changes = append(changes, watchHit{w: w, old: w.old, new: v})
			w.old = v
			owners = append(owners, w.bp)
		}
	}
	if s := d.p.soft; bits&softBit != 0 && s != nil {
		for _, h := range s.hits[th.tid] {
			if d.watchEnded(h.w) {
				continue
			}
			changes = append(changes, h)
			owners = append(owners, h.w.bp)
		}
		delete(s.hits, th.tid)
	}
	ids := d.evalOwners(th, owners, nil)
	if len(ids) == 0 {
		return nil
	}
	return &Stop{Reason: "data breakpoint", Tid: th.tid, BreakpointIDs: ids, Description: watchDescription(changes, ids)}
}

// watchHit is one access a watch saw, with the value before and after.
type watchHit struct {
	w        *watch
	old, new uint64
}

// watchDescription says what changed, for the stopped event: "counter: 5
// → 6" for each watch that stops, once each.
func watchDescription(changes []watchHit, ids []int) string {
	var parts []string
	seen := map[int]bool{}
	for _, h := range changes {
		if seen[h.w.bp.ID] || !slices.Contains(ids, h.w.bp.ID) {
			continue
		}
		seen[h.w.bp.ID] = true
		name := h.w.label
		if name == "" {
			name = h.w.bp.Name
		}
		if h.old == h.new {
			how := "written, unchanged"
			if h.w.access == AccessReadWrite {
				how = "accessed, unchanged"
			}
			parts = append(parts, fmt.Sprintf("%s: %s (%s)", name, h.w.show(h.new), how))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s → %s", name, h.w.show(h.old), h.w.show(h.new)))
	}
	return strings.Join(parts, ", ")
}

// readWatch reads the watched bytes as a little-endian number.
func (d *Debugger) readWatch(w *watch) (uint64, error) {
	var b [8]byte
	if err := d.p.mem.ReadFull(b[:w.size], w.addr); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

// show formats a watched value as its type reads.
func (w *watch) show(v uint64) string {
	switch w.format {
	case 'u':
		return strconv.FormatUint(v, 10)
	case 'p':
		return fmt.Sprintf("%#x", v)
	case 'f':
		if w.size == 4 {
			return strconv.FormatFloat(float64(math.Float32frombits(uint32(v))), 'g', -1, 32)
		}
		if w.size == 8 {
			return strconv.FormatFloat(math.Float64frombits(v), 'g', -1, 64)
		}
	}
	shift := 64 - 8*uint(w.size)
	return strconv.FormatInt(int64(v<<shift)>>shift, 10)
}

// refreshWatches takes the current value of every watch as the one to
// compare with: what the program, the kernel or the person changed while
// no watch could see it is not news.
func (d *Debugger) refreshWatches() {
	p := d.p
	for _, w := range p.watches {
		if w != nil {
			w.old, _ = d.readWatch(w)
		}
	}
	if p.soft != nil {
		for _, w := range p.soft.watches {
			w.old, _ = d.readWatch(w)
		}
		clear(p.soft.hits)
	}
}

// clearWatches takes every data breakpoint out of every thread (before a
// detach: the process must not trap on our watches once we are gone).
func (d *Debugger) clearWatches() {
	p := d.p
	d.softClear()
	if !p.watched {
		return
	}
	p.watches = [maxWatch]*watch{}
	for _, th := range p.threads {
		if th.stopped && !th.exiting {
			_ = d.applyWatches(th.tid)
		}
	}
}

// localScope finds whether addr is a local of thread tid (on its stack,
// at or above its stack pointer) and returns the frame holding it: the
// innermost one whose CFA is above addr, by its CFA and its function's
// entry. Zeros for anything else.
func (d *Debugger) localScope(tid int, addr uint64) (cfa, fn uint64) {
	if tid == 0 || d.p.threads[tid] == nil {
		return 0, 0
	}
	regs, err := d.tr.GetRegs(tid)
	// A leaf function keeps its locals in the red zone, the 128 bytes
	// below the stack pointer that the x86-64 ABI leaves it.
	if err != nil || addr+redZone < regs.Rsp {
		return 0, 0
	}
	for _, f := range d.unwind(regs, 4096) {
		if f.CFA > addr {
			return f.CFA, d.funcEntry(f)
		}
	}
	return 0, 0
}

// redZone is the x86-64 System V red zone's size.
const redZone = 128

// funcEntry is the runtime entry of the function frame f is in, 0 if not
// known.
func (d *Debugger) funcEntry(f Frame) uint64 {
	look := f.PC
	if !f.exact {
		look--
	}
	if fn, m := d.p.img.FuncAt(look); fn != nil {
		return fn.Low + m.Bias
	}
	return 0
}

// watchEnded says whether the frame of watch w's local has returned: its
// thread is gone, or no frame of its stack has the frame's CFA in the
// same function (the next call at the same depth has the same CFA). The
// first time, the client is told, and the watch stops counting; it is
// taken out at the next stop, when every thread is stopped.
func (d *Debugger) watchEnded(w *watch) bool {
	if w.scope == 0 || w.ended {
		return w.ended
	}
	if th := d.p.threads[w.tid]; th != nil && !th.exiting {
		regs, err := d.tr.GetRegs(w.tid)
		if err != nil {
			return false // running: cannot tell now
		}
		if regs.Rsp < w.scope+redZone {
			for _, f := range d.unwind(regs, 4096) {
				if f.CFA == w.scope && d.funcEntry(f) == w.fn {
					return false
				}
				if f.CFA > w.scope {
					break
				}
			}
		}
	}
	w.ended = true
	name := w.label
	if name == "" {
		name = w.bp.Name
	}
	w.bp.Verified, w.bp.Message = false, fmt.Sprintf("%s was a local of a function that has returned: its watch ended with its frame", name)
	d.ln.Output("console", fmt.Sprintf("data breakpoint %d on %s ended: the function it was a local of returned\n", w.bp.ID, name))
	d.ln.BreakpointChanged(*w.bp)
	return true
}

// pruneWatches takes out the watches whose frames returned; the world is
// stopped.
func (d *Debugger) pruneWatches() {
	p := d.p
	changed := false
	for i, w := range p.watches {
		if w != nil && d.watchEnded(w) {
			p.watches[i], changed = nil, true
		}
	}
	if changed {
		for _, th := range p.threads {
			if th.stopped && !th.exiting {
				_ = d.applyWatches(th.tid)
			}
		}
	}
	if s := p.soft; s != nil {
		keep := s.watches[:0:0]
		for _, w := range s.watches {
			if !d.watchEnded(w) {
				keep = append(keep, w)
			}
		}
		if len(keep) != len(s.watches) {
			hw, why := d.hardwareWatch(true)
			d.setSoft(keep, hw, why)
		}
	}
}

// rewatch watches again, after an execve, the watches of the old image
// that named a global the new program has too, with the same size: the
// same program run again, a launcher's child. The others are reported
// removed.
func (d *Debugger) rewatch(old []*watch) {
	p := d.p
	hw, why := d.hardwareWatch(len(old) > 0)
	var soft []*watch
	slot := 0
	for _, w := range old {
		if a, ok := d.globalAddr(w); ok {
			w.addr, w.bp.Addrs = a, []uint64{a}
			w.old, _ = d.readWatch(w)
			if hw && slot < maxWatch {
				p.watches[slot] = w
				slot++
			} else {
				soft = append(soft, w)
			}
			d.ln.BreakpointChanged(*w.bp)
			continue
		}
		w.bp.Verified, w.bp.Message = false, "the program ran execve: the watched memory is gone"
		d.ln.BreakpointChanged(*w.bp)
	}
	if len(soft) > 0 {
		d.setSoft(soft, hw, why)
	}
	if slot > 0 {
		if err := d.applyWatches(p.pid); err != nil {
			d.ln.Output("important", fmt.Sprintf("cannot set the data breakpoints after execve: %v\n", err))
		}
	}
}

// globalAddr finds the address, in the executable now loaded, of the
// global that watch w named by its plain name, with w's size.
func (d *Debugger) globalAddr(w *watch) (uint64, bool) {
	exe := d.p.img.Exe
	if w.scope != 0 || exe == nil || exe.Sym == nil || !isName(w.label) {
		return 0, false
	}
	v, ok := exe.Sym.LookupGlobal(w.label)
	// A global's location is DW_OP_addr and its link-time address.
	if !ok || v.Type == nil || v.Type.Resolve().Size != int64(w.size) || len(v.Loc) != 9 || v.Loc[0] != 0x03 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(v.Loc[1:]) + exe.Bias, true
}

// isName says whether s is a plain identifier (a variable's name).
func isName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}
