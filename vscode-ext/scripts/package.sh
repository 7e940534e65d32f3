#!/usr/bin/env bash
# Builds the adapter for linux-x64 into bin/, compiles the extension and
# packages both into dap-ptrace-VERSION-linux-x64.vsix (in vscode-ext/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-adapter.sh
npx tsc -p .
version="$(node -p 'require("./package.json").version')"
out="dap-ptrace-$version-linux-x64.vsix"
rm -f "$out"
# No LICENSE file or repository field in this package: say so rather than be asked.
npx --no-install vsce package --target linux-x64 --skip-license --allow-missing-repository \
	--allow-star-activation --out "$out" </dev/null
ls -l "$out"
