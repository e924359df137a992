// Builds the external evaluator of a run from its config (spaceOptions.externalEvaluator), for any space whose
// provider offers the "external" predictor; its stderr lines go to the host's sink (HostEnv.externalLog: the CLI
// writes them to stderr, redacted; the extension to its log channel).

import { batchEvaluatorFor } from '../batch/select.js';
import type { HostEnv } from '../env.js';
import type { Evaluator } from '../evaluator.js';
import type { RunConfig } from '../runstore.js';
import type { SearchSpace } from '../space.js';
import { ExternalEvaluator, type ExternalCommand, type LogFn } from './evaluator.js';

/** A run config whose external evaluator is missing or malformed (the registry imports this module: no cycle). */
export class ExternalConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExternalConfigError';
  }
}

const stderrSink: LogFn = (l) => process.stderr.write(`[external] ${l}\n`);

/** Reads and checks spaceOptions.externalEvaluator: a command string or an ExternalCommand object. */
export function externalCommandOf(c: RunConfig): ExternalCommand {
  const v = c.spaceOptions?.['externalEvaluator'];
  if (typeof v === 'string' && v.trim()) return { command: v };
  if (v && typeof v === 'object' && typeof (v as ExternalCommand).command === 'string') {
    const o = v as ExternalCommand;
    for (const k of ['timeoutMs', 'concurrency', 'retries'] as const)
      if (o[k] !== undefined && !(typeof o[k] === 'number' && o[k] >= 0))
        throw new ExternalConfigError(`externalEvaluator.${k} must be a non-negative number`);
    return o;
  }
  throw new ExternalConfigError(
    'predictor "external" needs an external evaluator command (CLI: --external-evaluator "CMD")',
  );
}

export function externalEvaluatorFor<A>(
  space: SearchSpace<A>,
  c: RunConfig,
  hwFallback?: (arch: A) => Promise<Record<string, number>>,
  fallbackMetrics: readonly string[] = [],
  env: HostEnv = {},
): Evaluator<A> {
  // spaceOptions.evaluator: the batch contract's evaluators (SLURM, JSON Lines command, the batch adapter)
  const batched = batchEvaluatorFor(
    space,
    c,
    () => externalCommandOf(c),
    hwFallback,
    fallbackMetrics,
    env.batchLog,
  );
  if (batched) return batched;
  return new ExternalEvaluator<A>({
    space,
    dataset: c.dataset,
    command: externalCommandOf(c),
    metrics: c.costMetrics,
    ...(hwFallback ? { hwFallback, fallbackMetrics } : {}),
    log: env.externalLog ?? stderrSink,
  });
}
