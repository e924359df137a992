// The SLURM evaluator against a live single-node cluster (scripts/slurm-cluster.sh: munged, slurmctld and
// slurmd started here, stopped by pid at the end). Where the cluster cannot start (no root to install
// slurm-wlm, no apt), every case is reported as SKIPPED with the reason — never as passed.
//
// Cases: a search whose candidates all go through SLURM ends with the same front as the same command run
// locally; failing, timed-out and out-of-memory jobs are reported with the reason; Stop (Ctrl-C) cancels
// exactly this run's jobs; the CLI SIGKILLed mid-array and resumed reattaches to its jobs (no resubmission,
// job ids checked); slurmd stopped mid-job and restarted, and a node failure (NODE_FAIL, requeued).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { SearchRun, type FrontFile } from '../../src/core/run';
import { RUN_FORMAT, type RunConfig } from '../../src/core/runstore';
import { readDefinitionFile } from '../../src/core/userspace/definition';
import type { LedgerRecord } from '../../src/core/slurm/state';
import { waitFor } from '../support/wait';

const root = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-test-'));
const cluster = path.join(tmp, 'cluster');
const clusterScript = path.join(root, 'scripts/slurm-cluster.sh');
let skip: string | undefined;

before(() => {
  const r = spawnSync('bash', [clusterScript, 'start', cluster], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    skip = `SLURM cluster could not start here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`;
    process.stderr.write(`SKIP slurm tests — ${skip}\n`);
    return;
  }
  process.env['SLURM_CONF'] = path.join(cluster, 'slurm.conf');
  process.stderr.write(r.stderr);
});

const stopCluster = (): void => {
  if (fs.existsSync(path.join(cluster, 'slurm.conf')))
    spawnSync('bash', [clusterScript, 'stop', cluster], { encoding: 'utf8', timeout: 60_000 });
};
after(async () => {
  failRun?.stop();
  await failRun?.done.catch(() => undefined);
  stopCluster();
});
// an aborted test run (Ctrl-C, the timeout of scripts/test.sh) must not leave daemons behind
process.on('exit', stopCluster);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    stopCluster();
    process.exit(1);
  });

/** Skips (visibly, with the reason) when there is no cluster. */
function needCluster(t: TestContext): boolean {
  if (skip) t.skip(skip);
  return !skip;
}

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
/** Every task the controller knows for a job name prefix: "<array>_<task>" → state. */
function clusterTasks(namePrefix: string): Map<string, { state: string; name: string }> {
  const out = sh('squeue', ['-h', '-r', '-t', 'all', '-O', 'JobArrayID:|,State:|,Name:']);
  const m = new Map<string, { state: string; name: string }>();
  for (const l of out.split('\n')) {
    const [id, state, name] = l.split('|').map((x) => x.trim());
    if (id && name?.startsWith(namePrefix)) m.set(id, { state: state!, name });
  }
  return m;
}

/** Cancels whatever a test left queued or running under a job-name prefix (a failed case must not block the next). */
function cancelNamed(prefix: string): void {
  const ids = [...clusterTasks(prefix).entries()]
    .filter(([, v]) => ['PENDING', 'RUNNING'].includes(v.state))
    .map(([k]) => k);
  if (ids.length) spawnSync('scancel', ids);
}

interface ResultFile {
  status: string;
  kind?: string;
  stderrTail: string;
  job: { id: string; state: string | null; exitCode: number | null };
}

