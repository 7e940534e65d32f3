package session

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/dap"
	"github.com/dap-ptrace/dap-ptrace/eval"
	godap "github.com/google/go-dap"
)

func (s *Session) registerVariables() {
	dap.Handle(s.mux, "scopes", s.scopes)
	dap.Handle(s.mux, "variables", s.variables, func(c *godap.Capabilities) {
		c.SupportsValueFormattingOptions = true
	})
	dap.Handle(s.mux, "evaluate", s.evaluate, func(c *godap.Capabilities) {
		c.SupportsEvaluateForHovers = true
	})
	dap.Handle(s.mux, "setVariable", s.setVariable, func(c *godap.Capabilities) {
		c.SupportsSetVariable = true
	})
	dap.Handle(s.mux, "setExpression", s.setExpression, func(c *godap.Capabilities) {
		c.SupportsSetExpression = true
	})
}

// varNode is what a variablesReference stands for until the next resume:
// a frame's scope, or a value to expand.
type varNode struct {
	kind  string // "registers", a proc scope name, or "object"
	frame frameRef
	obj   *eval.Object
	path  string // the expression naming obj, for setVariable
}

// childPath is the expression that names child name of node.
func childPath(node varNode, name string) string {
	if node.kind != "object" {
		return name
	}
	return eval.ChildPath(node.path, node.obj, name)
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

// scopeRef is the scope of an expression request: frame id's, or without
// one (id 0) the program's own, which needs no stop.
func (s *Session) scopeRef(id int) (frameRef, error) {
	if id == 0 {
		return frameRef{program: true}, nil
	}
	return s.frame(id)
}

// node looks a variablesReference up, with a clear error for a stale one.
func (s *Session) node(ref int) (varNode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	node, ok := s.vars.get(ref)
	if !ok {
		return varNode{}, &Error{ID: errIDFrame, Err: fmt.Errorf("unknown variablesReference %d: variables are valid until the program runs again", ref)}
	}
	return node, nil
}

func (s *Session) scopes(_ *dap.Request, args godap.ScopesArguments) (godap.ScopesResponseBody, error) {
	ref, err := s.frame(args.FrameId)
	if err != nil {
		return godap.ScopesResponseBody{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return godap.ScopesResponseBody{Scopes: []godap.Scope{
		{Name: "Locals", PresentationHint: "locals", VariablesReference: s.vars.add(varNode{kind: eval.ScopeLocals, frame: ref})},
		{Name: "Arguments", PresentationHint: "arguments", VariablesReference: s.vars.add(varNode{kind: eval.ScopeArguments, frame: ref})},
		{Name: "Registers", PresentationHint: "registers", VariablesReference: s.vars.add(varNode{kind: "registers", frame: ref})},
		{Name: "Globals", VariablesReference: s.vars.add(varNode{kind: eval.ScopeGlobals, frame: ref})},
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

// maxVariables is the most children one variables response carries: an
// array of 2^32 elements asked for whole (count 0) would otherwise be
// read and encoded in one answer. Clients page large arrays anyway
// (indexedVariables, then start and count).
const maxVariables = 1 << 16

func (s *Session) variables(_ *dap.Request, args variablesArgs) (godap.VariablesResponseBody, error) {
	body := godap.VariablesResponseBody{Variables: []godap.Variable{}}
	if args.Start < 0 || args.Count < 0 {
		return body, &Error{ID: errIDFrame, Err: fmt.Errorf("start and count must not be negative")}
	}
	if args.Count == 0 || args.Count > maxVariables {
		args.Count = maxVariables
	}
	node, err := s.node(args.VariablesReference)
	if err != nil {
		return body, err
	}
	switch node.kind {
	case eval.ScopeLocals, eval.ScopeArguments, eval.ScopeGlobals:
		vs, err := s.frameVars(node.frame, node.kind)
		if err != nil {
			return body, fail(errIDFrame, err)
		}
		body.Variables = s.dapVars(node, hexIf(args.Format != nil && args.Format.Hex, vs))
	case "object":
		vs, err := s.children(node.obj, args.Start, args.Count)
		if err != nil {
			return body, fail(errIDFrame, err)
		}
		body.Variables = s.dapVars(node, hexIf(args.Format != nil && args.Format.Hex, vs))
	case "vector":
		regs, err := s.dbg.VectorRegisters(node.frame.tid)
		if err != nil {
			return body, fail(errIDFrame, err)
		}
		for _, r := range regs {
			body.Variables = append(body.Variables, godap.Variable{Name: r.Name, Value: vectorValue(r.Bytes), Type: fmt.Sprintf("%d bytes", len(r.Bytes))})
		}
	case "registers":
		regs, err := s.dbg.FrameRegisters(node.frame.tid, node.frame.level)
		if err != nil {
			return body, fail(errIDFrame, err)
		}
		for _, r := range regs {
			body.Variables = append(body.Variables, registerVar(r))
		}
		if node.frame.level == 0 {
			s.mu.Lock()
			ref := s.vars.add(varNode{kind: "vector", frame: node.frame})
			s.mu.Unlock()
			body.Variables = append(body.Variables, godap.Variable{Name: "Vector and floating-point", Value: "xmm0-15, mxcsr, fcw, fsw", VariablesReference: ref, NamedVariables: 19})
		}
	}
	return body, nil
}

// dapVars presents the children of parent, giving the expandable ones a
// reference.
func (s *Session) dapVars(parent varNode, vs []eval.Var) []godap.Variable {
	out := make([]godap.Variable, 0, len(vs))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vs {
		out = append(out, s.dapVar(v, parent.frame, childPath(parent, v.Name)))
	}
	return out
}

// dapVar presents one variable named by expression path; the caller holds
// s.mu.
func (s *Session) dapVar(v eval.Var, frame frameRef, path string) godap.Variable {
	dv := godap.Variable{Name: v.Name, Value: v.Value, Type: v.Type, IndexedVariables: v.Indexed, NamedVariables: v.Named}
	if v.Expand != nil {
		dv.VariablesReference = s.vars.add(varNode{kind: "object", obj: v.Expand, frame: frame, path: path})
	}
	if v.HasAddr {
		dv.MemoryReference = hexAddr(v.Addr)
	}
	return dv
}

type evaluateArgs struct {
	Expression string `json:"expression"`
	FrameId    int    `json:"frameId"`
	Context    string `json:"context"`
	Format     *struct {
		Hex bool `json:"hex"`
	} `json:"format"`
}

// vectorValue shows a vector register as hex, most significant byte first,
// with its 64-bit halves apart for xmm registers.
func vectorValue(b []byte) string {
	var sb strings.Builder
	sb.WriteString("0x")
	for i := len(b) - 1; i >= 0; i-- {
		if len(b) == 16 && i == 7 {
			sb.WriteByte('_')
		}
		fmt.Fprintf(&sb, "%02x", b[i])
	}
	return sb.String()
}

// intValue matches an integer as the values are shown: "-42", "65 'A'".
var intValue = regexp.MustCompile(`^(-?)(\d+)( '.*')?$`)

// hexIf shows integers in hexadecimal when the client asks (valueFormat).
func hexIf(hex bool, vs []eval.Var) []eval.Var {
	if !hex {
		return vs
	}
	for i, v := range vs {
		if m := intValue.FindStringSubmatch(v.Value); m != nil {
			if n, err := strconv.ParseUint(m[2], 10, 64); err == nil {
				vs[i].Value = fmt.Sprintf("%s0x%x%s", m[1], n, m[3])
			}
		}
	}
	return vs
}

// evaluate evaluates a C-like expression in the given frame (hover,
// watch, repl, clipboard alike).
func (s *Session) evaluate(_ *dap.Request, args evaluateArgs) (godap.EvaluateResponseBody, error) {
	ref, err := s.scopeRef(args.FrameId)
	if err != nil {
		return godap.EvaluateResponseBody{}, err
	}
	v, err := s.evaluateIn(ref, args.Expression)
	if err != nil {
		return godap.EvaluateResponseBody{}, fail(errIDEvaluate, err)
	}
	v = hexIf(args.Format != nil && args.Format.Hex, []eval.Var{v})[0]
	s.mu.Lock()
	dv := s.dapVar(v, ref, "("+args.Expression+")")
	s.mu.Unlock()
	return godap.EvaluateResponseBody{Result: dv.Value, Type: dv.Type, VariablesReference: dv.VariablesReference,
		IndexedVariables: dv.IndexedVariables, NamedVariables: dv.NamedVariables, MemoryReference: dv.MemoryReference}, nil
}

type setVariableArgs struct {
	VariablesReference int    `json:"variablesReference"`
	Name               string `json:"name"`
	Value              string `json:"value"`
}

// setVariable assigns a value (an expression) to a variable or member in
// memory.
func (s *Session) setVariable(req *dap.Request, args setVariableArgs) (godap.SetVariableResponseBody, error) {
	node, err := s.node(args.VariablesReference)
	if err != nil {
		return godap.SetVariableResponseBody{}, err
	}
	switch node.kind {
	case "registers":
		r, err := s.setRegister(req, node.frame, args.Name, args.Value)
		if err != nil {
			return godap.SetVariableResponseBody{}, err
		}
		return godap.SetVariableResponseBody{Value: r.Value, Type: r.Type}, nil
	case "vector":
		return godap.SetVariableResponseBody{}, &Error{ID: errIDEvaluate, Err: fmt.Errorf("vector registers cannot be set")}
	}
	if args.Name == "<anonymous>" {
		return godap.SetVariableResponseBody{}, &Error{ID: errIDEvaluate, Err: fmt.Errorf("set the members of an anonymous member one by one")}
	}
	path := childPath(node, args.Name)
	v, err := s.assign(node.frame, path, args.Value)
	if err != nil {
		return godap.SetVariableResponseBody{}, fail(errIDEvaluate, err)
	}
	s.mu.Lock()
	dv := s.dapVar(v, node.frame, path)
	s.mu.Unlock()
	return godap.SetVariableResponseBody{Value: dv.Value, Type: dv.Type, VariablesReference: dv.VariablesReference,
		IndexedVariables: dv.IndexedVariables, NamedVariables: dv.NamedVariables}, nil
}
