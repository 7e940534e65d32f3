package eval

import (
	"sort"
	"strings"

	"github.com/dap-ptrace/dap-ptrace/symbols"
	"github.com/dap-ptrace/dap-ptrace/symbols/cfi"
)

// Completion is one candidate for what a person is typing in the debug
// console or a watch: a variable, a member, a register.
type Completion struct {
	Label string
	Kind  string // DAP's CompletionItemType: "variable", "property"
}

// Completions completes the name that ends at byte offset col of text in
// frame f: after "." or "->", the members of what the
// text before names (struct or union, or a pointer to one); else the
// frame's locals and arguments, the unit's globals, and with "$" the
// registers. start is where the completed name begins.
func Completions(f Frame, text string, col int) (items []Completion, start int) {
	col = min(max(col, 0), len(text))
	start = col
	for start > 0 && isNameByte(text[start-1]) {
		start--
	}
	word := text[start:col]
	before := text[:start]
	func() {
		ev := newEvaluator(f)
		seen := map[string]bool{}
		add := func(name, kind string) {
			if name != "" && strings.HasPrefix(name, word) && !seen[name] {
				seen[name] = true
				items = append(items, Completion{Label: name, Kind: kind})
			}
		}
		if base, ok := memberBase(before); ok {
			e, err := ParseExpr(base)
			if err != nil {
				return
			}
			v, err := ev.eval(e)
			if err != nil || v.obj == nil {
				return
			}
			t := v.obj.Type.Resolve()
			if t.Kind == symbols.KindPointer && t.Elem != nil {
				t = t.Elem.Resolve()
			}
			addFields(t, add)
			return
		}
		if strings.HasPrefix(word, "$") {
			for _, r := range cfi.RegNames {
				add("$"+r, "variable")
			}
			return
		}
		for _, v := range ev.vars {
			add(v.Name, "variable")
		}
		if m := ev.fr.mod; m != nil && m.sym != nil {
			if gs, err := m.sym.GlobalsAt(ev.fr.look - m.bias); err == nil {
				for _, v := range gs {
					add(v.Name, "variable")
				}
			}
		}
	}()
	sort.SliceStable(items, func(i, j int) bool { return items[i].Label < items[j].Label })
	return items, start
}

// addFields offers the members of struct or union t, those of anonymous
// members included (they are reached by their own names).
func addFields(t *symbols.Type, add func(name, kind string)) {
	if t.Kind != symbols.KindStruct && t.Kind != symbols.KindUnion {
		return
	}
	for _, f := range t.Fields {
		if f.Name == "" {
			addFields(f.Type.Resolve(), add)
			continue
		}
		add(f.Name, "property")
	}
}

// memberBase returns the expression before a trailing "." or "->": the
// longest run of names, members, indexing and dereferences before it.
func memberBase(s string) (string, bool) {
	switch {
	case strings.HasSuffix(s, "->"):
		s = s[:len(s)-2]
	case strings.HasSuffix(s, "."):
		s = s[:len(s)-1]
	default:
		return "", false
	}
	i, depth := len(s), 0
	for i > 0 {
		c := s[i-1]
		switch {
		case c == ']' || c == ')':
			depth++
		case c == '[' || c == '(':
			if depth == 0 {
				return strings.TrimSpace(s[i:]), s[i:] != ""
			}
			depth--
		case depth > 0 || isNameByte(c) || c == '.':
		case c == '>' && i >= 2 && s[i-2] == '-':
			i--
		default:
			return strings.TrimSpace(s[i:]), strings.TrimSpace(s[i:]) != ""
		}
		i--
	}
	return strings.TrimSpace(s), strings.TrimSpace(s) != ""
}

func isNameByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
