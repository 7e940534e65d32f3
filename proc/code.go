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

// inProcess runs f on the owner with the process, stopped or running;
// without a process it fails with ErrNoProcess unless quiet, which
// answers zero.
func inProcess[T any](d *Debugger, quiet bool, f func(*process) (T, error)) (T, error) {
	var out T
	err := d.do(func() error {
		if d.p == nil {
			if quiet {
				return nil
			}
			return ErrNoProcess
		}
		var err error
		out, err = f(d.p)
		return err
	})
	return out, err
}

// inImage is inProcess with the process's image.
func inImage[T any](d *Debugger, quiet bool, f func(*image.Image) (T, error)) (T, error) {
	return inProcess(d, quiet, func(p *process) (T, error) { return f(p.img) })
}

// Disassemble decodes count instructions starting instOffset instructions
// away from addr (negative: before it); see image.Image.Disassemble.
func (d *Debugger) Disassemble(addr uint64, instOffset, count int, symbolic bool) ([]Instruction, error) {
	return inImage(d, false, func(im *image.Image) ([]Instruction, error) {
		return im.Disassemble(addr, instOffset, count, symbolic)
	})
}

// ListingText returns the text of listing key (a Frame's Listing), made the
// first time it is asked for.
func (d *Debugger) ListingText(key uint64) (string, error) {
	return inImage(d, false, func(im *image.Image) (string, error) { return im.ListingText(key) })
}

// Sources lists the source files of the executable and the loaded
// libraries that have line information; none without a process.
func (d *Debugger) Sources() ([]string, error) {
	return inImage(d, true, func(im *image.Image) ([]string, error) { return im.Sources(), nil })
}
