// The benchmark implementation reproduces the reference figures of ../shared/BENCHMARK.md:
// exhaustive rows within ±0.002, random search within ±0.01 (mean HV ratio over the 18 latency tasks).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBench } from '../../src/core/bench';
import { energyTasks, trueFrontIndices, latencyTasks } from '../../src/core/nb201/benchmark';
import fs from 'node:fs';
import path from 'node:path';

async function meanHv(searcher: string, predictor: string, seeds: number): Promise<number> {
  const rows = await runBench({ budget: 300, seeds, predictor, searchers: [searcher] });
  assert.equal(rows.length, 18);
  return rows.reduce((a, r) => a + r.hv_ratio_mean, 0) / rows.length;
}

const within = (got: number, want: number, tol: number): void =>
  assert.ok(Math.abs(got - want) <= tol, `got ${got.toFixed(4)}, reference ${want} ± ${tol}`);

test('exhaustive, rank-average of naswot, logsynflow, zen, params: 0.934', async () => {
  within(await meanHv('exhaustive', 'rank-avg', 1), 0.934, 0.002);
});

test('exhaustive, logsynflow alone: 0.906', async () => {
  within(await meanHv('exhaustive', 'logsynflow', 1), 0.906, 0.002);
});

test('exhaustive, params alone: 0.931', async () => {
  within(await meanHv('exhaustive', 'params', 1), 0.931, 0.002);
});

test('random search, 300 evaluations, rank-average, 10 seeds: 0.902', async () => {
  within(await meanHv('random', 'rank-avg', 10), 0.902, 0.01);
});

test('true fronts computed here agree with the published ones (size and members)', () => {
  const ref = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'pareto_fronts_nb201_full.json'), 'utf8'),
  ) as {
    fronts: Record<
      string,
      { front_size: number; exact_duplicates_of_front_points: number; front: { index: number }[] }
    >;
  };
  for (const task of [...latencyTasks(), ...energyTasks()]) {
    const key = `${task.dataset}/${task.metrics[0]}`;
    const mine = trueFrontIndices(task);
    const theirs = ref.fronts[key]!;
    // the published list keeps the lowest index of exact duplicates; ours keeps all ties
    const published = new Set(theirs.front.map((p) => p.index));
    for (const i of published) assert.ok(mine.includes(i), `${key}: ${i} missing`);
    assert.equal(mine.length, theirs.front_size + theirs.exact_duplicates_of_front_points, key);
  }
});
