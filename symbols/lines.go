package symbols

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// maxForwardLines bounds how far LineToPCs looks for code after a line that
// lies outside every function (a comment between functions, say). It is
// generous enough to cross a long comment block up to the next function and
// small enough not to jump into unrelated code far below.
const maxForwardLines = 50

// LineEntry is one row of the DWARF line table.
type LineEntry struct {
	PC          uint64
	File        string // absolute, cleaned path
	Line        int
	Column      int
	IsStmt      bool
	PrologueEnd bool
}

func (x *dwarfIndex) entry(i int32) LineEntry {
	r := &x.rows[i]
	e := LineEntry{PC: r.pc, Line: int(r.line), Column: int(r.col), IsStmt: r.isStmt, PrologueEnd: r.prolog}
	if r.file >= 0 {
		e.File = x.files[r.file]
	}
	return e
}

// rowsIn calls fn for every row with pc in [lo, hi), sequence by sequence.
func (x *dwarfIndex) rowsIn(lo, hi uint64, fn func(i int32)) {
	x.seqIdx.overlapping(lo, hi, func(s span) {
		q := x.seqs[s.ref]
		rows := x.rows[q.start:q.end]
		k := sort.Search(len(rows), func(k int) bool { return rows[k].pc >= lo })
		for ; k < len(rows) && rows[k].pc < hi; k++ {
			fn(q.start + int32(k))
		}
	})
}

func (x *dwarfIndex) hasRowIn(lo, hi uint64) bool {
	found := false
	x.rowsIn(lo, hi, func(int32) { found = true })
	return found
}

// sortedRowsIn returns the rows in [lo, hi) ordered by pc, keeping table
// order among rows at one address.
func (x *dwarfIndex) sortedRowsIn(lo, hi uint64) []int32 {
	var out []int32
	x.rowsIn(lo, hi, func(i int32) { out = append(out, i) })
	sort.SliceStable(out, func(a, b int) bool {
		ra, rb := x.rows[out[a]], x.rows[out[b]]
		if ra.pc != rb.pc {
			return ra.pc < rb.pc
		}
		return out[a] < out[b]
	})
	return out
}

// lineAt returns the row covering pc. Several rows at one address describe
// an empty range each except the last, so the last one wins; but, as gdb
// does, an is_stmt row at the same address is preferred to a later
// non-statement row, because it is where a person would say execution is.
func (x *dwarfIndex) lineAt(pc uint64) (int32, bool) {
	s, ok := x.seqIdx.first(pc)
	if !ok {
		return 0, false
	}
	q := x.seqs[s.ref]
	rows := x.rows[q.start:q.end]
	k := sort.Search(len(rows), func(k int) bool { return rows[k].pc > pc }) - 1
	if k < 0 {
		return 0, false
	}
	if !rows[k].isStmt {
		for j := k - 1; j >= 0 && rows[j].pc == rows[k].pc; j-- {
			if rows[j].isStmt {
				k = j
				break
			}
		}
	}
	return q.start + int32(k), true
}

// LineAt returns the line-table row covering pc: in the sequence containing
// pc (pc below its end_sequence address), the row with the greatest address
// not above pc. When several rows share that address the last one wins (the
// others cover no instruction), except that a later non-statement row yields
// to the last is_stmt row at the address, as in gdb.
func (f *File) LineAt(pc uint64) (LineEntry, bool) {
	x := f.index()
	if x == nil {
		return LineEntry{}, false
	}
	i, ok := x.lineAt(pc)
	if !ok {
		return LineEntry{}, false
	}
	return x.entry(i), true
}

// Sources lists the source files that have line-table rows: absolute,
// cleaned, sorted and without duplicates.
func (f *File) Sources() []string {
	x := f.index()
	if x == nil {
		return nil
	}
	return append([]string(nil), x.sources...)
}

// StmtPCs returns the sorted, distinct addresses of is_stmt rows in
// [lo, hi): the places a source-level step may stop.
func (f *File) StmtPCs(lo, hi uint64) []uint64 {
	x := f.index()
	if x == nil || lo >= hi {
		return nil
	}
	a := sort.Search(len(x.stmtPCs), func(i int) bool { return x.stmtPCs[i] >= lo })
	b := sort.Search(len(x.stmtPCs), func(i int) bool { return x.stmtPCs[i] >= hi })
	return append([]uint64(nil), x.stmtPCs[a:b]...)
}

