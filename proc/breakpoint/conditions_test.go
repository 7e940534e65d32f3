package breakpoint

import (
	"errors"
	"strconv"
	"testing"
)

// num is an expression over an int scope: "x" is the scope's value, a
// number is itself; "bad" fails.
type num string

func (n num) value(x int) (int, error) {
	switch n {
	case "x":
		return x, nil
	case "bad":
		return 0, errors.New("no variable named bad")
	}
	return strconv.Atoi(string(n))
}

func (n num) Truth(x int) (bool, error) { v, err := n.value(x); return v != 0, err }
func (n num) Text(x int) (string, error) {
	v, err := n.value(x)
	return strconv.Itoa(v), err
}

func compile(src string) (Expr[int], error) { return num(src), nil }

func TestHitConditionsAndLogs(t *testing.T) {
	c, err := Parse(Options{HitCondition: "% 3", LogMessage: "x={x} {{literal}} {bad}"}, compile)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	for i := 1; i <= 6; i++ {
		stop, log, err := c.Hit(func() (int, error) { return i, nil })
		if stop || err != nil {
			t.Fatalf("hit %d: a logpoint stopped (%v, %v)", i, stop, err)
		}
		if log != "" {
			logs = append(logs, log)
		}
	}
	want := []string{"x=3 {literal} <no variable named bad>\n", "x=6 {literal} <no variable named bad>\n"}
	if len(logs) != 2 || logs[0] != want[0] || logs[1] != want[1] {
		t.Fatalf("logs %q, want %q", logs, want)
	}
}

func TestConditionCountsOnlyWhenItHolds(t *testing.T) {
	c, err := Parse(Options{Condition: "x", HitCondition: "2"}, compile)
	if err != nil {
		t.Fatal(err)
	}
	var stops []int
	for _, x := range []int{0, 1, 0, 1, 1} {
		if stop, _, _ := c.Hit(func() (int, error) { return x, nil }); stop {
			stops = append(stops, x)
		}
	}
	// Hits 1 and 3 are false: the second true one (the 4th hit) is the
	// first to stop, and every true one after it.
	if len(stops) != 2 {
		t.Fatalf("stopped %d times, want 2", len(stops))
	}
	if _, _, err := c.Hit(func() (int, error) { return 0, errors.New("no frame") }); err == nil {
		t.Fatal("a scope that cannot be read is not an error")
	}
}

func TestParseRejects(t *testing.T) {
	for _, o := range []Options{{HitCondition: "% 0"}, {HitCondition: "often"}, {LogMessage: "x={x"}} {
		if _, err := Parse(o, compile); err == nil {
			t.Errorf("Parse(%+v) accepted", o)
		}
	}
}
