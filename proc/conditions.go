package proc

import (
	"fmt"
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

// Expr is an expression of a condition or a log message, compiled once by
// the Compiler given to New and evaluated at each hit, on the owner, with
// only the trapping thread stopped.
type Expr interface {
	// Truth evaluates the expression as a condition.
	Truth(*Scope) (bool, error)
	// Text evaluates the expression and formats its value for a log.
	Text(*Scope) (string, error)
}

// Compiler compiles the expressions of conditions and log messages.
type Compiler func(src string) (Expr, error)

// conditions is a breakpoint's options, parsed once when it is set, so the
// trap path only evaluates.
type conditions struct {
	cond  Expr
	hitOp string // "", "==", "!=", ">=", ">", "<=", "<", "%"
	hitN  int64
	log   []logPart // nil: not a logpoint
	hits  int64     // hits whose condition held
}

// logPart is literal text, or an expression to interpolate.
type logPart struct {
	text string
	expr Expr
}

var hitRE = regexp.MustCompile(`^\s*(==|!=|>=|<=|>|<|%)?\s*(\d+)\s*$`)

// parseOptions checks and parses o. A plain number N as hit condition
// means ">= N": stop from the Nth hit on (gdb's and lldb's ignore count).
func (d *Debugger) parseOptions(o Options) (*conditions, error) {
	if o == (Options{}) {
		return nil, nil
	}
	c := &conditions{}
	if strings.TrimSpace(o.Condition) != "" {
		e, err := d.compile(o.Condition)
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
		parts, err := d.parseLog(o.LogMessage)
		if err != nil {
			return nil, err
		}
		c.log = parts
	}
	return c, nil
}

// parseLog splits "x is {x}" into text and expressions; "{{" and "}}"
// are literal braces.
func (d *Debugger) parseLog(msg string) ([]logPart, error) {
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
			e, err := d.compile(msg[i+1 : i+end])
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
	s := t.Sites[addr]
	if s == nil {
		return false
	}
	for _, o := range s.Owners {
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
	s := d.p.bps.Sites[addr]
	if s == nil {
		return nil
	}
	return d.evalOwners(th, s.Owners, func() { th.hide = d.bpHide(addr) }) // the breakpoint's own frame
}

// evalOwners is shouldStop for the breakpoints owners that th hit; frame,
// when not nil, chooses the frame conditions are evaluated in.
func (d *Debugger) evalOwners(th *thread, owners []*Breakpoint, frame func()) []int {
	var sc *Scope
	var scErr error
	scope := func() (*Scope, error) {
		if sc == nil && scErr == nil {
			if frame != nil {
				frame()
			}
			sc, scErr = d.scope(th.tid, 0)
		}
		return sc, scErr
	}
	var ids []int
	for _, bp := range owners {
		c := bp.opts
		if c == nil {
			ids = append(ids, bp.ID)
			continue
		}
		if c.cond != nil {
			sc, err := scope()
			holds := false
			if err == nil {
				holds, err = c.cond.Truth(sc)
			}
			if err != nil {
				d.ln.Output("important", fmt.Sprintf("breakpoint %d: cannot evaluate its condition: %v\n", bp.ID, err))
				ids = append(ids, bp.ID) // stop: the person must see why
				continue
			}
			if !holds {
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
				sc, err := scope()
				text := ""
				if err == nil {
					text, err = part.expr.Text(sc)
				}
				if err != nil {
					fmt.Fprintf(&out, "<%v>", err)
				} else {
					out.WriteString(text)
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
