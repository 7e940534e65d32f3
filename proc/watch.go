package proc

import (
	"fmt"
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

// watch is one debug register in use.
type watch struct {
	bp     *Breakpoint
	addr   uint64
	size   int
	access string
}

// DataSpec is one data breakpoint as the client sets it.
type DataSpec struct {
	Addr   uint64
	Size   int
	Access string // AccessWrite or AccessReadWrite ("" is write)
	Opts   Options
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

// SetDataBreakpoints replaces every data breakpoint. The first four that
// can be watched get a debug register; the others come back unverified
// with the reason.
func (d *Debugger) SetDataBreakpoints(specs []DataSpec) ([]Breakpoint, error) {
	var out []Breakpoint
	err := d.do(func() error {
		p := d.p
		if p == nil {
			return ErrNoProcess
		}
		return d.whileStopped(func() {
			p.watches = [maxWatch]*watch{}
			slot := 0
			for _, sp := range specs {
				bp := &Breakpoint{ID: p.bps.nextID, Kind: kindData, Name: fmt.Sprintf("%#x/%d", sp.Addr, sp.Size), Options: sp.Opts}
				p.bps.nextID++
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
				case slot == maxWatch:
					bp.Message = "the CPU has 4 data breakpoints (debug registers), all in use"
				default:
					bp.opts, bp.Verified, bp.Addrs = c, true, []uint64{sp.Addr}
					p.watches[slot] = &watch{bp: bp, addr: sp.Addr, size: sp.Size, access: access}
					slot++
				}
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

// watching reports whether a data breakpoint is set.
func (p *process) watching() bool {
	for _, w := range p.watches {
		if w != nil {
			return true
		}
	}
	return false
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

// watchStop turns the watches that fired in th into the breakpoints that
// stop, their conditions evaluated; nil when none does.
func (d *Debugger) watchStop(th *thread) *Stop {
	bits := th.watchBits
	th.watchBits = 0
	var owners []*Breakpoint
	for i, w := range d.p.watches {
		if w != nil && bits&(1<<i) != 0 {
			owners = append(owners, w.bp)
		}
	}
	ids := d.evalOwners(th, owners, nil)
	if len(ids) == 0 {
		return nil
	}
	return &Stop{Reason: "data breakpoint", Tid: th.tid, BreakpointIDs: ids, Description: d.watchDescription(owners, ids)}
}

// watchDescription says what changed, for the stopped event.
func (d *Debugger) watchDescription(owners []*Breakpoint, ids []int) string {
	var parts []string
	for _, bp := range owners {
		for _, id := range ids {
			if id == bp.ID {
				parts = append(parts, "data breakpoint at "+bp.Name)
			}
		}
	}
	return strings.Join(parts, ", ")
}

// clearWatches takes every data breakpoint out of every thread (before a
// detach: the process must not trap on our watches once we are gone).
func (d *Debugger) clearWatches() {
	p := d.p
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
