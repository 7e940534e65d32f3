#!/usr/bin/env bash
# Installs code-server (VS Code in the browser, from the npm registry) into a
# tools directory outside the extension, for the editor end-to-end test.
# Prints nothing but progress; the directory is reused when already complete.
#
#   scripts/install-code-server.sh [DIR]   (default: $DAP_PTRACE_TOOLS_DIR or ~/.cache/dap-ptrace-vscode-ext)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3   # the newest code-server that runs on Node 20
RIPGREP_PKG_VERSION=1.15.11   # @vscode/ripgrep pinned by that code-server
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

tools="${1:-${DAP_PTRACE_TOOLS_DIR:-$HOME/.cache/dap-ptrace-vscode-ext}}"
dir="$tools/code-server-$CODE_SERVER_VERSION"
if [ -f "$dir/.complete" ] && [ -x "$dir/node_modules/.bin/code-server" ]; then
	echo "code-server $CODE_SERVER_VERSION already in $dir"
	exit 0
fi

command -v rg >/dev/null || { echo "install-code-server: needs ripgrep (apt-get install ripgrep)" >&2; exit 1; }

# @vscode/ripgrep's postinstall downloads a prebuilt rg from a host we cannot
# reach, unless it finds the archive in its cache under os.tmpdir(): seed that
# cache with Debian's rg.
rgcache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$rgcache"
if [ ! -s "$rgcache/$RIPGREP_ASSET" ]; then
	stage="$(mktemp -d)"
	cp "$(command -v rg)" "$stage/rg"
	tar -C "$stage" -czf "$rgcache/$RIPGREP_ASSET" rg
	rm -rf "$stage"
fi

rm -rf "$dir"
mkdir -p "$dir"
cat >"$dir/package.json" <<JSON
{ "name": "dap-ptrace-editor-test-tools", "private": true, "dependencies": { "code-server": "$CODE_SERVER_VERSION" } }
JSON
# code-server's postinstall runs npm install inside lib/vscode, whose native
# modules (kerberos, node-pty, spdlog, ripgrep, ...) need their install scripts:
# allow them for this throwaway tools directory only.
(
	cd "$dir"
	export npm_config_unsafe_perm=true npm_config_yes=true
	export npm_config_dangerously_allow_all_scripts=true
	export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
	timeout 900 npm install --no-save --foreground-scripts=false
)
test -x "$dir/node_modules/.bin/code-server"
test -x "$dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
touch "$dir/.complete"
echo "code-server $CODE_SERVER_VERSION installed in $dir"