// PrologueEnd returns where a breakpoint on fn should go so that its
// arguments are already in place:
//   - the first row in [fn.Low, fn.High) with prologue_end set (clang and Go
//     emit it; gcc does not);
//   - else, when several is_stmt rows of different lines share the entry
//     address, the entry itself: optimised code has no prologue to skip;
//   - else the first is_stmt row after the entry whose (line, column)
//     differs from the entry row's, gdb's "second line" heuristic (the
//     column lets a body on the line of the opening brace count);
//   - else fn.Low.
func (f *File) PrologueEnd(fn *Function) uint64 {
	if fn == nil {
		return 0
	}
	x := f.index()
	if x == nil || !fn.HasLines {
		return fn.Low
	}
	rows := x.sortedRowsIn(fn.Low, fn.High)
	for _, i := range rows {
		if x.rows[i].prolog {
			return x.rows[i].pc
		}
	}
	var first *lineRow
	for _, i := range rows {
		r := &x.rows[i]
		if !r.isStmt || r.line <= 0 {
			continue
		}
		if first == nil {
			first = r
			continue
		}
		if r.pc == first.pc {
			if r.line != first.line {
				return first.pc
			}
			continue
		}
		if r.line != first.line || r.col != first.col {
			return r.pc
		}
	}
	return fn.Low
}

// matchFiles finds the files a user-supplied name denotes: the exact
// cleaned path if known, else every file whose path ends in the name at a
// '/' boundary (so "prog.c" matches "/src/prog.c" but not "/src/myprog.c").
// Every file of the line tables' file lists counts, so a header without
// code yields ErrNoCode rather than ErrUnknownFile.
func (x *dwarfIndex) matchFiles(name string) []int32 {
	name = filepath.Clean(name)
	if id, ok := x.byPath[name]; ok {
		return []int32{id}
	}
	suffix := "/" + strings.TrimPrefix(name, "/")
	var out []int32
	for id, p := range x.files {
		if strings.HasSuffix(p, suffix) {
			out = append(out, int32(id))
		}
	}
	return out
}

// containing returns the innermost source function of file whose line span
// holds line, and that span's end; ok is false outside every function.
func (x *dwarfIndex) containing(file int32, line int32) (end int32, ok bool) {
	list := x.srcByFile[file]
	k := sort.Search(len(list), func(k int) bool { return x.srcFuncs[list[k]].declLine > line }) - 1
	for ; k >= 0; k-- {
		sf := &x.srcFuncs[list[k]]
		if sf.endLine < line {
			continue
		}
		// Copies of a header function from several units share the
		// declaration line; the widest span is the truest.
		end = sf.endLine
		for j := k - 1; j >= 0 && x.srcFuncs[list[j]].declLine == sf.declLine; j-- {
			end = max(end, x.srcFuncs[list[j]].endLine)
		}
		return end, true
	}
	return 0, false
}

// LineToPCs resolves a source line to breakpoint addresses.
//
// File matching: the exact cleaned absolute path first, else a suffix match
// at a '/' boundary; when the suffix matches several files, all are used and
// the answer for the smallest resolved line wins.
//
// Line selection: a line "has code" when it has an is_stmt row. If the
// requested line has none, the next line that has one is taken, but never
// past the end of the function whose source span contains the requested line
// (span = declaration line to the last line with any row in its code); a line
// outside every function, such as a comment between two functions, looks at
// most maxForwardLines (50) lines ahead and so may land on the next
// function's first line, as gdb and lldb do. DWARF records no end line, so
// comment lines after a function's last row count as outside it. The line
// found is returned as actualLine.
//
// Address selection: the rows of that line are grouped by the code they sit
// in — the innermost inlined copy of a function whose source contains the
// line, else the enclosing subprogram, else the line-table sequence — and
// each group contributes one address: its lowest is_stmt row of the line,
// preferring rows that LineAt maps back to the same line (a row followed by
// another at the same address covers no instruction). So a `for` line stops
// once, at its first instruction, as in gdb, while every inlined copy and
// every compile unit gets its own breakpoint. Addresses come back sorted.
//
// Errors wrap ErrNoDebugInfo, ErrUnknownFile or ErrNoCode.
func (f *File) LineToPCs(file string, line int) (pcs []uint64, actualLine int, err error) {
	x := f.index()
	if x == nil {
		return nil, 0, fmt.Errorf("symbols: %s:%d: %w", file, line, ErrNoDebugInfo)
	}
	ids := x.matchFiles(file)
	if len(ids) == 0 {
		return nil, 0, fmt.Errorf("symbols: %q: %w", file, ErrUnknownFile)
	}
	best := -1
	for _, id := range ids {
		p, l, ok := x.resolve(id, int32(line))
		switch {
		case !ok:
		case best < 0 || l < best:
			pcs, best = p, l
		case l == best:
			pcs = append(pcs, p...)
		}
	}
	if best < 0 {
		return nil, 0, fmt.Errorf("symbols: %s:%d: %w %d", file, line, ErrNoCode, line)
	}
	sort.Slice(pcs, func(i, j int) bool { return pcs[i] < pcs[j] })
	return dedup(pcs), best, nil
}

