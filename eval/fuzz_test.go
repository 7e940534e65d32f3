package eval

import (
	"errors"
	"sync"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// fakeFrame is a stopped frame without a process: the symbols of a
// checked-in binary, its data in a small memory window, no locals.
type fakeFrame struct {
	sym *symbols.File
	mem []byte // at memBase
}

const memBase = 0x4000

var errUnmapped = errors.New("unmapped")

func (f *fakeFrame) ReadAt(b []byte, addr uint64) (int, error) {
	if addr < memBase || addr-memBase >= uint64(len(f.mem)) {
		return 0, errUnmapped
	}
	n := copy(b, f.mem[addr-memBase:])
	if n < len(b) {
		return n, errUnmapped
	}
	return n, nil
}

func (f *fakeFrame) WriteAt(b []byte, addr uint64) (int, error) {
	return 0, errors.New("read-only")
}

func (f *fakeFrame) ModuleAt(addr uint64) (*symbols.File, uint64) { return f.sym, 0 }
func (f *fakeFrame) Exe() (*symbols.File, uint64)                 { return f.sym, 0 }
func (f *fakeFrame) SymbolAt(addr uint64) (string, uint64)        { return "", 0 }
func (f *fakeFrame) PC() uint64                                   { return f.sym.Entry() }
func (f *fakeFrame) Locals() ([]symbols.Variable, []byte, error)  { return nil, nil, nil }
func (f *fakeFrame) Location(frameBase []byte) symbols.LocContext {
	return symbols.LocContext{
		Regs:      func(uint64) (uint64, bool) { return memBase + 64, true },
		FrameBase: frameBase,
		Read:      f.ReadAt,
	}
}

var (
	fuzzSymOnce sync.Once
	fuzzSym     *symbols.File
	fuzzSymErr  error
)

// FuzzCompile parses and evaluates arbitrary expressions in a frame with
// symbols and a little memory: errors are fine, panics and hangs are not.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"1 + 2*3", "x == -1", "p->next->val", "arr[3]", "*(long *)0x4000", "(char)300",
		"$rax + $rsp", `strcmp(name, "a->b")`, "1 << 63", "-9223372036854775808 / -1", "1 % 0",
		"(unsigned long)-1 >> 70", "sizeof(int)", "&g_counter", "g_pt.x + g_pt.y", "((struct point *)0x4000)->y",
		"'\\x41' + 1.5e308 * 10", "!!!~0", "a ? b : c", "(", ")(", "\"unterminated",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fuzzSymOnce.Do(func() { fuzzSym, fuzzSymErr = symbols.Open("../symbols/testdata/bin/demo-O0") })
		if fuzzSymErr != nil {
			t.Skip(fuzzSymErr)
		}
		if _, err := ParseExpr(src); err != nil {
			return
		}
		x, err := Compile(src)
		if err != nil {
			t.Fatalf("ParseExpr accepted %q but Compile refused it: %v", src, err)
		}
		fr := &fakeFrame{sym: fuzzSym, mem: make([]byte, 256)}
		for i := range fr.mem {
			fr.mem[i] = byte(i)
		}
		_, _ = x.Text(fr)
		_, _ = x.Truth(fr)
		_, _ = Evaluate(fr, src)
	})
}
