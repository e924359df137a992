// The batch contract without a cluster: concurrent evaluate() calls become batches; the in-flight limit, the
// bounded requeue of transient failures and cancellation hold for any backend; the per-candidate command through
// the adapter gives the same evaluations as run directly; the JSON Lines command backend; SLURM's outcome rules
// (classify) and sbatch arguments.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CandidateFailure } from '../../src/core/errors';
import { CommandBackend, JsonlCommandBackend } from '../../src/core/batch/command';
import {
  BatchEvaluationError,
  BatchingEvaluator,
  type BatchBackend,
  type BatchItem,
  type BatchOutcome,
  type JobEvent,
  type JobSummary,
  type RunContext,
} from '../../src/core/batch/contract';
import { EvaluationService } from '../../src/core/evaluator';
import { ExternalEvaluator } from '../../src/core/external/evaluator';
import { checkSlurmOptions, parseSqueue, sbatchArgs, splitArgs } from '../../src/core/slurm/sbatch';
import { classify } from '../../src/core/slurm/state';
import { buildUserSpace, parseDefinition } from '../../src/core/userspace/definition';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-eval-'));
const space = buildUserSpace(
  parseDefinition({
    format: 'llm-nas-space-v1',
    id: 'batch-test',
    slots: [
      { name: 'w', choices: [1, 2, 3, 4, 5, 6, 7, 8] },
      { name: 'k', choices: ['a', 'b'] },
    ],
    features: { cost: 'w * (k + 1)' },
    devices: ['dev'],
  }),
);
const archs = [1, 2, 3, 4, 5, 6, 7, 8].map((w) => space.parse(`w=${w} k=b`));
const noLog = (): void => undefined;

/** A backend the test drives: it records batches and finishes items when told. */
class ManualBackend implements BatchBackend<number[]> {
  readonly id = 'manual';
  readonly label = 'manual';
  readonly batches: BatchItem<number[]>[][] = [];
  readonly open: { item: BatchItem<number[]>; done: (i: BatchItem<number[]>, o: BatchOutcome) => void }[] =
    [];
  maxOpen = 0;
  constructor(
    private readonly outcome: (i: BatchItem<number[]>) => BatchOutcome | undefined = () => undefined,
  ) {}
  run(items: BatchItem<number[]>[], done: (i: BatchItem<number[]>, o: BatchOutcome) => void): Promise<void> {
    this.batches.push(items);
    for (const item of items) {
      const o = this.outcome(item);
      if (o) setImmediate(() => done(item, o));
      else this.open.push({ item, done });
    }
    this.maxOpen = Math.max(this.maxOpen, this.open.length);
    return Promise.resolve();
  }
  finishOne(): void {
    const x = this.open.shift()!;
    x.done(x.item, {
      ok: true,
      response: { accuracy: x.item.request.features['cost']!, metrics: { dev_latency: 1 } },
    });
  }
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('concurrent calls within the window become one batch; the in-flight limit holds', async () => {
  const b = new ManualBackend();
  const ev = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: b,
    windowMs: 50,
    log: noLog,
  });
  const ps = archs.slice(0, 5).map((a) => ev.evaluate(a));
  await tick(100);
  assert.deepEqual(
    b.batches.map((x) => x.length),
    [5],
  );
  while (b.open.length) b.finishOne();
  assert.deepEqual(
    (await Promise.all(ps)).map((e) => e.predictedAccuracy),
    [2, 4, 6, 8, 10],
  );

  const lim = new ManualBackend();
  const ev2 = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: lim,
    maxInFlight: 2,
    windowMs: 50,
    log: noLog,
  });
  const ps2 = archs.map((a) => ev2.evaluate(a));
  await tick();
  assert.equal(
    lim.open.length,
    2,
    'a full in-flight set is submitted at once, without waiting for the window',
  );
  for (let i = 0; i < 8; i++) {
    lim.finishOne();
    await tick();
  }
  await Promise.all(ps2);
  assert.equal(lim.maxOpen, 2);
  assert.equal(lim.batches.flat().length, 8);
});

test('a transient failure is requeued a bounded number of times, a permanent one is not', async () => {
  const node = new ManualBackend(() => ({
    ok: false,
    kind: 'node-fail',
    reason: 'the node failed (SLURM NODE_FAIL)',
  }));
  const ev = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: node,
    windowMs: 0,
    requeue: 2,
    log: noLog,
  });
  await assert.rejects(
    ev.evaluate(archs[0]!),
    (e: unknown) =>
      e instanceof BatchEvaluationError &&
      e.kind === 'node-fail' &&
      e.attempts === 3 &&
      e instanceof CandidateFailure,
  );
  assert.deepEqual(
    node.batches.map((x) => x[0]!.attempt),
    [1, 2, 3],
  );
  const oom = new ManualBackend(() => ({ ok: false, kind: 'oom', reason: 'out of memory' }));
  const ev2 = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: oom,
    windowMs: 0,
    requeue: 2,
    log: noLog,
  });
  await assert.rejects(ev2.evaluate(archs[0]!), /out of memory/);
  assert.equal(oom.batches.length, 1);
});

