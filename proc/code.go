package proc

import "github.com/dap-ptrace/dap-ptrace/proc/image"

// The code and sources of the process, as its image knows them, asked for
// on the owner goroutine.

// SourceMap pairs where sources were compiled with where they are here.
type SourceMap = image.SourceMap

// Instruction is one disassembled instruction.
type Instruction = image.Instruction

// MaxDisassemble bounds one disassembly.
const MaxDisassemble = image.MaxDisassemble

// Disassemble decodes count instructions starting instOffset instructions
// away from addr (negative: before it); see image.Image.Disassemble.
func (d *Debugger) Disassemble(addr uint64, instOffset, count int, symbolic bool) ([]Instruction, error) {
	var out []Instruction
	err := d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		var err error
		out, err = d.p.img.Disassemble(addr, instOffset, count, symbolic)
		return err
	})
	return out, err
}

// ListingText returns the text of listing key (a Frame's Listing), made the
// first time it is asked for.
func (d *Debugger) ListingText(key uint64) (string, error) {
	var text string
	err := d.do(func() error {
		if d.p == nil {
			return ErrNoProcess
		}
		var err error
		text, err = d.p.img.ListingText(key)
		return err
	})
	return text, err
}

// Sources lists the source files of the executable and the loaded
// libraries that have line information.
func (d *Debugger) Sources() ([]string, error) {
	var out []string
	err := d.do(func() error {
		if d.p != nil {
			out = d.p.img.Sources()
		}
		return nil
	})
	return out, err
}
