package symbols

import (
	"debug/dwarf"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
)

// lineRow is one line-table row, packed because a Go binary has hundreds of
// thousands of them.
type lineRow struct {
	pc     uint64
	file   int32 // index into dwarfIndex.files, -1 if unknown
	line   int32
	col    int32
	isStmt bool
	prolog bool // DW_LNS_set_prologue_end
}

// seqInfo is a line-table sequence: rows[start:end] cover [lo, hi).
type seqInfo struct {
	start, end int32
}

// fileLine is an is_stmt row seen from its source line.
type fileLine struct {
	line int32
	row  int32
}

// srcFunc is a function as written in the source, shared by its out-of-line
// copy and all its inlined copies. Its line span lets LineToPCs tell whether
// a line without code lies inside a function.
type srcFunc struct {
	file     int32
	declLine int32
	endLine  int32 // last is_stmt line attributed to it; see computeSpans
	ranges   [][2]uint64

	declDie dwarf.Offset // DIE holding DW_AT_decl_file, to find its unit
	rawFile int64        // DW_AT_decl_file, an index into that unit's table
}

// inlineInst is one DW_TAG_inlined_subroutine.
type inlineInst struct {
	src   int32
	depth int32
	fn    *Function // only Name and LinkageName are set: what frames show
	// Where the call was inlined, in the caller's source; callFile is an
	// index into files, -1 when DWARF does not say.
	callFile          int32
	callLine, callCol int32
	entry             uint64 // DW_AT_entry_pc, else the lowest address
}

// dwarfIndex is everything derived from DWARF, built once.
type dwarfIndex struct {
	files  []string
	byPath map[string]int32

	rows    []lineRow
	seqs    []seqInfo
	seqIdx  spanIndex
	stmtPCs []uint64
	byFile  map[int32][]fileLine // sorted by line, then pc
	sources []string

	funcs     []*Function
	funcSpans spanIndex
	byName    map[string]*Function
	byLinkage map[string]*Function

	srcFuncs   []srcFunc
	srcByFile  map[int32][]int32 // sorted by declLine
	inlines    []inlineInst
	inlineIdx  spanIndex
	maxForward int32
}

type unitInfo struct {
	off   dwarf.Offset
	files []int32
}

// dieInfo is what a subprogram DIE and its origins say about a function.
type dieInfo struct {
	name, linkage string
	declDie       dwarf.Offset
	rawFile       int64
	declLine      int64
	external      bool
	root          dwarf.Offset // end of the DW_AT_abstract_origin chain
}

type builder struct {
	f        *File
	d        *dwarf.Data
	x        *dwarfIndex
	units    []unitInfo
	cache    map[dwarf.Offset]dieInfo
	srcByOff map[dwarf.Offset]int32
	seek     *dwarf.Reader
	funcSpan []span
	inlSpan  []span
	pending  []pendingFunc
	err      error
}

type pendingFunc struct {
	fn  *Function
	src int32
}

func buildIndex(f *File, d *dwarf.Data) (*dwarfIndex, error) {
	b := &builder{
		f: f, d: d,
		x: &dwarfIndex{
			byPath:     make(map[string]int32),
			byFile:     make(map[int32][]fileLine),
			byName:     make(map[string]*Function),
			byLinkage:  make(map[string]*Function),
			srcByFile:  make(map[int32][]int32),
			maxForward: maxForwardLines,
		},
		cache:    make(map[dwarf.Offset]dieInfo),
		srcByOff: make(map[dwarf.Offset]int32),
		seek:     d.Reader(),
	}
	b.walk()
	b.finish()
	return b.x, b.err
}

func (b *builder) fail(err error) {
	if b.err == nil && err != nil {
		b.err = fmt.Errorf("symbols: reading DWARF: %w", err)
	}
}

