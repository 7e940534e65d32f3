package ptrace

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Mem reads and writes one process's memory. It needs neither a stopped
// thread nor the tracer thread: process_vm_readv/writev and /proc/PID/mem
// only need the ptrace access we hold. Safe for concurrent use.
type Mem struct {
	pid  int
	once sync.Once
	file *os.File // /proc/PID/mem, opened on first need
	ferr error
}

// NewMem returns the memory of process pid.
func NewMem(pid int) *Mem { return &Mem{pid: pid} }

// Close releases /proc/PID/mem if it was opened.
func (m *Mem) Close() error {
	if m.file != nil {
		return m.file.Close()
	}
	return nil
}

// MemError is a failed access to tracee memory at Addr.
type MemError struct {
	Addr uint64
	Op   string
	Err  error
}

func (e *MemError) Error() string {
	return fmt.Sprintf("cannot %s memory at %#x: %v", e.Op, e.Addr, e.Err)
}

// Unwrap returns the system error.
func (e *MemError) Unwrap() error { return e.Err }

const pageSize = 4096

// ReadAt reads len(b) bytes at addr. It returns how many bytes were read
// before the first unreadable address; err is non-nil only when n <
// len(b). A partial result is normal at the end of a mapping.
func (m *Mem) ReadAt(b []byte, addr uint64) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, err := m.vm(b, addr, false)
	if n == len(b) {
		return n, nil
	}
	// process_vm_readv stops at the first fault, and refuses some mappings
	// (PROT_NONE guard pages, vsyscall) that /proc/PID/mem can still reach:
	// continue from where it stopped, a page at a time.
	for n < len(b) {
		end := min(len(b), n+int(pageSize-(addr+uint64(n))%pageSize))
		k, perr := m.proc(b[n:end], addr+uint64(n), false)
		n += k
		if n < end {
			if perr == nil {
				perr = err
			}
			return n, &MemError{Addr: addr + uint64(n), Op: "read", Err: perr}
		}
	}
	return n, nil
}

// ReadBatch reads each bufs[i] at addrs[i], in as few process_vm_readv
// calls as the kernel allows (IOV_MAX places each): reading a thousand
// small structures costs a system call, not a thousand. A place that
// cannot be read whole is read again alone, as ReadAt does, and the first
// that fails is the error.
func (m *Mem) ReadBatch(bufs [][]byte, addrs []uint64) error {
	const iovMax = 1024
	for lo := 0; lo < len(bufs); lo += iovMax {
		hi := min(lo+iovMax, len(bufs))
		local := make([]unix.Iovec, 0, hi-lo)
		remote := make([]unix.RemoteIovec, 0, hi-lo)
		total := 0
		for i := lo; i < hi; i++ {
			if len(bufs[i]) == 0 {
				continue
			}
			v := unix.Iovec{Base: &bufs[i][0]}
			v.SetLen(len(bufs[i]))
			local = append(local, v)
			remote = append(remote, unix.RemoteIovec{Base: uintptr(addrs[i]), Len: len(bufs[i])})
			total += len(bufs[i])
		}
		if len(local) == 0 {
			continue
		}
		n, _ := unix.ProcessVMReadv(m.pid, local, remote, 0)
		if n == total {
			continue
		}
		// It stopped at the first fault: what came before is in place.
		for i := lo; i < hi; i++ {
			if n >= len(bufs[i]) {
				n -= len(bufs[i])
				continue
			}
			n = 0
			if _, err := m.ReadAt(bufs[i], addrs[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteAt writes b at addr, through read-only mappings too (breakpoints go
// into .text). It returns the bytes written.
func (m *Mem) WriteAt(b []byte, addr uint64) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _ := m.vm(b, addr, true)
	if n == len(b) {
		return n, nil
	}
	k, err := m.proc(b[n:], addr+uint64(n), true)
	n += k
	if err != nil {
		return n, &MemError{Addr: addr + uint64(n), Op: "write", Err: err}
	}
	return n, nil
}

func (m *Mem) vm(b []byte, addr uint64, write bool) (int, error) {
	local := []unix.Iovec{{Base: &b[0]}}
	local[0].SetLen(len(b))
	remote := []unix.RemoteIovec{{Base: uintptr(addr), Len: len(b)}}
	var n int
	var err error
	if write {
		n, err = unix.ProcessVMWritev(m.pid, local, remote, 0)
	} else {
		n, err = unix.ProcessVMReadv(m.pid, local, remote, 0)
	}
	if n < 0 {
		n = 0
	}
	return n, err
}

func (m *Mem) proc(b []byte, addr uint64, write bool) (int, error) {
	m.once.Do(func() {
		m.file, m.ferr = os.OpenFile("/proc/"+strconv.Itoa(m.pid)+"/mem", os.O_RDWR, 0)
	})
	if m.ferr != nil {
		return 0, m.ferr
	}
	if addr > 1<<63-1 {
		return 0, unix.EIO // the file offset is signed: no such user address
	}
	var n int
	var err error
	for n < len(b) {
		var k int
		if write {
			k, err = unix.Pwrite(int(m.file.Fd()), b[n:], int64(addr)+int64(n))
		} else {
			k, err = unix.Pread(int(m.file.Fd()), b[n:], int64(addr)+int64(n))
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			break
		}
		if k == 0 {
			err = unix.EIO
			break
		}
		n += k
	}
	return n, err
}

// ReadFull reads exactly len(b) bytes or fails with a MemError.
func (m *Mem) ReadFull(b []byte, addr uint64) error {
	_, err := m.ReadAt(b, addr)
	return err
}

// Uint64 reads one little-endian word at addr.
func (m *Mem) Uint64(addr uint64) (uint64, error) {
	var v uint64
	b := unsafe.Slice((*byte)(unsafe.Pointer(&v)), 8)
	if err := m.ReadFull(b, addr); err != nil {
		return 0, err
	}
	return v, nil
}
