#!/usr/bin/env bash
# Packages the extension as a VSIX with @vscode/vsce, offline. esbuild bundles everything into dist/ so the
# VSIX needs no node_modules (--no-dependencies). The native onnxruntime-node stays external: when a shipped
# bundle loads it (the live zero-cost evaluator), the VSIX becomes per-platform (VSIX_TARGET, default
# linux-x64) with that platform's binaries copied in. Prints the VSIX path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${VSIX_OUT:-$ROOT/llm-nas.vsix}
VSCE="$ROOT/node_modules/.bin/vsce"
node scripts/build.mjs --minify >&2
SHIPPED=$(ls dist/*.js | grep -v '/cli.js$')
NATIVE=${VSIX_NATIVE:-0}
if grep -q 'require("onnxruntime-node")' $SHIPPED; then NATIVE=1; fi
if [ "$NATIVE" = 0 ]; then
  "$VSCE" package --no-dependencies --skip-license --allow-missing-repository --readme-path media/vsix-readme.md -o "$OUT" >&2
else
  TARGET=${VSIX_TARGET:-linux-x64}
  OS=${TARGET%-*}; ARCH=${TARGET#*-}
  STAGE=$(mktemp -d)
  trap 'rm -rf "$STAGE"' EXIT
  for f in package.json README.md .vscodeignore dist media schemas data prompts docs; do
    [ -e "$f" ] && cp -r "$f" "$STAGE/"
  done
  # dist/node_modules: found by require() from dist/*.js, and not dropped by --no-dependencies
  NM="$STAGE/dist/node_modules"
  mkdir -p "$NM"
  cp -r node_modules/onnxruntime-node node_modules/onnxruntime-common "$NM/"
  # resvg: the dashboard's Save plot as PNG (installed for this platform only)
  cp -r node_modules/@resvg "$NM/"
  rm -rf "$NM/onnxruntime-node/script" # install-time download helpers (adm-zip, global-agent): not needed at run time
  # keep only the target platform's native binaries
  for d in "$NM"/onnxruntime-node/bin/napi-v*/*; do
    [ "$(basename "$d")" = "$OS" ] || rm -rf "$d"
  done
  for d in "$NM"/onnxruntime-node/bin/napi-v*/"$OS"/*; do
    [ "$(basename "$d")" = "$ARCH" ] || rm -rf "$d"
  done
  printf '!dist/node_modules/**\n' >> "$STAGE/.vscodeignore"
  (cd "$STAGE" && "$VSCE" package --no-dependencies --skip-license --allow-missing-repository --readme-path media/vsix-readme.md --target "$TARGET" -o "$OUT" >&2)
fi
echo "$OUT"