const ledger = (runDir: string): LedgerRecord[] =>
  fs.existsSync(path.join(runDir, 'jobs/ledger.jsonl'))
    ? fs
        .readFileSync(path.join(runDir, 'jobs/ledger.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as LedgerRecord)
    : [];
const submitted = (runDir: string): string[] =>
  ledger(runDir).flatMap((r) => (r.t === 'submitted' ? [r.array] : []));

function script(name: string, body: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(
    f,
    `let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>main(JSON.parse(s)));\n${body}`,
  );
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(f)}`;
}

/** A one-slot user space, so every candidate is a known case. */
function modeSpace(id: string, modes: string[]): Record<string, unknown> {
  return {
    format: 'llm-nas-space-v1',
    id,
    slots: [{ name: 'mode', choices: modes }],
    features: { idx: 'mode' },
    datasets: ['default'],
    devices: ['dev'],
    costModel: { dev_latency: '1 + mode' },
  };
}

function config(
  id: string,
  definition: unknown,
  spaceOptions: Record<string, unknown>,
  o: Partial<RunConfig> = {},
): RunConfig {
  const def = definition as { id: string; devices: string[] };
  return {
    format: RUN_FORMAT,
    id,
    createdAt: '2026-01-01T00:00:00.000Z',
    space: `user:${def.id}`,
    dataset: (definition as { datasets?: string[] }).datasets?.[0] ?? 'default',
    devices: [def.devices[0]!],
    metric: 'latency',
    costMetrics: [`${def.devices[0]}_latency`],
    predictor: 'external',
    operator: 'builtin',
    partition: true,
    generations: 2,
    budget: 8,
    adaptive: true,
    seed: 3,
    spaceOptions: { definition, ...spaceOptions },
    ...o,
  };
}

const readFront = (dir: string): FrontFile =>
  JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;

function cli(args: string[]): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, out: () => out, exit };
}

// The fail/timeout/OOM run takes a SLURM minute (the shortest --time) plus the controller's check: it starts
// first and is checked after the cases that do not need the node to themselves.
let failRun: SearchRun | undefined;
let failures: Promise<{ dir: string; run: SearchRun; messages: string[] }> | undefined;
const FAIL_MODES = ['ok', 'fail', 'sleep', 'oom', 'nojson', 'reject'];

test('jobs that fail, time out or run out of memory: started (checked below)', (t) => {
  if (!needCluster(t)) return;
  const cmd = script(
    'modes.js',
    `function main(r){ const m=r.spec.slots.mode;
       if(m==='fail'){ console.error('training diverged'); process.exit(3); }
       if(m==='reject'){ process.exit(2); }
       if(m==='sleep'){ setInterval(()=>{},1000); return; }
       if(m==='oom'){ const a=[]; for(;;) a.push(Buffer.alloc(1e7,1)); }
       if(m==='nojson'){ console.log('all done, no JSON'); return; }
       console.log(JSON.stringify({accuracy: 50, metrics: {dev_latency: 1}})); }`,
  );
  const dir = path.join(tmp, 'fail-run');
  const messages: string[] = [];
  const run = SearchRun.start(
    dir,
    config(
      'fail-run',
      modeSpace('modes', FAIL_MODES),
      {
        evaluator: 'slurm',
        slurm: { command: cmd, time: '1', mem: '150M', pollMs: 500, jobName: 'llmnas-failcase' },
      },
      { partition: false, generations: 1, budget: FAIL_MODES.length },
    ),
    { onEvent: (e) => e.type === 'candidate/rejected' && messages.push(e.message) },
  );
  failRun = run;
  failures = run.done.then(() => ({ dir, run, messages }));
});

test('a search through SLURM ends with the same front as the same command run locally', async (t) => {
  if (!needCluster(t)) return;
  const def = readDefinitionFile(path.join(root, 'examples/user-space/tiny-cnn.space.json'));
  const cmd = `node ${path.join(root, 'examples/evaluators/slurm-train.mjs')} --epochs 2`;
  const o = { generations: 3, budget: 12, seed: 5 };
  const localDir = path.join(tmp, 'local');
  const local = SearchRun.start(
    localDir,
    config('local', def, { externalEvaluator: { command: cmd, concurrency: 2, retries: 0 } }, o),
  );
  await local.done;
  assert.equal(local.status, 'completed');
  const slurmDir = path.join(tmp, 'slurm');
  const jobs: string[] = [];
  const run = SearchRun.start(
    slurmDir,
    config(
      'slurm',
      def,
      { evaluator: 'slurm', slurm: { command: cmd, pollMs: 300, mem: '300M', jobName: 'llmnas-front' } },
      o,
    ),
    { onJob: (e) => e.type === 'job/state' && e.state === 'done' && jobs.push(e.job!) },
  );
  await run.done;
  assert.equal(run.status, 'completed');
  const a = readFront(localDir);
  const b = readFront(slurmDir);
  assert.equal(b.evaluations, a.evaluations);
  assert.deepEqual(
    b.front.map((m) => [m.id, m.predictedAccuracy, m.hw]),
    a.front.map((m) => [m.id, m.predictedAccuracy, m.hw]),
  );
  // every candidate went through SLURM: one result file per evaluation, written from a COMPLETED task
  const arrays = submitted(slurmDir);
  assert.equal(arrays.length, o.generations, 'one job array per generation');
  const results = arrays.flatMap((arr) =>
    fs
      .readdirSync(path.join(slurmDir, 'jobs', arr))
      .filter((f) => /^\d+\.json$/.test(f))
      .map((f) => JSON.parse(fs.readFileSync(path.join(slurmDir, 'jobs', arr, f), 'utf8')) as ResultFile),
  );
  assert.equal(results.length, o.budget);
  assert.ok(
    results.every(
      (r) => r.status === 'done' && r.job.state === 'COMPLETED' && /epoch 2\/2/.test(r.stderrTail),
    ),
  );
  assert.equal(jobs.length, o.budget);
  // and the cluster ran them: every recorded task is known to the controller under this run's job name
  const known = clusterTasks('llmnas-front');
  for (const r of results) assert.equal(known.get(r.job.id)?.state, 'COMPLETED', r.job.id);
});

test("Stop (Ctrl-C) cancels exactly this run's jobs; a job of someone else keeps running", async (t) => {
  if (!needCluster(t)) return;
  const foreign = sh('sbatch', [
    '--parsable',
    '--job-name=someone-else',
    '--output=/dev/null',
    '--wrap',
    'sleep 40',
  ]).trim();
  const def = modeSpace('slow', ['a', 'b', 'c', 'd']);
  const cmd = script(
    'slow.js',
    // a minute per candidate, unless the "fast" flag file exists (the resumed run below)
    `function main(r){ const fast=require('fs').existsSync(${JSON.stringify(path.join(tmp, 'fast'))});
       setTimeout(()=>console.log(JSON.stringify({accuracy: r.features.idx, metrics:{dev_latency:1}})), fast ? 200 : 60000); }`,
  );
  const dir = path.join(tmp, 'stop-run');
  fs.mkdirSync(dir);
  const cfgFile = path.join(tmp, 'slow.space.json');
  fs.writeFileSync(cfgFile, JSON.stringify(def));
  const p = cli([
    'search',
    '--space-file',
    cfgFile,
    '--evaluator',
    'slurm',
    '--slurm-command',
    cmd,
    '--slurm-poll-ms',
    '300',
    '--no-partition',
    '--generations',
    '1',
    '--budget',
    '4',
    '--out',
    path.join(dir, 'run'),
  ]);
  const runDir = path.join(dir, 'run');
  t.after(() => {
    p.child.kill('SIGKILL');
    spawnSync('scancel', [foreign]);
    for (const a of submitted(runDir)) spawnSync('scancel', [a]);
  });
  await waitFor(() => submitted(runDir).length === 1, 60_000);
  const array = submitted(runDir)[0]!;
  // queued or running (the foreign job and the fail case's sleeper may hold the node's two CPUs)
  await waitFor(
    () => [...clusterTasks('llmnas-').keys()].filter((k) => k.startsWith(`${array}_`)).length === 4,
    30_000,
  );
  p.child.kill('SIGINT');
  // a stopped run exits 130 (interrupted), after its jobs are cancelled; the folder stays resumable
  assert.equal(await p.exit, 130, p.out());
  // squeue shows cancelled tasks that never started as one record "<array>", started ones as "<array>_<task>"
  const mine = [...clusterTasks('llmnas-').entries()].filter(
    ([k]) => k === array || k.startsWith(`${array}_`),
  );
  assert.ok(mine.length >= 1, p.out());
  assert.ok(
    mine.every(([, v]) => v.state === 'CANCELLED'),
    JSON.stringify(mine),
  );
  const finals = ledger(runDir).filter((r) => r.t === 'final');
  assert.equal(finals.length, 4);
  assert.ok(finals.every((r) => r.t === 'final' && r.status === 'cancelled'));
  // the other user's job and the concurrently running fail/timeout case were not touched
  const other = sh('squeue', ['-h', '-t', 'all', '-j', foreign, '-o', '%T']).trim();
  assert.ok(['RUNNING', 'PENDING'].includes(other), `foreign job is ${other}`);
  const failCase = [...clusterTasks('llmnas-failcase').values()];
  assert.ok(
    failCase.every((v) => v.state !== 'CANCELLED'),
    JSON.stringify(failCase),
  );
  assert.match(p.out(), /stopped/);
  sh('scancel', [foreign]);
  // resuming a stopped run submits the cancelled candidates again (they were never paid for), once each
  fs.writeFileSync(path.join(tmp, 'fast'), '');
  const r = cli(['resume', runDir]);
  assert.equal(await r.exit, 0, r.out());
  const arrays = submitted(runDir);
  assert.equal(arrays.length, 2);
  const done = ledger(runDir).filter((x) => x.t === 'final' && x.status === 'done');
  assert.equal(done.length, 4);
  assert.ok(done.every((x) => x.t === 'final' && x.array === arrays[1]));
  assert.equal(new Set(done.map((x) => (x.t === 'final' ? x.id : ''))).size, 4);
  assert.equal(readFront(runDir).evaluations, 4);
});

test('the CLI SIGKILLed mid-array, then resume: reattaches to its jobs, no candidate submitted twice', async (t) => {
  if (!needCluster(t)) return;
  const def = modeSpace('kill', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  const cfgFile = path.join(tmp, 'kill.space.json');
  fs.writeFileSync(cfgFile, JSON.stringify(def));
  // each task takes a second; one at a time (%1), so the kill lands with tasks done, running and queued
  const cmd = script(
    'sec.js',
    `function main(r){ setTimeout(()=>console.log(JSON.stringify({accuracy: r.features.idx * 10, metrics:{dev_latency: 9 - r.features.idx}})), 1000); }`,
  );
  const runDir = path.join(tmp, 'kill-run');
  const args = [
    '--evaluator',
    'slurm',
    '--slurm-command',
    cmd,
    '--slurm-poll-ms',
    '300',
    '--slurm-array-max',
    '1',
  ];
  const p = cli([
    'search',
    '--space-file',
    cfgFile,
    ...args,
    '--no-partition',
    '--generations',
    '2',
    '--budget',
    '8',
    '--out',
    runDir,
  ]);
  let resumed: ReturnType<typeof cli> | undefined;
  t.after(() => {
    p.child.kill('SIGKILL');
    resumed?.child.kill('SIGKILL');
    if (fs.existsSync(path.join(runDir, 'config.json')))
      cancelNamed(
        `llmnas-${(JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')) as RunConfig).id}`,
      );
  });
  await waitFor(() => ledger(runDir).some((r) => r.t === 'final' && r.status === 'done'), 90_000);
  p.child.kill('SIGKILL');
  await p.exit;
  const before = ledger(runDir);
  const arraysBefore = submitted(runDir);
  assert.equal(arraysBefore.length, 1, 'killed during the first generation');
  const doneBefore = before.filter((r) => r.t === 'final').length;
  assert.ok(doneBefore >= 1 && doneBefore < 4, `killed mid-array: ${doneBefore} of 4 done`);
  const r = (resumed = cli(['resume', runDir]));
  assert.equal(await r.exit, 0, r.out());
  assert.match(r.out(), new RegExp(`reattached to \\d+ task\\(s\\) of array\\(s\\) ${arraysBefore[0]}`));
  const after = ledger(runDir);
  const arrays = submitted(runDir);
  assert.equal(arrays[0], arraysBefore[0], 'the first generation kept its array');
  assert.equal(arrays.length, 2, 'one more array, for the second generation only');
  // no candidate was submitted twice: each id appears in exactly one intent of a submitted array
  const ids = after.flatMap((x) => (x.t === 'intent' ? x.tasks.map((tk) => tk.id) : []));
  assert.equal(new Set(ids).size, ids.length, ids.join(' '));
  assert.equal(ids.length, 8);
  // the controller agrees: exactly these arrays exist under this run's name
  const runId = (JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')) as RunConfig).id;
  const known = clusterTasks(`llmnas-${runId}`);
  assert.deepEqual([...new Set([...known.keys()].map((k) => k.split('_')[0]))].sort(), [...arrays].sort());
  assert.ok([...known.values()].every((v) => v.state === 'COMPLETED'));
  const front = readFront(runDir);
  assert.equal(front.evaluations, 8);
  assert.ok(front.complete);
});

