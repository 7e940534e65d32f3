// Package goroutine reads the goroutines of a stopped Go program: which
// exist, their ids, states and wait reasons, the thread running each, and
// where a parked one will resume (its saved gobuf), from which its stack
// is walked. It knows the runtime's structures only through the DWARF
// types of the program itself (runtime.g, runtime.m, runtime.gobuf), so a
// new Go release that moves a field is read right.
//
// It reads through the Memory it is given and keeps no process state; a
// Layout is immutable and safe for concurrent use.
package goroutine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// Memory reads the program's memory.
type Memory interface {
	ReadAt(b []byte, addr uint64) (int, error)
}

// BatchMemory reads many places at once (process_vm_readv with many
// iovecs): a thousand goroutines in one system call, not a thousand.
type BatchMemory interface {
	Memory
	ReadBatch(bufs [][]byte, addrs []uint64) error
}

// Goroutine states (runtime/runtime2.go); scanBit is set while the
// garbage collector scans its stack, on top of the state.
const (
	Idle      = 0
	Runnable  = 1
	Running   = 2
	Syscall   = 3
	Waiting   = 4
	Dead      = 6
	CopyStack = 8
	Preempted = 9
	scanBit   = 0x1000
)

// G is one goroutine as its runtime.g says.
type G struct {
	ID     uint64
	Addr   uint64 // of its runtime.g
	Status uint32 // without the scan bit
	// PC, SP and BP are where it resumes (gobuf): valid when it is not
	// running on a thread.
	PC, SP, BP uint64
	M          uint64 // the runtime.m running it, 0 if none
	StartPC    uint64 // the function it was started with
	GoPC       uint64 // the go statement that started it
	WaitReason uint8
}

// OnThread says whether the goroutine holds a thread (running, or in a
// system call), so its registers are the thread's, not its gobuf.
func (g *G) OnThread() bool {
	return g.M != 0 && (g.Status == Running || g.Status == Syscall)
}

// Layout is where the runtime keeps what a G needs, in one program.
type Layout struct {
	allgs    uint64 // runtime.allgs: a []*g
	waitStrs uint64 // runtime.waitReasonStrings: a [N]string, 0 if absent
	waitN    int64
	span     int64 // bytes of a runtime.g to read: up to the last field used

	goid, status, pc, sp, bp, m, startpc, gopc, waitreason int64
	procid, curg                                           int64 // in runtime.m
}

// NewLayout finds the layout in exe, loaded with bias. It fails for a
// program that is not Go or whose DWARF lacks the runtime's types.
func NewLayout(exe *symbols.File, bias uint64) (*Layout, error) {
	allgs, ok := exe.LookupSymbol("runtime.allgs")
	if !ok {
		return nil, errors.New("no runtime.allgs: not a Go program")
	}
	g, ok := exe.GoType("runtime.g")
	if !ok {
		return nil, errors.New("no DWARF type runtime.g")
	}
	m, ok := exe.GoType("runtime.m")
	if !ok {
		return nil, errors.New("no DWARF type runtime.m")
	}
	l := &Layout{allgs: allgs + bias}
	var missing []string
	off := func(t *symbols.Type, path string) int64 {
		o, ok := fieldOffset(t, path)
		if !ok {
			missing = append(missing, t.Name+"."+path)
		}
		return o
	}
	l.goid, l.m = off(g, "goid"), off(g, "m")
	l.status = off(g, "atomicstatus.value")
	l.pc, l.sp, l.bp = off(g, "sched.pc"), off(g, "sched.sp"), off(g, "sched.bp")
	l.startpc, l.gopc, l.waitreason = off(g, "startpc"), off(g, "gopc"), off(g, "waitreason")
	l.procid, l.curg = off(m, "procid"), off(m, "curg")
	if len(missing) > 0 {
		return nil, fmt.Errorf("the runtime's types lack %s", strings.Join(missing, ", "))
	}
	l.span = max(l.goid, l.m, l.status, l.pc, l.sp, l.bp, l.startpc, l.gopc, l.waitreason) + 8
	// A [N]string: its length is its DWARF type's.
	if a, ok := exe.LookupSymbol("runtime.waitReasonStrings"); ok {
		if v, ok := exe.LookupGlobal("runtime.waitReasonStrings"); ok && v.Type != nil {
			if t := v.Type.Resolve(); t.Count > 0 {
				l.waitStrs, l.waitN = a+bias, t.Count
			}
		}
	}
	return l, nil
}

