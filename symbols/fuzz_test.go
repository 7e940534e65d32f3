package symbols

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// FuzzNewFile opens mutated copies of the checked-in binaries and asks the
// queries the debugger asks: a broken file may fail, or answer little, but
// must not panic or hang. The input is a patch (bytes written at an
// offset, then an optional cut) to one of the binaries rather than a whole
// binary: the fuzzer minimises every interesting input, and minimising
// 20 KB files one byte at a time left it no time to fuzz.
func FuzzNewFile(f *testing.F) {
	var seeds [][]byte
	for _, name := range []string{"demo-O0", "demo-O2", "demo-O2-dwarf4", "demo-gz"} {
		b, err := os.ReadFile("testdata/bin/" + name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for i := range seeds {
		f.Add(uint8(i), uint32(0), []byte{}, uint32(0))
		f.Add(uint8(i), uint32(0x28), []byte{0xff, 0xff, 0xff, 0x7f}, uint32(0)) // e_shoff
		f.Add(uint8(i), uint32(0), []byte{}, uint32(len(seeds[i])/2))
	}
	f.Fuzz(func(t *testing.T, which uint8, off uint32, patch []byte, cut uint32) {
		b := bytes.Clone(seeds[int(which)%len(seeds)])
		copy(b[int(off)%len(b):], patch)
		if cut != 0 {
			b = b[:int(cut)%len(b)]
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			queryAll(b)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("queries on a %d-byte file took over 10s", len(b))
		}
	})
}

// queryAll opens b and asks the debugger's questions of it.
func queryAll(b []byte) {
	{
		sf, err := NewFile(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer sf.Close()
		_ = sf.DWARFError()
		_ = sf.CFIError()
		pcs := []uint64{sf.Entry()}
		for i, fn := range sf.Functions() {
			if i == 8 {
				break
			}
			pcs = append(pcs, fn.Low, fn.High-1, sf.PrologueEnd(fn))
			_ = sf.LookupFunc(fn.Name)
			_ = sf.StmtPCs(fn.Low, fn.High)
		}
		for _, pc := range pcs {
			_ = sf.FuncAt(pc)
			_, _ = sf.LineAt(pc)
			_, _ = sf.FrameAt(pc)
			_ = sf.InlinedAt(pc)
			_, _, _ = sf.LocalsAt(pc)
			_, _ = sf.GlobalsAt(pc)
			_, _ = sf.FrameBaseAt(pc)
			_, _, _ = sf.SymbolAt(pc)
		}
		for i, src := range sf.Sources() {
			if i == 4 {
				break
			}
			for _, line := range []int{1, 10, 25} {
				_, _, _ = sf.LineToPCs(src, line)
			}
		}
		_, _ = sf.LookupSymbol("main")
		_, _ = sf.LookupGlobal("g_counter")
		_, _ = sf.CType("struct point")
	}
}
