package symbols

import (
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// A function's variables are found by reading only the unit that
// .debug_aranges names for the pc, not every unit; without that section
// (clang does not emit it by default) every unit's ranges are walked
// once. Both give the same variables.
func TestLocalsPerUnit(t *testing.T) {
	bin := buildVars(t, "-g", "-O0")
	objcopy, err := exec.LookPath("objcopy")
	if err != nil {
		t.Skip("objcopy not installed")
	}
	bare := filepath.Join(t.TempDir(), "vars-no-aranges")
	if out, err := exec.Command(objcopy, "--remove-section=.debug_aranges", bin, bare).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v\n%s", err, out)
	}
	names := func(path string, wantWalk bool) []string {
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		vars, _, err := f.LocalsAt(innerPC(t, f))
		if err != nil {
			t.Fatalf("%s: LocalsAt: %v", path, err)
		}
		v, _ := f.varData()
		if walked := v.globals != nil; walked != wantWalk {
			t.Errorf("%s: every unit walked = %v, want %v", path, walked, wantWalk)
		}
		var out []string
		for _, vr := range vars {
			out = append(out, vr.Name)
		}
		return out
	}
	with, without := names(bin, false), names(bare, true)
	if len(with) == 0 || !slices.Equal(with, without) {
		t.Fatalf("locals with .debug_aranges %v, without %v", with, without)
	}
}
