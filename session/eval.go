package session

import (
	"github.com/dap-ptrace/dap-ptrace/eval"
	"github.com/dap-ptrace/dap-ptrace/proc"
)

// The evaluator works on frames the debugger lends it while a thread is
// stopped; these join the two without either knowing the other.

// evalExpr is a compiled expression as proc evaluates it at a breakpoint.
type evalExpr struct{ e *eval.Expr }

func (x evalExpr) Truth(sc *proc.Scope) (bool, error)  { return x.e.Truth(sc) }
func (x evalExpr) Text(sc *proc.Scope) (string, error) { return x.e.Text(sc) }

// compileExpr is the debugger's Compiler for conditions and log messages.
func compileExpr(src string) (proc.Expr, error) {
	e, err := eval.Compile(src)
	if err != nil {
		return nil, err
	}
	return evalExpr{e}, nil
}

// evaluateIn evaluates expr in frame ref.
func (s *Session) evaluateIn(ref frameRef, expr string) (v eval.Var, err error) {
	err = s.inScope(ref, func(sc *proc.Scope) error {
		v, err = eval.Evaluate(sc, expr)
		return err
	})
	return v, err
}

// inScope runs f in frame ref, or in the program's scope.
func (s *Session) inScope(ref frameRef, f func(*proc.Scope) error) error {
	if ref.program {
		return s.dbg.InProgram(f)
	}
	return s.dbg.InFrame(ref.tid, ref.level, f)
}

// assign sets the object expression target names in frame ref to src's
// value.
func (s *Session) assign(ref frameRef, target, src string) (v eval.Var, err error) {
	err = s.inScope(ref, func(sc *proc.Scope) error {
		v, err = eval.Assign(sc, target, src)
		return err
	})
	return v, err
}

// completeIn completes text at col in frame ref.
func (s *Session) completeIn(ref frameRef, text string, col int) (items []eval.Completion, start int, err error) {
	err = s.inScope(ref, func(sc *proc.Scope) error {
		items, start = eval.Completions(sc, text, col)
		return nil
	})
	return items, start, err
}

// frameVars lists one scope of frame ref.
func (s *Session) frameVars(ref frameRef, scope string) (vs []eval.Var, err error) {
	err = s.inScope(ref, func(sc *proc.Scope) error {
		vs, err = eval.FrameVars(sc, scope)
		return err
	})
	return vs, err
}

// children expands o.
func (s *Session) children(o *eval.Object, start, count int) (vs []eval.Var, err error) {
	err = s.dbg.InView(func(v *proc.View) error {
		vs, err = eval.Children(v, o, start, count)
		return err
	})
	return vs, err
}

// dataLocation finds what expr names in frame ref, for a data breakpoint:
// its address, size and type, which the CPU must be able to watch.
func (s *Session) dataLocation(ref frameRef, expr string) (addr uint64, size int, typ string, err error) {
	err = s.inScope(ref, func(sc *proc.Scope) error {
		a, n, t, err := eval.Place(sc, expr)
		if err != nil {
			return err
		}
		if err := proc.Watchable(expr, a, n); err != nil {
			return err
		}
		addr, size, typ = a, int(n), t
		return nil
	})
	return addr, size, typ, err
}
