#!/usr/bin/env bash
# External evaluator that scales out on an existing Ray cluster: each candidate becomes one Ray job
# (`ray job submit` blocks until the job ends), while LLM-NAS keeps only the in-flight limit
# (externalEvaluator.concurrency). Use it as:
#
#   llm-nas search --space-file my.space.json --external-evaluator "bash examples/evaluators/ray/ray-eval.sh"
#
# Needs: the `ray` CLI, RAY_ADDRESS pointing at the cluster's dashboard (e.g. http://head:8265), and
# train_candidate.py (next to this file) importable on the workers (shipped with --working-dir).
# The job prints one line "LLM_NAS_RESULT {json}"; this wrapper forwards that JSON to stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
spec="$(cat)"                                        # the candidate, as JSON, from LLM-NAS
id="$(printf '%s' "$spec" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
encoded="$(printf '%s' "$spec" | base64 -w0)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --submission-id makes a retry of the same attempt visible in the Ray dashboard
if ! ray job submit --address "${RAY_ADDRESS:?set RAY_ADDRESS}" --working-dir "$here" \
  --submission-id "llmnas-${id}-$(date +%s%N)" \
  -- python train_candidate.py --spec-b64 "$encoded" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1                                             # LLM-NAS retries, then marks the candidate failed
fi
cat "$log" >&2                                       # the job's log goes to the LLM-NAS log
result="$(grep -a '^LLM_NAS_RESULT ' "$log" | tail -n 1 | cut -d' ' -f2-)"
[ -n "$result" ] || { echo "job printed no LLM_NAS_RESULT line" >&2; exit 1; }
printf '%s\n' "$result"
