// The best front known for a task without ground truth (src/core/knownfront.ts) and the Quality tab's data for
// such a run: HV against the union of this run's front and earlier runs' of the same task in the runs folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { frontOf, hvRatioAgainst, knownFrontOf, type Task } from '../../src/core/knownfront';
import { SearchRun, type FrontFile } from '../../src/core/run';
import { RUN_FORMAT, RunStore, type RunConfig } from '../../src/core/runstore';
import { readDefinitionFile } from '../../src/core/userspace/definition';
import { userProviderOf } from '../../src/core/userspace/provider';
import { modelFromFolder } from '../../src/extension/folder-model';

const root = path.join(__dirname, '..', '..');
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'llm-nas-known-'));

test('hvRatioAgainst: exact 2-D figures, 1 for the reference itself, undefined without one', () => {
  // normalised by the reference's ideal (0,0) and nadir (1,1), reference point (1.1, 1.1):
  // HV(reference) = 1.1·0.1 + 0.1·1 = 0.21; HV({(0,1)}) = 1.1·0.1 = 0.11
  const ref = [
    [0, 1],
    [1, 0],
  ];
  assert.ok(Math.abs(hvRatioAgainst(ref, [[0, 1]])! - 0.11 / 0.21) < 1e-12);
  assert.equal(hvRatioAgainst(ref, ref), 1);
  assert.equal(hvRatioAgainst(ref, []), 0);
  assert.equal(hvRatioAgainst([], [[0, 1]]), undefined);
  // 3 objectives: one of two non-dominated points covers less than both
  const cube = [
    [0, 0, 1],
    [1, 1, 0],
  ];
  assert.ok(hvRatioAgainst(cube, [cube[0]!])! < 1);
  assert.deepEqual(
    frontOf([
      [0, 2],
      [1, 1],
      [1, 1],
      [2, 2],
    ]),
    [
      [0, 2],
      [1, 1],
    ],
  );
});

test('knownFrontOf: the union of the fronts of runs of the same task, other tasks and broken folders ignored', () => {
  const runs = tmp();
  const task: Task = {
    space: 'fbnet',
    dataset: 'cifar100',
    predictor: 'rank-avg',
    costMetrics: ['edgegpu_latency'],
  };
  const write = (name: string, over: Partial<FrontFile>, pts: [number, number][]): void => {
    fs.mkdirSync(path.join(runs, name));
    const f = {
      run: name,
      space: 'fbnet',
      dataset: 'cifar100',
      costMetrics: ['edgegpu_latency'],
      predictor: { id: 'rank-avg', unit: 'percentile', labels: 0 },
      evaluations: 10,
      wallMs: 1,
      complete: true,
      front: pts.map(([acc, lat], i) => ({
        id: `${name}-${i}`,
        niche: 0,
        arch: 'x',
        predictedAccuracy: acc,
        hw: { edgegpu_latency: lat },
      })),
      ...over,
    };
    fs.writeFileSync(path.join(runs, name, 'front.json'), JSON.stringify(f));
  };
  write('a', {}, [
    [0.9, 10],
    [0.5, 2],
  ]);
  write('b', {}, [
    [0.95, 12],
    [0.8, 10], // dominated by a's (0.9, 10)
  ]);
  write('other-predictor', { predictor: { id: 'synflow', unit: 'proxy score', labels: 0 } }, [[99, 1]]);
  write('other-metric', { costMetrics: ['raspi4_latency'] }, [[0.99, 1]]);
  write('self', {}, [[1, 0.1]]);
  fs.mkdirSync(path.join(runs, 'broken'));
  fs.writeFileSync(path.join(runs, 'broken', 'front.json'), '{"half":');
  fs.mkdirSync(path.join(runs, 'empty'));
  const k = knownFrontOf(runs, task, path.join(runs, 'self'));
  assert.equal(k.runs, 2);
  assert.deepEqual(
    [...k.points].sort((x, y) => x[1]! - y[1]!),
    [
      [-0.5, 2],
      [-0.9, 10],
      [-0.95, 12],
    ],
  );
  assert.deepEqual(knownFrontOf(path.join(runs, 'missing'), task), { runs: 0, points: [] });
  assert.equal(knownFrontOf(runs, task).runs, 3, 'without exclusion the folder counts too');
});

test('Quality data of a space without a true front: HV vs the best known front, after an earlier run', async () => {
  const runs = tmp();
  const def = readDefinitionFile(path.join(root, 'examples/user-space/tiny-cnn.space.json'));
  const config = (id: string, seed: number): RunConfig => ({
    format: RUN_FORMAT,
    id,
    createdAt: '2026-01-01T00:00:00.000Z',
    space: userProviderOf(def).id,
    dataset: 'cifar10',
    devices: ['mcu'],
    metric: 'latency',
    costMetrics: ['mcu_latency'],
    predictor: 'feature:params_k',
    operator: 'builtin',
    partition: true,
    generations: 3,
    budget: 30,
    adaptive: true,
    seed,
    spaceOptions: { definition: def },
  });
  const first = path.join(runs, 'first');
  await SearchRun.start(first, config('first', 1)).done;
  // the first run has nothing to compare with: no ratio, no known front
  const alone = modelFromFolder(first).snapshot().state;
  assert.ok(alone.history.length > 0);
  assert.ok(alone.history.every((r) => r.hvRatio === undefined && r.knownHvRatio === undefined));
  assert.equal(alone.run?.knownFront, undefined);

  const second = path.join(runs, 'second');
  await SearchRun.start(second, config('second', 2)).done;
  const snap = modelFromFolder(second).snapshot().state;
  assert.equal(snap.run?.knownFront?.runs, 1);
  const firstFront = JSON.parse(fs.readFileSync(path.join(first, 'front.json'), 'utf8')) as FrontFile;
  assert.equal(
    snap.run?.knownFront?.size,
    frontOf(firstFront.front.map((e) => [-e.predictedAccuracy, e.hw['mcu_latency']!])).length,
  );
  assert.equal(snap.history.length, 3);
  for (const r of snap.history) {
    assert.ok(
      r.knownHvRatio !== undefined && r.knownHvRatio > 0 && r.knownHvRatio <= 1 + 1e-12,
      `gen ${r.generation}: ${r.knownHvRatio}`,
    );
  }
  // the last row, recomputed from the files: the second run's specs against first's front ∪ its own
  const own = frontOf(
    RunStore.open(second)
      .readSpecs()
      .map((s) => [-s.evaluation.predictedAccuracy, s.evaluation.hw['mcu_latency']!]),
  );
  const theirs = firstFront.front.map((e) => [-e.predictedAccuracy, e.hw['mcu_latency']!]);
  const expected = hvRatioAgainst(frontOf([...theirs, ...own]), own)!;
  assert.ok(Math.abs(snap.history[2]!.knownHvRatio! - expected) < 1e-12);
});
