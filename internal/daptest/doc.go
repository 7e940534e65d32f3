// Package daptest is the DAP client and fixture toolkit of the end-to-end
// tests: it runs the real adapter binary, speaks DAP to it over stdio, and
// checks every message it receives against the official DAP JSON schema, so
// that protocol mistakes fail the test that provoked them rather than a
// user's editor.
//
// It also builds test programs (C with gcc, Go with the go command) into a
// cache shared by all test binaries, and finds breakpoint lines by marker
// comments such as "// BP:loop", so tests never hard-code line numbers.
//
// Only tests import this package.
package daptest