// fieldOffset finds the offset of a dotted field path in struct t.
func fieldOffset(t *symbols.Type, path string) (int64, bool) {
	var off int64
	for _, name := range strings.Split(path, ".") {
		t = t.Resolve()
		found := false
		for _, f := range t.Fields {
			if f.Name == name {
				off += f.Offset
				t, found = f.Type, true
				break
			}
		}
		if !found || t == nil {
			return 0, false
		}
	}
	return off, true
}

// maxGoroutines bounds a list: a corrupt allgs must not make us read
// gigabytes.
const maxGoroutines = 1 << 20

// List reads every goroutine that exists (not dead), in allgs order: the
// order they were created in.
func (l *Layout) List(mem Memory) ([]G, error) {
	var hdr [16]byte
	if _, err := mem.ReadAt(hdr[:], l.allgs); err != nil {
		return nil, fmt.Errorf("reading runtime.allgs: %w", err)
	}
	ptr, n := binary.LittleEndian.Uint64(hdr[:]), binary.LittleEndian.Uint64(hdr[8:])
	if n == 0 {
		return nil, nil
	}
	if n > maxGoroutines {
		return nil, fmt.Errorf("runtime.allgs says %d goroutines", n)
	}
	addrs := make([]byte, 8*n)
	if _, err := mem.ReadAt(addrs, ptr); err != nil {
		return nil, fmt.Errorf("reading runtime.allgs: %w", err)
	}
	gs := make([]uint64, n)
	bufs := make([][]byte, n)
	all := make([]byte, int64(n)*l.span)
	for i := range gs {
		gs[i] = binary.LittleEndian.Uint64(addrs[8*i:])
		bufs[i] = all[int64(i)*l.span : int64(i+1)*l.span]
	}
	if err := readAll(mem, bufs, gs); err != nil {
		return nil, err
	}
	out := make([]G, 0, n)
	for i, b := range bufs {
		g := l.decode(gs[i], b)
		if g.Status == Dead || g.Status == Idle {
			continue
		}
		out = append(out, g)
	}
	return out, nil
}

// readAll reads each buffer at its address, in one batch where mem can.
func readAll(mem Memory, bufs [][]byte, addrs []uint64) error {
	for i, ok := range readEach(mem, bufs, addrs) {
		if !ok {
			_, err := mem.ReadAt(bufs[i], addrs[i]) // again, for why
			return fmt.Errorf("reading the goroutine at %#x: %w", addrs[i], err)
		}
	}
	return nil
}

func (l *Layout) decode(addr uint64, b []byte) G {
	u64 := func(off int64) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
	return G{
		ID:         u64(l.goid),
		Addr:       addr,
		Status:     binary.LittleEndian.Uint32(b[l.status:]) &^ scanBit,
		PC:         u64(l.pc),
		SP:         u64(l.sp),
		BP:         u64(l.bp),
		M:          u64(l.m),
		StartPC:    u64(l.startpc),
		GoPC:       u64(l.gopc),
		WaitReason: b[l.waitreason],
	}
}

// Thread is the thread id (m.procid) of the m running g, 0 if none.
func (l *Layout) Thread(mem Memory, g *G) int {
	if !g.OnThread() {
		return 0
	}
	var b [8]byte
	if _, err := mem.ReadAt(b[:], g.M+uint64(l.procid)); err != nil {
		return 0
	}
	return int(binary.LittleEndian.Uint64(b[:]))
}

