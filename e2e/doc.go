// Package e2e holds the end-to-end tests: they build cmd/dap-ptrace, drive
// it over DAP with internal/daptest's client on C programs from testdata/
// compiled at test time, and assert what a person in an editor would see.
package e2e
