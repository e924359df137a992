// Which evaluator a run's config asks for, among those that implement the batch contract:
// spaceOptions.evaluator = "slurm" (spaceOptions.slurm), "jsonl" (spaceOptions.batchCommand) or "command"
// (the per-candidate command through the batch adapter). Unset: the per-candidate command as before.

import type { Evaluator } from '../evaluator.js';
import { ExternalEvaluator, type ExternalCommand, type LogFn } from '../external/evaluator.js';
import type { RunConfig } from '../runstore.js';
import type { SearchSpace } from '../space.js';
import { checkSlurmOptions, SlurmConfigError } from '../slurm/sbatch.js';
import { slurmEvaluator } from '../slurm/evaluator.js';
import { CommandBackend, JsonlCommandBackend, type JsonlCommand } from './command.js';
import { BatchingEvaluator, requiredMetrics } from './contract.js';

export const EVALUATOR_KINDS = ['command', 'jsonl', 'slurm'] as const;

/**
 * The batch evaluator the config names, or undefined for the plain per-candidate command. Its log lines go to
 * `sink` (HostEnv.batchLog: the extension's log channel), prefixed with the evaluator's name; default stderr.
 */
export function batchEvaluatorFor<A>(
  space: SearchSpace<A>,
  c: RunConfig,
  externalCommand: () => ExternalCommand,
  hwFallback?: (arch: A) => Promise<Record<string, number>>,
  fallbackMetrics: readonly string[] = [],
  sink?: LogFn,
): Evaluator<A> | undefined {
  const logFor =
    (id: string): LogFn =>
    (l) =>
      sink ? sink(`[${id}] ${l}`) : process.stderr.write(`[${id}] ${l}\n`);
  const kind = c.spaceOptions?.['evaluator'];
  if (kind === undefined) return undefined;
  const fb = hwFallback ? { hwFallback, fallbackMetrics } : {};
  switch (kind) {
    case 'slurm':
      return slurmEvaluator({
        space,
        dataset: c.dataset,
        metrics: c.costMetrics,
        options: checkSlurmOptions(c.spaceOptions?.['slurm']),
        ...fb,
        log: logFor('slurm'),
      });
    case 'jsonl': {
      const v = c.spaceOptions?.['batchCommand'];
      const cmd: JsonlCommand | undefined =
        typeof v === 'string' && v.trim()
          ? { command: v }
          : v && typeof (v as JsonlCommand).command === 'string'
            ? (v as JsonlCommand)
            : undefined;
      if (!cmd)
        throw new SlurmConfigError('evaluator "jsonl" needs a batch command (CLI: --batch-command "CMD")');
      const log = logFor('jsonl');
      return new BatchingEvaluator({
        space,
        dataset: c.dataset,
        metrics: c.costMetrics,
        backend: new JsonlCommandBackend<A>(
          cmd,
          requiredMetrics(c.costMetrics, hwFallback, fallbackMetrics),
          log,
        ),
        ...fb,
        log,
      });
    }
    case 'command': {
      const cmd = externalCommand();
      const inner = new ExternalEvaluator<A>({
        space,
        dataset: c.dataset,
        command: cmd,
        metrics: c.costMetrics,
        ...fb,
        log: logFor('external'),
      });
      return new BatchingEvaluator({
        space,
        dataset: c.dataset,
        metrics: c.costMetrics,
        backend: new CommandBackend<A>(inner),
        maxInFlight: Math.max(1, cmd.concurrency ?? 2),
        windowMs: 0,
        requeue: 0,
        log: logFor('command'),
      });
    }
    default:
      throw new SlurmConfigError(
        `unknown evaluator ${JSON.stringify(kind)}; valid: ${EVALUATOR_KINDS.join(', ')}`,
      );
  }
}