// Current is the user goroutine of a thread whose g register (the word
// below its thread pointer, fsBase) holds gAddr: that g, or when it is the
// thread's system stack (g0, gsignal), the goroutine it runs for (m.curg).
// 0 when the thread runs none.
func (l *Layout) Current(mem Memory, fsBase uint64) (id uint64, addr uint64) {
	var b [8]byte
	if fsBase == 0 {
		return 0, 0
	}
	if _, err := mem.ReadAt(b[:], fsBase-8); err != nil {
		return 0, 0
	}
	g := binary.LittleEndian.Uint64(b[:])
	for hop := 0; g != 0 && hop < 2; hop++ {
		buf := make([]byte, l.span)
		if _, err := mem.ReadAt(buf, g); err != nil {
			return 0, 0
		}
		gg := l.decode(g, buf)
		if gg.ID != 0 {
			return gg.ID, g
		}
		// g0 or gsignal (id 0): the m's current user goroutine.
		if gg.M == 0 {
			return 0, 0
		}
		if _, err := mem.ReadAt(b[:], gg.M+uint64(l.curg)); err != nil {
			return 0, 0
		}
		g = binary.LittleEndian.Uint64(b[:])
	}
	return 0, 0
}

// WaitReasons reads the runtime's names of the wait reasons (index:
// G.WaitReason), nil when the program has none to read.
func (l *Layout) WaitReasons(mem Memory) []string {
	if l.waitStrs == 0 || l.waitN <= 0 || l.waitN > 256 {
		return nil
	}
	hdrs := make([]byte, 16*l.waitN)
	if _, err := mem.ReadAt(hdrs, l.waitStrs); err != nil {
		return nil
	}
	out := make([]string, l.waitN)
	for i := range out {
		p, n := binary.LittleEndian.Uint64(hdrs[16*i:]), binary.LittleEndian.Uint64(hdrs[16*i+8:])
		if n == 0 || n > 256 {
			continue
		}
		s := make([]byte, n)
		if _, err := mem.ReadAt(s, p); err == nil {
			out[i] = string(s)
		}
	}
	return out
}

// User says whether fn, a function's name, is the program's own rather
// than the runtime's: where a person would say a goroutine is.
func User(fn string) bool {
	return fn != "" && !strings.HasPrefix(fn, "runtime.")
}

// System says whether a goroutine started with function fn is one of the
// runtime's own (the garbage collector's workers, the finalizer, the
// scavenger), which a user does not need to see.
func System(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") && fn != "runtime.main"
}

// UserFuncs names where each goroutine is, as a person would: the first
// function on its stack that is not the runtime's (main.worker, not
// runtime.gopark), found by walking frame pointers, which Go keeps on
// amd64, a few frames up; the function at its pc when there is none. pcs
// and bps are each one's pc and frame pointer; name returns the function
// at an address, exact for the first (a pc, not a return address). The
// walk reads one frame of every goroutine at a time, in one batch.
func UserFuncs(mem Memory, pcs, bps []uint64, name func(pc uint64, exact bool) string) []string {
	n := len(pcs)
	out, first := make([]string, n), make([]string, n)
	pc, bp := append([]uint64(nil), pcs...), append([]uint64(nil), bps...)
	active := make([]int, n)
	for i := range active {
		active[i] = i
	}
	for level := 0; level < 8 && len(active) > 0; level++ {
		var next []int
		for _, i := range active {
			fn := name(pc[i], level == 0)
			if level == 0 {
				first[i] = fn
			}
			if User(fn) {
				out[i] = fn
				continue
			}
			if bp[i] != 0 {
				next = append(next, i)
			}
		}
		bufs, addrs := make([][]byte, len(next)), make([]uint64, len(next))
		raw := make([]byte, 16*len(next))
		for k, i := range next {
			bufs[k], addrs[k] = raw[16*k:16*k+16], bp[i]
		}
		ok := readEach(mem, bufs, addrs)
		active = active[:0]
		for k, i := range next {
			if !ok[k] {
				continue
			}
			bp[i], pc[i] = binary.LittleEndian.Uint64(bufs[k]), binary.LittleEndian.Uint64(bufs[k][8:])
			if pc[i] != 0 {
				active = append(active, i)
			}
		}
	}
	for i := range out {
		if out[i] == "" {
			out[i] = first[i]
		}
	}
	return out
}

