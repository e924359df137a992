#!/usr/bin/env bash
# The one test command (README's second command, and .ci/run): static checks, build, unit tests, then the
# real-VS-Code tiers when their runner exists.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npm run -s typecheck
echo "== lint"; npm run -s lint
echo "== format"; npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
echo "== build"; npm run -s build
# PyTorch reference of the model-export tests (test/unit/modelexport.test.ts): Debian's python3-torch. Installed
# here when missing and run as root; otherwise those checks are skipped, and say so.
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing python3-torch (PyTorch reference of the model-export tests)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null; } ||
      echo "!! python3-torch could not be installed: the PyTorch checks of the model export will be SKIPPED"
  else
    echo "!! python3-torch is missing and this is not root: the PyTorch checks of the model export will be SKIPPED (apt-get install -y python3-torch)"
  fi
fi
# runs the tests create approve their own folders: keep those approvals out of the user's ~/.config
export LLM_NAS_TRUST_FILE="${LLM_NAS_TRUST_FILE:-$(mktemp -d)/trust.json}"
echo "== unit tests"; npm run -s test:unit
# a private single-node SLURM cluster (installed and started by the test itself, stopped by pid at the end, also
# when the timeout fires: the file runs as its own process, not under --test, so its SIGTERM handler stops the
# daemons; SKIPPED with the reason where the cluster cannot start)
echo "== SLURM tests (live single-node cluster)"; timeout 600 npm run -s test:slurm
if [ -f scripts/test-vscode.sh ]; then echo "== VS Code tests (code-server + Chromium)"; bash scripts/test-vscode.sh; fi
