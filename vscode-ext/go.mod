// This file only keeps vscode-ext (and the Go files some npm packages ship
// in node_modules) out of the dap-ptrace Go module, so `go test ./...` at
// the repository root never builds them.
module github.com/dap-ptrace/dap-ptrace/vscode-ext

go 1.26
