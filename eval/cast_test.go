package eval

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readable shows a rewritten expression with its types decoded:
// __cast_<hex>( as {type}( and __type_<hex> as {type}.
func readable(s string) string {
	return regexp.MustCompile(`__(cast|type)_([0-9a-f]+)`).ReplaceAllStringFunc(s, func(m string) string {
		spec, ok := specOf(m, castPrefix)
		if !ok {
			spec, _ = specOf(m, typePrefix)
		}
		return "{" + spec + "}"
	})
}

func TestRewriteCasts(t *testing.T) {
	for src, want := range map[string]string{
		"(int)x":                     "{int}(x)",
		"(unsigned char)c":           "{unsigned char}(c)",
		"(long)ptr":                  "{long}(ptr)",
		"(char *)ptr + 1":            "{char *}(ptr) + 1",
		"(struct point *)addr":       "{struct point *}(addr)",
		"(int *)0x7ffc0010":          "{int *}(0x7ffc0010)",
		"*(int *)0x7ffc0010":         "*{int *}(0x7ffc0010)",
		"(double)i / 2":              "{double}(i) / 2",
		"(myint)v":                   "{myint}(v)",
		"(myint)(a + b)":             "{myint}((a + b))",
		"(long)p.next.val":           "{long}(p.next.val)",
		"(int)arr[2] * 3":            "{int}(arr[2]) * 3",
		"(int)-x":                    "{int}(-x)",
		"(int)(char)x":               "{int}({char}(x))",
		"(const char **)argv":        "{char **}(argv)",
		"(unsigned long long)1 << 3": "{unsigned long long}(1) << 3",
		"(a)-b":                      "(a)-b",
		"(a) * b":                    "(a) * b",
		"(a + b) * 2":                "(a + b) * 2",
		"sizeof(x)":                  "sizeof(x)",
		"sizeof(struct point)":       "sizeof({struct point})",
		"sizeof(int *) + (int)c":     "sizeof({int *}) + {int}(c)",
		"f(x)":                       "f(x)",
		"arr[(int)c]":                "arr[{int}(c)]",
		`name == "(int)x"`:           `name == "(int)x"`,
	} {
		got, err := rewriteCasts(src)
		if err != nil {
			t.Errorf("rewriteCasts(%q): %v", src, err)
			continue
		}
		if readable(got) != want {
			t.Errorf("rewriteCasts(%q) = %q, want %q", src, readable(got), want)
		}
	}
	for _, src := range []string{"(int)", "x + (unsigned)"} {
		if _, err := rewriteCasts(src); err == nil || !strings.Contains(err.Error(), "needs a value") {
			t.Errorf("rewriteCasts(%q) = %v, want an error about the missing value", src, err)
		}
	}
}

func TestCBaseType(t *testing.T) {
	for name, want := range map[string]string{
		"int": "int 4", "unsigned": "unsigned int 4", "signed char": "signed char 1", "unsigned char": "unsigned char 1",
		"long": "long 8", "long unsigned": "unsigned long 8", "long long int": "long long 8", "short": "short 2",
		"unsigned short int": "unsigned short 2", "double": "double 8", "float": "float 4", "_Bool": "_Bool 1",
	} {
		ty, err := cBaseType(name)
		if err != nil {
			t.Errorf("cBaseType(%q): %v", name, err)
			continue
		}
		if got := ty.Name + " " + strconv.FormatInt(ty.Size, 10); got != want {
			t.Errorf("cBaseType(%q) = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"long double", "unsigned float", "short char", "signed unsigned", "point", "int int"} {
		if _, err := cBaseType(name); err == nil {
			t.Errorf("cBaseType(%q) succeeded", name)
		}
	}
}

func TestOutsideQuotes(t *testing.T) {
	r := strings.NewReplacer("->", ".", "$", "R_").Replace
	for src, want := range map[string]string{
		`p->name == "a->b$c"`:   `p.name == "a->b$c"`,
		`$rax == '$' && "\"->"`: `R_rax == '$' && "\"->"`,
		`"open`:                 `"open`,
		`x->y`:                  `x.y`,
	} {
		if got := outsideQuotes(src, r); got != want {
			t.Errorf("outsideQuotes(%q) = %q, want %q", src, got, want)
		}
	}
}
