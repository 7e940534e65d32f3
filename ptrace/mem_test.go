package ptrace

import (
	"bytes"
	"os"
	"testing"
	"unsafe"
)

// ReadBatch reads many places of a process at once: here, our own.
func TestReadBatch(t *testing.T) {
	m := NewMem(os.Getpid())
	defer m.Close()
	src := make([][]byte, 3000) // more than one IOV_MAX batch
	bufs := make([][]byte, len(src))
	addrs := make([]uint64, len(src))
	for i := range src {
		src[i] = bytes.Repeat([]byte{byte(i)}, 1+i%40)
		bufs[i] = make([]byte, len(src[i]))
		addrs[i] = uint64(uintptr(unsafe.Pointer(&src[i][0])))
	}
	if err := m.ReadBatch(bufs, addrs); err != nil {
		t.Fatal(err)
	}
	for i := range src {
		if !bytes.Equal(bufs[i], src[i]) {
			t.Fatalf("place %d read %x, want %x", i, bufs[i], src[i])
		}
	}
	// An unmapped place in the middle: the ones before it are read, and
	// the error names it.
	addrs[1500] = 8
	if err := m.ReadBatch(bufs, addrs); err == nil {
		t.Fatal("reading address 8 succeeded")
	}
}