test('failed, timed-out and out-of-memory jobs are reported with the reason; the run goes on', async (t) => {
  if (!needCluster(t)) return;
  const { dir, run, messages } = await failures!;
  assert.equal(run.status, 'completed');
  const text = messages.join('\n');
  assert.match(text, /evaluation failed: exit code 3 \(SLURM FAILED\)/);
  assert.match(text, /evaluation failed: time limit reached \(SLURM TIMEOUT, --time=1\)/);
  // slurmstepd words it "StepId=N.batch exceeded memory limit" or "Exceeded job memory limit", by which of its
  // checks fires first: both are its own evidence of the limit
  assert.match(text, /evaluation failed: out of memory \(--mem=150M\).*(exceeded|Exceeded job) memory limit/);
  assert.match(text, /evaluation failed: stdout holds no JSON object \(got "all done, no JSON"\)/);
  assert.match(text, /evaluation failed: the command rejected this candidate \(exit code 2\)/);
  assert.equal(messages.length, 5, text);
  assert.equal(readFront(dir).evaluations, 1);
  const arr = submitted(dir)[0]!;
  const results = fs
    .readdirSync(path.join(dir, 'jobs', arr))
    .filter((f) => /^\d+\.json$/.test(f))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'jobs', arr, f), 'utf8')) as ResultFile);
  const byKind = Object.fromEntries(results.map((r) => [r.kind ?? r.status, r]));
  assert.equal(byKind['timeout']?.job.state, 'TIMEOUT');
  assert.match(byKind['exit']?.stderrTail ?? '', /training diverged/);
  assert.equal(byKind['exit']?.job.exitCode, 3);
  assert.ok(byKind['done'] && byKind['oom'] && byKind['non-json'] && byKind['rejected']);
});

