//go:build race

package daptest

// raceEnabled reports whether this test binary was built with -race; the
// adapter is then built the same way, so the end-to-end tests race-check it.
const raceEnabled = true
