// The external evaluator: spec JSON on stdin, metrics JSON on stdout; stderr to the log; timeouts and
// cancellation kill the whole process group; crashes, hangs and non-JSON output are retried and then mark the
// candidate failed; exit 2 is not retried; the in-flight limit holds; and a search goes on past failed candidates.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CandidateFailure } from '../../src/core/errors';
import {
  ExternalEvaluationError,
  ExternalEvaluator,
  type ExternalCommand,
} from '../../src/core/external/evaluator';
import { SearchRun } from '../../src/core/run';
import { RUN_FORMAT, type RunConfig } from '../../src/core/runstore';
import { buildUserSpace, parseDefinition } from '../../src/core/userspace/definition';
import { waitFor } from '../support/wait';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ext-eval-'));
const script = (name: string, body: string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, body);
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(f)}`;
};
const READ = `let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>main(JSON.parse(s)));`;

const space = buildUserSpace(
  parseDefinition({
    format: 'llm-nas-space-v1',
    id: 'ext-test',
    slots: [
      { name: 'w', choices: [1, 2, 3, 4, 5, 6, 7, 8] },
      { name: 'k', choices: ['a', 'b', 'c'] },
    ],
    features: { cost: 'w * (k + 1)' },
    partition: { feature: 'cost', niches: 2 },
    devices: ['dev'],
  }),
);

function evaluator(cmd: ExternalCommand, log: string[] = []): ExternalEvaluator<number[]> {
  return new ExternalEvaluator({
    space,
    dataset: 'default',
    command: cmd,
    metrics: ['dev_latency'],
    log: (l) => log.push(l),
  });
}

const failure = (kind: string, attempts: number) => (e: unknown) =>
  e instanceof ExternalEvaluationError &&
  e.kind === kind &&
  e.attempts === attempts &&
  e instanceof CandidateFailure;

test('success: the request carries spec, features and metrics; stderr lines reach the log', async () => {
  const cmd = script(
    'ok.js',
    `${READ} function main(r){ console.error('measuring '+r.id); console.error('second line');
     console.log('progress text that is not JSON');
     console.log(JSON.stringify({accuracy: r.features.cost, metrics: {dev_latency: r.spec.slots.w * 2}, proxies: {x: r.attempt}})); }`,
  );
  const log: string[] = [];
  const a = space.parse('w=3 k=b');
  const e = await evaluator({ command: cmd }, log).evaluate(a);
  assert.deepEqual(e, { predictedAccuracy: 6, proxies: { x: 1 }, hw: { dev_latency: 6 } });
  assert.ok(log.some((l) => l.endsWith(`measuring ${space.fileId(a)}`)));
  assert.ok(log.some((l) => l.endsWith('second line')));
});

test('non-JSON output and a crash are retried, then fail with the reason; exit 2 is not retried', async () => {
  const count = path.join(dir, 'count');
  const counted = (name: string, body: string): string =>
    script(name, `require('fs').appendFileSync(${JSON.stringify(count)}, 'x'); ${body}`);
  const attempts = (): number => (fs.existsSync(count) ? fs.readFileSync(count, 'utf8').length : 0);
  const a = space.parse('w=1 k=a');
  await assert.rejects(
    evaluator({ command: counted('nonjson.js', `console.log('hello')`), retries: 2 }).evaluate(a),
    failure('non-json', 3),
  );
  assert.equal(attempts(), 3);
  fs.rmSync(count);
  await assert.rejects(
    evaluator({ command: counted('crash.js', `process.exit(1)`), retries: 1 }).evaluate(a),
    failure('exit', 2),
  );
  assert.equal(attempts(), 2);
  fs.rmSync(count);
  await assert.rejects(
    evaluator({ command: counted('reject.js', `process.exit(2)`), retries: 3 }).evaluate(a),
    failure('rejected', 1),
  );
  assert.equal(attempts(), 1);
  await assert.rejects(
    evaluator({
      command: script('bad.js', `console.log(JSON.stringify({accuracy: 'high'}))`),
      retries: 0,
    }).evaluate(a),
    (e: unknown) =>
      e instanceof ExternalEvaluationError && e.kind === 'bad-response' && /\$\.accuracy/.test(e.message),
  );
  await assert.rejects(
    evaluator({
      command: script('nometric.js', `console.log(JSON.stringify({accuracy: 1}))`),
      retries: 0,
    }).evaluate(a),
    /\$\.metrics\.dev_latency: missing/,
  );
});

test('a retry that succeeds returns its result', async () => {
  const flag = path.join(dir, 'flaky-flag');
  const cmd = script(
    'flaky.js',
    `const fs=require('fs'); if(!fs.existsSync(${JSON.stringify(flag)})){fs.writeFileSync(${JSON.stringify(flag)},'1'); process.exit(3);}
     console.log(JSON.stringify({accuracy: 42, metrics: {dev_latency: 1}}))`,
  );
  const e = await evaluator({ command: cmd, retries: 1 }).evaluate(space.parse('w=2 k=a'));
  assert.equal(e.predictedAccuracy, 42);
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A command that never ends and starts a grandchild that never ends either; the grandchild's pid goes to pidFile. */
const hangingWithGrandchild = (name: string, pidFile: string): string =>
  script(
    name,
    `const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});
     require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(()=>{},1000);`,
  );

test('a hanging command times out and its whole process group (a grandchild too) is killed', async () => {
  const pidFile = path.join(dir, 'hang.pid');
  const cmd = hangingWithGrandchild('hang.js', pidFile);
  await assert.rejects(
    evaluator({ command: cmd, timeoutMs: 700, retries: 0, killGraceMs: 200 }).evaluate(
      space.parse('w=4 k=c'),
    ),
    failure('timeout', 1),
  );
  const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
  await waitFor(() => !alive(grandchild), 5000);
});

test('cancellation kills the process group and rejects with AbortError (no retry)', async () => {
  const pidFile = path.join(dir, 'cancel.pid');
  const cmd = hangingWithGrandchild('slow.js', pidFile);
  const ac = new AbortController();
  const p = evaluator({ command: cmd, retries: 3, killGraceMs: 200 }).evaluate(
    space.parse('w=5 k=a'),
    ac.signal,
  );
  await waitFor(() => fs.existsSync(pidFile), 5000);
  ac.abort();
  await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
  await waitFor(() => !alive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000);
});

test('no more than `concurrency` commands are in flight', async () => {
  const live = path.join(dir, 'live');
  fs.mkdirSync(live);
  // each command stays until it has seen a partner (or 4 s pass), recording the most commands it saw at once
  const cmd = script(
    'conc.js',
    `${READ} function main(r){ const fs=require('fs'), d=${JSON.stringify(live)}, f=d+'/'+r.id;
     fs.writeFileSync(f,''); let most=0, paired=0; const t0=Date.now();
     const tick=()=>{ const n=fs.readdirSync(d).length; most=Math.max(most,n);
       if (n>=2 && !paired) paired=Date.now();
       if ((paired && Date.now()-paired>100) || Date.now()-t0>4000) {
         fs.rmSync(f); console.log(JSON.stringify({accuracy:most, metrics:{dev_latency:1}})); }
       else setTimeout(tick, 10); };
     tick(); }`,
  );
  const ev = evaluator({ command: cmd, concurrency: 2 });
  const archs = [1, 2, 3, 4, 5, 6].map((w) => space.parse(`w=${w} k=a`));
  const seen = (await Promise.all(archs.map((a) => ev.evaluate(a)))).map((e) => e.predictedAccuracy);
  assert.ok(Math.max(...seen) <= 2, `in flight: ${seen.join(',')}`);
  assert.ok(seen.includes(2), `two ran at once: ${seen.join(',')}`);
});

test('a search goes on when some candidates fail: they are reported with the reason, the rest evaluated', async () => {
  const cmd = script(
    'half.js',
    `${READ} function main(r){ if (r.spec.slots.k === 'c') { console.log('not json'); return; }
     console.log(JSON.stringify({accuracy: r.features.cost, metrics: {dev_latency: r.spec.slots.w}})); }`,
  );
  const def = space.definition;
  const config: RunConfig = {
    format: RUN_FORMAT,
    id: 'ext',
    createdAt: '2026-01-01T00:00:00.000Z',
    space: 'user:ext-test',
    dataset: 'default',
    devices: ['dev'],
    metric: 'latency',
    costMetrics: ['dev_latency'],
    predictor: 'external',
    operator: 'builtin',
    partition: true,
    generations: 3,
    budget: 16,
    adaptive: true,
    seed: 1,
    spaceOptions: { definition: def, externalEvaluator: { command: cmd, retries: 0, concurrency: 2 } },
  };
  const out = path.join(dir, 'run');
  const messages: string[] = [];
  const run = SearchRun.start(out, config, {
    onEvent: (e) => {
      if (e.type === 'candidate/rejected') messages.push(e.message);
    },
  });
  await run.done;
  assert.equal(run.status, 'completed');
  const specs = fs
    .readdirSync(path.join(out, 'archs'))
    .map(
      (f) =>
        JSON.parse(fs.readFileSync(path.join(out, 'archs', f), 'utf8')) as { spec: { slots: { k: string } } },
    );
  assert.ok(specs.length > 0);
  assert.ok(
    specs.every((s) => s.spec.slots.k !== 'c'),
    'failed candidates have no spec file',
  );
  assert.ok(
    messages.some((m) => /evaluation failed: stdout holds no JSON object/.test(m)),
    messages.join('\n'),
  );
});

test('FBNet with an external evaluator: accuracy from the command, latency from the lookup tables', async () => {
  const { createRegistry } = await import('../../src/core/compose.js');
  const { lutCost, FBNET_SETTINGS } = await import('../../src/core/fbnet/lut.js');
  const cmd = script(
    'acc.js',
    `${READ} function main(r){ console.log(JSON.stringify({accuracy: r.features.n_k5})); }`,
  );
  const parts = createRegistry().buildRun({
    format: RUN_FORMAT,
    id: 'x',
    createdAt: '2026-01-01T00:00:00.000Z',
    space: 'fbnet',
    dataset: 'cifar100',
    devices: ['pixel3'],
    metric: 'latency',
    costMetrics: ['pixel3_latency'],
    predictor: 'external',
    operator: 'builtin',
    partition: false,
    generations: 1,
    budget: 1,
    adaptive: true,
    seed: 0,
    spaceOptions: { externalEvaluator: cmd },
  });
  const a = parts.space.parse(['k5_e6', 'k5_e1', ...new Array<string>(20).fill('k3_e3')]) as number[];
  const e = await parts.evaluator.evaluate(a);
  assert.equal(e.predictedAccuracy, 2);
  assert.equal(e.hw['pixel3_latency'], lutCost(a, FBNET_SETTINGS['cifar100']!, 'pixel3_latency'));
});

// ---- durability (issue 9, item 10) ---------------------------------------------------------------------------

/** A command that starts a grandchild holding stdout/stderr open (pid to pidFile), then prints `out` and exits. */
const exitsLeavingGrandchild = (name: string, pidFile: string, out: string): string =>
  script(
    name,
    `const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'inherit'});
     require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); ${out}; process.exit(0);`,
  );

test('the direct child exits but a grandchild holds stdout: the attempt still ends and the group is killed', async () => {
  const pidFile = path.join(dir, 'gc-nojson.pid');
  const t0 = Date.now();
  await assert.rejects(
    evaluator({
      command: exitsLeavingGrandchild('gc-nojson.js', pidFile, ''),
      timeoutMs: 3000,
      retries: 0,
      killGraceMs: 200,
    }).evaluate(space.parse('w=6 k=a')),
    failure('non-json', 1),
  );
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  await waitFor(() => !alive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000);
  // the JSON printed before the exit still counts
  const pid2 = path.join(dir, 'gc-json.pid');
  const e = await evaluator({
    command: exitsLeavingGrandchild(
      'gc-json.js',
      pid2,
      `console.log(JSON.stringify({accuracy: 7, metrics: {dev_latency: 1}}))`,
    ),
    timeoutMs: 3000,
    retries: 0,
    killGraceMs: 200,
  }).evaluate(space.parse('w=6 k=b'));
  assert.equal(e.predictedAccuracy, 7);
  await waitFor(() => !alive(Number(fs.readFileSync(pid2, 'utf8'))), 5000);
});

test('cancel after the direct child exited (grandchild holds stdout): AbortError at once, group killed', async () => {
  const pidFile = path.join(dir, 'gc-cancel.pid');
  const ac = new AbortController();
  const p = evaluator({
    command: exitsLeavingGrandchild('gc-cancel.js', pidFile, ''),
    retries: 0,
    killGraceMs: 200,
    timeoutMs: 60_000,
  }).evaluate(space.parse('w=7 k=a'), ac.signal);
  await waitFor(() => fs.existsSync(pidFile), 5000);
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  ac.abort();
  await assert.rejects(p, (e: unknown) => (e as Error).name === 'AbortError');
  assert.ok(Date.now() - t0 < 2000, `cancel took ${Date.now() - t0} ms`);
  await waitFor(() => !alive(Number(fs.readFileSync(pidFile, 'utf8'))), 5000);
});

test('20 MB of stderr without a newline: linear time, capped log, its tail in the message', async () => {
  const cmd = script(
    'noisy.js',
    `const b='e'.repeat(1<<20); let i=0; const w=()=>{ while(i<20){ i++; if(!process.stderr.write(b)) return process.stderr.once('drain', w); }
     process.stderr.write('THE-END'); process.exit(1); }; w();`,
  );
  const log: string[] = [];
  const t0 = Date.now();
  await assert.rejects(
    evaluator({ command: cmd, retries: 0 }, log).evaluate(space.parse('w=8 k=a')),
    (e: unknown) => e instanceof ExternalEvaluationError && e.kind === 'exit' && /THE-END/.test(e.message),
  );
  const ms = Date.now() - t0;
  assert.ok(ms < 8000, `took ${ms} ms`);
  const logged = log.reduce((n, l) => n + l.length, 0);
  assert.ok(logged < 64 * 1024, `logged ${logged} characters`);
  assert.ok(log.some((l) => /line cut at/.test(l)));
});

test('a valid JSON line after 9 MB of stdout is found', async () => {
  const cmd = script(
    'chatty.js',
    `const b=('progress '.repeat(100)+'\\n').repeat(1000); let i=0; const w=()=>{ while(i<10){ i++; if(!process.stdout.write(b)) return process.stdout.once('drain', w); }
     console.log(JSON.stringify({accuracy: 3.5, metrics: {dev_latency: 2}})); }; w();`,
  );
  const e = await evaluator({ command: cmd, retries: 0 }).evaluate(space.parse('w=1 k=c'));
  assert.deepEqual(e, { predictedAccuracy: 3.5, proxies: {}, hw: { dev_latency: 2 } });
});

test('negative, huge and non-finite metrics are refused with the field named', async () => {
  const a = space.parse('w=2 k=c');
  for (const [body, re] of [
    [`{accuracy: 1, metrics: {dev_latency: -3}}`, /\$\.metrics\.dev_latency: -3 is negative/],
    [`{accuracy: 1, metrics: {dev_latency: 1e308}}`, /\$\.metrics\.dev_latency: 1e\+308 is out of range/],
    [`{accuracy: 1e308, metrics: {dev_latency: 1}}`, /\$\.accuracy: 1e\+308 is out of range/],
    [`{accuracy: 1, metrics: {dev_latency: 1}, proxies: {z: 1e300}}`, /\$\.proxies\.z/],
  ] as const) {
    const f = `bad-${Math.random().toString(36).slice(2)}.js`;
    await assert.rejects(
      evaluator({ command: script(f, `console.log(JSON.stringify(${body}))`), retries: 0 }).evaluate(a),
      (e: unknown) => e instanceof ExternalEvaluationError && e.kind === 'bad-response' && re.test(e.message),
    );
  }
  // a raw "-Infinity"-like text cannot be JSON; NaN via a string is refused as not a number
  await assert.rejects(
    evaluator({
      command: script('nan.js', `console.log('{"accuracy": "NaN", "metrics": {"dev_latency": 1}}')`),
      retries: 0,
    }).evaluate(a),
    /\$\.accuracy: expected a finite number/,
  );
});

test('CLI: --evaluator-timeout is stored with the command and enforced; a bad value exits 2', async () => {
  const { spawnSync } = await import('node:child_process');
  const root = path.join(__dirname, '..', '..');
  const cli = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
      encoding: 'utf8',
      cwd: root,
      timeout: 60_000,
    });
  const bad = cli([
    'search',
    '--evaluator-timeout',
    'soon',
    '--external-evaluator',
    'true',
    '--out',
    path.join(dir, 'x1'),
  ]);
  assert.equal(bad.status, 2);
  assert.match(String(bad.stderr), /--evaluator-timeout must be a number of seconds/);
  const lone = cli(['search', '--evaluator-timeout', '5', '--out', path.join(dir, 'x2')]);
  assert.equal(lone.status, 2);
  assert.match(String(lone.stderr), /--evaluator-timeout needs --external-evaluator/);
  // a hanging command with a 0.5 s timeout: every candidate fails by timeout, the run ends
  const out = path.join(dir, 'cli-timeout');
  const hang = script('cli-hang.js', 'setInterval(()=>{},1000)');
  const r = cli([
    'search',
    '--space',
    'fbnet',
    '--budget',
    '2',
    '--generations',
    '1',
    '--niches',
    '1',
    '--external-evaluator',
    hang,
    '--evaluator-timeout',
    '0.5',
    '--out',
    out,
  ]);
  const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as RunConfig;
  assert.deepEqual(cfg.spaceOptions?.['externalEvaluator'], { command: hang, timeoutMs: 500 });
  assert.match(String(r.stderr), /timed out after 500 ms/);
});

test('a grandchild that left the process group (setsid) and holds stdout cannot keep the attempt open', async () => {
  const pidFile = path.join(dir, 'gc-setsid.pid');
  const cmd = script(
    'gc-setsid.js',
    `const c=require('child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'inherit',detached:true});
     require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
     console.log(JSON.stringify({accuracy: 9, metrics: {dev_latency: 1}})); process.exit(0);`,
  );
  const t0 = Date.now();
  try {
    const e = await evaluator({ command: cmd, retries: 0, killGraceMs: 200, timeoutMs: 60_000 }).evaluate(
      space.parse('w=8 k=c'),
    );
    assert.equal(e.predictedAccuracy, 9);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  } finally {
    process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
  }
});
