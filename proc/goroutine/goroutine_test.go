package goroutine

import (
	"encoding/binary"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/dap-ptrace/dap-ptrace/symbols"
)

// frames is memory holding frame-pointer chains: at each frame pointer,
// the caller's frame pointer and the return address.
type frames map[uint64][2]uint64

func (m frames) ReadAt(b []byte, addr uint64) (int, error) {
	f, ok := m[addr]
	if !ok || len(b) != 16 {
		return 0, errors.New("unmapped")
	}
	binary.LittleEndian.PutUint64(b, f[0])
	binary.LittleEndian.PutUint64(b[8:], f[1])
	return 16, nil
}

// UserFuncs walks past the runtime's frames to the first of the program's.
func TestUserFuncs(t *testing.T) {
	names := map[uint64]string{0x100: "runtime.gopark", 0x200: "runtime.chanrecv", 0x300: "main.worker", 0x400: "runtime.goexit", 0x500: "runtime.forcegchelper"}
	mem := frames{
		0x1000: {0x2000, 0x201}, // gopark's frame: called from chanrecv
		0x2000: {0x3000, 0x301}, // chanrecv's: from main.worker
		0x3000: {0, 0x401},
		0x5000: {0x6000, 0x401}, // a runtime goroutine: no user frame
	}
	got := UserFuncs(mem, []uint64{0x100, 0x300, 0x500}, []uint64{0x1000, 0x3000, 0x5000}, func(pc uint64, exact bool) string {
		if !exact {
			pc-- // a return address: the call is before it
		}
		return names[pc&^0xff]
	})
	want := []string{"main.worker", "main.worker", "runtime.forcegchelper"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("goroutine %d is in %q, want %q", i, got[i], want[i])
		}
	}
}

// The layout of the runtime's structures comes from the program's DWARF.
func TestNewLayout(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "gogoroutines")
	out, err := exec.Command("go", "build", "-o", bin, "../../testdata/gogoroutines").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := symbols.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := NewLayout(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l.goid == 0 || l.pc == l.sp || l.span <= l.goid || l.waitN == 0 {
		t.Errorf("layout %+v", l)
	}
	if !System("runtime.bgsweep") || System("runtime.main") || System("main.worker") {
		t.Error("System misjudges the runtime's goroutines")
	}
}
