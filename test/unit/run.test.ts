// Run folders: files written, export, clear errors for broken folders, and resume after SIGKILL yielding the
// same final front as an uninterrupted run.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { exportRun } from '../../src/core/export';
import { SearchRun, type FrontFile } from '../../src/core/run';
import { RunFolderError, RunStore, type RunConfig } from '../../src/core/runstore';
import { nb201TestConfig } from '../support/config';

const root = path.join(__dirname, '..', '..');
const cli = (args: string[]): ReturnType<typeof spawnSync> =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: root,
  });
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-test-'));

const config = (over: Partial<RunConfig> = {}): RunConfig => nb201TestConfig(over);

test('a run writes config, knowledge base, one spec per evaluation, events and the front', async () => {
  const dir = path.join(tmp(), 'run');
  const run = SearchRun.start(dir, config());
  await run.done;
  assert.equal(run.status, 'completed');
  for (const f of ['config.json', 'knowledge-base.md', 'events.jsonl', 'front.json'])
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  const specs = fs.readdirSync(path.join(dir, 'archs'));
  assert.equal(specs.length, 300);
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'archs', specs[0]!), 'utf8')) as Record<
    string,
    unknown
  >;
  for (const k of ['arch', 'spec', 'niche', 'generation', 'parents', 'operator', 'rationale', 'evaluation'])
    assert.ok(k in spec, k);
  const front = JSON.parse(fs.readFileSync(path.join(dir, 'front.json'), 'utf8')) as FrontFile;
  assert.ok(front.complete && front.front.length > 5);
  assert.ok(front.truth!.hvRatio > 0.8 && front.truth!.hvRatio <= 1.0001);
  const lines = fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; seq: number });
  assert.deepEqual(
    lines.map((l) => l.seq),
    lines.map((_, i) => i),
  );
  assert.equal(lines.filter((l) => l.type === 'arch/evaluated').length, 300);
  // export: CSV header + one row per front member; JSON round-trips
  const csv = exportRun(dir, 'csv').trim().split('\n');
  assert.match(
    csv[0]!,
    /^id,niche,generation,arch,operator,predicted_accuracy_percentile,edgegpu_latency_ms,/,
  );
  assert.equal(csv.length, front.front.length + 1);
  const json = JSON.parse(exportRun(dir, 'json', 'all')) as unknown[];
  assert.equal(json.length, 300);
});

test('a corrupted or foreign folder gives an error naming the file', () => {
  const dir = tmp();
  assert.throws(
    () => RunStore.open(dir),
    (e: unknown) =>
      e instanceof RunFolderError &&
      e.message.includes('config.json') &&
      /not an LLM-NAS run/.test(e.message),
  );
  fs.writeFileSync(path.join(dir, 'config.json'), '{"format": "something-else"}');
  assert.throws(() => RunStore.open(dir), /config.json: not an LLM-NAS run config/);
  fs.writeFileSync(path.join(dir, 'config.json'), '{broken');
  assert.throws(() => RunStore.open(dir), /config.json: corrupted JSON/);
  const good = path.join(tmp(), 'r');
  RunStore.create(good, config());
  fs.mkdirSync(path.join(good, 'archs'), { recursive: true });
  fs.writeFileSync(path.join(good, 'archs', 'nb201-00001.json'), '{"half": ');
  assert.throws(() => RunStore.open(good).readSpecs(), /archs\/nb201-00001.json: corrupted spec file/);
  assert.throws(() => RunStore.create(good, config()), /a run already exists here/);
});

test('CLI: unknown device/dataset/space exit 2 listing the valid values', () => {
  const a = cli(['search', '--device', 'toaster', '--out', path.join(tmp(), 'x')]);
  assert.equal(a.status, 2);
  assert.match(
    String(a.stderr),
    /unknown device "toaster"; valid: edgegpu, raspi4, edgetpu, pixel3, eyeriss, fpga/,
  );
  const b = cli(['search', '--dataset', 'mnist', '--out', path.join(tmp(), 'x')]);
  assert.equal(b.status, 2);
  assert.match(String(b.stderr), /valid: cifar10, cifar100, ImageNet16-120/);
  const c = cli(['search', '--space', 'darts', '--out', path.join(tmp(), 'x')]);
  assert.equal(c.status, 2);
  assert.match(String(c.stderr), /unknown space "darts"; valid: nb201/);
  const d = cli(['search', '--metric', 'energy', '--device', 'raspi4', '--out', path.join(tmp(), 'x')]);
  assert.equal(d.status, 2);
  assert.match(String(d.stderr), /no hardware metric "raspi4_energy"/);
});

test('SIGKILL mid-run, then resume: same final front as an uninterrupted run, nothing lost, no duplicates', async () => {
  const args = [
    '--budget',
    '600',
    '--generations',
    '20',
    '--seed',
    '5',
    '--dataset',
    'cifar100',
    '--device',
    'pixel3',
  ];
  const ref = path.join(tmp(), 'ref');
  const r = cli(['search', ...args, '--out', ref]);
  assert.equal(r.status, 0, String(r.stderr));
  let killedAt = -1;
  let dir = '';
  // kill at a growing number of evaluations until the kill lands mid-run (the run is fast)
  for (const threshold of [40, 120, 250, 400]) {
    dir = path.join(tmp(), 'killed');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'search', ...args, '--out', dir],
      { cwd: root, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const archs = path.join(dir, 'archs');
    const poll = setInterval(() => {
      const n = fs.existsSync(archs) ? fs.readdirSync(archs).length : 0;
      if (n >= threshold) {
        child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 1);
    const code = await exited;
    clearInterval(poll);
    const done =
      fs.existsSync(path.join(dir, 'events.jsonl')) &&
      fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').includes('"search/completed"');
    if (code === null && !done) {
      killedAt = fs.readdirSync(archs).length;
      break;
    }
  }
  assert.ok(killedAt > 0 && killedAt < 600, 'the kill must land mid-run');
  // a temp file the kill caught mid-write is not an evaluation (resume removes it); every spec file is one
  const before = new Set(fs.readdirSync(path.join(dir, 'archs')).filter((f) => !f.endsWith('.tmp')));
  const res = cli(['resume', dir]);
  assert.equal(res.status, 0, String(res.stderr));
  const after = fs.readdirSync(path.join(dir, 'archs'));
  for (const f of before) assert.ok(after.includes(f), `evaluation ${f} lost`);
  assert.equal(after.length, 600);
  const front = (d: string): unknown => {
    const f = JSON.parse(fs.readFileSync(path.join(d, 'front.json'), 'utf8')) as FrontFile;
    return f.front.map((e) => [e.id, e.predictedAccuracy, e.hw]);
  };
  assert.deepEqual(front(dir), front(ref));
  assert.deepEqual(after.sort(), fs.readdirSync(path.join(ref, 'archs')).sort());
  const events = fs
    .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; id?: string });
  const evaluated = events.filter((e) => e.type === 'arch/evaluated').map((e) => e.id);
  assert.equal(new Set(evaluated).size, evaluated.length, 'an evaluation was logged twice');
});
