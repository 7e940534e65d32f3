package proc

import (
	"fmt"
	"go/ast"
	"regexp"
	"strconv"
	"strings"
)

// Options are what a client may attach to a breakpoint: a condition, a hit
// condition, and a log message that turns it into a logpoint.
type Options struct {
	Condition    string
	HitCondition string
	LogMessage   string
}

// conditions is a breakpoint's options, parsed once when it is set, so the
// trap path only evaluates.
type conditions struct {
	cond  ast.Expr
	hitOp string // "", "==", "!=", ">=", ">", "<=", "<", "%"
	hitN  int64
	log   []logPart // nil: not a logpoint
	hits  int64     // hits whose condition held
}

// logPart is literal text, or an expression to interpolate.
type logPart struct {
	text string
	expr ast.Expr
}

var hitRE = regexp.MustCompile(`^\s*(==|!=|>=|<=|>|<|%)?\s*(\d+)\s*$`)

// parseOptions checks and parses o. A plain number N as hit condition
// means ">= N": stop from the Nth hit on (gdb's and lldb's ignore count).
func parseOptions(o Options) (*conditions, error) {
	if o == (Options{}) {
		return nil, nil
	}
	c := &conditions{}
	if strings.TrimSpace(o.Condition) != "" {
		e, err := ParseExpr(o.Condition)
		if err != nil {
			return nil, fmt.Errorf("invalid condition: %v", err)
		}
		c.cond = e
	}
	if h := strings.TrimSpace(o.HitCondition); h != "" {
		m := hitRE.FindStringSubmatch(h)
		if m == nil {
			return nil, fmt.Errorf("invalid hit condition %q: use N, == N, >= N, > N, <= N, < N, != N or %% N", h)
		}
		c.hitOp = m[1]
		if c.hitOp == "" {
			c.hitOp = ">="
		}
		c.hitN, _ = strconv.ParseInt(m[2], 10, 64)
		if c.hitOp == "%" && c.hitN == 0 {
			return nil, fmt.Errorf("invalid hit condition %q: %% 0", h)
		}
	}
	if o.LogMessage != "" {
		parts, err := parseLog(o.LogMessage)
		if err != nil {
			return nil, err
		}
		c.log = parts
	}
	return c, nil
}

// parseLog splits "x is {x}" into text and expressions; "{{" and "}}"
// are literal braces.
func parseLog(msg string) ([]logPart, error) {
	parts := []logPart{}
	var text strings.Builder
	for i := 0; i < len(msg); i++ {
		switch {
		case strings.HasPrefix(msg[i:], "{{"), strings.HasPrefix(msg[i:], "}}"):
			text.WriteByte(msg[i])
			i++
		case msg[i] == '{':
			end := strings.IndexByte(msg[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("invalid log message: unmatched { at %d", i)
			}
			e, err := ParseExpr(msg[i+1 : i+end])
			if err != nil {
				return nil, fmt.Errorf("invalid log message: %v", err)
			}
			if text.Len() > 0 {
				parts = append(parts, logPart{text: text.String()})
				text.Reset()
			}
			parts = append(parts, logPart{expr: e})
			i += end
		default:
			text.WriteByte(msg[i])
		}
	}
	if text.Len() > 0 {
		parts = append(parts, logPart{text: text.String()})
	}
	return parts, nil
}

func (c *conditions) hitMatches() bool {
	h, n := c.hits, c.hitN
	switch c.hitOp {
	case "==":
		return h == n
	case "!=":
		return h != n
	case ">=":
		return h >= n
	case ">":
		return h > n
	case "<=":
		return h <= n
	case "<":
		return h < n
	case "%":
		return h%n == 0
	}
	return true
}

// plain says whether every breakpoint at addr stops unconditionally: only
// then can a hit seen while stopping the world be reported later without
// evaluating anything.
func (t *breakpoints) plain(addr uint64) bool {
	s := t.sites[addr]
	if s == nil {
		return false
	}
	for _, o := range s.owners {
		if o.opts != nil {
			return false
		}
	}
	return true
}

// shouldStop evaluates the conditions of the breakpoints at addr for a hit
// by th (which alone is stopped), prints what logpoints say, and returns the
// ids of the breakpoints that stop. Only the trapping thread's frame is
// read: a false condition costs a few reads of its registers and memory.
func (d *Debugger) shouldStop(th *thread, addr uint64) []int {
	s := d.p.bps.sites[addr]
	if s == nil {
		return nil
	}
	return d.evalOwners(th, s.owners, func() { th.hide = d.bpHide(addr) }) // the breakpoint's own frame
}

// evalOwners is shouldStop for the breakpoints owners that th hit; frame,
// when not nil, chooses the frame conditions are evaluated in.
func (d *Debugger) evalOwners(th *thread, owners []*Breakpoint, frame func()) []int {
	var ev *evaluator
	eval := func(e ast.Expr) (value, error) {
		if ev == nil {
			var err error
			if frame != nil {
				frame()
			}
			if ev, err = d.newEvaluator(th.tid, 0); err != nil {
				return value{}, err
			}
		}
		return ev.eval(e)
	}
	var ids []int
	for _, bp := range owners {
		c := bp.opts
		if c == nil {
			ids = append(ids, bp.ID)
			continue
		}
		if c.cond != nil {
			v, err := eval(c.cond)
			if err == nil {
				v, err = ev.scalar(v)
			}
			if err != nil {
				d.ln.Output("important", fmt.Sprintf("breakpoint %d: cannot evaluate its condition: %v\n", bp.ID, err))
				ids = append(ids, bp.ID) // stop: the person must see why
				continue
			}
			if !truth(v) {
				continue
			}
		}
		c.hits++
		if !c.hitMatches() {
			continue
		}
		if c.log != nil {
			var out strings.Builder
			for _, part := range c.log {
				if part.expr == nil {
					out.WriteString(part.text)
					continue
				}
				if v, err := eval(part.expr); err != nil {
					fmt.Fprintf(&out, "<%v>", err)
				} else {
					out.WriteString(ev.present("", v).Value)
				}
			}
			out.WriteByte('\n')
			d.ln.Output("console", out.String())
			continue
		}
		ids = append(ids, bp.ID)
	}
	return ids
}
