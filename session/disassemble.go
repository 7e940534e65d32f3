package session

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/dap"
	godap "github.com/google/go-dap"
)

func (s *Session) registerDisassemble() {
	dap.Handle(s.mux, "disassemble", s.disassemble, func(c *godap.Capabilities) {
		c.SupportsDisassembleRequest = true
	})
}

type disassembleArgs struct {
	MemoryReference   string `json:"memoryReference"`
	Offset            int64  `json:"offset"`
	InstructionOffset int    `json:"instructionOffset"`
	InstructionCount  int    `json:"instructionCount"`
	ResolveSymbols    bool   `json:"resolveSymbols"`
}

// instruction is DAP's DisassembledInstruction with the presentationHint
// go-dap lacks.
type instruction struct {
	godap.DisassembledInstruction
	PresentationHint string `json:"presentationHint,omitempty"`
}

type disassembleBody struct {
	Instructions []instruction `json:"instructions"`
}

func (s *Session) disassemble(_ *dap.Request, args disassembleArgs) (disassembleBody, error) {
	if strings.TrimSpace(args.MemoryReference) == "" {
		// VS Code's Disassembly view asks this, scrolled up, when all it
		// holds is its "Disassembly not available" row: a refusal it need
		// not show as an error popup.
		return disassembleBody{}, &Error{ID: errIDMemory, Err: errors.New("no memory reference: nothing to disassemble"), Quiet: true}
	}
	addr, err := parseAddr(args.MemoryReference)
	if err != nil {
		return disassembleBody{}, err
	}
	if args.InstructionCount < 0 {
		return disassembleBody{}, &Error{ID: errIDMemory, Err: fmt.Errorf("instructionCount must not be negative")}
	}
	ins, err := s.dbg.Disassemble(addr+uint64(args.Offset), args.InstructionOffset, args.InstructionCount, args.ResolveSymbols)
	if err != nil {
		return disassembleBody{}, fail(errIDMemory, err)
	}
	body := disassembleBody{Instructions: make([]instruction, 0, len(ins))}
	lastFile, lastLine := "", 0
	for _, in := range ins {
		di := instruction{DisassembledInstruction: godap.DisassembledInstruction{
			Address:          hexAddr(in.Addr),
			InstructionBytes: in.HexBytes(),
			Instruction:      in.Text,
			Symbol:           in.Symbol,
		}}
		if in.Invalid {
			di.PresentationHint = "invalid"
		}
		// Location and line only where they change: the client shows a
		// source line once above the instructions it compiled to.
		if in.File != "" && (in.File != lastFile || in.Line != lastLine) {
			di.Location = &godap.Source{Name: filepath.Base(in.File), Path: in.File}
			di.Line = in.Line
		}
		lastFile, lastLine = in.File, in.Line
		body.Instructions = append(body.Instructions, di)
	}
	return body, nil
}
