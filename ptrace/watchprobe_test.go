package ptrace

import "testing"

// The probe answers, quickly, on any machine: which answer depends on the
// machine (a PVM guest says no), so only its shape is checked here; the
// e2e tests prove both watch paths.
func TestHardwareWatchpointsProbe(t *testing.T) {
	works, detail := HardwareWatchpoints()
	t.Logf("works=%v: %s", works, detail)
	if detail == "" {
		t.Fatal("no detail")
	}
	if again, d2 := HardwareWatchpoints(); again != works || d2 != detail {
		t.Fatal("the probe's answer changed")
	}
}
