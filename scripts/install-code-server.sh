#!/usr/bin/env bash
# Installs what the VS Code test tier needs, offline except for npm and Debian apt: Debian's chromium (driven by
# playwright-core), ripgrep and the kerberos headers code-server's native modules build against, then
# code-server from npm into .vscode-test/code-server-$VERSION (kept between runs when the version matches).
# Prints the code-server binary path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${CODE_SERVER_VERSION:-4.100.3}
DEST=.vscode-test/code-server-$VERSION
BIN=$DEST/node_modules/.bin/code-server

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "install-code-server: need root to apt-get install ${need[*]}" >&2; exit 1; fi
  echo "install-code-server: apt-get install ${need[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

if [ -x "$BIN" ] && [ "$(cat "$DEST/.installed" 2>/dev/null)" = "$VERSION" ]; then
  echo "install-code-server: cached $DEST" >&2
else
  echo "install-code-server: npm install code-server@$VERSION into $DEST (2-3 min)" >&2
  rm -rf "$DEST"
  mkdir -p "$DEST"
  # @vscode/ripgrep downloads its binary from GitHub at install time; seed its cache with Debian's rg instead
  T=${TMPDIR:-/tmp}
  mkdir -p "$T/vscode-ripgrep-cache-1.15.11"
  tar czf "$T/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  echo '{"name":"code-server-host","private":true}' > "$DEST/package.json"
  (cd "$DEST" && npm_config_unsafe_perm=true npm_config_yes=true npm install --no-audit --no-fund --loglevel=error \
    "code-server@$VERSION" >&2)
  echo "$VERSION" > "$DEST/.installed"
fi
echo "$(pwd)/$BIN"