func (x *dwarfIndex) resolve(file int32, line int32) ([]uint64, int, bool) {
	if line <= 0 {
		return nil, 0, false
	}
	limit := line + x.maxForward
	if end, ok := x.containing(file, line); ok {
		limit = end
	}
	ls := x.byFile[file]
	k := sort.Search(len(ls), func(k int) bool { return ls[k].line >= line })
	if k == len(ls) || ls[k].line > limit {
		return nil, 0, false
	}
	actual := ls[k].line

	type choice struct {
		pc        uint64
		effective bool
	}
	groups := make(map[groupKey]choice)
	var order []groupKey
	for ; k < len(ls) && ls[k].line == actual; k++ {
		r := &x.rows[ls[k].row]
		key := x.group(r.pc, file, actual)
		eff := false
		if i, ok := x.lineAt(r.pc); ok {
			eff = x.rows[i].file == file && x.rows[i].line == actual
		}
		old, seen := groups[key]
		if !seen {
			order = append(order, key)
		}
		// Rows arrive in rising pc order, so the first one of a kind is
		// the lowest.
		if !seen || eff && !old.effective {
			groups[key] = choice{pc: r.pc, effective: eff}
		}
	}
	// A `go` or `defer` statement's line is also in the wrapper the Go
	// compiler makes to start the call (main.main.gowrap1): it runs in the
	// new goroutine, or at return, has none of the caller's variables,
	// and is not where a person means to stop.
	if len(order) > 1 {
		kept := slices.DeleteFunc(slices.Clone(order), func(k groupKey) bool { return x.goWrapper(k) })
		if len(kept) > 0 {
			order = kept
		}
	}
	pcs := make([]uint64, 0, len(order))
	for _, key := range order {
		pcs = append(pcs, groups[key].pc)
	}
	return pcs, int(actual), true
}

// goWrapper says whether a group is a function the Go compiler generated
// for a go or defer statement.
func (x *dwarfIndex) goWrapper(k groupKey) bool {
	if k.kind != 'f' || int(k.ref) >= len(x.funcs) {
		return false
	}
	name := x.funcs[k.ref].Name
	return strings.Contains(name, ".gowrap") || strings.Contains(name, ".deferwrap")
}

// groupKey identifies the piece of code a row belongs to for LineToPCs.
type groupKey struct {
	kind byte // 'i' inlined copy, 'f' function, 's' sequence
	ref  int32
}

func (x *dwarfIndex) group(pc uint64, file, line int32) groupKey {
	key := groupKey{kind: 0, ref: -1}
	x.inlineIdx.each(pc, func(s span) bool {
		in := x.inlines[s.ref]
		sf := &x.srcFuncs[in.src]
		if sf.file == file && sf.declLine <= line && line <= sf.endLine &&
			(key.kind == 0 || in.depth > x.inlines[key.ref].depth) {
			key = groupKey{kind: 'i', ref: s.ref}
		}
		return true
	})
	if key.kind != 0 {
		return key
	}
	if s, ok := x.funcSpans.first(pc); ok {
		return groupKey{kind: 'f', ref: s.ref}
	}
	if s, ok := x.seqIdx.first(pc); ok {
		return groupKey{kind: 's', ref: s.ref}
	}
	return key
}
