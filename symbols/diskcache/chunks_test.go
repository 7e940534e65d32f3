package diskcache

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// Records cross chunk boundaries whole, their own slices (a function's
// ranges) included: none is overwritten by a later chunk's.
func TestCacheChunks(t *testing.T) {
	type rec struct {
		N      int
		Ranges [][2]uint64
	}
	in := make([]int, 3*Chunk+17)
	for i := range in {
		in[i] = i
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := EncodeChunks(enc, in, func(i int) rec { return rec{i, [][2]uint64{{uint64(i), uint64(i) + 1}}} }); err != nil {
		t.Fatal(err)
	}
	out, err := DecodeChunks(gob.NewDecoder(&buf), len(in), func(r rec) rec { return r })
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range out {
		if r.N != i || len(r.Ranges) != 1 || r.Ranges[0] != [2]uint64{uint64(i), uint64(i) + 1} {
			t.Fatalf("record %d came back as %+v", i, r)
		}
	}
	if _, err := DecodeChunks(gob.NewDecoder(bytes.NewReader(nil)), 5, func(r rec) rec { return r }); err == nil {
		t.Error("five records read from nothing")
	}
}