test('cancellation rejects with AbortError and aborts the backend item; a waiting candidate is never submitted', async () => {
  const b = new ManualBackend();
  const ev = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: b,
    maxInFlight: 1,
    windowMs: 0,
    log: noLog,
  });
  const ac = new AbortController();
  const p1 = ev.evaluate(archs[0]!, ac.signal);
  const p2 = ev.evaluate(archs[1]!, ac.signal);
  await tick();
  assert.equal(b.open.length, 1);
  ac.abort();
  await assert.rejects(p1, (e: unknown) => (e as Error).name === 'AbortError');
  await assert.rejects(p2, (e: unknown) => (e as Error).name === 'AbortError');
  assert.equal(b.open[0]!.item.signal.aborted, true);
  assert.equal(b.batches.flat().length, 1);
});

const READ = `let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>main(s));`;
function script(name: string, body: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, `${READ}\n${body}`);
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(f)}`;
}

test('the per-candidate command through the batch adapter gives the same evaluations as run directly', async () => {
  const cmd = script(
    'one.js',
    `function main(s){ const r=JSON.parse(s); console.log(JSON.stringify({accuracy: r.features.cost + r.attempt, metrics:{dev_latency: r.spec.slots.w / 2}, proxies:{p: 1}})); }`,
  );
  const mk = (): ExternalEvaluator<number[]> =>
    new ExternalEvaluator({
      space,
      dataset: 'd',
      command: { command: cmd, concurrency: 2 },
      metrics: ['dev_latency'],
      log: noLog,
    });
  const direct = await Promise.all(archs.slice(0, 4).map((a) => mk().evaluate(a)));
  const ev = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: new CommandBackend(mk()),
    maxInFlight: 2,
    windowMs: 0,
    log: noLog,
  });
  const batched = await Promise.all(archs.slice(0, 4).map((a) => ev.evaluate(a)));
  assert.deepEqual(batched, direct);
  assert.ok(
    ev.batches.every((n) => n <= 2),
    ev.batches.join(','),
  );
});

test('JSON Lines command: one process per batch, results in any order; a missing or error line fails that candidate', async () => {
  const cmd = script(
    'batch.js',
    `function main(s){ const reqs=s.trim().split('\\n').map(JSON.parse); console.error('batch of '+reqs.length);
       for (const r of reqs.reverse()) {
         if (r.spec.slots.w === 3) continue; // never answered
         if (r.spec.slots.w === 4) { console.log(JSON.stringify({id: r.id, error: 'diverged'})); continue; }
         console.log(JSON.stringify({id: r.id, accuracy: r.spec.slots.w, metrics: {dev_latency: 1}}));
       } }`,
  );
  const log: string[] = [];
  const ev = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: new JsonlCommandBackend({ command: cmd }, ['dev_latency'], (l) => log.push(l)),
    windowMs: 30,
    log: noLog,
  });
  const rs = await Promise.allSettled(archs.slice(0, 5).map((a) => ev.evaluate(a)));
  assert.deepEqual(ev.batches, [5]);
  assert.deepEqual(log, ['batch of 5']);
  const acc = rs.map((r) =>
    r.status === 'fulfilled' ? r.value.predictedAccuracy : (r.reason as Error).message,
  );
  assert.equal(acc[0], 1);
  assert.equal(acc[1], 2);
  assert.match(String(acc[2]), /the batch command ended \(exit code 0\) without a result line for/);
  assert.equal(acc[3], 'diverged');
  assert.equal(acc[4], 5);
});

test('SLURM outcomes: TIMEOUT, out of memory (state or slurmstepd message), exit 2, lost, non-JSON, success', () => {
  const base = { stdout: '', stderrTail: '', slurmLogTail: '' };
  const lim = { time: '5', mem: '1G' };
  const kind = (o: ReturnType<typeof classify>): string => (o.ok ? 'ok' : `${o.kind}: ${o.reason}`);
  assert.match(
    kind(classify({ ...base, state: 'TIMEOUT', raw: 15 }, lim, [])),
    /^timeout: time limit reached \(SLURM TIMEOUT, --time=5\)/,
  );
  assert.match(
    kind(classify({ ...base, state: 'OUT_OF_MEMORY', raw: 9 }, lim, [])),
    /^oom: out of memory \(SLURM OUT_OF_MEMORY, --mem=1G\)/,
  );
  assert.match(
    kind(
      classify(
        {
          ...base,
          state: 'FAILED',
          raw: 9,
          slurmLogTail: 'slurmstepd-vm: error: StepId=4.batch exceeded memory limit (4 > 1), being killed\n',
        },
        lim,
        [],
      ),
    ),
    /^oom: out of memory \(--mem=1G\) — slurmstepd-vm: error: StepId=4\.batch exceeded memory limit/,
  );
  assert.match(kind(classify({ ...base, state: 'NODE_FAIL' }, lim, [])), /^node-fail: /);
  assert.match(kind(classify({ ...base, state: 'PREEMPTED' }, lim, [])), /^preempted: /);
  assert.match(
    kind(classify({ ...base, state: 'CANCELLED' }, lim, [])),
    /^cancelled: cancelled outside this run/,
  );
  assert.match(kind(classify({ ...base, state: 'FAILED', raw: 512, rc: 2 }, lim, [])), /^rejected: /);
  assert.match(
    kind(classify({ ...base, state: 'FAILED', raw: 768, rc: 3 }, lim, [])),
    /^exit: exit code 3 \(SLURM FAILED\)/,
  );
  assert.match(kind(classify({ ...base }, lim, [])), /^lost: /);
  assert.match(
    kind(classify({ ...base, rc: 0, stdout: 'done\n' }, lim, [])),
    /^non-json: stdout holds no JSON object \(got "done"\)/,
  );
  assert.match(
    kind(classify({ ...base, state: 'COMPLETED', rc: 0, stdout: '{"accuracy":1}\n' }, lim, ['dev_latency'])),
    /^bad-response: \$\.metrics\.dev_latency: missing/,
  );
  const ok = classify(
    {
      ...base,
      state: 'COMPLETED',
      rc: 0,
      stdout: 'epoch 1\n{"accuracy": 71.5, "metrics": {"dev_latency": 2}}\n',
    },
    lim,
    ['dev_latency'],
  );
  assert.deepEqual(ok, { ok: true, response: { accuracy: 71.5, metrics: { dev_latency: 2 } } });
});

test('sbatch arguments: a held array with its throttle, resources and extra arguments; reserved ones refused', () => {
  const o = checkSlurmOptions({
    command: 'python3 train.py',
    partition: 'gpu',
    time: '0:30:00',
    cpus: 4,
    gpus: 1,
    mem: '8G',
    arrayMax: 3,
    extra: "--qos=short --comment='llm nas'",
  });
  const args = sbatchArgs(o, {
    n: 6,
    name: 'llmnas-x-b1',
    jobsDir: '/runs/x/jobs',
    script: '/runs/x/jobs/task.sh',
    cwd: '/work',
  });
  for (const a of [
    '--parsable',
    '--hold',
    '--array=0-5%3',
    '--partition=gpu',
    '--time=0:30:00',
    '--cpus-per-task=4',
    '--gres=gpu:1',
    '--mem=8G',
    '--qos=short',
    '--comment=llm nas',
    '--output=/runs/x/jobs/%A/%a.slurm.log',
    '--chdir=/work',
  ])
    assert.ok(args.includes(a), `${a} in ${args.join(' ')}`);
  assert.equal(args.at(-1), '/runs/x/jobs/task.sh');
  assert.deepEqual(splitArgs(`a "b c" 'd e'`), ['a', 'b c', 'd e']);
  assert.throws(
    () => checkSlurmOptions({ command: 'x', extra: '--array=0-3' }),
    /set by the evaluator itself/,
  );
  assert.throws(() => checkSlurmOptions({ command: 'x', cpus: 0 }), /slurm\.cpus must be at least 1/);
  assert.throws(() => checkSlurmOptions({}), /slurm\.command/);
  assert.deepEqual(
    parseSqueue('7_0|COMPLETED|None|0|vm\n7_[1-2%1]|PENDING|JobArrayTaskLimit|0|\n').map((r) => [
      r.key,
      r.state,
    ]),
    [
      ['7_0', 'COMPLETED'],
      ['7_1', 'PENDING'],
      ['7_2', 'PENDING'],
    ],
  );
});

test('resume adopts an array submitted but not recorded before a crash (found by name, released), never resubmits', async () => {
  const { slurmEvaluator } = await import('../../src/core/slurm/evaluator.js');
  const runDir = fs.mkdtempSync(path.join(dir, 'adopt-'));
  const jobs = path.join(runDir, 'jobs');
  const a = archs[2]!;
  const id = space.fileId(a);
  fs.mkdirSync(path.join(jobs, 'pending-1', 'spec'), { recursive: true });
  fs.writeFileSync(path.join(jobs, 'pending-1', 'spec', '0.json'), '{}');
  fs.writeFileSync(
    path.join(jobs, 'ledger.jsonl'),
    JSON.stringify({
      t: 'intent',
      seq: 1,
      name: 'llmnas-r-b1',
      tasks: [{ task: 0, id, attempt: 1 }],
      at: new Date().toISOString(),
    }) + '\n',
  );
  const calls: string[] = [];
  const exec = (cmd: string, args: string[]): Promise<string> => {
    calls.push(`${cmd} ${args.join(' ')}`);
    if (cmd === 'sbatch') return Promise.reject(new Error('must not resubmit'));
    if (cmd === 'squeue' && args.includes('-n')) return Promise.resolve('42\n');
    if (cmd === 'squeue') return Promise.resolve('42_0|COMPLETED|None|0|node7\n');
    return Promise.resolve('');
  };
  const ev = slurmEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    options: { command: 'x', pollMs: 50 },
    exec,
    log: noLog,
  });
  await ev.attachRun({ dir: runDir, runId: 'r', resume: true, event: () => undefined });
  // what the task wrote once released
  fs.writeFileSync(path.join(jobs, '42', '0.out'), '{"accuracy": 77, "metrics": {"dev_latency": 3}}\n');
  fs.writeFileSync(path.join(jobs, '42', '0.rc'), '0\n');
  const e = await ev.evaluate(a);
  await ev.detachRun();
  assert.deepEqual(e, { predictedAccuracy: 77, proxies: {}, hw: { dev_latency: 3 } });
  assert.ok(!calls.some((c) => c.startsWith('sbatch')), calls.join('\n'));
  assert.ok(calls.includes('scontrol release 42'), calls.join('\n'));
  const ledger = fs
    .readFileSync(path.join(jobs, 'ledger.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: string });
  assert.deepEqual(
    ledger.map((r) => r.t),
    ['intent', 'submitted', 'final'],
  );
  const result = JSON.parse(fs.readFileSync(path.join(jobs, '42', '0.json'), 'utf8')) as {
    status: string;
    job: { node: string };
  };
  assert.equal(result.status, 'done');
  assert.equal(result.job.node, 'node7');
});

test('job events name the niche that asked for the candidate (through the EvaluationService too)', async () => {
  /** Reports each item's job like a scheduler does (submitted, running, done), then the totals. */
  class JobsBackend extends ManualBackend {
    ctx: RunContext | undefined;
    attachRun(ctx: RunContext): Promise<void> {
      this.ctx = ctx;
      return Promise.resolve();
    }
    override run(
      items: BatchItem<number[]>[],
      done: (i: BatchItem<number[]>, o: BatchOutcome) => void,
    ): Promise<void> {
      items.forEach((item, k) => {
        for (const state of ['submitted', 'running', 'done'] as const)
          this.ctx!.event({
            type: 'job/state',
            backend: 'fake',
            id: item.id,
            state,
            job: `7_${k}`,
            attempt: item.attempt,
          });
      });
      this.ctx!.event({
        type: 'job/summary',
        backend: 'fake',
        queued: 0,
        running: 0,
        done: items.length,
        failed: 0,
      });
      return super.run(items, done);
    }
  }
  const b = new JobsBackend();
  const ev = new BatchingEvaluator({
    space,
    dataset: 'd',
    metrics: ['dev_latency'],
    backend: b,
    windowMs: 20,
    log: noLog,
  });
  const seen: (JobEvent | JobSummary)[] = [];
  await ev.attachRun({ dir, runId: 'r', resume: false, event: (e) => seen.push(e) });
  const service = new EvaluationService(space, ev);
  const ps = [
    ev.evaluate(archs[0]!, undefined, { niche: 0 }),
    ev.evaluate(archs[1]!, undefined, { niche: 1 }),
    service.evaluate(archs[2]!, undefined, { niche: 2 }),
    ev.evaluate(archs[3]!), // no context: its events carry no niche
  ];
  await tick(60);
  while (b.open.length) b.finishOne();
  await Promise.all(ps);
  await ev.detachRun();
  const states = seen.filter((e): e is JobEvent => e.type === 'job/state');
  assert.equal(states.length, 12);
  const nicheOf = (i: number): (number | undefined)[] =>
    states.filter((e) => e.id === space.fileId(archs[i]!)).map((e) => e.niche);
  assert.deepEqual(nicheOf(0), [0, 0, 0]);
  assert.deepEqual(nicheOf(1), [1, 1, 1]);
  assert.deepEqual(nicheOf(2), [2, 2, 2]);
  assert.deepEqual(nicheOf(3), [undefined, undefined, undefined]);
  assert.ok(!states.filter((e) => e.niche === undefined).some((e) => 'niche' in e));
  const summary = seen.find((e) => e.type === 'job/summary')!;
  assert.ok(!('niche' in summary), 'totals stay run-wide');
  assert.equal(summary.done, 4);
});
