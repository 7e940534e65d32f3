#!/usr/bin/env bash
# CI for the VS Code extension, run from the repository root (or anywhere):
#   bash vscode-ext/ci.sh
# Installs what it needs (Debian packages, npm packages, code-server), builds
# the adapter and the extension, packages the .vsix, then runs the unit tests,
# the DebugClient protocol test and the code-server editor test in one
# `node --test` run. Every step is bounded; any failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/usr/local/go/bin"
export DEBIAN_FRONTEND=noninteractive
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

started=$SECONDS
step() { echo "=== vscode-ext ci: $* (at $((SECONDS - started))s)"; }

step "Debian packages"
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
	timeout 300 apt-get update -q
	timeout 900 apt-get install -y -q "${need[@]}" </dev/null
fi
go version
node --version
chromium --version 2>/dev/null || true

step "npm ci"
timeout 600 npm ci </dev/null

step "code-server (for the editor test)"
timeout 1200 bash scripts/install-code-server.sh </dev/null

step "build the adapter, compile, package the .vsix"
rm -f dap-ptrace-*.vsix
timeout 600 bash scripts/package.sh </dev/null
ls -l dap-ptrace-*.vsix

step "tests: unit, DebugClient end-to-end, code-server end-to-end"
rm -rf test-output
timeout 900 node --test --test-concurrency=1 \
	out/test/unit/*.test.js \
	out/test/e2e/debugclient.test.js \
	out/test/e2e/codeserver.test.js </dev/null

step "done"
echo "screenshot: $(pwd)/test-output/code-server/stopped.png"
