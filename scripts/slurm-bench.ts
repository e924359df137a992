// Measures the SLURM evaluator's overhead on a private single-node cluster (scripts/slurm-cluster.sh):
//  1. submission to result per batch: a batch of trivial tasks (a shell echo), from the sbatch call to the
//     last result, and per task from submission to its result file;
//  2. throughput on the same work (examples/evaluators/slurm-train.mjs, fixed epochs) with N array slots
//     (--array %N) against the local command evaluator with N processes at once.
//
//   node --import tsx scripts/slurm-bench.ts [--candidates 16] [--epochs 3] [--slots 1,2] [--poll-ms 500]
//
// Uses $SLURM_CONF when set; otherwise starts (and stops) a private cluster in a temp folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BatchingEvaluator } from '../src/core/batch/contract.js';
import { Rng } from '../src/core/rng.js';
import { ExternalEvaluator } from '../src/core/external/evaluator.js';
import { slurmEvaluator } from '../src/core/slurm/evaluator.js';
import type { SlurmBackend } from '../src/core/slurm/evaluator.js';
import { buildUserSpace, readDefinitionFile } from '../src/core/userspace/definition.js';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '16' },
    epochs: { type: 'string', default: '3' },
    slots: { type: 'string', default: '1,2' },
    'poll-ms': { type: 'string', default: '500' },
  },
});
const M = Number(values.candidates);
const slots = values.slots.split(',').map(Number);
const pollMs = Number(values['poll-ms']);
const root = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-bench-'));
let cluster: string | undefined;
if (!process.env['SLURM_CONF']) {
  cluster = path.join(tmp, 'cluster');
  const r = spawnSync('bash', [path.join(root, 'scripts/slurm-cluster.sh'), 'start', cluster], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(3);
  }
  process.env['SLURM_CONF'] = path.join(cluster, 'slurm.conf');
}

const def = readDefinitionFile(path.join(root, 'examples/user-space/tiny-cnn.space.json'));
const space = buildUserSpace(def);
const rng = new Rng(1);
const byKey = new Map<string, ReturnType<typeof space.sample>>();
while (byKey.size < M) {
  const a = space.sample(rng);
  byKey.set(space.canonicalKey(a), a);
}
const archs = [...byKey.values()];
const metrics = ['mcu_latency'];
const quiet = (): void => undefined;

async function slurmBatch(
  command: string,
  arrayMax: number | undefined,
  tag: string,
): Promise<{ wall: number; perTask: number[]; ev: BatchingEvaluator<unknown> }> {
  const ev = slurmEvaluator({
    space,
    dataset: 'cifar10',
    metrics,
    options: {
      command,
      cwd: root,
      pollMs,
      windowMs: 50,
      ...(arrayMax ? { arrayMax } : {}),
      jobName: `bench-${tag}`,
    },
    log: quiet,
  }) as unknown as BatchingEvaluator<unknown>;
  const dir = path.join(tmp, tag);
  await ev.attachRun({ dir, runId: tag, resume: false, event: () => undefined });
  const t0 = Date.now();
  await Promise.all(archs.map((a) => ev.evaluate(a)));
  const wall = (Date.now() - t0) / 1000;
  await ev.detachRun();
  const backend = ev.backend as unknown as SlurmBackend<unknown>;
  const arr = backend.submissions[0]!.array;
  const perTask = fs
    .readdirSync(path.join(dir, 'jobs', arr))
    .filter((f) => /^\d+\.json$/.test(f))
    .map(
      (f) =>
        JSON.parse(fs.readFileSync(path.join(dir, 'jobs', arr, f), 'utf8')) as {
          submittedAt: string;
          finishedAt: string;
        },
    )
    .map((r) => (Date.parse(r.finishedAt) - Date.parse(r.submittedAt)) / 1000)
    .sort((a, b) => a - b);
  return { wall, perTask, ev };
}

async function local(command: string, concurrency: number): Promise<number> {
  const ev = new ExternalEvaluator({
    space,
    dataset: 'cifar10',
    command: { command, cwd: root, concurrency, retries: 0 },
    metrics,
    log: quiet,
  });
  const t0 = Date.now();
  await Promise.all(archs.map((a) => ev.evaluate(a)));
  return (Date.now() - t0) / 1000;
}

const med = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const out: string[] = [];
  const say = (l: string): void => {
    out.push(l);
    process.stdout.write(l + '\n');
  };
  const ver = spawnSync('sinfo', ['-V'], { encoding: 'utf8' }).stdout.trim();
  say(`${ver}; ${os.cpus().length} CPUs; ${M} candidates; poll ${pollMs} ms`);
  const echo = `echo '{"accuracy": 1, "metrics": {"mcu_latency": 1}}'`;
  for (const n of [1, M]) {
    const list = archs.slice(0, n);
    const saved = archs.splice(0, archs.length, ...list);
    const r = await slurmBatch(echo, undefined, `echo-${n}`);
    archs.splice(0, archs.length, ...saved);
    say(
      `trivial batch of ${n}: submission to last result ${r.wall.toFixed(2)} s; per task min ${r.perTask[0]!.toFixed(2)} / median ${med(r.perTask).toFixed(2)} / max ${r.perTask.at(-1)!.toFixed(2)} s`,
    );
  }
  const train = `node examples/evaluators/slurm-train.mjs --epochs ${values.epochs}`;
  const one = await local(train, 1);
  say(`work: ${train}; ${M} candidates`);
  say(`local command evaluator, 1 at a time: ${one.toFixed(2)} s (${(M / one).toFixed(2)} candidates/s)`);
  for (const n of slots) {
    const l = n === 1 ? one : await local(train, n);
    if (n !== 1)
      say(`local command evaluator, ${n} at a time: ${l.toFixed(2)} s (${(M / l).toFixed(2)} candidates/s)`);
    const s = await slurmBatch(train, n, `train-${n}`);
    say(
      `SLURM, one array of ${M}, %${n}: ${s.wall.toFixed(2)} s (${(M / s.wall).toFixed(2)} candidates/s; ${(s.wall / l).toFixed(2)}x the local time)`,
    );
  }
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    if (cluster) spawnSync('bash', [path.join(root, 'scripts/slurm-cluster.sh'), 'stop', cluster]);
  });
