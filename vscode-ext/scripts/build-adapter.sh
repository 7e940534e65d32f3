#!/usr/bin/env bash
# Builds the linux-x64 dap-ptrace adapter into bin/dap-ptrace, where the
# extension looks for its bundled binary. DAP_PTRACE_SRC names another
# checkout of the module to build from (default: this repository).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
version="$(node -p 'require("./package.json").version')"
src="${DAP_PTRACE_SRC:-..}"
mkdir -p bin
out="$(pwd)/bin/dap-ptrace"
(cd "$src" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath \
	-ldflags "-s -w -X main.version=$version" -o "$out" ./cmd/dap-ptrace)
./bin/dap-ptrace --version
