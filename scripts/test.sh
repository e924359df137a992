#!/usr/bin/env bash
# The one test command (README's second command, and .ci/run): static checks, build, unit tests, then the
# real-VS-Code tiers when their runner exists.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npm run -s typecheck
echo "== lint"; npm run -s lint
echo "== build"; npm run -s build
echo "== unit tests"; npm run -s test:unit
# a private single-node SLURM cluster (installed and started by the test itself, stopped by pid at the end, also
# when the timeout fires: the file runs as its own process, not under --test, so its SIGTERM handler stops the
# daemons; SKIPPED with the reason where the cluster cannot start)
echo "== SLURM tests (live single-node cluster)"; timeout 600 npm run -s test:slurm
if [ -f scripts/test-vscode.sh ]; then echo "== VS Code tests (code-server + Chromium)"; bash scripts/test-vscode.sh; fi
