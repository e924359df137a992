// --evaluator-timeout SECONDS: the external evaluator's per-attempt timeout, stored with its command in the run
// config (spaceOptions.externalEvaluator becomes {command, timeoutMs}) so a resume uses the same limit.

import { ConfigError } from '../core/errors.js';

export const EVALUATOR_TIMEOUT_ARG = { 'evaluator-timeout': { type: 'string' } } as const;
export const EVALUATOR_TIMEOUT_USAGE =
  '  --evaluator-timeout S    seconds per external-evaluator attempt (default 600); the process group is killed';

/** Applies the flag to the search's spaceOptions; a bad value or a flag without a command is a usage error. */
export function applyEvaluatorTimeout(
  spaceOptions: Record<string, unknown>,
  value: string | undefined,
): void {
  if (value === undefined) return;
  const s = Number(value);
  if (value.trim() === '' || !Number.isFinite(s) || s <= 0 || s > 7 * 24 * 3600)
    throw new ConfigError(
      `--evaluator-timeout must be a number of seconds above 0 and at most 604800, got "${value}"`,
    );
  const def = spaceOptions['definition'] as { evaluator?: unknown } | undefined;
  const cmd = spaceOptions['externalEvaluator'] ?? def?.evaluator;
  if (cmd === undefined)
    throw new ConfigError(
      '--evaluator-timeout needs --external-evaluator "CMD" (or a space file with an evaluator)',
    );
  const base = typeof cmd === 'string' ? { command: cmd } : (cmd as Record<string, unknown>);
  spaceOptions['externalEvaluator'] = { ...base, timeoutMs: Math.round(s * 1000) };
}
