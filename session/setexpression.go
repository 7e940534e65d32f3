package session

import (
	"fmt"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/eval"
	"github.com/dap-ptrace/dap-ptrace/proc"
	godap "github.com/google/go-dap"
)

// setExpressionBody is godap.SetExpressionResponseBody with the
// memoryReference the protocol has since added.
type setExpressionBody struct {
	Value              string `json:"value"`
	Type               string `json:"type,omitempty"`
	VariablesReference int    `json:"variablesReference,omitempty"`
	NamedVariables     int    `json:"namedVariables,omitempty"`
	IndexedVariables   int    `json:"indexedVariables,omitempty"`
	MemoryReference    string `json:"memoryReference,omitempty"`
}

// setExpression assigns a value (an expression) to an lvalue expression
// (pt.x, arr[3], *p, p->next->val, a global) or to a register ($rax) in a
// frame; the answer reads like evaluate's.
func (s *Session) setExpression(req *dap.Request, args godap.SetExpressionArguments) (setExpressionBody, error) {
	ref, err := s.scopeRef(args.FrameId)
	if err != nil {
		return setExpressionBody{}, err
	}
	if reg, ok := eval.RegisterName(args.Expression); ok {
		r, err := s.setRegister(req, ref, reg, args.Value)
		if err != nil {
			return setExpressionBody{}, err
		}
		return setExpressionBody{Value: r.Value, Type: r.Type, MemoryReference: r.MemoryReference}, nil
	}
	v, err := s.assign(ref, args.Expression, args.Value)
	if err != nil {
		return setExpressionBody{}, fail(errIDEvaluate, err)
	}
	v = hexIf(args.Format != nil && args.Format.Hex, []eval.Var{v})[0]
	s.invalidate(req, "variables")
	s.mu.Lock()
	dv := s.dapVar(v, ref, "("+args.Expression+")")
	s.mu.Unlock()
	return setExpressionBody{Value: dv.Value, Type: dv.Type, VariablesReference: dv.VariablesReference,
		NamedVariables: dv.NamedVariables, IndexedVariables: dv.IndexedVariables, MemoryReference: dv.MemoryReference}, nil
}

// setRegister assigns to a register of frame ref and tells the client to
// refresh what depends on it: everything, since rip and rsp move frames.
func (s *Session) setRegister(req *dap.Request, ref frameRef, name, value string) (godap.Variable, error) {
	if ref.program {
		return godap.Variable{}, &Error{ID: errIDEvaluate, Err: fmt.Errorf("registers belong to a frame: give setExpression a frameId")}
	}
	r, err := s.dbg.SetRegister(ref.tid, ref.level, name, func(sc *proc.Scope) (uint64, error) {
		return eval.RegisterValue(sc, name, value)
	})
	if err != nil {
		return godap.Variable{}, fail(errIDEvaluate, err)
	}
	s.invalidate(req, "all")
	return registerVar(r), nil
}

// invalidate sends an invalidated event for area after the response, to a
// client that supports it.
func (s *Session) invalidate(req *dap.Request, area godap.InvalidatedAreas) {
	req.AfterResponse(func() {
		if s.client.SupportsInvalidatedEvent {
			s.conn.SendEvent("invalidated", godap.InvalidatedEventBody{Areas: []godap.InvalidatedAreas{area}})
		}
	})
}

// registerVar presents a register as the Registers scope shows it.
func registerVar(r proc.Register) godap.Variable {
	v := godap.Variable{Name: r.Name, Value: fmt.Sprintf("0x%016x", r.Value), Type: "uint64"}
	switch r.Name {
	case "eflags":
		v.Value = fmt.Sprintf("0x%x [%s]", r.Value, proc.FlagsString(r.Value))
	case "rip", "rsp", "rbp":
		v.MemoryReference = hexAddr(r.Value)
	}
	return v
}
