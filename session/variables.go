package session

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/target"
	godap "github.com/google/go-dap"
)

func (s *Session) registerVariables() {
	dap.Handle(s.mux, "scopes", s.scopes)
	dap.Handle(s.mux, "variables", s.variables)
}

// varNode is what a variablesReference stands for until the next resume.
type varNode struct {
	kind  string // "registers"
	frame frameRef
}

func (s *Session) frame(id int) (frameRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, ok := s.frames.get(id)
	if !ok {
		return frameRef{}, &Error{ID: errIDFrame, Err: fmt.Errorf("unknown frame id %d: frames are valid until the program runs again; ask for the stack anew", id)}
	}
	return ref, nil
}

func (s *Session) scopes(_ *dap.Request, args godap.ScopesArguments) (godap.ScopesResponseBody, error) {
	ref, err := s.frame(args.FrameId)
	if err != nil {
		return godap.ScopesResponseBody{}, err
	}
	s.mu.Lock()
	regs := s.vars.add(varNode{kind: "registers", frame: ref})
	s.mu.Unlock()
	return godap.ScopesResponseBody{Scopes: []godap.Scope{
		{Name: "Registers", PresentationHint: "registers", VariablesReference: regs},
	}}, nil
}

type variablesArgs struct {
	VariablesReference int `json:"variablesReference"`
	Start              int `json:"start"`
	Count              int `json:"count"`
	Format             *struct {
		Hex bool `json:"hex"`
	} `json:"format"`
}

func (s *Session) variables(_ *dap.Request, args variablesArgs) (godap.VariablesResponseBody, error) {
	s.mu.Lock()
	node, ok := s.vars.get(args.VariablesReference)
	s.mu.Unlock()
	body := godap.VariablesResponseBody{Variables: []godap.Variable{}}
	if !ok {
		return body, &Error{ID: errIDFrame, Err: fmt.Errorf("unknown variablesReference %d: variables are valid until the program runs again", args.VariablesReference)}
	}
	switch node.kind {
	case "registers":
		regs, err := s.dbg.FrameRegisters(node.frame.tid, node.frame.level)
		if err != nil {
			return body, fail(errIDFrame, err)
		}
		for _, r := range regs {
			v := godap.Variable{Name: r.Name, Value: fmt.Sprintf("0x%016x", r.Value), Type: "uint64"}
			switch r.Name {
			case "eflags":
				v.Value = fmt.Sprintf("0x%x [%s]", r.Value, target.FlagsString(r.Value))
			case "rip", "rsp", "rbp":
				v.MemoryReference = hexAddr(r.Value)
			}
			body.Variables = append(body.Variables, v)
		}
	}
	return body, nil
}
