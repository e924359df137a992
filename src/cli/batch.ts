// CLI options of the batch evaluators (--evaluator command|jsonl|slurm and the SLURM settings), turned into
// the run config's spaceOptions; and the one-line job progress the CLI prints.

import fs from 'node:fs';
import type { JobEvent, JobSummary } from '../core/batch/contract.js';
import { EVALUATOR_KINDS } from '../core/batch/select.js';
import { checkSlurmOptions, SlurmConfigError, type SlurmOptions } from '../core/slurm/sbatch.js';

export const BATCH_ARGS = {
  evaluator: { type: 'string' },
  'batch-command': { type: 'string' },
  'slurm-config': { type: 'string' },
  'slurm-command': { type: 'string' },
  'slurm-partition': { type: 'string' },
  'slurm-time': { type: 'string' },
  'slurm-cpus': { type: 'string' },
  'slurm-gpus': { type: 'string' },
  'slurm-mem': { type: 'string' },
  'slurm-array-max': { type: 'string' },
  'slurm-extra': { type: 'string' },
  'slurm-poll-ms': { type: 'string' },
  'slurm-requeue': { type: 'string' },
  'slurm-window-ms': { type: 'string' },
} as const;

export const BATCH_USAGE = `evaluators (predictor external; see docs/slurm.md):
  --evaluator command      the --external-evaluator command through the batch adapter (same results)
  --evaluator jsonl --batch-command CMD    one process per batch: JSON Lines of specs in, of metrics out
  --evaluator slurm --slurm-command CMD    one SLURM job array per generation; CMD runs per candidate on a node
    --slurm-partition P  --slurm-time T (sbatch --time)  --slurm-cpus N  --slurm-gpus N  --slurm-mem M
    --slurm-array-max N (tasks running at once, %N)  --slurm-extra "ARGS" (more sbatch arguments)
    --slurm-poll-ms 2000  --slurm-requeue 1 (after NODE_FAIL/PREEMPTED)  --slurm-window-ms 500
    --slurm-config FILE (a JSON object with these settings: command, partition, time, cpus, gpus, mem,
                         arrayMax, extra, pollMs, requeue, windowMs, maxInFlight, jobName, cwd)
`;

export class BatchUsageError extends Error {}

type Values = { [K in keyof typeof BATCH_ARGS]?: string | undefined };

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new BatchUsageError(`--${name} must be a non-negative integer, got "${v}"`);
  return n;
}

/** spaceOptions entries for the chosen evaluator (empty when none is chosen). */
export function batchSpaceOptions(values: Values, cwd = process.cwd()): Record<string, unknown> {
  const kind = values.evaluator;
  const slurmFlags = Object.keys(values).filter(
    (k) => k.startsWith('slurm-') && values[k as keyof Values] !== undefined,
  );
  if (kind === undefined) {
    if (slurmFlags.length) throw new BatchUsageError(`--${slurmFlags[0]} needs --evaluator slurm`);
    if (values['batch-command']) throw new BatchUsageError('--batch-command needs --evaluator jsonl');
    return {};
  }
  if (!(EVALUATOR_KINDS as readonly string[]).includes(kind))
    throw new BatchUsageError(`--evaluator must be one of ${EVALUATOR_KINDS.join(', ')}, got "${kind}"`);
  if (kind === 'jsonl') {
    if (!values['batch-command']) throw new BatchUsageError('--evaluator jsonl needs --batch-command "CMD"');
    return { evaluator: 'jsonl', batchCommand: { command: values['batch-command'], cwd } };
  }
  if (kind === 'command') return { evaluator: 'command' };
  let base: Record<string, unknown> = {};
  if (values['slurm-config']) {
    try {
      base = JSON.parse(fs.readFileSync(values['slurm-config'], 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new BatchUsageError(`--slurm-config ${values['slurm-config']}: ${(e as Error).message}`);
    }
  }
  const o: Record<string, unknown> = { ...base };
  const set = (k: keyof SlurmOptions, v: unknown): void => {
    if (v !== undefined) o[k] = v;
  };
  set('command', values['slurm-command']);
  set('partition', values['slurm-partition']);
  set('time', values['slurm-time']);
  set('cpus', num(values['slurm-cpus'], 'slurm-cpus'));
  set('gpus', num(values['slurm-gpus'], 'slurm-gpus'));
  set('mem', values['slurm-mem']);
  set('arrayMax', num(values['slurm-array-max'], 'slurm-array-max'));
  set('extra', values['slurm-extra']);
  set('pollMs', num(values['slurm-poll-ms'], 'slurm-poll-ms'));
  set('requeue', num(values['slurm-requeue'], 'slurm-requeue'));
  set('windowMs', num(values['slurm-window-ms'], 'slurm-window-ms'));
  o['cwd'] ??= cwd;
  try {
    return { evaluator: 'slurm', slurm: checkSlurmOptions(o) };
  } catch (e) {
    if (e instanceof SlurmConfigError) throw new BatchUsageError(e.message.replace(/^slurm\./, '--slurm: '));
    throw e;
  }
}

/** Job progress on stderr: each state change of a job, and "waiting on the cluster" totals when they change. */
export function jobLine(e: JobEvent | JobSummary): string | undefined {
  if (e.type === 'job/summary')
    return e.queued || e.running
      ? `[${e.backend}] waiting on the cluster: ${e.queued} queued, ${e.running} running (${e.done} done, ${e.failed} failed)`
      : undefined;
  if (e.state === 'failed' || e.state === 'requeued')
    return `[${e.backend}] job ${e.job ?? '?'} ${e.id}: ${e.state}${e.reason ? ` — ${e.reason}` : ''}`;
  return undefined;
}
