package symbols

import (
	"bytes"
	"debug/dwarf"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/dap-ptrace/dap-ptrace/symbols/diskcache"
)

// The DWARF index of a large object costs a good part of a second to build
// (a 20,000-function program, libc's detached debug information) and is the
// same every time: like gdb's index-cache and lldb's, it is kept on disk,
// keyed by the object's build id, so the next session on the same binary
// reads it instead.
//
// A cache file is written to a temporary file and renamed into place, so
// two adapters writing the same entry at once each leave a whole file and a
// reader never sees half of one. It starts with a header naming the format
// and what it was built from (build id, size and modification time of the
// file the DWARF came from) and ends with a SHA-256 of what precedes it: a
// truncated or damaged file, or one for a binary since rebuilt with the
// same build id, is ignored and rebuilt.

// saving counts the index files being written in the background (tests
// wait for them).
var saving sync.WaitGroup

// FlushIndexCache waits, at most timeout, for index files still being
// written: an adapter ending right after its session would lose them.
func FlushIndexCache(timeout time.Duration) {
	done := make(chan struct{})
	go func() { saving.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// IndexCacheMin is the size of .debug_info from which an index is cached:
// smaller ones build faster than a cache file is read.
var IndexCacheMin uint64 = 256 << 10

// indexCacheVersion changes whenever the cached form or the index's meaning
// changes, so that an older adapter's files are not read.
const indexCacheVersion = 4

// IndexCacheDir is where index files go (see diskcache.Dir).
func IndexCacheDir() string { return diskcache.Dir() }

// cacheKey names the cache entry of f's DWARF and says what it must match;
// "" when f cannot be cached (no build id, or a file without a path).
func (f *File) cacheKey() (name, stamp string) {
	id := buildID(f.dwELF)
	if len(id) == 0 {
		id = buildID(f.elf)
	}
	path := f.path
	if f.debugFile != nil {
		if osf, ok := f.debugFile.(*os.File); ok {
			path = osf.Name()
		}
	}
	if len(id) == 0 || path == "" {
		return "", ""
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", ""
	}
	h := hex.EncodeToString(id)
	return h + ".idx", fmt.Sprintf("v%d %s %d %d", indexCacheVersion, h, st.Size(), st.ModTime().UnixNano())
}

// cachedIndex is the head of the on-disk form of a dwarfIndex (pointers
// become indices); the rows, functions, source functions and inlined calls
// follow it in chunks (diskcache.EncodeChunks), as many as the counts say.
type cachedIndex struct {
	Stamp     string
	Files     []string
	Seqs      [][2]int32
	SeqSpans  []cachedSpan
	StmtPCs   []uint64
	ByFile    map[int32][][2]int32
	Sources   []string
	FuncSpans []cachedSpan
	SrcByFile map[int32][]int32
	InlSpans  []cachedSpan
	MaxFwd    int32
	Err       string

	NRows, NFuncs, NSrcFuncs, NInlines int
}

type cachedSpan struct {
	Lo, Hi uint64
	Ref    int32
}

func cacheSpans(ss []span) []cachedSpan {
	out := make([]cachedSpan, len(ss))
	for i, s := range ss {
		out[i] = cachedSpan{s.lo, s.hi, s.ref}
	}
	return out
}

func uncacheSpans(cs []cachedSpan) spanIndex {
	ss := make([]span, len(cs))
	for i, c := range cs {
		ss[i] = span{lo: c.Lo, hi: c.Hi, ref: c.Ref}
	}
	return newSpanIndex(ss)
}

type cachedRow struct {
	PC               uint64
	File, Line, Col  int32
	IsStmt, Prologue bool
}

type cachedFunc struct {
	Name, Linkage    string
	Low, High        uint64
	Ranges           [][2]uint64
	File             int32 // in Files; -1: none (one string per file, not per function)
	Line             int
	HasLines, Extern bool
}

type cachedSrcFunc struct {
	File, DeclLine, EndLine int32
	Ranges                  [][2]uint64
	DeclDie                 uint32
	RawFile                 int64
}

type cachedInline struct {
	Src, Depth                  int32
	Name, Linkage               string
	CallFile, CallLine, CallCol int32
	Entry                       uint64
}

// loadIndex reads f's index from the cache, nil when there is none that
// matches.
func (f *File) loadIndex() (*dwarfIndex, error) {
	dir := IndexCacheDir()
	name, stamp := f.cacheKey()
	if dir == "" || name == "" {
		return nil, errors.New("not cached")
	}
	body, err := diskcache.Read(dir, name)
	if err != nil {
		return nil, err
	}
	dec := gob.NewDecoder(bytes.NewReader(body))
	var c cachedIndex
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	if c.Stamp != stamp {
		return nil, errors.New("stale")
	}
	return c.index(dec)
}

// saveIndex writes x to the cache in dir under name; failures only cost
// the next session the rebuild.
// The key is taken by the caller, while f is open: the save runs in the
// background and f may be closed by then.
func saveIndex(x *dwarfIndex, buildErr error, dir, name, stamp string) {
	if dir == "" || name == "" {
		return
	}
	_ = diskcache.Write(dir, name, func(w io.Writer) error { return writeCache(w, x, stamp, buildErr) })
}

// writeCache encodes x: its head, then its records in chunks.
func writeCache(w io.Writer, x *dwarfIndex, stamp string, buildErr error) error {
	c := &cachedIndex{Stamp: stamp, Files: x.files, SeqSpans: cacheSpans(x.seqIdx.spans), StmtPCs: x.stmtPCs,
		ByFile: map[int32][][2]int32{}, Sources: x.sources, FuncSpans: cacheSpans(x.funcSpans.spans), SrcByFile: x.srcByFile,
		InlSpans: cacheSpans(x.inlineIdx.spans), MaxFwd: x.maxForward,
		NRows: len(x.rows), NFuncs: len(x.funcs), NSrcFuncs: len(x.srcFuncs), NInlines: len(x.inlines)}
	for _, q := range x.seqs {
		c.Seqs = append(c.Seqs, [2]int32{q.start, q.end})
	}
	for file, ls := range x.byFile {
		for _, l := range ls {
			c.ByFile[file] = append(c.ByFile[file], [2]int32{l.line, l.row})
		}
	}
	if buildErr != nil {
		c.Err = buildErr.Error()
	}
	enc := gob.NewEncoder(w)
	if err := enc.Encode(c); err != nil {
		return err
	}
	if err := diskcache.EncodeChunks(enc, x.rows, func(r lineRow) cachedRow {
		return cachedRow{r.pc, r.file, r.line, r.col, r.isStmt, r.prolog}
	}); err != nil {
		return err
	}
	fileIdx := make(map[string]int32, len(x.files))
	for i, f := range x.files {
		fileIdx[f] = int32(i)
	}
	if err := diskcache.EncodeChunks(enc, x.funcs, func(fn *Function) cachedFunc {
		file, ok := fileIdx[fn.File]
		if !ok {
			file = -1
		}
		return cachedFunc{fn.Name, fn.LinkageName, fn.Low, fn.High, fn.Ranges, file, fn.Line, fn.HasLines, fn.external}
	}); err != nil {
		return err
	}
	if err := diskcache.EncodeChunks(enc, x.srcFuncs, func(s srcFunc) cachedSrcFunc {
		return cachedSrcFunc{s.file, s.declLine, s.endLine, s.ranges, uint32(s.declDie), s.rawFile}
	}); err != nil {
		return err
	}
	return diskcache.EncodeChunks(enc, x.inlines, func(in inlineInst) cachedInline {
		return cachedInline{in.src, in.depth, in.fn.Name, in.fn.LinkageName, in.callFile, in.callLine, in.callCol, in.entry}
	})
}

func (c *cachedIndex) index(dec *gob.Decoder) (*dwarfIndex, error) {
	x := &dwarfIndex{files: c.Files, byPath: map[string]int32{}, seqIdx: uncacheSpans(c.SeqSpans),
		stmtPCs: c.StmtPCs, byFile: map[int32][]fileLine{}, sources: c.Sources, funcSpans: uncacheSpans(c.FuncSpans),
		byName: map[string]*Function{}, byLinkage: map[string]*Function{}, srcByFile: c.SrcByFile,
		inlineIdx: uncacheSpans(c.InlSpans), maxForward: c.MaxFwd}
	for _, q := range c.Seqs {
		x.seqs = append(x.seqs, seqInfo{q[0], q[1]})
	}
	for file, ls := range c.ByFile {
		for _, l := range ls {
			x.byFile[file] = append(x.byFile[file], fileLine{line: l[0], row: l[1]})
		}
	}
	if x.srcByFile == nil {
		x.srcByFile = map[int32][]int32{}
	}
	for i, p := range c.Files {
		x.byPath[p] = int32(i)
	}
	// Each part is made at its final size from its chunks.
	var err error
	if x.rows, err = diskcache.DecodeChunks(dec, c.NRows, func(r cachedRow) lineRow {
		return lineRow{r.PC, r.File, r.Line, r.Col, r.IsStmt, r.Prologue}
	}); err != nil {
		return nil, err
	}
	if x.funcs, err = diskcache.DecodeChunks(dec, c.NFuncs, func(fn cachedFunc) *Function {
		file := ""
		if fn.File >= 0 && int(fn.File) < len(x.files) {
			file = x.files[fn.File]
		}
		return &Function{Name: fn.Name, LinkageName: fn.Linkage, Low: fn.Low, High: fn.High, Ranges: fn.Ranges,
			File: file, Line: fn.Line, HasLines: fn.HasLines, external: fn.Extern}
	}); err != nil {
		return nil, err
	}
	// The name tables are derived, not stored: rebuilt in order, each
	// name goes to the function the builder preferred.
	for _, fn := range x.funcs {
		x.addNames(fn)
	}
	if x.srcFuncs, err = diskcache.DecodeChunks(dec, c.NSrcFuncs, func(s cachedSrcFunc) srcFunc {
		return srcFunc{file: s.File, declLine: s.DeclLine, endLine: s.EndLine, ranges: s.Ranges, declDie: dwarf.Offset(s.DeclDie), rawFile: s.RawFile}
	}); err != nil {
		return nil, err
	}
	if x.inlines, err = diskcache.DecodeChunks(dec, c.NInlines, func(in cachedInline) inlineInst {
		return inlineInst{src: in.Src, depth: in.Depth, fn: &Function{Name: in.Name, LinkageName: in.Linkage},
			callFile: in.CallFile, callLine: in.CallLine, callCol: in.CallCol, entry: in.Entry}
	}); err != nil {
		return nil, err
	}
	if c.Err != "" {
		err = errors.New(c.Err)
	}
	return x, err
}