// readEach reads each buffer at its address, in one batch where mem can,
// and says which were read.
func readEach(mem Memory, bufs [][]byte, addrs []uint64) []bool {
	ok := make([]bool, len(bufs))
	if bm, isBatch := mem.(BatchMemory); isBatch && bm.ReadBatch(bufs, addrs) == nil {
		for i := range ok {
			ok[i] = true
		}
		return ok
	}
	for i, b := range bufs {
		_, err := mem.ReadAt(b, addrs[i])
		ok[i] = err == nil
	}
	return ok
}

// View is the goroutines of one stop, indexed.
type View struct {
	List  []G
	ByID  map[int]*G
	TidOf map[int]int // goroutine id -> the thread running it
	IDOf  map[int]int // thread -> the goroutine it runs
}

// NewView reads the goroutines and which of the threads known runs each.
func (l *Layout) NewView(mem Memory, known func(tid int) bool) (*View, error) {
	gs, err := l.List(mem)
	if err != nil {
		return nil, err
	}
	v := &View{List: gs, ByID: make(map[int]*G, len(gs)), TidOf: map[int]int{}, IDOf: map[int]int{}}
	for i := range gs {
		g := &gs[i]
		v.ByID[int(g.ID)] = g
		if tid := l.Thread(mem, g); tid != 0 && known(tid) {
			v.TidOf[int(g.ID)], v.IDOf[tid] = tid, int(g.ID)
		}
	}
	return v, nil
}

// Named is a goroutine as a thread list shows it.
type Named struct {
	ID   int
	Name string
}

// Names names the goroutines of v for a thread list, in v's order, as
// Delve does: "[Go 7] main.worker [chan receive]", "(thread 1234)" for one
// on a thread. frame0 gives a running goroutine's thread's pc and frame
// pointer; funcAt names the function at an address. hideSystem leaves out
// the runtime's goroutines that are not on a thread.
func (l *Layout) Names(mem Memory, v *View, frame0 func(tid int) (pc, bp uint64, ok bool), funcAt func(pc uint64) string, hideSystem bool) []Named {
	reasons := l.WaitReasons(mem)
	pcs, bps := make([]uint64, len(v.List)), make([]uint64, len(v.List))
	for i := range v.List {
		g := &v.List[i]
		pcs[i], bps[i] = g.PC, g.BP
		if tid, ok := v.TidOf[int(g.ID)]; ok {
			if pc, bp, ok := frame0(tid); ok {
				pcs[i], bps[i] = pc, bp
			}
		}
	}
	where := UserFuncs(mem, pcs, bps, func(pc uint64, exact bool) string {
		if !exact {
			pc--
		}
		return funcAt(pc)
	})
	out := make([]Named, 0, len(v.List))
	for i := range v.List {
		g := &v.List[i]
		tid, onThread := v.TidOf[int(g.ID)]
		if hideSystem && !onThread && System(funcAt(g.StartPC)) {
			continue
		}
		name := fmt.Sprintf("[Go %d] %s", g.ID, where[i])
		switch {
		case onThread:
			name += fmt.Sprintf(" (thread %d)", tid)
		case g.Status == Waiting && int(g.WaitReason) < len(reasons) && reasons[g.WaitReason] != "":
			name += " [" + reasons[g.WaitReason] + "]"
		}
		out = append(out, Named{ID: int(g.ID), Name: name})
	}
	return out
}
