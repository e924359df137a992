#!/usr/bin/env bash
# The one test command (README's second command, and .ci/run): static checks, build, unit tests, then the
# real-VS-Code tiers when their runner exists.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"; npm run -s typecheck
echo "== lint"; npm run -s lint
echo "== build"; npm run -s build
# runs the tests create approve their own folders: keep those approvals out of the user's ~/.config
export LLM_NAS_TRUST_FILE="${LLM_NAS_TRUST_FILE:-$(mktemp -d)/trust.json}"
echo "== unit tests"; npm run -s test:unit
if [ -f scripts/test-vscode.sh ]; then echo "== VS Code tests (code-server + Chromium)"; bash scripts/test-vscode.sh; fi