// walk visits every unit once: its line table, then its subprograms. Types
// and variables are skipped with SkipChildren, which jumps over them using
// DW_AT_sibling when the producer emitted it.
func (b *builder) walk() {
	r := b.d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			b.fail(err)
			return
		}
		if e == nil {
			return
		}
		if e.Tag != dwarf.TagCompileUnit && e.Tag != dwarf.TagPartialUnit {
			r.SkipChildren()
			continue
		}
		b.unit(e)
		if e.Children {
			if err := b.children(r, 0, false); err != nil {
				b.fail(err)
				return
			}
		}
	}
}

func (b *builder) unit(cu *dwarf.Entry) {
	u := unitInfo{off: cu.Offset}
	defer func() { b.units = append(b.units, u) }()
	lr, err := b.d.LineReader(cu)
	if err != nil {
		b.fail(err)
		return
	}
	if lr == nil {
		return
	}
	compDir, _ := cu.Val(dwarf.AttrCompDir).(string)
	ids := make(map[*dwarf.LineFile]int32)
	fileID := func(lf *dwarf.LineFile) int32 {
		if lf == nil {
			return -1
		}
		if id, ok := ids[lf]; ok {
			return id
		}
		id := b.intern(compDir, lf.Name)
		ids[lf] = id
		return id
	}
	for _, lf := range lr.Files() {
		u.files = append(u.files, fileID(lf))
	}
	x := b.x
	start := len(x.rows)
	var le dwarf.LineEntry
	for {
		if err := lr.Next(&le); err != nil {
			if !errors.Is(err, io.EOF) {
				b.fail(err)
			}
			break
		}
		if le.EndSequence {
			b.endSequence(start, le.Address)
			start = len(x.rows)
			continue
		}
		x.rows = append(x.rows, lineRow{
			pc: le.Address, file: fileID(le.File), line: int32(le.Line), col: int32(le.Column),
			isStmt: le.IsStmt, prolog: le.PrologueEnd,
		})
	}
	x.rows = x.rows[:start] // a sequence without end_sequence has no extent
}

func (b *builder) intern(compDir, name string) int32 {
	if !filepath.IsAbs(name) && compDir != "" {
		name = filepath.Join(compDir, name)
	}
	name = filepath.Clean(name)
	if id, ok := b.x.byPath[name]; ok {
		return id
	}
	id := int32(len(b.x.files))
	b.x.files = append(b.x.files, name)
	b.x.byPath[name] = id
	return id
}

func (b *builder) endSequence(start int, end uint64) {
	x := b.x
	rows := x.rows[start:]
	if len(rows) == 0 || !b.f.isExec(rows[0].pc) {
		x.rows = x.rows[:start]
		return
	}
	// DWARF requires rising addresses within a sequence; binary searches
	// below rely on it, so repair rather than trust.
	if !sort.SliceIsSorted(rows, func(i, j int) bool { return rows[i].pc < rows[j].pc }) {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].pc < rows[j].pc })
	}
	hi := max(end, rows[len(rows)-1].pc+1)
	ref := int32(len(x.seqs))
	x.seqs = append(x.seqs, seqInfo{start: int32(start), end: int32(len(x.rows))})
	b.x.seqIdx.spans = append(b.x.seqIdx.spans, span{lo: rows[0].pc, hi: hi, ref: ref})
}

// unitFiles returns the file table of the unit containing the DIE at off.
func (b *builder) unitFiles(off dwarf.Offset) []int32 {
	i := sort.Search(len(b.units), func(i int) bool { return b.units[i].off > off }) - 1
	if i < 0 {
		return nil
	}
	return b.units[i].files
}

