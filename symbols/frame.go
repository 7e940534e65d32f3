package symbols

import (
	"debug/elf"

	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// FrameAt returns the unwind rules at the link-time address pc, or an error
// wrapping cfi.ErrNoFrameInfo when no FDE covers pc. When both .debug_frame
// and .eh_frame describe pc, .debug_frame wins. Other errors report CFI that
// could not be interpreted. The result is the caller's to modify.
func (f *File) FrameAt(pc uint64) (*cfi.FrameRules, error) {
	return f.frameTable().At(pc)
}

// CFIError returns the problems met while reading .debug_frame and
// .eh_frame, if any. A section that failed to parse is left out whole, so
// FrameAt answers from the other one only.
func (f *File) CFIError() error {
	f.frameTable()
	return f.cfiErr
}

// Warm builds, ahead of need, what the first stop or stack in this object
// will ask for: its symbol tables and its call frame table. It is meant
// to run in the background as soon as the object is mapped, overlapped
// with the program's own start.
func (f *File) Warm() {
	// Side by side: a stack that reaches the object waits for the call
	// frame table to unwind and for the symbols to name its frames.
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.frameTable()
	}()
	f.symTables()
	<-done
}

func (f *File) frameTable() *cfi.Table {
	f.cfiOnce.Do(func() {
		var debugFrame, ehFrame func() ([]byte, error)
		var ehAddr uint64
		if s := f.elf.Section(".debug_frame"); s != nil && s.Type != elf.SHT_NOBITS {
			debugFrame = s.Data
		}
		if s := f.elf.Section(".eh_frame"); s != nil && s.Type != elf.SHT_NOBITS {
			ehFrame, ehAddr = s.Data, s.Addr
		}
		f.cfiTab, f.cfiErr = cfi.NewTable(debugFrame, ehFrame, ehAddr, f.isExec)
	})
	return f.cfiTab
}
