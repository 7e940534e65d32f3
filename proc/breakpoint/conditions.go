package breakpoint

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

// Expr is an expression of a condition or a log message, compiled once
// when the breakpoint is set and evaluated at each hit in a scope S (the
// core's stopped frame).
type Expr[S any] interface {
	// Truth evaluates the expression as a condition.
	Truth(S) (bool, error)
	// Text evaluates the expression and formats its value for a log.
	Text(S) (string, error)
}

// Conditions are a breakpoint's options, parsed once when it is set, so
// the trap path only evaluates.
type Conditions[S any] struct {
	cond  Expr[S]
	hitOp string // "", "==", "!=", ">=", ">", "<=", "<", "%"
	hitN  int64
	log   []logPart[S] // nil: not a logpoint
	hits  int64        // hits whose condition held
}

// logPart is literal text, or an expression to interpolate.
type logPart[S any] struct {
	text string
	expr Expr[S]
}

var hitRE = regexp.MustCompile(`^\s*(==|!=|>=|<=|>|<|%)?\s*(\d+)\s*$`)

// Parse checks and parses o, compiling its expressions; nil for no
// options. A plain number N as hit condition means ">= N": stop from the
// Nth hit on (gdb's and lldb's ignore count).
func Parse[S any](o Options, compile func(string) (Expr[S], error)) (*Conditions[S], error) {
	if o == (Options{}) {
		return nil, nil
	}
	c := &Conditions[S]{}
	if strings.TrimSpace(o.Condition) != "" {
		e, err := compile(o.Condition)
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
		parts, err := parseLog(o.LogMessage, compile)
		if err != nil {
			return nil, err
		}
		c.log = parts
	}
	return c, nil
}

// parseLog splits "x is {x}" into text and expressions; "{{" and "}}"
// are literal braces.
func parseLog[S any](msg string, compile func(string) (Expr[S], error)) ([]logPart[S], error) {
	parts := []logPart[S]{}
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
			e, err := compile(msg[i+1 : i+end])
			if err != nil {
				return nil, fmt.Errorf("invalid log message: %v", err)
			}
			if text.Len() > 0 {
				parts = append(parts, logPart[S]{text: text.String()})
				text.Reset()
			}
			parts = append(parts, logPart[S]{expr: e})
			i += end
		default:
			text.WriteByte(msg[i])
		}
	}
	if text.Len() > 0 {
		parts = append(parts, logPart[S]{text: text.String()})
	}
	return parts, nil
}

func (c *Conditions[S]) hitMatches() bool {
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

// Hit decides what one hit does: stop, or print log (a logpoint's line,
// newline included), or neither. scope gives the frame to evaluate in; it
// is called only when an expression needs it. An error means the
// condition could not be evaluated: the caller stops, so that the person
// sees why. No conditions (nil) always stop.
func (c *Conditions[S]) Hit(scope func() (S, error)) (stop bool, log string, err error) {
	if c == nil {
		return true, "", nil
	}
	if c.cond != nil {
		sc, err := scope()
		holds := false
		if err == nil {
			holds, err = c.cond.Truth(sc)
		}
		if err != nil || !holds {
			return false, "", err
		}
	}
	c.hits++
	if !c.hitMatches() {
		return false, "", nil
	}
	if c.log == nil {
		return true, "", nil
	}
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
	return false, out.String(), nil
}