// finish builds the query indexes once every unit has been read, because
// DIEs may refer to units read later.
func (b *builder) finish() {
	x := b.x
	x.seqIdx = newSpanIndex(x.seqIdx.spans)

	seen := make(map[int32]bool)
	for _, r := range x.rows {
		if r.line <= 0 || r.file < 0 {
			continue
		}
		if !seen[r.file] {
			seen[r.file] = true
			x.sources = append(x.sources, x.files[r.file])
		}
	}
	sort.Strings(x.sources)

	for i := range x.rows {
		r := &x.rows[i]
		if !r.isStmt || r.line <= 0 || r.file < 0 {
			continue
		}
		x.stmtPCs = append(x.stmtPCs, r.pc)
		x.byFile[r.file] = append(x.byFile[r.file], fileLine{line: r.line, row: int32(i)})
	}
	sort.Slice(x.stmtPCs, func(i, j int) bool { return x.stmtPCs[i] < x.stmtPCs[j] })
	x.stmtPCs = dedup(x.stmtPCs)
	for fi, ls := range x.byFile {
		sort.SliceStable(ls, func(i, j int) bool {
			if ls[i].line != ls[j].line {
				return ls[i].line < ls[j].line
			}
			return x.rows[ls[i].row].pc < x.rows[ls[j].row].pc
		})
		x.byFile[fi] = ls
	}

	for i := range x.srcFuncs {
		sf := &x.srcFuncs[i]
		if files := b.unitFiles(sf.declDie); sf.rawFile >= 0 && sf.rawFile < int64(len(files)) {
			sf.file = files[sf.rawFile]
		}
		if sf.file >= 0 && sf.declLine > 0 {
			x.srcByFile[sf.file] = append(x.srcByFile[sf.file], int32(i))
		}
	}
	x.computeSpans()

	sort.SliceStable(b.pending, func(i, j int) bool { return b.pending[i].fn.Low < b.pending[j].fn.Low })
	for _, p := range b.pending {
		fn, sf := p.fn, &x.srcFuncs[p.src]
		if sf.file >= 0 {
			fn.File, fn.Line = x.files[sf.file], int(sf.declLine)
		}
		for _, rg := range fn.Ranges {
			fn.HasLines = fn.HasLines || x.hasRowIn(rg[0], rg[1])
		}
		ref := int32(len(x.funcs))
		x.funcs = append(x.funcs, fn)
		for _, rg := range fn.Ranges {
			b.funcSpan = append(b.funcSpan, span{lo: rg[0], hi: rg[1], ref: ref})
		}
		x.addNames(fn)
	}
	x.funcSpans = newSpanIndex(b.funcSpan)
	x.inlineIdx = newSpanIndex(b.inlSpan)
}

// addNames files fn under its name and linkage name, where it is
// preferred to a function already there.
func (x *dwarfIndex) addNames(fn *Function) {
	if fn.Name != "" {
		if old, ok := x.byName[fn.Name]; !ok || preferFunc(fn, old) {
			x.byName[fn.Name] = fn
		}
	}
	if fn.LinkageName != "" {
		if old, ok := x.byLinkage[fn.LinkageName]; !ok || preferFunc(fn, old) {
			x.byLinkage[fn.LinkageName] = fn
		}
	}
}

// computeSpans sets each source function's endLine: the greatest line, in
// the function's own file, of the rows inside its code (out of line and
// inlined), ignoring lines at or beyond the next function declared in the
// same file. Rows that are not statements count too: optimised code often
// keeps only such a row for the closing brace, and it still shows where the
// function ends. The bound keeps a function inlined into a later one from
// swallowing the caller's lines; DWARF records no end line to do better.
func (x *dwarfIndex) computeSpans() {
	for file, list := range x.srcByFile {
		sort.SliceStable(list, func(i, j int) bool {
			return x.srcFuncs[list[i]].declLine < x.srcFuncs[list[j]].declLine
		})
		x.srcByFile[file] = list
		for k, si := range list {
			sf := &x.srcFuncs[si]
			next := int32(1<<31 - 1)
			for _, sj := range list[k+1:] {
				if d := x.srcFuncs[sj].declLine; d > sf.declLine {
					next = d
					break
				}
			}
			sf.endLine = sf.declLine
			for _, rg := range sf.ranges {
				x.rowsIn(rg[0], rg[1], func(i int32) {
					r := &x.rows[i]
					if r.file == sf.file && r.line >= sf.declLine && r.line < next {
						sf.endLine = max(sf.endLine, r.line)
					}
				})
			}
		}
	}
}

func dedup(s []uint64) []uint64 {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
