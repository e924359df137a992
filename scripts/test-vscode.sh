#!/usr/bin/env bash
# The real-VS-Code tiers, offline: package the VSIX, install it into a fresh code-server profile, run the
# extension-host mocha suite inside code-server's extension host, then the browser E2E (playwright-core +
# Debian chromium) against the installed VSIX. Artefacts (screenshots, logs, measurements) go to
# test-results/vscode/. Needs root the first time (apt-get for chromium / ripgrep / libkrb5-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
T0=$(date +%s)
CS=$(bash scripts/install-code-server.sh | tail -n 1)
ART=${ART:-$ROOT/test-results/vscode}
rm -rf "$ART"; mkdir -p "$ART"
WORK=$(mktemp -d /tmp/llm-nas-vscode.XXXXXX)
export XDG_CONFIG_HOME=$WORK/xdg/config XDG_DATA_HOME=$WORK/xdg/data XDG_CACHE_HOME=$WORK/xdg/cache

echo "== package the VSIX"
VSIX=$(VSIX_OUT=$WORK/llm-nas.vsix bash scripts/package-vsix.sh | tail -n 1)
node scripts/build-vscode-tests.mjs

D=$WORK/cs; mkdir -p "$D/user/User" "$D/ext"
cat > "$D/user/User/settings.json" <<'J'
{ "workbench.startupEditor": "none", "workbench.tips.enabled": false, "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true,
  "update.mode": "none", "security.workspace.trust.enabled": false, "workbench.enableExperiments": false,
  "chat.disableAIFeatures": true, "git.enabled": false, "files.watcherExclude": { "**/archs/**": true } }
J
ARGS=(--user-data-dir "$D/user" --extensions-dir "$D/ext")
"$CS" "${ARGS[@]}" --install-extension "$VSIX" > "$ART/install.log" 2>&1
EXT_DIR=$(ls -d "$D"/ext/llm-nas.llm-nas-*)
echo "installed $(basename "$EXT_DIR") from $(basename "$VSIX")"

WS_IT=$WORK/ws-it; WS_E2E=$WORK/ws-e2e
mkdir -p "$WS_IT" "$WS_E2E/.vscode"
# small, quick runs for the E2E; everything else at the defaults
cat > "$WS_E2E/.vscode/settings.json" <<'J'
{ "llmNas.defaults.generations": 6, "llmNas.defaults.budget": 150, "llmNas.defaults.seed": 7 }
J

# a free loopback port (a fixed one times out when another process holds it)
PORT=${PORT:-$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
setsid "$CS" "${ARGS[@]}" --auth none --bind-addr 127.0.0.1:$PORT --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override > "$ART/server.log" 2>&1 &
SPID=$!
trap 'kill -- -$SPID 2>/dev/null || true' EXIT
for i in $(seq 1 300); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.1; done

if [ "${SKIP_IT:-0}" != 1 ]; then
echo "== extension-host tests (mocha inside code-server's extension host, packaged extension)"
CS_BASE="http://127.0.0.1:$PORT" EXT_DEV="$EXT_DIR" EXT_TESTS="$ROOT/out/test/integration" WS="$WS_IT" \
  IT_LOG="$ART/extension-host.log" node test/e2e/it.js
fi

[ "${SKIP_E2E:-0}" = 1 ] && exit 0
echo "== browser E2E (playwright-core + chromium, installed VSIX)"
CS_BASE="http://127.0.0.1:$PORT" WS="$WS_E2E" ART="$ART" ROOT="$ROOT" node test/e2e/e2e.js
echo "VS Code tiers passed in $(( $(date +%s) - T0 )) s; artefacts in $ART"