test('slurmd stopped mid-job and restarted, then a node failure: the run survives, NODE_FAIL is requeued', async (t) => {
  if (!needCluster(t)) return;
  const def = modeSpace('node', ['a', 'b']);
  const cmd = script(
    'six.js',
    `function main(r){ setTimeout(()=>console.log(JSON.stringify({accuracy: r.features.idx, metrics:{dev_latency:1}})), 6000); }`,
  );
  const dir = path.join(tmp, 'node-run');
  const messages: string[] = [];
  const run = SearchRun.start(
    dir,
    config(
      'node-run',
      def,
      {
        evaluator: 'slurm',
        slurm: { command: cmd, pollMs: 300, arrayMax: 1, requeue: 1, jobName: 'llmnas-node' },
      },
      {
        partition: false,
        generations: 1,
        budget: 2,
      },
    ),
    { onEvent: (e) => e.type === 'candidate/rejected' && messages.push(e.message) },
  );
  t.after(() => {
    run.stop();
    cancelNamed('llmnas-node');
    spawnSync('scontrol', ['update', `NodeName=${sh('hostname', ['-s']).trim()}`, 'State=RESUME']);
  });
  const task = (n: number): string | undefined => {
    const a = submitted(dir)[0];
    return a ? clusterTasks('llmnas-node').get(`${a}_${n}`)?.state : undefined;
  };
  // task 0 running: the node's daemon goes away for 12 s and comes back; the job step lives on
  await waitFor(() => task(0) === 'RUNNING', 30_000);
  execFileSync('bash', [clusterScript, 'slurmd-stop', cluster]);
  await new Promise((r) => setTimeout(r, 12_000));
  execFileSync('bash', [clusterScript, 'slurmd-start', cluster]);
  // task 1 running: the node fails (an administrator marks it down), then returns
  await waitFor(() => task(1) === 'RUNNING', 60_000);
  const host = sh('hostname', ['-s']).trim();
  sh('scontrol', ['update', `NodeName=${host}`, 'State=DOWN', 'Reason=llmnas-test']);
  await waitFor(() => ledger(dir).some((r) => r.t === 'final' && r.kind === 'node-fail'), 30_000);
  // (ReturnToService=2 may have brought it back already: then RESUME is refused, which is fine)
  spawnSync('scontrol', ['update', `NodeName=${host}`, 'State=RESUME']);
  await run.done;
  assert.equal(run.status, 'completed');
  const finals = ledger(dir).filter((r) => r.t === 'final');
  const nodeFail = finals.find((r) => r.t === 'final' && r.kind === 'node-fail')!;
  assert.match(nodeFail.t === 'final' ? (nodeFail.reason ?? '') : '', /NODE_FAIL/);
  // requeued once, as a new array, and then evaluated
  const requeued = finals.filter((r) => r.t === 'final' && r.id === nodeFail.id);
  assert.deepEqual(
    requeued.map((r) => (r.t === 'final' ? [r.attempt, r.status] : [])),
    [
      [1, 'failed'],
      [2, 'done'],
    ],
  );
  assert.equal(submitted(dir).length, 2);
  // the job that lived through the slurmd restart finished: evaluated, or failed with its reason
  assert.equal(readFront(dir).evaluations + messages.length, 2, messages.join('\n'));
  for (const m of messages) assert.match(m, /evaluation failed: .+/);
});
